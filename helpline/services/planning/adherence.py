"""Adherence use cases: approve, list and withdraw exceptions; report adherence and conformance per
agent or team over a period; list the agents out of adherence now.

The figures come from :mod:`helpline.wfm.adherence` (the state-to-activity table is in its
docstring), fed with the published schedules' activities, the ``AgentStateChanged`` events and the
approved exceptions.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from helpline.domain.periods import require_period
from helpline.errors import InvalidInput
from helpline.services.access import (
    access_adherence_exception,
    any_member,
    owned,
    owned_by,
    referenced,
    requires,
)
from helpline.services.actor import Actor
from helpline.services.planning.plans import PLANNING_ROLES, READING_ROLES
from helpline.services.planning.schedules import check_window, published_activities
from helpline.storage import tables
from helpline.storage.database import session_now
from helpline.storage.events import append_event
from helpline.wfm import adherence
from helpline.wfm.adherence import ActivityKind, AdherenceFigures, OutOfAdherence

STATE_EVENT = "AgentStateChanged"
MAX_REPORT_DAYS = 31
NOW_LOOKBACK_MINUTES = 12 * 60


@dataclass(frozen=True)
class NewException:
    """An approved deviation for ``agent_id`` during ``[starts_at, ends_at)`` (aware datetimes)."""

    agent_id: int
    starts_at: datetime
    ends_at: datetime
    reason: str


@requires(*PLANNING_ROLES)
def create_exception(
    session: Session, actor: Actor, new: NewException
) -> tables.AdherenceException:
    """Approve an exception (the actor is recorded as approver) and record the event."""
    referenced(session, actor, tables.Agent, new.agent_id, "agent_id", "agent")
    require_period(new.starts_at, new.ends_at)
    now = session_now(session)
    row = tables.AdherenceException(
        organization_id=actor.organization_id,
        agent_id=new.agent_id,
        starts_at=new.starts_at,
        ends_at=new.ends_at,
        reason=new.reason,
        approved_by=actor.label,
        created_at=now,
    )
    session.add(row)
    session.flush()
    append_event(
        session,
        actor.organization_id,
        "AdherenceExceptionApproved",
        occurred_at=now,
        actor=actor.label,
        agent_id=new.agent_id,
        payload={
            "adherence_exception_id": row.id,
            "starts_at": row.starts_at,
            "ends_at": row.ends_at,
            "reason": row.reason,
        },
    )
    return row


@requires(*READING_ROLES)
def list_exceptions(
    session: Session,
    actor: Actor,
    *,
    agent_id: int | None = None,
    starts_at: datetime | None = None,
    ends_at: datetime | None = None,
) -> list[tables.AdherenceException]:
    """The organization's exceptions (optionally one agent's, overlapping a period), by start."""
    query = owned(actor, tables.AdherenceException)
    if agent_id is not None:
        query = query.where(tables.AdherenceException.agent_id == agent_id)
    if ends_at is not None:
        query = query.where(tables.AdherenceException.starts_at < ends_at)
    if starts_at is not None:
        query = query.where(tables.AdherenceException.ends_at > starts_at)
    ordered = query.order_by(tables.AdherenceException.starts_at, tables.AdherenceException.id)
    return list(session.scalars(ordered).all())


@requires(*PLANNING_ROLES)
def delete_exception(session: Session, actor: Actor, exception_id: int) -> None:
    """Withdraw an exception: the period counts against the schedule again."""
    row = access_adherence_exception(session, actor, exception_id)
    agent_id = row.agent_id
    session.delete(row)
    append_event(
        session,
        actor.organization_id,
        "AdherenceExceptionWithdrawn",
        occurred_at=session_now(session),
        actor=actor.label,
        agent_id=agent_id,
        payload={"adherence_exception_id": exception_id},
    )


def _state_changes(
    session: Session, actor: Actor, starts_at: datetime, ends_at: datetime
) -> list[adherence.StateChange]:
    """``AgentStateChanged`` events in ``[starts_at, ends_at]`` plus each agent's last one before."""
    scoped = (
        owned_by(actor, tables.Event),
        tables.Event.type == STATE_EVENT,
        tables.Event.agent_id.is_not(None),
    )
    last_before = (
        select(func.max(tables.Event.sequence))
        .where(*scoped, tables.Event.occurred_at < starts_at)
        .group_by(tables.Event.agent_id)
    )
    rows = session.scalars(
        select(tables.Event)
        .where(
            *scoped,
            (tables.Event.sequence.in_(last_before))
            | ((tables.Event.occurred_at >= starts_at) & (tables.Event.occurred_at <= ends_at)),
        )
        .order_by(tables.Event.sequence)
    ).all()
    return [
        adherence.StateChange(
            agent=row.agent_id,
            at=row.occurred_at,
            state=str(row.payload.get("state", "offline")),
            reason=row.payload.get("reason"),
        )
        for row in rows
    ]


def _inputs(
    session: Session, actor: Actor, starts_at: datetime, ends_at: datetime
) -> tuple[
    list[adherence.ScheduledActivity],
    list[adherence.StateChange],
    list[adherence.AdherenceException],
]:
    activities = [
        adherence.ScheduledActivity(a.agent_id, ActivityKind(a.kind), a.starts_at, a.ends_at)
        for a in published_activities(session, actor, starts_at, ends_at)
    ]
    exceptions = [
        adherence.AdherenceException(e.agent_id, e.starts_at, e.ends_at)
        for e in list_exceptions(session, actor, starts_at=starts_at, ends_at=ends_at)
    ]
    return activities, _state_changes(session, actor, starts_at, ends_at), exceptions


@dataclass(frozen=True)
class AdherenceLine:
    """Figures of one agent or team, with its name."""

    figures: AdherenceFigures
    name: str


@requires(*READING_ROLES)
def adherence_report(
    session: Session, actor: Actor, starts_at: datetime, ends_at: datetime, group_by: str
) -> list[AdherenceLine]:
    """Adherence and conformance per agent or per team over ``[starts_at, ends_at)``."""
    check_window(starts_at, ends_at, max_days=MAX_REPORT_DAYS)
    if group_by not in {"agent", "team"}:
        raise InvalidInput("group_by", "agent or team")
    activities, changes, exceptions = _inputs(session, actor, starts_at, ends_at)
    agents = session.execute(
        select(tables.Agent.id, tables.Agent.display_name, tables.Agent.team_id).where(
            owned_by(actor, tables.Agent)
        )
    ).all()
    if group_by == "agent":
        names: dict[Hashable, str] = {a.id: a.display_name for a in agents}
        figures = adherence.adherence_by_agent(starts_at, ends_at, activities, changes, exceptions)
    else:
        teams = session.execute(
            select(tables.Team.id, tables.Team.name).where(owned_by(actor, tables.Team))
        ).all()
        names = {t.id: t.name for t in teams}
        names[None] = "(no team)"
        figures = adherence.adherence_by_team(
            starts_at, ends_at, activities, changes, {a.id: a.team_id for a in agents}, exceptions
        )
    return [AdherenceLine(f, names.get(f.key, "")) for f in figures if f.key in names]


@dataclass(frozen=True)
class OutOfAdherenceLine:
    """An agent out of adherence now, with the agent's name and team."""

    item: OutOfAdherence
    name: str
    team_id: int | None


@requires(*READING_ROLES)
def out_of_adherence_now(session: Session, actor: Actor, now: datetime) -> list[OutOfAdherenceLine]:
    """Agents out of adherence at ``now``, longest first (looking back at most 12 hours)."""
    starts_at = now - timedelta(minutes=NOW_LOOKBACK_MINUTES)
    activities, changes, exceptions = _inputs(session, actor, starts_at, now + timedelta(minutes=1))
    agents = {a.id: a for a in session.scalars(owned(actor, tables.Agent))}
    found = adherence.out_of_adherence(
        now,
        activities,
        [c for c in changes if c.at <= now],
        exceptions,
        lookback_minutes=NOW_LOOKBACK_MINUTES,
    )
    return [
        OutOfAdherenceLine(item, agents[item.agent].display_name, agents[item.agent].team_id)
        for item in found
        if item.agent in agents
    ]


@dataclass(frozen=True)
class OutOfAdherenceFeed:
    """Agents out of adherence at ``at``, and the sequence of the last agent state change so far."""

    at: datetime
    last_state_sequence: int
    lines: list[OutOfAdherenceLine]


@any_member
def out_of_adherence_feed(session: Session, actor: Actor, now: datetime) -> OutOfAdherenceFeed:
    """The out-of-adherence list with the last ``AgentStateChanged`` sequence, so a stream can push
    on every agent state change (and when the list changes as the schedule moves on)."""
    lines = out_of_adherence_now(session, actor, now)
    last = session.scalar(
        select(func.max(tables.Event.sequence)).where(
            owned_by(actor, tables.Event),
            tables.Event.type == STATE_EVENT,
        )
    )
    return OutOfAdherenceFeed(now, last or 0, lines)
