"""Record calls that happened before Helpline saw them (imports), with every lifecycle event.

Unlike ``contacts.record_past_contact`` (demo history), a past call keeps its time in the voice
response unit (created before it queued), may be answered by an agent the log does not name, carries
the waits the source system measured, and takes an idempotency key so a file imported twice is
stored once.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from helpline.domain.enums import Channel, ContactState, Direction
from helpline.errors import InvalidInput
from helpline.services.access import any_member, owned_by, requires
from helpline.services.actor import Actor
from helpline.services.conversations.contacts import CONTACT_ROLES
from helpline.storage.bulk import NewEvent, append_events, insert_keyed_contacts
from helpline.storage.events import json_value
from helpline.storage.tables import Contact

PRIORITY = 5
"""Imported calls take the default contact priority (the source's own priority is an attribute)."""


class CallEnd(enum.StrEnum):
    """How a past call ended."""

    ANSWERED = "answered"  # an agent served it; closed when the service ended
    ABANDONED = "abandoned"  # the caller left the queue
    DEFLECTED = "deflected"  # the caller left self-service without queueing


@dataclass(frozen=True)
class PastCall:
    """A finished call: UTC instants, waits and durations in seconds."""

    queue_id: int
    end: CallEnd
    created_at: datetime
    queued_at: datetime | None
    ended_at: datetime
    wait_seconds: float = 0.0
    connected_at: datetime | None = None
    agent_id: int | None = None
    attributes: Mapping[str, Any] = field(default_factory=dict)


def _check(call: PastCall) -> None:
    if call.end is CallEnd.ANSWERED and (call.connected_at is None or call.queued_at is None):
        raise InvalidInput("connected_at", "an answered call needs queued_at and connected_at")
    if call.end is CallEnd.ABANDONED and call.queued_at is None:
        raise InvalidInput("queued_at", "an abandoned call must have queued")
    if call.ended_at < call.created_at:
        raise InvalidInput("ended_at", "a call cannot end before it starts")


@any_member
def known_import_keys(session: Session, actor: Actor, prefix: str) -> set[str]:
    """The idempotency keys starting with ``prefix`` already stored in the organization."""
    keys = session.scalars(
        select(Contact.idempotency_key).where(
            owned_by(actor, Contact),
            Contact.idempotency_key.startswith(prefix, autoescape=True),
        )
    ).all()
    return {key for key in keys if key is not None}


def _state(call: PastCall, short_abandon_seconds: float) -> ContactState:
    if call.end is CallEnd.ANSWERED:
        return ContactState.CLOSED
    if call.end is CallEnd.DEFLECTED:
        return ContactState.DEFLECTED
    if call.wait_seconds < short_abandon_seconds:
        return ContactState.SHORT_ABANDONED
    return ContactState.ABANDONED


def _events(call: PastCall, contact_id: int, state: ContactState, actor: str) -> list[NewEvent]:
    def event(kind: str, at: datetime, agent_id: int | None = None, **payload: Any) -> NewEvent:
        return NewEvent(kind, at, payload, contact_id, agent_id, actor)

    events = [
        event(
            "ContactCreated",
            call.created_at,
            channel=Channel.VOICE.value,
            direction=Direction.INBOUND.value,
            customer_id=None,
            queue_id=call.queue_id,
            priority=PRIORITY,
            subject="",
        )
    ]
    if call.queued_at is not None:
        events.append(
            event("ContactQueued", call.queued_at, queue_id=call.queue_id, priority=PRIORITY)
        )
    if call.end is CallEnd.ANSWERED and call.connected_at is not None:
        events.append(
            event(
                "ContactConnected",
                call.connected_at,
                call.agent_id,
                queue_id=call.queue_id,
                wait_seconds=call.wait_seconds,
            )
        )
        events.append(
            event("ContactClosed", call.ended_at, call.agent_id, reason="closed_by_agent")
        )
    elif call.end is CallEnd.ABANDONED:
        events.append(
            event(
                "ContactAbandoned",
                call.ended_at,
                queue_id=call.queue_id,
                wait_seconds=call.wait_seconds,
                state=state.value,
            )
        )
    else:
        events.append(
            event("ContactDeflected", call.ended_at, queue_id=call.queue_id, state=state.value)
        )
    return events


@dataclass(frozen=True)
class KeyedCall:
    """A past call with its idempotency key and its queue's short-abandon threshold (seconds)."""

    call: PastCall
    idempotency_key: str
    short_abandon_seconds: float


@requires(*CONTACT_ROLES)
def record_past_calls(session: Session, actor: Actor, calls: Sequence[KeyedCall]) -> list[int]:
    """Store finished inbound voice calls and their events at the times they happened; their ids.

    Events per call: ``ContactCreated`` (entering the voice response unit), ``ContactQueued``, then
    ``ContactConnected`` + ``ContactClosed``, ``ContactAbandoned`` or ``ContactDeflected``. Written in
    bulk (a month of calls is minutes with one statement per event). The caller checks the keys are
    new (see ``known_import_keys``); the database refuses a duplicate.
    """
    states = []
    rows = []
    for keyed in calls:
        call = keyed.call
        _check(call)
        state = _state(call, keyed.short_abandon_seconds)
        states.append(state)
        rows.append(
            {
                "organization_id": actor.organization_id,
                "customer_id": None,
                "channel": Channel.VOICE.value,
                "direction": Direction.INBOUND.value,
                "queue_id": call.queue_id,
                "agent_id": call.agent_id,
                "priority": PRIORITY,
                "state": state.value,
                "subject": "",
                "attributes": json_value(dict(call.attributes)),
                "idempotency_key": keyed.idempotency_key,
                "idempotency_fingerprint": None,
                "notes": "",
                "created_at": call.created_at,
                "queued_at": call.queued_at,
                "connected_at": call.connected_at,
                "ended_at": call.ended_at,
                "closed_at": call.ended_at,
                "routing_state": {},
            }
        )
    ids = insert_keyed_contacts(session, rows)
    events = [
        event
        for keyed, state in zip(calls, states, strict=True)
        for event in _events(keyed.call, ids[keyed.idempotency_key], state, actor.label)
    ]
    events.sort(key=lambda e: e.occurred_at)
    append_events(session, actor.organization_id, events)
    return [ids[keyed.idempotency_key] for keyed in calls]
