"""Schedule use cases: generate a week's shifts for one or several groups (queues or skill groups)
and roster them to the organization's agents under each agent's rostering profile and time off, store
the result as a draft version, publish it, and read an agent's published schedule.

Times: the week starts at local midnight of a Monday in the organization's time zone; the scheduler
works on local intervals of that week; stored activities are UTC instants.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from helpline.domain.enums import Role
from helpline.errors import InvalidInput
from helpline.services.access import (
    access_agent,
    access_schedule,
    any_member,
    owned_by,
    referenced,
    require_own_or,
    requires,
)
from helpline.services.actor import Actor
from helpline.services.planning.plans import (
    PLANNING_ROLES,
    READING_ROLES,
    list_plans,
    publish_plan,
)
from helpline.services.planning.rostering_inputs import (
    RosteringProfile,
    core_contract,
    rostering_agents,
)
from helpline.services.planning.schedule_groups import (
    DAYS,
    GroupDemand,
    GroupRequest,
    StaffingTarget,
    check_skills,
    demand_from_body,
    demand_from_forecast,
    groups_of_agents,
    local_interval_starts,
    organization_zone,
    service_level_goal,
)
from helpline.services.planning.schedule_report import activity_rows, coverage, summary
from helpline.storage import tables
from helpline.storage.database import session_now
from helpline.storage.events import append_event
from helpline.wfm.rostering import RosterInputError, RosterProblem, RosterWeights, roster_agents
from helpline.wfm.rostering import RosterResult as Roster
from helpline.wfm.scheduling import ScheduleInputError, ScheduleProblem, ScheduleResult
from helpline.wfm.scheduling import schedule_shifts as solve_schedule
from helpline.wfm.scheduling.templates import ShiftSettings, shift_settings_from_data

INTERVALS = (15, 30, 60)
MAX_GROUPS = 20


@dataclass(frozen=True)
class ContractRules:
    """The working-time rules of agents without a rostering profile of their own."""

    max_hours_per_week: float = 40.0
    min_hours_per_week: float = 0.0
    max_days_in_a_row: int = 5
    min_consecutive_days_off: int = 2
    min_rest_hours: float = 11.0


@dataclass(frozen=True)
class Fairness:
    """Roster fairness weights, each charged per agent on a square (0 turns it off).

    ``weekend_days_squared``: on the weekend days worked; ``night_shifts_squared``: on the night
    shifts worked (3 h or more between 22:00 and 06:00 local time).
    """

    weekend_days_squared: float = 1.0
    night_shifts_squared: float = 1.0


MAX_FAIRNESS_WEIGHT = 100.0


@dataclass(frozen=True)
class ScheduleRequest:
    """Generate a week: requirements per group given per interval, or from the queues' forecasts.

    Without ``groups`` the schedule has one group, named by the templates' ``group``, whose queue and
    requirements are ``queue_id`` and ``requirements``.
    """

    week_start: date
    shifts: dict[str, Any]
    queue_id: int | None = None
    name: str = ""
    interval_minutes: int | None = None  # default: the forecast's, or 30
    requirements: Sequence[float] | None = None
    groups: Sequence[GroupRequest] = ()
    staffing: StaffingTarget = field(default_factory=StaffingTarget)
    contract: ContractRules = field(default_factory=ContractRules)
    fairness: Fairness = field(default_factory=Fairness)
    time_limit_seconds: float = 10.0
    objective: str = "requirement"  # or "service_level": the week's SL target at minimum cost


@dataclass(frozen=True)
class ScheduleDetail:
    """A stored schedule with its roster's activities (ordered by agent, then time)."""

    schedule: tables.Schedule
    activities: list[tables.ScheduleActivity]


def _check(request: ScheduleRequest) -> None:
    if request.week_start.weekday() != 0:
        raise InvalidInput("week_start", "a week starts on a Monday")
    if request.interval_minutes is not None and request.interval_minutes not in INTERVALS:
        raise InvalidInput("interval_minutes", "use 15, 30 or 60")
    if not 0 < request.time_limit_seconds <= 120:
        raise InvalidInput("time_limit_seconds", "between 0 and 120 seconds")
    if request.objective not in {"requirement", "service_level"}:
        raise InvalidInput("objective", "requirement or service_level")
    target = request.staffing
    if target.service_level is not None and not 0 < target.service_level < 1:
        raise InvalidInput("staffing.service_level", "a fraction between 0 and 1, e.g. 0.8")
    if not 0 <= target.shrinkage < 1:
        raise InvalidInput("staffing.shrinkage", "a fraction in [0, 1), e.g. 0.3")
    if request.groups and (request.queue_id is not None or request.requirements is not None):
        raise InvalidInput("groups", "with groups, give queue_id and requirements per group")
    if len(request.groups) > MAX_GROUPS:
        raise InvalidInput("groups", f"at most {MAX_GROUPS} groups")
    for name, weight in request.fairness.__dict__.items():
        if not 0 <= weight <= MAX_FAIRNESS_WEIGHT:
            raise InvalidInput(f"fairness.{name}", f"between 0 and {MAX_FAIRNESS_WEIGHT:g}")


def _settings(shifts: dict[str, Any]) -> ShiftSettings:
    try:
        return shift_settings_from_data(shifts)
    except ScheduleInputError as error:  # the API validated the body already; other callers may not
        raise InvalidInput("shifts", str(error)) from None


def _groups(request: ScheduleRequest, settings: ShiftSettings) -> list[GroupRequest]:
    """The request's groups; every template must cover one of them."""
    template_groups = {t.group for t in settings.templates}
    if not request.groups:
        if len(template_groups) != 1:
            raise InvalidInput(
                "shifts", "templates of several groups need `groups` to say what each requires"
            )
        return [GroupRequest(template_groups.pop(), request.queue_id, (), request.requirements)]
    names = [g.name for g in request.groups]
    if len(set(names)) != len(names) or not all(names):
        raise InvalidInput("groups", "group names must be unique and not empty")
    unknown = sorted(template_groups - set(names))
    if unknown:
        raise InvalidInput(
            "shifts", f"templates cover group {unknown[0]!r}, which is not in groups"
        )
    return list(request.groups)


def _demands(
    session: Session, actor: Actor, request: ScheduleRequest, groups: list[GroupRequest]
) -> list[GroupDemand]:
    zone = organization_zone(session, actor)
    demands = []
    for index, group in enumerate(groups):
        where = f"groups.{index}" if request.groups else ""
        queue_field = f"{where}.queue_id" if where else "queue_id"
        check_skills(session, actor, group.skill_ids, f"{where}.skill_ids")
        if group.requirements is not None:
            if group.queue_id is not None:
                referenced(session, actor, tables.Queue, group.queue_id, queue_field, "queue")
            demand = demand_from_body(
                group,
                request.interval_minutes or 30,
                f"{where}.requirements" if where else "requirements",
            )
        else:
            demand = demand_from_forecast(
                session,
                actor,
                group,
                week_start=request.week_start,
                zone=zone,
                interval_minutes=request.interval_minutes,
                target=request.staffing,
                field=queue_field,
            )
        demands.append(demand)
    intervals = {d.interval_minutes for d in demands}
    if len(intervals) != 1:
        raise InvalidInput(
            "interval_minutes", "the groups' forecasts have different intervals; give requirements"
        )
    return demands


def _solve(
    demands: list[GroupDemand], settings: ShiftSettings, request: ScheduleRequest
) -> tuple[ScheduleProblem, ScheduleResult]:
    goal = None
    required = {d.group.name: d.required for d in demands}
    if request.objective == "service_level":
        goal = service_level_goal(demands, request.staffing.shrinkage)
        required = {name: value * 0 for name, value in required.items()}
    try:
        problem = ScheduleProblem(
            interval_minutes=demands[0].interval_minutes,
            requirements=required,
            templates=settings.templates,
            understaffing_penalty=settings.understaffing_penalty,
            wraps_around=settings.wraps_around,
            service_level_goal=goal,
            time_limit_seconds=request.time_limit_seconds,
        )
    except ScheduleInputError as error:
        raise InvalidInput("shifts", str(error)) from None
    return problem, solve_schedule(problem)


def _default_profile(rules: ContractRules) -> RosteringProfile:
    return RosteringProfile(
        max_hours_per_week=rules.max_hours_per_week,
        min_hours_per_week=rules.min_hours_per_week,
        max_days_in_a_row=rules.max_days_in_a_row,
        min_consecutive_days_off=rules.min_consecutive_days_off,
        min_rest_hours=rules.min_rest_hours,
    )


def _roster(
    session: Session,
    actor: Actor,
    request: ScheduleRequest,
    groups: list[GroupRequest],
    problem: ScheduleProblem,
    result: ScheduleResult,
) -> tuple[Roster | None, list[int]]:
    pool = rostering_agents(
        session,
        actor,
        week_start=request.week_start,
        num_days=DAYS,
        zone=organization_zone(session, actor),
        default=_default_profile(request.contract),
        groups_of_agent=groups_of_agents(session, actor, groups),
    )
    if not pool.agents or not result.shifts:
        return None, pool.agent_ids
    try:
        roster = roster_agents(
            RosterProblem(
                result.shifts,
                pool.agents,
                num_days=DAYS,
                wraps_around=problem.wraps_around,
                weights=RosterWeights(**request.fairness.__dict__),
                time_limit_seconds=problem.time_limit_seconds,
            )
        )
    except RosterInputError as error:
        raise InvalidInput("contract", str(error)) from None
    return roster, pool.agent_ids


@requires(*PLANNING_ROLES)
def generate_schedule(session: Session, actor: Actor, request: ScheduleRequest) -> ScheduleDetail:
    """Schedule and roster a week, store it as a draft version, and record ``ScheduleCreated``.

    A requirement the templates cannot meet still gives the best schedule, with its shortfalls.
    """
    _check(request)
    core_contract("default contract", _default_profile(request.contract))
    zone = organization_zone(session, actor)
    settings = _settings(request.shifts)
    groups = _groups(request, settings)
    demands = _demands(session, actor, request, groups)
    problem, result = _solve(demands, settings, request)
    roster, agent_ids = _roster(session, actor, request, groups, problem, result)
    starts = local_interval_starts(request.week_start, zone, demands[0].interval_minutes)
    covered = coverage(demands, result, starts, request.staffing.shrinkage)
    now = session_now(session)
    version = session.scalar(
        select(func.max(tables.Schedule.version)).where(
            owned_by(actor, tables.Schedule),
            tables.Schedule.week_start == request.week_start,
        )
    )
    queue_ids = {g.queue_id for g in groups}
    schedule = tables.Schedule(
        organization_id=actor.organization_id,
        queue_id=queue_ids.pop() if len(queue_ids) == 1 else None,
        name=request.name,
        week_start=request.week_start,
        starts_at=starts[0],
        interval_minutes=demands[0].interval_minutes,
        version=(version or 0) + 1,
        status="draft",
        inputs={
            **(demands[0].source if len(demands) == 1 else {}),
            "groups": [
                {"name": g.name, "queue_id": g.queue_id, "skill_ids": list(g.skill_ids)}
                for g in groups
            ],
            "shifts": request.shifts,
            "contract": request.contract.__dict__,
            "fairness": request.fairness.__dict__,
            "time_limit_seconds": request.time_limit_seconds,
            "objective": request.objective,
        },
        summary=summary(demands, result, roster, agent_ids, starts, covered),
        coverage=covered,
        created_by=actor.label,
        created_at=now,
        published_at=None,
    )
    session.add(schedule)
    session.flush()
    activities = activity_rows(actor, schedule, roster, request.week_start, zone)
    session.add_all(activities)
    append_event(
        session,
        actor.organization_id,
        "ScheduleCreated",
        occurred_at=now,
        actor=actor.label,
        payload={
            "schedule_id": schedule.id,
            "week_start": request.week_start,
            "version": schedule.version,
            "paid_hours": schedule.summary["paid_hours"],
            "understaffed_intervals": schedule.summary["understaffed_intervals"],
        },
    )
    session.flush()
    return ScheduleDetail(schedule, sorted(activities, key=lambda a: (a.agent_id, a.starts_at)))


@requires(*READING_ROLES)
def get_schedule(session: Session, actor: Actor, schedule_id: int) -> tables.Schedule:
    """A schedule of the actor's organization, or NotFound."""
    return access_schedule(session, actor, schedule_id)


@any_member
def schedule_detail(session: Session, actor: Actor, schedule_id: int) -> ScheduleDetail:
    """A schedule with its roster."""
    schedule = get_schedule(session, actor, schedule_id)
    activities = session.scalars(
        select(tables.ScheduleActivity)
        .where(
            owned_by(actor, tables.ScheduleActivity),
            tables.ScheduleActivity.schedule_id == schedule.id,
        )
        .order_by(tables.ScheduleActivity.agent_id, tables.ScheduleActivity.starts_at)
    ).all()
    return ScheduleDetail(schedule, list(activities))


@requires(*READING_ROLES)
def list_schedules(
    session: Session, actor: Actor, *, week_start: date | None, status: str | None, limit: int
) -> list[tables.Schedule]:
    """The organization's schedules, newest first."""
    where = {} if week_start is None else {"week_start": week_start}
    return list_plans(session, actor, tables.Schedule, where=where, status=status, limit=limit)


@requires(*PLANNING_ROLES)
def publish_schedule(session: Session, actor: Actor, schedule_id: int) -> tables.Schedule:
    """Publish a schedule; the week's previously published version is superseded."""
    schedule = get_schedule(session, actor, schedule_id)
    return publish_plan(
        session,
        actor,
        schedule,
        scope={"week_start": schedule.week_start},
        event_type="SchedulePublished",
        payload={
            "schedule_id": schedule.id,
            "week_start": schedule.week_start,
            "version": schedule.version,
        },
    )


def check_window(starts_at: datetime, ends_at: datetime, *, max_days: int) -> None:
    """``from``/``to`` query parameters: aware, in order, at most ``max_days`` apart."""
    for name, value in (("from", starts_at), ("to", ends_at)):
        if value.tzinfo is None:
            raise InvalidInput(name, "give a time zone, e.g. 2026-12-01T00:00:00Z")
    if ends_at <= starts_at:
        raise InvalidInput("to", "must be after from")
    if ends_at - starts_at > timedelta(days=max_days):
        raise InvalidInput("to", f"at most {max_days} days after from")


@any_member
def published_activities(
    session: Session,
    actor: Actor,
    starts_at: datetime,
    ends_at: datetime,
    agent_id: int | None = None,
) -> list[tables.ScheduleActivity]:
    """Activities of published schedules overlapping ``[starts_at, ends_at)``, by agent and time."""
    query = (
        select(tables.ScheduleActivity)
        .join(tables.Schedule, tables.Schedule.id == tables.ScheduleActivity.schedule_id)
        .where(
            owned_by(actor, tables.ScheduleActivity),
            owned_by(actor, tables.Schedule),
            tables.Schedule.status == "published",
            tables.ScheduleActivity.starts_at < ends_at,
            tables.ScheduleActivity.ends_at > starts_at,
        )
    )
    if agent_id is not None:
        query = query.where(tables.ScheduleActivity.agent_id == agent_id)
    ordered = query.order_by(tables.ScheduleActivity.agent_id, tables.ScheduleActivity.starts_at)
    return list(session.scalars(ordered).all())


@requires(*READING_ROLES, Role.AGENT)
def agent_schedule(
    session: Session, actor: Actor, agent_id: int, starts_at: datetime, ends_at: datetime
) -> list[tables.ScheduleActivity]:
    """An agent's published activities overlapping ``[starts_at, ends_at)`` (at most 42 days).

    Agents read their own schedule; supervisors and planners anyone's.
    """
    agent = access_agent(session, actor, agent_id)
    is_own = (
        actor.role is Role.AGENT and actor.user_id is not None and actor.user_id == agent.user_id
    )
    require_own_or(actor, is_own, *READING_ROLES, what="schedule")
    check_window(starts_at, ends_at, max_days=42)
    return published_activities(session, actor, starts_at, ends_at, agent_id)
