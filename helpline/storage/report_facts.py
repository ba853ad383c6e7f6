"""Keep each contact's report fact and handling spans in step with its events.

Every transaction that appends contact events refreshes, just before it commits, the facts of the
contacts it touched: their events are folded by ``analytics.contact_facts`` and tallied by
``analytics.contact_tallies`` (the one definition of each metric), and the result is stored in typed
columns. Reports then sum those columns per interval in the database instead of reading and folding
millions of JSON events. A contact created in the transaction is folded from the events in memory;
any other is folded from its stored events.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from helpline.analytics import ContactFact, Dimensions, EventRecord, QueueSettings
from helpline.analytics.aggregate import ARRIVAL_FIELDS, HANDLING_FIELDS, contact_tallies
from helpline.analytics.facts import FOLDED_EVENT_TYPES, contact_facts
from helpline.analytics.intervals import to_epoch_us
from helpline.storage.tables import ContactReportFact, Event, HandlingSpan, Queue

PENDING = "helpline.report_fact_events"
"""Key in ``Session.info``: {organization: {contact: [events appended in this transaction]}}."""
CHUNK = 1000
"""Contacts per look-up or delete statement (well under every backend's parameter limit)."""


def note_events(session: Session, organization_id: int, records: Iterable[EventRecord]) -> None:
    """Remember the contact events appended in the session's transaction (see ``refresh_pending``)."""
    pending = session.info.setdefault(PENDING, {}).setdefault(organization_id, {})
    for record in records:
        if record.contact_id is not None and record.type in FOLDED_EVENT_TYPES:
            pending.setdefault(record.contact_id, []).append(record)


def refresh_pending(session: Session) -> None:
    """Refresh the facts of every contact whose events the transaction appended (before commit)."""
    pending: dict[int, dict[int, list[EventRecord]]] = session.info.pop(PENDING, {})
    for organization_id, by_contact in pending.items():
        new = {
            contact_id: records
            for contact_id, records in by_contact.items()
            if any(record.type == "ContactCreated" for record in records)
        }
        known = [contact_id for contact_id in by_contact if contact_id not in new]
        records = [record for batch in new.values() for record in batch]
        records += load_contact_events(session, organization_id, known)
        write_facts(session, organization_id, records, replacing=known)


def record_of(row: Any) -> EventRecord:
    """An ``EventRecord`` of an ``events`` row (sequence, type, occurred_at, contact, agent, payload)."""
    return EventRecord(
        sequence=row.sequence,
        type=row.type,
        occurred_at=row.occurred_at,
        contact_id=row.contact_id,
        agent_id=row.agent_id,
        payload=row.payload or {},
    )


def load_contact_events(
    session: Session, organization_id: int, contact_ids: Sequence[int]
) -> list[EventRecord]:
    """Every event of ``contact_ids`` that a contact fact reads."""
    records: list[EventRecord] = []
    for start in range(0, len(contact_ids), CHUNK):
        rows = session.execute(
            select(
                Event.sequence,
                Event.type,
                Event.occurred_at,
                Event.contact_id,
                Event.agent_id,
                Event.payload,
            ).where(
                Event.organization_id == organization_id,
                Event.contact_id.in_(contact_ids[start : start + CHUNK]),
                Event.type.in_(FOLDED_EVENT_TYPES),
            )
        )
        records += (record_of(row) for row in rows)
    return records


def queue_dimensions(session: Session, organization_id: int) -> Dimensions:
    """The queue settings contact tallies read (channel, thresholds)."""
    rows = session.execute(
        select(
            Queue.id, Queue.channel, Queue.service_level_seconds, Queue.short_abandon_seconds
        ).where(Queue.organization_id == organization_id)
    )
    return Dimensions(queues={row[0]: QueueSettings(*row[1:]) for row in rows})


def _fact_row(organization_id: int, fact: ContactFact, dims: Dimensions) -> dict[str, Any]:
    arrival, handling = contact_tallies(fact, dims)
    channel = fact.channel or (dims.queue(fact.queue_id).channel if fact.queue_id else None)
    row: dict[str, Any] = {
        "contact_id": fact.contact_id,
        "organization_id": organization_id,
        "arrived_at_us": to_epoch_us(fact.arrived_at),
        "handling_ended_at_us": (
            to_epoch_us(fact.handling_ended_at) if fact.handling_ended_at is not None else None
        ),
        "queue_id": fact.queue_id,
        "agent_id": fact.agent_id,
        "channel": channel,
        "customer_id": fact.customer_id,
        "reason": fact.reason,
    }
    row |= {name: getattr(arrival, name) for name in ARRIVAL_FIELDS}
    row |= {name: getattr(handling, name) if handling else 0 for name in HANDLING_FIELDS}
    return row


def _span_rows(organization_id: int, facts: Iterable[ContactFact]) -> list[Mapping[str, Any]]:
    return [
        {
            "organization_id": organization_id,
            "contact_id": fact.contact_id,
            "agent_id": agent_id,
            "started_at_us": to_epoch_us(start),
            "ended_at_us": to_epoch_us(end) if end is not None else None,
        }
        for fact in facts
        for agent_id, start, end in fact.handling_spans
        if agent_id is not None
    ]


def write_facts(
    session: Session,
    organization_id: int,
    records: Sequence[EventRecord],
    replacing: Sequence[int] = (),
) -> None:
    """Fold ``records`` (all the events of their contacts) into facts and store them, first
    deleting the stored facts and spans of ``replacing``."""
    for start in range(0, len(replacing), CHUNK):
        chunk = replacing[start : start + CHUNK]
        for table in (ContactReportFact, HandlingSpan):
            session.execute(
                delete(table).where(
                    table.organization_id == organization_id, table.contact_id.in_(chunk)
                )
            )
    facts = contact_facts(records)
    if not facts:
        return
    dims = queue_dimensions(session, organization_id)
    session.execute(
        insert(ContactReportFact.metadata.tables["contact_report_facts"]),
        [_fact_row(organization_id, f, dims) for f in facts],
    )
    spans = _span_rows(organization_id, facts)
    if spans:
        session.execute(insert(HandlingSpan.metadata.tables["handling_spans"]), spans)


def rebuild(session: Session, organization_id: int) -> int:
    """Recompute every contact fact of an organization from its events (after an upgrade, or when
    queue thresholds changed and history should be judged by the new ones); the number of contacts."""
    for table in (ContactReportFact, HandlingSpan):
        session.execute(delete(table).where(table.organization_id == organization_id))
    contact_ids = sorted(
        {
            contact_id
            for contact_id in session.scalars(
                select(Event.contact_id)
                .where(Event.organization_id == organization_id, Event.type == "ContactCreated")
                .distinct()
            )
            if contact_id is not None
        }
    )
    for start in range(0, len(contact_ids), CHUNK * 10):
        chunk = contact_ids[start : start + CHUNK * 10]
        write_facts(session, organization_id, load_contact_events(session, organization_id, chunk))
    return len(contact_ids)
