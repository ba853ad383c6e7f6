"""The interval report read from stored contact facts: database sums plus vectorised folds.

``storage.report_facts`` keeps one typed row per contact holding what it adds to a report (computed
by ``analytics.contact_tallies`` when its events were written). A report then needs no event
folding: the database sums those rows per UTC quarter hour and group, and Python merges quarter
hours into the organization's intervals (every local 15/30/60-minute interval and day is a union of
UTC quarter hours: zone offsets are whole quarter hours). FCR, agent-state time, concurrency and
surveys use the same ``analytics`` functions as the event path. Nothing here defines a metric.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
from sqlalchemy import Connection, case, func, or_, select
from sqlalchemy.orm import Session

from helpline.analytics import ContactFact, Dimensions, GroupBy, Window
from helpline.analytics.aggregate import (
    AGENT_GROUPINGS,
    ARRIVAL_FIELDS,
    HANDLING_FIELDS,
    Grid,
    tally_agent_time,
    tally_concurrency,
    tally_first_contact_resolution,
    tally_surveys,
)
from helpline.analytics.facts import agent_timelines, survey_answers
from helpline.analytics.intervals import from_epoch_us, to_epoch_us
from helpline.analytics.table import GroupKey, TallyTable
from helpline.services.access import owned_by, requires
from helpline.services.actor import Actor
from helpline.storage.report_facts import (
    ROLLUP_GRAIN_US,
    SPAN_LOOKBACK_US,
    TALLY_COLUMNS,
    group_key,
    rebuild,
    record_of,
    span_columns,
)
from helpline.storage.tables import ContactReportFact, Event, HandlingSpan, ReportTally

GRAIN_US = 15 * 60 * 1_000_000
"""The database groups instants by UTC quarter hour (microseconds)."""
LOOKBACK = timedelta(days=1)
"""Agent-state changes read before the window (with each agent's last one before that)."""
LOOKUP_CHUNK = 1000

F = ContactReportFact


def _group_column(group_by: GroupBy) -> Any:
    columns = {
        GroupBy.QUEUE: F.queue_id,
        GroupBy.AGENT: F.agent_id,
        GroupBy.TEAM: F.agent_id,
        GroupBy.CHANNEL: F.channel,
    }
    return columns.get(group_by)


def _key(value: Any, group_by: GroupBy, dims: Dimensions) -> GroupKey:
    if group_by is GroupBy.TEAM:
        return dims.agent(value).team_id if value is not None else None
    return value if group_by is not GroupBy.NONE else None


class _Cells:
    """Adds grouped database rows (grain number, [group], sums...) to a tally table."""

    def __init__(
        self, table: TallyTable, grid: Grid, grain_us: int, group_by: GroupBy, dims: Dimensions
    ) -> None:
        self.table, self.grid, self.grain_us = table, grid, grain_us
        self.group_by, self.dims = group_by, dims
        self.labels: dict[Any, datetime] = {}

    def add(
        self, rows: Sequence[Any], is_grouped: bool, names: Sequence[str], decode: Any = None
    ) -> None:
        columns = list(zip(*rows, strict=True))
        if not columns:
            return
        for number in set(columns[0]):
            if number not in self.labels:
                self.labels[number] = self.grid.label_of(int(number) * self.grain_us)
        groups = columns[1] if is_grouped else [None] * len(columns[0])
        if decode is not None:
            groups = [decode(group) for group in groups]
        cells = self.table.cells(
            (self.labels[number], _key(group, self.group_by, self.dims))
            for number, group in zip(columns[0], groups, strict=True)
        )
        width = 2 if is_grouped else 1
        for name, values in zip(names, columns[width:], strict=True):
            self.table.add(name, cells, np.array(values, dtype=np.float64))


def _sum_facts(
    cells: _Cells, connection: Connection, organization_id: int, start_us: int, end_us: int
) -> None:
    """Sum the facts of ``[start_us, end_us)`` in the database, per grain and group."""
    column = _group_column(cells.group_by)
    sides: tuple[tuple[Any, Sequence[str]], ...] = (
        (F.arrived_at_us, ARRIVAL_FIELDS),
        (F.handling_ended_at_us, HANDLING_FIELDS),
    )
    for instant, names in sides:
        grain = (instant // cells.grain_us).label("grain")
        keys = [grain] if column is None else [grain, column]
        sums = [
            (func.max if name == "longest_wait_seconds" else func.sum)(getattr(F, name))
            for name in names
        ]
        rows = connection.execute(
            select(*keys, *sums)
            .where(owned_by(organization_id, F), instant >= start_us, instant < end_us)
            .group_by(*keys)
        )
        cells.add(rows.all(), column is not None, names)


_DIMENSION = {
    GroupBy.NONE: "queue",
    GroupBy.QUEUE: "queue",
    GroupBy.AGENT: "agent",
    GroupBy.TEAM: "agent",
    GroupBy.CHANNEL: "channel",
}


def _decode(dimension: str) -> Any:
    def decode(key: str | None) -> GroupKey:
        if not key:
            return None
        return key if dimension == "channel" else int(key)

    return decode


def _sum_rollup(
    cells: _Cells,
    connection: Connection,
    organization_id: int,
    quarters: tuple[int, int],
    open_agents: Sequence[int],
) -> None:
    """Sum the quarter-hour rollup of whole quarter hours ``quarters`` per grain and group; agent
    groupings also take the agents' slot-weighted handling (except agents still handling a
    contact, computed exactly from their spans instead)."""
    dimension = _DIMENSION[cells.group_by]
    grain = (ReportTally.grain_start_us // cells.grain_us).label("grain")
    keys = [grain] if cells.group_by is GroupBy.NONE else [grain, ReportTally.group_key]
    names: list[str] = list(TALLY_COLUMNS)
    sums = [
        (func.max if name == "longest_wait_seconds" else func.sum)(getattr(ReportTally, name))
        for name in names
    ]
    having = func.sum(ReportTally.attributions) > 0
    if dimension == "agent":
        weighted = _concurrency_sum(open_agents)
        names.append("slot_weighted_handling_seconds")
        sums.append(weighted)
        having = or_(having, weighted > 0)
    rows = connection.execute(
        select(*keys, *sums)
        .where(
            owned_by(organization_id, ReportTally),
            ReportTally.dimension == dimension,
            ReportTally.grain_start_us >= quarters[0],
            ReportTally.grain_start_us < quarters[1],
        )
        .group_by(*keys)
        .having(having)
    )
    cells.add(rows.all(), len(keys) == 2, names, _decode(dimension))
    if cells.group_by is GroupBy.NONE:
        weighted = _concurrency_sum(open_agents)
        rows = connection.execute(
            select(grain, weighted)
            .where(
                owned_by(organization_id, ReportTally),
                ReportTally.dimension == "agent",
                ReportTally.grain_start_us >= quarters[0],
                ReportTally.grain_start_us < quarters[1],
            )
            .group_by(grain)
            .having(weighted > 0)
        )
        cells.add(rows.all(), False, ["slot_weighted_handling_seconds"])


def _concurrency_sum(open_agents: Sequence[int]) -> Any:
    column: Any = ReportTally.slot_weighted_handling_seconds
    if open_agents:
        keys = [group_key(agent_id) for agent_id in open_agents]
        column = case((ReportTally.group_key.in_(keys), 0.0), else_=column)
    return func.sum(column)


def _whole_quarters(start_us: int, end_us: int, grain_us: int) -> tuple[int, int] | None:
    """The whole quarter hours inside ``[start_us, end_us)``, when the report's grain is made of
    quarter hours and there are any."""
    quarter = ROLLUP_GRAIN_US
    whole = (-(-start_us // quarter) * quarter, end_us // quarter * quarter)
    return whole if grain_us % quarter == 0 and whole[0] < whole[1] else None


def _open_agents(connection: Connection, organization_id: int, window: Window) -> list[int]:
    """Agents with a handling span still open that may overlap the window."""
    start_us, end_us = to_epoch_us(window.start), to_epoch_us(window.end)
    return sorted(
        connection.scalars(
            select(HandlingSpan.agent_id)
            .where(
                owned_by(organization_id, HandlingSpan),
                HandlingSpan.ended_at_us.is_(None),
                HandlingSpan.started_at_us < end_us,
                HandlingSpan.started_at_us >= start_us - SPAN_LOOKBACK_US,
            )
            .distinct()
        )
    )


def _add_sums_and_concurrency(
    table: TallyTable,
    connection: Connection,
    organization_id: int,
    window: Window,
    group_by: GroupBy,
    dims: Dimensions,
) -> None:
    """Add the contact tallies summed by the database (arrival fields where each contact arrived,
    handling fields where its handling ended) and, for agent groupings, slot-weighted handling.

    Whole quarter hours come from the ``report_tallies`` rollup (one row per quarter hour and
    group); a window's ragged ends from the facts and handling spans. The database groups by the
    coarsest grain that never straddles an interval (the interval itself when the zone allows)."""
    start_us, end_us = to_epoch_us(window.start), to_epoch_us(window.end)
    grid = Grid.of(window)
    cells = _Cells(table, grid, grid.coarsest_grain_us(window.interval), group_by, dims)
    with_agents = group_by in AGENT_GROUPINGS
    open_agents = _open_agents(connection, organization_id, window) if with_agents else []
    whole = _whole_quarters(start_us, end_us, cells.grain_us)
    if whole is None:
        parts = [(start_us, end_us)]
    else:
        _sum_rollup(cells, connection, organization_id, whole, open_agents)
        edges = ((start_us, whole[0]), (whole[1], end_us))
        parts = [(low, high) for low, high in edges if low < high]
    for low, high in parts:
        _sum_facts(cells, connection, organization_id, low, high)
    if not with_agents:
        return
    if whole is None:
        columns = span_columns(connection, organization_id, start_us, end_us)
        tally_concurrency(table, *columns, dims, window, group_by)
        return
    for low, high in parts:
        part = Window(from_epoch_us(low), from_epoch_us(high), window.interval, window.zone)
        columns = span_columns(
            connection, organization_id, low, high, excluded_agent_ids=open_agents
        )
        tally_concurrency(table, *columns, dims, part, group_by)
    if open_agents:
        columns = span_columns(connection, organization_id, start_us, end_us, agent_ids=open_agents)
        tally_concurrency(table, *columns, dims, window, group_by)


def _instant(epoch_us: int) -> datetime:
    return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=epoch_us)


def _fact(row: Any) -> ContactFact:
    """The parts of a contact fact that grouping, FCR and surveys read."""
    return ContactFact(
        contact_id=row.contact_id,
        arrived_at=_instant(row.arrived_at_us),
        channel=row.channel,
        customer_id=row.customer_id,
        queue_id=row.queue_id,
        agent_id=row.agent_id,
        reason=row.reason,
        is_answered=bool(row.answered),
    )


_FACT_COLUMNS = (
    F.contact_id,
    F.arrived_at_us,
    F.channel,
    F.customer_id,
    F.queue_id,
    F.agent_id,
    F.reason,
    F.answered,
)


def _add_first_contact_resolution(
    table: TallyTable,
    connection: Connection,
    organization_id: int,
    window: Window,
    group_by: GroupBy,
    dims: Dimensions,
) -> None:
    """FCR needs, per customer and reason, the contact that followed: read only contacts with both."""
    until = window.end + timedelta(days=dims.fcr_days)
    rows = connection.execute(
        select(*_FACT_COLUMNS).where(
            owned_by(organization_id, F),
            F.arrived_at_us >= to_epoch_us(window.start),
            F.arrived_at_us < to_epoch_us(until),
            F.customer_id.is_not(None),
            F.reason.is_not(None),
        )
    )
    facts = [_fact(row) for row in rows]
    tally_first_contact_resolution(table, facts, dims, window, group_by)


def _event_rows(connection: Connection, organization_id: int, *conditions: Any) -> list[Any]:
    return list(
        connection.execute(
            select(
                Event.sequence,
                Event.type,
                Event.occurred_at,
                Event.contact_id,
                Event.agent_id,
                Event.payload,
            ).where(owned_by(organization_id, Event), *conditions)
        )
    )


def _add_agent_time(
    table: TallyTable,
    connection: Connection,
    organization_id: int,
    window: Window,
    group_by: GroupBy,
    dims: Dimensions,
) -> None:
    """Agent-state time from the state changes around the window and each agent's one before."""
    changes = Event.type == "AgentStateChanged"
    since = window.start - LOOKBACK
    rows = _event_rows(
        connection,
        organization_id,
        changes,
        Event.occurred_at >= since,
        Event.occurred_at < window.end,
    )
    last_before = (
        select(func.max(Event.sequence))
        .where(owned_by(organization_id, Event), changes, Event.occurred_at < since)
        .group_by(Event.agent_id)
    )
    rows += _event_rows(
        connection, organization_id, Event.sequence.in_(last_before.scalar_subquery())
    )
    timelines = agent_timelines(sorted((record_of(row) for row in rows), key=lambda r: r.sequence))
    tally_agent_time(table, timelines, dims, window, group_by)


def _add_surveys(
    table: TallyTable,
    connection: Connection,
    organization_id: int,
    window: Window,
    group_by: GroupBy,
    dims: Dimensions,
) -> None:
    """Survey answers given in the window, grouped by their contact's queue, agent or channel."""
    rows = _event_rows(
        connection,
        organization_id,
        Event.type == "SurveyAnswered",
        Event.occurred_at >= window.start,
        Event.occurred_at < window.end,
    )
    answers = survey_answers(record_of(row) for row in rows)
    contact_ids = sorted({a.contact_id for a in answers if a.contact_id is not None})
    facts: dict[int, ContactFact] = {}
    for start in range(0, len(contact_ids), LOOKUP_CHUNK):
        chunk = contact_ids[start : start + LOOKUP_CHUNK]
        for row in connection.execute(
            select(*_FACT_COLUMNS).where(owned_by(organization_id, F), F.contact_id.in_(chunk))
        ):
            facts[row.contact_id] = _fact(row)
    tally_surveys(table, answers, facts, dims, window, group_by)


def tally_from_facts(
    session: Session, organization_id: int, dims: Dimensions, window: Window, group_by: GroupBy
) -> TallyTable:
    """The tallies of ``window`` per (interval start, group), as ``analytics.tally_events``
    computes them from the events, read from the stored contact facts."""
    table = TallyTable()
    connection = session.connection()  # Core rows: no ORM loading per row
    _add_sums_and_concurrency(table, connection, organization_id, window, group_by, dims)
    _add_first_contact_resolution(table, connection, organization_id, window, group_by, dims)
    if group_by in AGENT_GROUPINGS:
        _add_agent_time(table, connection, organization_id, window, group_by, dims)
    _add_surveys(table, connection, organization_id, window, group_by, dims)
    return table


@requires()
def rebuild_facts(session: Session, actor: Actor) -> int:
    """Recompute the report facts of the actor's organization from its events (after a schema
    upgrade across their introduction, or to judge history by changed queue thresholds); returns
    how many contacts have facts."""
    return rebuild(session, actor.organization_id)
