"""Bulk writes for imports and benchmarks: many contacts and events in a few statements.

``events.append_event`` spends one UPDATE and one INSERT per event, which is right for live work
(each event commits with its state change) but makes a month of history take minutes. Here one
UPDATE reserves a block of sequence numbers and one multi-row INSERT stores the block, under the same
counter-row lock, so sequences stay gap-free and strictly increasing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from helpline.analytics import EventRecord
from helpline.domain.event_catalogue import validate_payload
from helpline.storage.events import APPENDED_ORGANIZATIONS, json_value
from helpline.storage.redaction import redact_rows
from helpline.storage.report_facts import note_events
from helpline.storage.tables import Contact, Event, EventCounter

KEY_CHUNK = 1000
"""Idempotency keys per look-up query (well under every backend's bound-parameter limit)."""


@dataclass(frozen=True, slots=True)
class NewEvent:
    """An event to append: what ``append_event`` takes, as a value."""

    type: str
    occurred_at: datetime
    payload: Mapping[str, Any] = field(default_factory=dict)
    contact_id: int | None = None
    agent_id: int | None = None
    actor: str = ""


def append_events(session: Session, organization_id: int, events: Sequence[NewEvent]) -> None:
    """Append ``events`` in order, numbered with the organization's next sequence numbers.

    Each payload must match its type's model in ``helpline.domain.event_catalogue``
    (EventCatalogueError otherwise), checked before anything is written.
    """
    if not events:
        return
    payloads = [json_value(dict(event.payload)) for event in events]
    for event, payload in zip(events, payloads, strict=True):
        validate_payload(event.type, payload)
    last = session.execute(
        update(EventCounter)
        .where(EventCounter.organization_id == organization_id)
        .values(last_sequence=EventCounter.last_sequence + len(events))
        .returning(EventCounter.last_sequence)
    ).scalar_one()
    first = last - len(events) + 1
    rows = [
        {
            "organization_id": organization_id,
            "sequence": first + index,
            "type": event.type,
            "contact_id": event.contact_id,
            "agent_id": event.agent_id,
            "actor": event.actor,
            "occurred_at": event.occurred_at,
            "payload": payload,
        }
        for index, (event, payload) in enumerate(zip(events, payloads, strict=True))
    ]
    rows = redact_rows(session, organization_id, Event, rows)  # no flush: redact here
    # Core executemany on the table: the ORM's bulk path would fetch every new primary key back.
    session.execute(insert(Event.metadata.tables["events"]), rows)
    note_events(
        session,
        organization_id,
        (
            EventRecord(
                row["sequence"],
                row["type"],
                row["occurred_at"],
                row["contact_id"],
                row["agent_id"],
                row["payload"],
            )
            for row in rows
        ),
    )
    session.info.setdefault(APPENDED_ORGANIZATIONS, {}).setdefault(organization_id, set()).update(
        event.type for event in events
    )


def insert_keyed_contacts(session: Session, rows: Sequence[Mapping[str, Any]]) -> dict[str, int]:
    """Insert contact rows (column values, each with ``organization_id`` and a distinct
    ``idempotency_key``) and return their ids by idempotency key."""
    if not rows:
        return {}
    organization_ids = {row["organization_id"] for row in rows}
    if len(organization_ids) != 1:
        raise ValueError("insert the contacts of one organization at a time")
    (organization_id,) = organization_ids
    redacted = redact_rows(session, organization_id, Contact, (dict(row) for row in rows))
    session.execute(insert(Contact.metadata.tables["contacts"]), redacted)
    keys = [str(row["idempotency_key"]) for row in rows]
    found: dict[str, int] = {}
    for start in range(0, len(keys), KEY_CHUNK):
        chunk = keys[start : start + KEY_CHUNK]
        for contact_id, key in session.execute(
            select(Contact.id, Contact.idempotency_key).where(
                Contact.organization_id == organization_id,
                Contact.idempotency_key.in_(chunk),
            )
        ):
            found[str(key)] = int(contact_id)
    return found
