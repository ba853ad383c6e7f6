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

from sqlalchemy import Integer, delete, func, insert, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from helpline.analytics import ContactFact, Dimensions, EventRecord, QueueSettings
from helpline.analytics.aggregate import ARRIVAL_FIELDS, HANDLING_FIELDS, contact_tallies
from helpline.analytics.facts import FOLDED_EVENT_TYPES, contact_facts
from helpline.analytics.intervals import to_epoch_us
from helpline.storage.tables import ContactReportFact, Event, HandlingSpan, Queue, ReportTally

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


ROLLUP_GRAIN_US = 15 * 60 * 1_000_000
"""``report_tallies`` sums facts per UTC quarter hour (every local interval is whole quarter hours)."""
ROLLUP_DIMENSIONS = ("queue", "agent", "channel")
TALLY_COLUMNS = (*ARRIVAL_FIELDS, *HANDLING_FIELDS)
ROLLUP_COLUMNS = (*TALLY_COLUMNS, "attributions")
_ARRIVAL_SLOTS = range(len(ARRIVAL_FIELDS))
_HANDLING_SLOTS = range(len(ARRIVAL_FIELDS), len(TALLY_COLUMNS))
_LONGEST = TALLY_COLUMNS.index("longest_wait_seconds")
_ATTRIBUTIONS = len(TALLY_COLUMNS)


def group_key(value: Any) -> str:
    """How a group id or channel is stored in ``report_tallies`` ('' for none)."""
    return "" if value is None else str(value)


def _add_rollup(
    deltas: dict[tuple[str, str, int], list[float]], row: Mapping[str, Any], sign: int
) -> None:
    """Add (``sign`` 1) or take away (-1) one fact row's tallies in its quarter hours."""
    arrival_grain = row["arrived_at_us"] // ROLLUP_GRAIN_US * ROLLUP_GRAIN_US
    ended = row["handling_ended_at_us"]
    ended_grain = None if ended is None else ended // ROLLUP_GRAIN_US * ROLLUP_GRAIN_US
    values = [row[name] for name in TALLY_COLUMNS]
    for dimension in ROLLUP_DIMENSIONS:
        key = group_key(row[f"{dimension}_id" if dimension != "channel" else "channel"])
        sides = [(arrival_grain, _ARRIVAL_SLOTS)]
        if ended_grain is not None:
            sides.append((ended_grain, _HANDLING_SLOTS))
        for grain, slots in sides:
            total = deltas.setdefault((dimension, key, grain), [0.0] * len(ROLLUP_COLUMNS))
            total[_ATTRIBUTIONS] += sign
            for slot in slots:
                if slot == _LONGEST:
                    # A maximum cannot be taken back; a contact's wait only ever gets set once.
                    total[slot] = max(total[slot], values[slot] if sign > 0 else 0.0)
                else:
                    total[slot] += sign * values[slot]


def _apply_rollup(
    session: Session, organization_id: int, deltas: dict[tuple[str, str, int], list[float]]
) -> None:
    if not deltas:
        return
    table = ReportTally.metadata.tables["report_tallies"]
    dialect = session.get_bind().dialect.name
    statement = (postgresql_insert if dialect == "postgresql" else sqlite_insert)(table)
    greatest = func.greatest if dialect == "postgresql" else func.max
    excluded = statement.excluded
    updates = {
        name: (
            greatest(table.c[name], excluded[name])
            if name == "longest_wait_seconds"
            else table.c[name] + excluded[name]
        )
        for name in ROLLUP_COLUMNS
    }
    upsert = statement.on_conflict_do_update(
        index_elements=["organization_id", "dimension", "group_key", "grain_start_us"],
        set_=updates,
    )
    integers = {
        name for name in TALLY_COLUMNS if isinstance(ReportTally.__table__.c[name].type, Integer)
    }
    rows = [
        {
            "organization_id": organization_id,
            "dimension": dimension,
            "group_key": key,
            "grain_start_us": grain,
        }
        | {
            name: round(value) if name in integers else value
            for name, value in zip(ROLLUP_COLUMNS, values, strict=True)
        }
        for (dimension, key, grain), values in deltas.items()
    ]
    session.execute(upsert, rows)


def _stored_rows(
    session: Session, organization_id: int, contact_ids: Sequence[int]
) -> list[Mapping[str, Any]]:
    table = ContactReportFact.metadata.tables["contact_report_facts"]
    rows: list[Mapping[str, Any]] = []
    for start in range(0, len(contact_ids), CHUNK):
        chunk = contact_ids[start : start + CHUNK]
        rows += (
            dict(row._mapping)
            for row in session.execute(
                select(table).where(
                    table.c.organization_id == organization_id, table.c.contact_id.in_(chunk)
                )
            )
        )
    return rows


def write_facts(
    session: Session,
    organization_id: int,
    records: Sequence[EventRecord],
    replacing: Sequence[int] = (),
) -> None:
    """Fold ``records`` (all the events of their contacts) into facts and store them, first
    deleting the stored facts and spans of ``replacing``; ``report_tallies`` follows."""
    deltas: dict[tuple[str, str, int], list[float]] = {}
    for row in _stored_rows(session, organization_id, replacing):
        _add_rollup(deltas, row, -1)
    for start in range(0, len(replacing), CHUNK):
        chunk = replacing[start : start + CHUNK]
        for table in (ContactReportFact, HandlingSpan):
            session.execute(
                delete(table).where(
                    table.organization_id == organization_id, table.contact_id.in_(chunk)
                )
            )
    facts = contact_facts(records)
    if facts:
        dims = queue_dimensions(session, organization_id)
        rows = [_fact_row(organization_id, f, dims) for f in facts]
        session.execute(insert(ContactReportFact.metadata.tables["contact_report_facts"]), rows)
        for row in rows:
            _add_rollup(deltas, row, 1)
        spans = _span_rows(organization_id, facts)
        if spans:
            session.execute(insert(HandlingSpan.metadata.tables["handling_spans"]), spans)
    _apply_rollup(session, organization_id, deltas)


def rebuild(session: Session, organization_id: int) -> int:
    """Recompute every contact fact of an organization from its events (after an upgrade, or when
    queue thresholds changed and history should be judged by the new ones); the number of contacts."""
    for table in (ContactReportFact, HandlingSpan, ReportTally):
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
