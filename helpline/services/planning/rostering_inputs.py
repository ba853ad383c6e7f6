"""Per-agent rostering inputs: the rostering profile (contract, weekly availability, preferences) and
time off (requested, then approved or rejected), and how they become the rostering core's agents.

Planners (managers, WFM analysts) change profiles and decide time off; supervisors read them; an agent
reads their own and may request time off for themselves.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from helpline.domain.enums import Role
from helpline.domain.hours import WEEKDAYS, parse_clock
from helpline.domain.periods import require_period
from helpline.errors import InvalidInput, NotFound
from helpline.services.access import (
    access_agent,
    access_time_off,
    any_member,
    owned,
    owned_by,
    referenced,
    require_own_or,
    requires,
)
from helpline.services.actor import Actor
from helpline.services.planning.plans import PLANNING_ROLES, READING_ROLES
from helpline.storage import tables
from helpline.storage.database import session_now
from helpline.storage.events import append_event
from helpline.wfm.rostering import Agent, Contract, RosterInputError, employment_hours
from helpline.wfm.rostering.availability import clip_to_horizon, outside_weekly_windows

EMPLOYMENTS = ("full_time", "part_time")
TIME_OFF_STATUSES = ("requested", "approved", "rejected")
MINUTES_PER_DAY = 1440


@dataclass(frozen=True)
class AvailabilityWindow:
    """The agent may work on ``day`` (mon..sun) from ``start`` to ``end`` (HH:MM, end up to 24:00)."""

    day: str
    start: str
    end: str


@dataclass(frozen=True)
class RosteringProfile:
    """An agent's contract, weekly availability (None: any time) and preferences.

    Weekly hours left None take the employment's defaults (see
    :func:`helpline.wfm.rostering.employment_hours`: full-time 35-40 h, part-time up to 30 h);
    a stored profile always has both numbers.
    """

    employment: str = "full_time"
    min_hours_per_week: float | None = None
    max_hours_per_week: float | None = None
    max_days_in_a_row: int = 5
    min_consecutive_days_off: int = 2
    min_rest_hours: float = 11.0
    availability: tuple[AvailabilityWindow, ...] | None = None
    preferred_templates: tuple[str, ...] = ()
    preferred_days_off: tuple[str, ...] = ()
    avoids_nights: bool = False


@dataclass(frozen=True)
class ProfileView:
    """A profile as stored (or the defaults when none is), with the agent's skill names."""

    agent_id: int
    profile: RosteringProfile
    skills: list[str]
    is_default: bool
    updated_by: str | None = None
    updated_at: datetime | None = None


@dataclass(frozen=True)
class NewTimeOff:
    """Time off for ``agent_id`` during ``[starts_at, ends_at)`` (aware datetimes)."""

    agent_id: int
    starts_at: datetime
    ends_at: datetime
    reason: str
    status: str = "requested"


@dataclass(frozen=True)
class AgentPool:
    """The rostering core's agents (named by agent id) for one horizon."""

    agents: tuple[Agent, ...] = field(default_factory=tuple)

    @property
    def agent_ids(self) -> list[int]:
        """The agents' ids, in roster order."""
        return [int(a.name) for a in self.agents]


def _minutes(clock: str) -> int:
    if clock == "24:00":
        return MINUTES_PER_DAY
    moment = parse_clock(clock)
    return moment.hour * 60 + moment.minute


def core_contract(whose: str, profile: RosteringProfile) -> Contract:
    """The rostering core's contract of ``profile``; its checks raise InvalidInput("contract")."""
    try:
        low, high = weekly_hours(profile)
        return Contract(
            name=profile.employment,
            max_hours_per_week=high,
            min_hours_per_week=low,
            max_days_in_a_row=profile.max_days_in_a_row,
            min_consecutive_days_off=profile.min_consecutive_days_off,
            min_rest_minutes=round(profile.min_rest_hours * 60),
        )
    except RosterInputError as error:
        raise InvalidInput("contract", f"{whose}: {error}") from None


def weekly_hours(profile: RosteringProfile) -> tuple[float, float]:
    """The profile's weekly (minimum, maximum) paid hours, defaults of its employment filled in."""
    try:
        return employment_hours(
            profile.employment, profile.min_hours_per_week, profile.max_hours_per_week
        )
    except RosterInputError:
        raise InvalidInput("employment", "full_time or part_time") from None


def _check_profile(agent_id: int, profile: RosteringProfile) -> None:
    if profile.employment not in EMPLOYMENTS:
        raise InvalidInput("employment", "full_time or part_time")
    low, high = weekly_hours(profile)
    if low > high:
        raise InvalidInput("min_hours_per_week", "must not exceed max_hours_per_week")
    core_contract(f"agent {agent_id}", profile)
    for window in profile.availability or ():
        if window.day not in WEEKDAYS:
            raise InvalidInput("availability", f"days are {', '.join(WEEKDAYS)}")
        try:
            start, end = _minutes(window.start), _minutes(window.end)
        except ValueError:
            raise InvalidInput("availability", "start and end are HH:MM") from None
        if end <= start:
            raise InvalidInput("availability", f"{window.day} {window.start}: end before start")
    unknown = set(profile.preferred_days_off) - set(WEEKDAYS)
    if unknown:
        raise InvalidInput("preferred_days_off", f"days are {', '.join(WEEKDAYS)}")


def _is_own(actor: Actor, agent: tables.Agent) -> bool:
    return actor.role is Role.AGENT and actor.user_id is not None and actor.user_id == agent.user_id


def _skill_names(
    session: Session, actor: Actor, agent_ids: Collection[int]
) -> dict[int, list[str]]:
    rows = session.execute(
        select(tables.AgentSkill.agent_id, tables.Skill.name)
        .join(tables.Skill, tables.Skill.id == tables.AgentSkill.skill_id)
        .where(
            owned_by(actor, tables.Skill),
            tables.AgentSkill.agent_id.in_(agent_ids),
        )
        .order_by(tables.Skill.name)
    ).all()
    names: dict[int, list[str]] = {i: [] for i in agent_ids}
    for agent_id, name in rows:
        names[agent_id].append(name)
    return names


def _profile(row: tables.AgentRosteringProfile) -> RosteringProfile:
    return RosteringProfile(
        employment=row.employment,
        min_hours_per_week=row.min_hours_per_week,
        max_hours_per_week=row.max_hours_per_week,
        max_days_in_a_row=row.max_days_in_a_row,
        min_consecutive_days_off=row.min_consecutive_days_off,
        min_rest_hours=row.min_rest_hours,
        availability=None
        if row.availability is None
        else tuple(AvailabilityWindow(**w) for w in row.availability),
        preferred_templates=tuple(row.preferred_templates),
        preferred_days_off=tuple(row.preferred_days_off),
        avoids_nights=row.avoids_nights,
    )


def _stored_profile(
    session: Session, actor: Actor, agent_id: int
) -> tables.AgentRosteringProfile | None:
    return session.scalar(
        select(tables.AgentRosteringProfile).where(
            tables.AgentRosteringProfile.agent_id == agent_id,
            owned_by(actor, tables.AgentRosteringProfile),
        )
    )


@requires(*READING_ROLES, Role.AGENT)
def get_profile(session: Session, actor: Actor, agent_id: int) -> ProfileView:
    """The agent's rostering profile (the defaults when none was set)."""
    agent = access_agent(session, actor, agent_id)
    require_own_or(actor, _is_own(actor, agent), *READING_ROLES, what="rostering profile")
    row = _stored_profile(session, actor, agent_id)
    skills = _skill_names(session, actor, [agent_id])[agent_id]
    if row is None:
        # The schedule request's default contract applies; these are its default hours.
        default = RosteringProfile(min_hours_per_week=0.0, max_hours_per_week=40.0)
        return ProfileView(agent_id, default, skills, is_default=True)
    return ProfileView(agent_id, _profile(row), skills, False, row.updated_by, row.updated_at)


@requires(*PLANNING_ROLES)
def put_profile(
    session: Session, actor: Actor, agent_id: int, profile: RosteringProfile
) -> ProfileView:
    """Set (create or replace) the agent's rostering profile and record the event."""
    access_agent(session, actor, agent_id)
    _check_profile(agent_id, profile)
    now = session_now(session)
    row = _stored_profile(session, actor, agent_id)
    if row is None:
        row = tables.AgentRosteringProfile(agent_id=agent_id, organization_id=actor.organization_id)
        session.add(row)
    row.employment = profile.employment
    row.min_hours_per_week, row.max_hours_per_week = weekly_hours(profile)
    row.max_days_in_a_row = profile.max_days_in_a_row
    row.min_consecutive_days_off = profile.min_consecutive_days_off
    row.min_rest_hours = profile.min_rest_hours
    row.availability = (
        None if profile.availability is None else [w.__dict__ for w in profile.availability]
    )
    row.preferred_templates = list(profile.preferred_templates)
    row.preferred_days_off = list(profile.preferred_days_off)
    row.avoids_nights = profile.avoids_nights
    row.updated_by = actor.label
    row.updated_at = now
    session.flush()
    append_event(
        session,
        actor.organization_id,
        "AgentRosteringProfileSet",
        occurred_at=now,
        actor=actor.label,
        agent_id=agent_id,
        payload={"agent_id": agent_id, "employment": profile.employment},
    )
    return get_profile(session, actor, agent_id)


@requires(*PLANNING_ROLES)
def delete_profile(session: Session, actor: Actor, agent_id: int) -> None:
    """Drop the agent's profile: rostering uses the schedule request's default contract again."""
    access_agent(session, actor, agent_id)
    row = _stored_profile(session, actor, agent_id)
    if row is None:
        raise NotFound(f"agent {agent_id} has no rostering profile")
    session.delete(row)
    append_event(
        session,
        actor.organization_id,
        "AgentRosteringProfileRemoved",
        occurred_at=session_now(session),
        actor=actor.label,
        agent_id=agent_id,
        payload={"agent_id": agent_id},
    )


# --- time off ---------------------------------------------------------------------------------


@requires(*PLANNING_ROLES, Role.AGENT)
def create_time_off(session: Session, actor: Actor, new: NewTimeOff) -> tables.TimeOff:
    """Record time off: planners may approve it at once; an agent requests their own."""
    agent = referenced(session, actor, tables.Agent, new.agent_id, "agent_id", "agent")
    if _is_own(actor, agent):
        if new.status != "requested":
            raise InvalidInput("status", "agents request time off; a planner approves it")
    else:
        require_own_or(actor, False, *PLANNING_ROLES, what="time off")
    if new.status not in TIME_OFF_STATUSES:
        raise InvalidInput("status", ", ".join(TIME_OFF_STATUSES))
    require_period(new.starts_at, new.ends_at)
    now = session_now(session)
    row = tables.TimeOff(
        organization_id=actor.organization_id,
        agent_id=new.agent_id,
        starts_at=new.starts_at,
        ends_at=new.ends_at,
        reason=new.reason,
        status=new.status,
        decided_by=None if new.status == "requested" else actor.label,
        created_by=actor.label,
        created_at=now,
    )
    session.add(row)
    session.flush()
    _time_off_event(session, actor, row, "TimeOffRequested" if row.status == "requested" else None)
    return row


def _time_off_event(
    session: Session, actor: Actor, row: tables.TimeOff, kind: str | None = None
) -> None:
    kind = kind or {"approved": "TimeOffApproved", "rejected": "TimeOffRejected"}[row.status]
    append_event(
        session,
        actor.organization_id,
        kind,
        occurred_at=session_now(session),
        actor=actor.label,
        agent_id=row.agent_id,
        payload={
            "time_off_id": row.id,
            "starts_at": row.starts_at,
            "ends_at": row.ends_at,
            "status": row.status,
        },
    )


@requires(*READING_ROLES, Role.AGENT)
def get_time_off(session: Session, actor: Actor, time_off_id: int) -> tables.TimeOff:
    """Time off of the actor's organization (an agent sees only their own), or NotFound."""
    row = access_time_off(session, actor, time_off_id)
    agent = access_agent(session, actor, row.agent_id)
    require_own_or(actor, _is_own(actor, agent), *READING_ROLES, what="time off")
    return row


@requires(*READING_ROLES, Role.AGENT)
def list_time_off(
    session: Session,
    actor: Actor,
    *,
    agent_id: int | None = None,
    status: str | None = None,
    starts_at: datetime | None = None,
    ends_at: datetime | None = None,
) -> list[tables.TimeOff]:
    """The organization's time off by start (optionally one agent's, a status, overlapping a period).

    An agent lists only their own.
    """
    query = owned(actor, tables.TimeOff)
    if actor.role is Role.AGENT:
        own = session.scalar(
            select(tables.Agent.id).where(
                owned_by(actor, tables.Agent),
                tables.Agent.user_id == actor.user_id,
            )
        )
        require_own_or(actor, own is not None, what="time off")
        query = query.where(tables.TimeOff.agent_id == own)
    if agent_id is not None:
        query = query.where(tables.TimeOff.agent_id == agent_id)
    if status is not None:
        query = query.where(tables.TimeOff.status == status)
    if ends_at is not None:
        query = query.where(tables.TimeOff.starts_at < ends_at)
    if starts_at is not None:
        query = query.where(tables.TimeOff.ends_at > starts_at)
    return list(session.scalars(query.order_by(tables.TimeOff.starts_at, tables.TimeOff.id)))


@requires(*PLANNING_ROLES)
def decide_time_off(
    session: Session, actor: Actor, time_off_id: int, status: str
) -> tables.TimeOff:
    """Approve or reject time off (deciding again changes the decision) and record the event."""
    if status not in {"approved", "rejected"}:
        raise InvalidInput("status", "approved or rejected")
    row = get_time_off(session, actor, time_off_id)
    if row.status == status:
        return row
    row.status = status
    row.decided_by = actor.label
    session.flush()
    _time_off_event(session, actor, row)
    return row


@requires(*PLANNING_ROLES, Role.AGENT)
def delete_time_off(session: Session, actor: Actor, time_off_id: int) -> None:
    """Withdraw time off (planners, or the agent while it is still a request)."""
    row = get_time_off(session, actor, time_off_id)
    agent = access_agent(session, actor, row.agent_id)
    is_own_request = _is_own(actor, agent) and row.status == "requested"
    require_own_or(actor, is_own_request, *PLANNING_ROLES, what="time off requests")
    _time_off_event(session, actor, row, "TimeOffWithdrawn")
    session.delete(row)


# --- rostering --------------------------------------------------------------------------------


def _local_minutes(moment: datetime, midnight: datetime, zone: ZoneInfo) -> int:
    """Wall-clock minutes from the horizon's local midnight (as rostering counts them)."""
    local = moment.astimezone(zone).replace(tzinfo=None)
    return int((local - midnight).total_seconds() // 60)


@any_member
def rostering_agents(
    session: Session,
    actor: Actor,
    *,
    week_start: date,
    num_days: int,
    zone: ZoneInfo,
    default: RosteringProfile,
    groups_of_agent: Mapping[int, frozenset[str]],
) -> AgentPool:
    """The organization's active agents as rostering agents for the horizon from ``week_start``.

    Each agent gets their stored profile (or ``default``), the groups ``groups_of_agent`` gives
    (from their skills), their availability outside weekly windows and their approved time off.
    """
    ids = list(
        session.scalars(
            select(tables.Agent.id)
            .where(
                owned_by(actor, tables.Agent),
                tables.Agent.is_active.is_(True),
            )
            .order_by(tables.Agent.id)
        )
    )
    profiles = {
        row.agent_id: _profile(row)
        for row in session.scalars(
            select(tables.AgentRosteringProfile).where(
                owned_by(actor, tables.AgentRosteringProfile)
            )
        )
    }
    midnight = datetime.combine(week_start, datetime.min.time())
    begin = midnight.replace(tzinfo=zone).astimezone(UTC)
    absences: dict[int, list[tuple[int, int]]] = {}
    for row in list_time_off(
        session,
        actor,
        status="approved",
        starts_at=begin - timedelta(days=1),
        ends_at=begin + timedelta(days=num_days + 1),
    ):
        absences.setdefault(row.agent_id, []).append(
            (
                _local_minutes(row.starts_at, midnight, zone),
                _local_minutes(row.ends_at, midnight, zone),
            )
        )
    agents = []
    for agent_id in ids:
        profile = profiles.get(agent_id, default)
        unavailable = list(clip_to_horizon(absences.get(agent_id, ()), num_days))
        if profile.availability is not None:
            windows = [
                (WEEKDAYS.index(w.day), _minutes(w.start), _minutes(w.end))
                for w in profile.availability
            ]
            unavailable.extend(outside_weekly_windows(windows, num_days))
        agents.append(
            Agent(
                name=str(agent_id),
                contract=core_contract(f"agent {agent_id}", profile),
                skills=groups_of_agent.get(agent_id, frozenset()),
                unavailable=tuple(clip_to_horizon(unavailable, num_days)),
                preferred_templates=frozenset(profile.preferred_templates),
                preferred_days_off=frozenset(WEEKDAYS.index(d) for d in profile.preferred_days_off),
                avoids_nights=profile.avoids_nights,
            )
        )
    return AgentPool(tuple(agents))
