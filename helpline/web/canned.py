"""Canned responses offered in the agent desktop's reply box.

Every organization gets these defaults; ``canned_responses`` is the one place to read an organization's
own list from once it is stored (a configuration resource or an organization setting).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CannedResponse:
    """A reply template; ``{customer}`` and ``{agent}`` are filled in on the desk."""

    title: str
    text: str


DEFAULT_CANNED_RESPONSES = (
    CannedResponse("Greeting", "Hello {customer}, this is {agent}. How can I help you today?"),
    CannedResponse("One moment", "Thank you, {customer}. Let me look into that for you."),
    CannedResponse(
        "Verify identity", "For your security, could you confirm your date of birth and postcode?"
    ),
    CannedResponse(
        "Card blocked",
        "I have blocked the card. A replacement will reach you within 5 working days.",
    ),
    CannedResponse(
        "Statement copy", "I have sent a copy of your statement to the address on file."
    ),
    CannedResponse("Anything else", "Is there anything else I can help you with today?"),
    CannedResponse("Goodbye", "Thank you for contacting Demo Bank, {customer}. Have a good day!"),
)


def canned_responses(organization_id: int) -> tuple[CannedResponse, ...]:
    """The canned responses of an organization (today: the defaults for every organization)."""
    del organization_id
    return DEFAULT_CANNED_RESPONSES
