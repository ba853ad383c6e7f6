"""Message, web chat and phone-system (CTI) events (``services/conversations``)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from helpline.domain.enums import Channel
from helpline.domain.event_catalogue.base import EventPayload


class MessageReceived(EventPayload):
    """A customer message arrived on a contact (email, chat, SMS, social)."""

    message_id: int = Field(description="The message.")
    channel: Channel = Field(strict=False, description="The channel it came by.")
    attachments: int = Field(description="Number of attachments.")


class MessageSent(EventPayload):
    """An agent's reply was stored and queued for delivery."""

    message_id: int = Field(description="The message.")
    channel: Channel = Field(strict=False, description="The channel it goes by.")


class MessageDelivered(EventPayload):
    """The channel accepted an outbound message (``sent``) or the provider reported it delivered."""

    message_id: int = Field(description="The message.")
    status: Literal["sent", "delivered"] = Field(description="The delivery status reached.")
    attempts: int | None = Field(None, description="Delivery attempts so far (our sender only).")
    error: str | None = Field(None, description="Empty (our sender only).")
    provider_id: str | None = Field(
        None, description="The provider's message id (provider status reports only)."
    )


class MessageFailed(EventPayload):
    """An outbound message could not be delivered (after retries, or refused by the provider)."""

    message_id: int = Field(description="The message.")
    status: Literal["failed"] = Field(description="Always ``failed``.")
    attempts: int | None = Field(None, description="Delivery attempts made (our sender only).")
    error: str | None = Field(None, description="Why, or empty when unknown (our sender only).")
    provider_id: str | None = Field(
        None, description="The provider's message id (provider status reports only)."
    )


class ChatStarted(EventPayload):
    """A visitor opened a chat session on a widget."""

    widget_id: int = Field(description="The chat widget.")
    session: str = Field(description="First characters of the session id (for correlation).")


class ChatEnded(EventPayload):
    """A visitor ended their chat session (the event's ``contact_id`` is its current contact)."""

    widget_id: int = Field(description="The chat widget.")
    session: str = Field(description="First characters of the session id.")


class ChatTranscriptSent(EventPayload):
    """A chat transcript was emailed to the visitor."""

    widget_id: int = Field(description="The chat widget.")
    to: str = Field(description="The visitor's email address.")


class CallEventReceived(EventPayload):
    """The external phone system reported a call event (audit line; the routing events it caused
    are recorded separately). Which optional fields are present depends on ``event``."""

    call_id: str = Field(description="The phone system's call id.")
    event: Literal["offered", "answered", "held", "resumed", "transferred", "ended"] = Field(
        description="What happened to the call."
    )
    ivr: dict[str, Any] | None = Field(None, description="offered: what the IVR collected.")
    agent_id: int | None = Field(
        None, description="answered, transferred: the agent answering, or the target agent."
    )
    extension: str | None = Field(None, description="answered: the extension that answered.")
    queue_id: int | None = Field(None, description="transferred: the target queue.")
    number: str | None = Field(None, description="transferred: the external number.")
    ended_by: Literal["customer", "agent", "system"] | None = Field(
        None, description="ended: who hung up."
    )


EVENTS: tuple[type[EventPayload], ...] = (
    MessageReceived,
    MessageSent,
    MessageDelivered,
    MessageFailed,
    ChatStarted,
    ChatEnded,
    ChatTranscriptSent,
    CallEventReceived,
)
