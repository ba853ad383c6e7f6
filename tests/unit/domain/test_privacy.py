"""Personal data rules: every free-text field of an operational event is classified (personal, with a
tombstone, or reviewed as not personal), tombstones keep payloads valid, and administrative events
map to audited changes that carry ids only."""

from __future__ import annotations

import types
import typing
from enum import Enum
from typing import Any

import pytest

from helpline.domain.event_catalogue import EVENT_TYPES, validate_payload
from helpline.domain.privacy import (
    ERASED,
    PERSONAL_EVENT_FIELDS,
    audited_change,
    tombstoned_payload,
)

NOT_PERSONAL = {
    ("ContactWrappedUp", "wrap_up_code"),  # an id as text
    ("AgentStateChanged", "reason"),  # a not-ready reason code
    ("ChatStarted", "session"),  # a prefix of a random session id
    ("ChatEnded", "session"),
    ("CallEventReceived", "extension"),  # the agent's extension
    ("CallbackFailed", "contact_state"),
}
"""Reviewed: free-text fields of operational events that hold no customer data."""


def _free_text(annotation: Any) -> bool:
    """Whether a field's type admits arbitrary strings or JSON (not an enum or a literal)."""
    if annotation is str or annotation is typing.Any:
        return True
    origin = typing.get_origin(annotation)
    if origin is typing.Literal or (isinstance(annotation, type) and issubclass(annotation, Enum)):
        return False
    if origin in (dict, list, typing.Union, types.UnionType):
        args = typing.get_args(annotation)
        return origin is dict or any(_free_text(a) for a in args)
    return False


def _operational_free_text_fields() -> set[tuple[str, str]]:
    found = set()
    for name, model in EVENT_TYPES.items():
        if audited_change(name, {}) is not None:
            continue  # configuration: written by staff, not about customers
        if name.startswith(("Forecast", "Schedule", "TimeOff", "Adherence", "Calendar")):
            continue  # planning: about agents and volumes
        for field_name, info in model.model_fields.items():
            if name.startswith("Case") and field_name == "reference":
                continue  # case references are ours (C-000123)
            if _free_text(info.annotation):
                found.add((name, info.alias or field_name))
    return found


def test_every_free_text_field_of_an_operational_event_is_classified() -> None:
    personal = {(t, f) for t, fields in PERSONAL_EVENT_FIELDS.items() for f in fields}
    unclassified = _operational_free_text_fields() - personal - NOT_PERSONAL
    assert not unclassified, f"add to PERSONAL_EVENT_FIELDS or NOT_PERSONAL: {unclassified}"


@pytest.mark.parametrize(
    ("event_type", "payload"),
    [
        (
            "ContactWrappedUp",
            {"wrap_up_code": "3", "notes": "Called about Zelda's card"},
        ),
        ("CustomerUpdated", {"customer_id": 4, "display_name": "Zelda", "added_identities": {}}),
        ("ChatTranscriptSent", {"widget_id": 1, "to": "zelda@example.com"}),
    ],
)
def test_tombstones_keep_the_payload_valid(event_type: str, payload: dict[str, Any]) -> None:
    validate_payload(event_type, payload)
    erased = tombstoned_payload(event_type, payload)
    validate_payload(event_type, erased)
    assert "zelda" not in str(erased).lower()
    assert tombstoned_payload(event_type, erased) == erased


def test_tombstones_keep_ids() -> None:
    erased = tombstoned_payload("ContactWrappedUp", {"wrap_up_code": "3", "notes": "x"})
    assert erased == {"wrap_up_code": "3", "notes": ERASED}


@pytest.mark.parametrize(
    ("event_type", "payload", "expected"),
    [
        ("QueueUpdated", {"id": 7, "changed": {"name": "Sales"}}, ("Queue", "7")),
        ("UserCreated", {"user_id": 3, "email": "a@b.c", "role": "agent"}, ("User", "3")),
        ("ApiKeyRevoked", {"api_key_id": 9}, ("ApiKey", "9")),
        ("SurveySettingsChanged", {"asks_csat": True}, ("SurveySettings", "")),
        ("HolidaySettingsUpdated", {"country": "GB"}, ("HolidaySettings", "")),
    ],
)
def test_administrative_events_become_audited_changes_with_ids_only(
    event_type: str, payload: dict[str, Any], expected: tuple[str, str]
) -> None:
    change = audited_change(event_type, payload)
    assert change is not None
    assert (change.action, change.resource_kind, change.resource_id) == (event_type, *expected)


@pytest.mark.parametrize("event_type", ["ContactCreated", "MessageReceived", "CaseCreated"])
def test_operational_events_are_not_audited_changes(event_type: str) -> None:
    assert audited_change(event_type, {"id": 1}) is None
