"""Historical reports: read the event log of a window and run the pure KPI definitions on it.

No metric is computed here or in SQL: reports sum the per-contact tallies stored by
``storage.report_facts`` (see ``fact_reports``); the wallboard reads events (``load_events``) and runs
the same definitions on them. This module also labels the groups. See ``docs/metrics.md``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, fields
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from helpline.analytics import (
    AgentSettings,
    Dimensions,
    EventRecord,
    GroupBy,
    Interval,
    Metrics,
    QueueSettings,
    ReportRow,
    Window,
)
from helpline.domain.enums import Role
from helpline.errors import InvalidInput
from helpline.services.access import any_member, owned, owned_by, requires
from helpline.services.actor import Actor
from helpline.services.reporting.facts import tally_from_facts
from helpline.storage.tables import (
    Agent,
    Event,
    Organization,
    Queue,
    RoutingProfileChannel,
    RoutingProfileQueue,
    Team,
)

REPORT_ROLES = (Role.MANAGER, Role.SUPERVISOR, Role.WFM_ANALYST, Role.QA_ANALYST)
LOOKBACK = timedelta(days=1)
"""How long before the window a contact's first events may lie (created, then queued much later)."""
LOOKAHEAD = timedelta(days=1)
"""How long after the window a contact's handling may end and still be read."""
MAX_WINDOW = timedelta(days=366)
FCR_EVENT_TYPES = ("ContactCreated", "ContactQueued", "ContactWrappedUp")
"""What FCR reads of the contacts arriving after the window (repeats only)."""


@dataclass(frozen=True)
class Report:
    """Report rows with their window, zone and a label for each group id."""

    start: datetime
    end: datetime
    interval: Interval
    group_by: GroupBy
    time_zone: str
    rows: list[ReportRow]
    labels: dict[Any, str]

    def records(self) -> list[dict[str, Any]]:
        """Flat rows (interval start as ISO 8601 with offset, group, label, every metric)."""
        return [
            {
                "interval_start": row.interval_start.isoformat(),
                "group": None if row.group is None else str(row.group),
                "group_name": self.labels.get(
                    row.group, "" if row.group is None else str(row.group)
                ),
                **asdict(row.metrics),
            }
            for row in self.rows
        ]


METRIC_COLUMNS = tuple(item.name for item in fields(Metrics))
INTEGER_COLUMNS = frozenset(item.name for item in fields(Metrics) if item.type == "int")
REPORT_COLUMNS = ("interval_start", "group", "group_name", *METRIC_COLUMNS)


def _record(row: Any) -> EventRecord:
    return EventRecord(
        sequence=row.sequence,
        type=row.type,
        occurred_at=row.occurred_at,
        contact_id=row.contact_id,
        agent_id=row.agent_id,
        payload=row.payload or {},
    )


_COLUMNS = (
    Event.sequence,
    Event.type,
    Event.occurred_at,
    Event.contact_id,
    Event.agent_id,
    Event.payload,
)


def load_events(
    session: Session, organization_id: int, start: datetime, end: datetime, fcr_days: int
) -> list[EventRecord]:
    """Every event a report of ``[start, end)`` needs, oldest first (see the LOOK* constants)."""
    scoped = owned_by(organization_id, Event)
    rows = list(
        session.execute(
            select(*_COLUMNS)
            .where(
                scoped, Event.occurred_at >= start - LOOKBACK, Event.occurred_at < end + LOOKAHEAD
            )
            .order_by(Event.sequence)
        )
    )
    if fcr_days:
        rows += session.execute(
            select(*_COLUMNS)
            .where(
                scoped,
                Event.type.in_(FCR_EVENT_TYPES),
                Event.occurred_at >= end + LOOKAHEAD,
                Event.occurred_at < end + timedelta(days=fcr_days) + LOOKAHEAD,
            )
            .order_by(Event.sequence)
        )
    # Each agent's last state before the window tells what it was doing when the window opened.
    last_change = (
        select(func.max(Event.sequence))
        .where(
            scoped,
            Event.type == "AgentStateChanged",
            Event.occurred_at < start - LOOKBACK,
        )
        .group_by(Event.agent_id)
    )
    rows += session.execute(
        select(*_COLUMNS).where(scoped, Event.sequence.in_(last_change.scalar_subquery()))
    )
    return sorted((_record(row) for row in rows), key=lambda record: record.sequence)


def load_dimensions(session: Session, organization_id: int, fcr_days: int) -> Dimensions:
    """The organization's queue and agent settings the definitions read."""
    queues = {
        queue.id: QueueSettings(
            channel=queue.channel,
            service_level_seconds=queue.service_level_seconds,
            short_abandon_seconds=queue.short_abandon_seconds,
        )
        for queue in session.scalars(owned(organization_id, Queue))
    }
    slots = _pairs(
        session.execute(
            select(
                RoutingProfileChannel.routing_profile_id,
                func.max(RoutingProfileChannel.concurrency),
            )
            .where(owned_by(organization_id, RoutingProfileChannel))
            .group_by(RoutingProfileChannel.routing_profile_id)
        )
    )
    served: dict[int, set[int]] = {}
    for profile_id, queue_id in session.execute(
        select(RoutingProfileQueue.routing_profile_id, RoutingProfileQueue.queue_id).where(
            owned_by(organization_id, RoutingProfileQueue)
        )
    ):
        served.setdefault(profile_id, set()).add(queue_id)
    agents = {
        agent.id: AgentSettings(
            team_id=agent.team_id,
            hourly_cost=agent.hourly_cost,
            slots=int(slots.get(agent.routing_profile_id, 1)) if agent.routing_profile_id else 1,
            queue_ids=frozenset(served.get(agent.routing_profile_id or 0, ())),
        )
        for agent in session.scalars(owned(organization_id, Agent))
    }
    return Dimensions(queues=queues, agents=agents, fcr_days=fcr_days)


def _pairs(rows: Iterable[Any]) -> dict[Any, Any]:
    """A dict of two-column result rows."""
    return {row[0]: row[1] for row in rows}


def _labels(session: Session, organization_id: int, group_by: GroupBy) -> dict[Any, str]:
    table: Any = {GroupBy.QUEUE: Queue, GroupBy.TEAM: Team}.get(group_by)
    if group_by is GroupBy.AGENT:
        return _pairs(
            session.execute(
                select(Agent.id, Agent.display_name).where(owned_by(organization_id, Agent))
            )
        )
    if table is None:
        return {}
    return _pairs(
        session.execute(select(table.id, table.name).where(owned_by(organization_id, table)))
    )


@any_member
def organization_zone(session: Session, actor: Actor) -> ZoneInfo:
    """The time zone of the actor's organization."""
    organization = session.get(Organization, actor.organization_id)
    if organization is None:  # pragma: no cover - an authenticated actor's organization exists
        raise InvalidInput("organization", "unknown organization")
    return ZoneInfo(organization.time_zone)


def check_window(start: datetime, end: datetime) -> None:
    """InvalidInput unless ``start < end`` spans at most MAX_WINDOW (both aware)."""
    if end <= start:
        raise InvalidInput("to", "must be after from")
    if end - start > MAX_WINDOW:
        raise InvalidInput("to", f"a report spans at most {MAX_WINDOW.days} days")


@requires(*REPORT_ROLES)
def interval_report(
    session: Session,
    actor: Actor,
    start: datetime,
    end: datetime,
    interval: Interval,
    group_by: GroupBy,
    *,
    fcr_days: int = 7,
) -> Report:
    """The KPIs of ``[start, end)`` per interval (aligned in the organization's zone) and group."""
    check_window(start, end)
    zone = organization_zone(session, actor)
    dims = load_dimensions(session, actor.organization_id, fcr_days)
    window = Window(start, end, interval, zone)
    rows = tally_from_facts(session, actor.organization_id, dims, window, group_by).rows()
    return Report(
        start=start,
        end=end,
        interval=interval,
        group_by=group_by,
        time_zone=zone.key,
        rows=rows,
        labels=_labels(session, actor.organization_id, group_by),
    )


EVENT_COLUMNS = ("sequence", "type", "occurred_at", "contact_id", "agent_id", "actor", "payload")


@requires(*REPORT_ROLES)
def raw_events(
    session: Session, actor: Actor, start: datetime, end: datetime
) -> Sequence[dict[str, Any]]:
    """The organization's events that occurred in ``[start, end)``, in sequence order, as dicts."""
    check_window(start, end)
    rows = session.execute(
        select(
            Event.sequence,
            Event.type,
            Event.occurred_at,
            Event.contact_id,
            Event.agent_id,
            Event.actor,
            Event.payload,
        )
        .where(
            owned_by(actor, Event),
            Event.occurred_at >= start,
            Event.occurred_at < end,
        )
        .order_by(Event.sequence)
    )
    return [dict(zip(EVENT_COLUMNS, row, strict=True)) for row in rows]
