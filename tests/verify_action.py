"""Zulip-style ``verify_action``: run one action and return the events it wrote to the event log, each
checked against the event catalogue (``helpline.domain.event_catalogue``)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from helpline.bootstrap import Database
from helpline.domain.event_catalogue import validate_payload
from helpline.storage.events import events_after, last_sequence

T = TypeVar("T")

MAX_EVENTS = 10_000


@dataclass(frozen=True)
class WrittenEvent:
    """One event as the log holds it."""

    sequence: int
    type: str
    contact_id: int | None
    agent_id: int | None
    actor: str
    payload: Mapping[str, Any]


def verify_action(
    db: Database, organization_id: int, action: Callable[[], T]
) -> tuple[T, list[WrittenEvent]]:
    """Run ``action`` and return its result and the organization's events it wrote, in order.

    The log is read by sequence before and after; every event written must match the catalogue and
    the sequences must follow on without a gap.
    """
    with db.transaction() as session:
        before = last_sequence(session, organization_id)
    result = action()
    with db.transaction() as session:
        rows = events_after(session, organization_id, before, MAX_EVENTS)
        events = [
            WrittenEvent(
                row.sequence, row.type, row.contact_id, row.agent_id, row.actor, dict(row.payload)
            )
            for row in rows
        ]
    assert [e.sequence for e in events] == list(range(before + 1, before + 1 + len(events)))
    for event in events:
        validate_payload(event.type, event.payload)
    return result, events


def types(events: list[WrittenEvent]) -> list[str]:
    """The events' types, in order."""
    return [event.type for event in events]
