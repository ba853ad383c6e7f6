"""Keep each contact's report fact and handling spans in step with its events.

Every transaction that appends contact events refreshes, just before it commits, the facts of the
contacts it touched: their events are folded by ``analytics.contact_facts`` and tallied by
``analytics.contact_tallies`` (the one definition of each metric), and the result is stored in typed
columns. Reports then sum those columns per interval in the database instead of reading and folding
millions of JSON events. A contact created in the transaction is folded from the events in memory;
any other is folded from its stored events.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
from sqlalchemy import Connection, Integer, delete, func, insert, or_, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from helpline.analytics import (
    AgentSettings,
    ContactFact,
    Dimensions,
    EventRecord,
    GroupBy,
    Interval,
    QueueSettings,
    TallyTable,
    Window,
)
from helpline.analytics.aggregate import (
    ARRIVAL_FIELDS,
    HANDLING_FIELDS,
    contact_tallies,
    tally_concurrency,
)
from helpline.analytics.facts import FOLDED_EVENT_TYPES, contact_facts
from helpline.analytics.intervals import IntArray, from_epoch_us, to_epoch_us
from helpline.storage.tables import (
    Agent,
    ContactReportFact,
    Event,
    HandlingSpan,
    Queue,
    ReportTally,
    RoutingProfileChannel,
)

UTC_ZONE = ZoneInfo("UTC")

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


def _upsert(session: Session, rows: list[dict[str, Any]], updates: Any) -> None:
    """Insert ``report_tallies`` rows; on an existing row apply ``updates(table, excluded)``.

    Rows go in key order so that concurrent writers always lock them in the same order."""
    rows.sort(key=lambda row: (row["dimension"], row["group_key"], row["grain_start_us"]))
    table = ReportTally.metadata.tables["report_tallies"]
    dialect = session.get_bind().dialect.name
    statement = (postgresql_insert if dialect == "postgresql" else sqlite_insert)(table)
    upsert = statement.on_conflict_do_update(
        index_elements=["organization_id", "dimension", "group_key", "grain_start_us"],
        set_=updates(table, statement.excluded, dialect),
    )
    session.execute(upsert, rows)


def _apply_rollup(
    session: Session, organization_id: int, deltas: dict[tuple[str, str, int], list[float]]
) -> None:
    """Add the fact deltas to their quarter-hour rows (longest waits keep the maximum)."""
    if not deltas:
        return
    table = ReportTally.metadata.tables["report_tallies"]
    integers = {name for name in ROLLUP_COLUMNS if isinstance(table.c[name].type, Integer)}
    rows = [
        {
            "organization_id": organization_id,
            "dimension": dimension,
            "group_key": key,
            "grain_start_us": grain,
            "slot_weighted_handling_seconds": 0.0,
        }
        | {
            name: round(value) if name in integers else value
            for name, value in zip(ROLLUP_COLUMNS, values, strict=True)
        }
        for (dimension, key, grain), values in deltas.items()
    ]

    def updates(table: Any, excluded: Any, dialect: str) -> dict[str, Any]:
        greatest = func.greatest if dialect == "postgresql" else func.max
        return {
            name: (
                greatest(table.c[name], excluded[name])
                if name == "longest_wait_seconds"
                else table.c[name] + excluded[name]
            )
            for name in ROLLUP_COLUMNS
        }

    _upsert(session, rows, updates)


def _touch(touched: dict[int, tuple[int, int]], agent_id: int, start: int, end: int | None) -> None:
    """Widen the span of time whose slot-weighted handling must be recomputed for an agent."""
    low, high = touched.get(agent_id, (start, start))
    touched[agent_id] = (min(low, start), max(high, end if end is not None else start))


def _stored_spans(
    session: Session, organization_id: int, contact_ids: Sequence[int]
) -> list[tuple[int, int, int | None]]:
    spans: list[tuple[int, int, int | None]] = []
    for start in range(0, len(contact_ids), CHUNK):
        rows = session.execute(
            select(
                HandlingSpan.agent_id, HandlingSpan.started_at_us, HandlingSpan.ended_at_us
            ).where(
                HandlingSpan.organization_id == organization_id,
                HandlingSpan.contact_id.in_(contact_ids[start : start + CHUNK]),
            )
        )
        spans += ((row[0], row[1], row[2]) for row in rows)
    return spans


SPAN_LOOKBACK_US = 86_400 * 1_000_000
"""Handling spans are looked for from a day before a window on (as events are, see reports)."""


def span_columns(
    session: Session | Connection,
    organization_id: int,
    start_us: int,
    end_us: int,
    *,
    agent_ids: Sequence[int] | None = None,
    excluded_agent_ids: Sequence[int] = (),
    finished_only: bool = False,
) -> tuple[IntArray, IntArray, IntArray]:
    """The handling spans overlapping ``[start_us, end_us)`` as columns: agent, start, end (-1
    while still handled)."""
    ended = HandlingSpan.ended_at_us
    conditions = [
        HandlingSpan.organization_id == organization_id,
        HandlingSpan.started_at_us >= start_us - SPAN_LOOKBACK_US,
        HandlingSpan.started_at_us < end_us,
        ended > start_us if finished_only else or_(ended.is_(None), ended > start_us),
    ]
    if agent_ids is not None:
        conditions.append(HandlingSpan.agent_id.in_(agent_ids))
    if excluded_agent_ids:
        conditions.append(HandlingSpan.agent_id.not_in(excluded_agent_ids))
    rows = session.execute(
        select(HandlingSpan.agent_id, HandlingSpan.started_at_us, func.coalesce(ended, -1)).where(
            *conditions
        )
    ).all()
    flat = np.fromiter(itertools.chain.from_iterable(rows), dtype=np.int64, count=len(rows) * 3)
    table = flat.reshape(len(rows), 3)
    return table[:, 0], table[:, 1], table[:, 2]


def agent_dimensions(session: Session, organization_id: int) -> Dimensions:
    """Each agent's slots (largest channel concurrency of its routing profile, default 1)."""
    largest: dict[int, int] = {
        profile: int(concurrency)
        for profile, concurrency in session.execute(
            select(
                RoutingProfileChannel.routing_profile_id,
                func.max(RoutingProfileChannel.concurrency),
            )
            .where(RoutingProfileChannel.organization_id == organization_id)
            .group_by(RoutingProfileChannel.routing_profile_id)
        )
    }
    agents = session.execute(
        select(Agent.id, Agent.routing_profile_id).where(Agent.organization_id == organization_id)
    )
    return Dimensions(
        agents={
            agent_id: AgentSettings(slots=int(largest.get(profile, 1)) if profile else 1)
            for agent_id, profile in agents
        }
    )


def _quarters(start_us: int, end_us: int) -> range:
    first = start_us // ROLLUP_GRAIN_US * ROLLUP_GRAIN_US
    return range(first, max(end_us, start_us + 1), ROLLUP_GRAIN_US)


def _refresh_concurrency(
    session: Session, organization_id: int, touched: dict[int, tuple[int, int]]
) -> None:
    """Recompute the slot-weighted handling of each touched agent in the quarter hours its
    changed spans cover, from its finished spans (one definition: ``tally_concurrency``)."""
    if not touched:
        return
    low = min(start for start, _ in touched.values()) // ROLLUP_GRAIN_US * ROLLUP_GRAIN_US
    high = max(end for _, end in touched.values())
    high = -(-(high + 1) // ROLLUP_GRAIN_US) * ROLLUP_GRAIN_US
    agent_ids = sorted(touched)
    columns = span_columns(
        session, organization_id, low, high, agent_ids=agent_ids, finished_only=True
    )
    window = Window(from_epoch_us(low), from_epoch_us(high), Interval.MINUTES_15, UTC_ZONE)
    table = TallyTable()
    tally_concurrency(
        table, *columns, agent_dimensions(session, organization_id), window, GroupBy.AGENT
    )
    seconds = {
        (to_epoch_us(start), agent): t.slot_weighted_handling_seconds
        for (start, agent), t in table.buckets().items()
    }
    rows = [
        {
            "organization_id": organization_id,
            "dimension": "agent",
            "group_key": group_key(agent_id),
            "grain_start_us": quarter,
            "slot_weighted_handling_seconds": seconds.get((quarter, agent_id), 0.0),
        }
        | dict.fromkeys(ROLLUP_COLUMNS, 0)
        for agent_id, (start, end) in touched.items()
        for quarter in _quarters(start, end)
    ]

    def updates(table: Any, excluded: Any, dialect: str) -> dict[str, Any]:
        name = "slot_weighted_handling_seconds"
        return {name: excluded[name]}

    _upsert(session, rows, updates)


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
    touched: dict[int, tuple[int, int]] = {}
    for agent_id, start, end in _stored_spans(session, organization_id, replacing):
        _touch(touched, agent_id, start, end)
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
        for span in spans:
            _touch(touched, span["agent_id"], span["started_at_us"], span["ended_at_us"])
    _apply_rollup(session, organization_id, deltas)
    _refresh_concurrency(session, organization_id, touched)


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
