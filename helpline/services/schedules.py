"""Schedule use cases: generate a week's shifts and roster them to the organization's agents, store the
result as a draft version, publish it, and read an agent's published schedule.

Times: the week starts at local midnight of a Monday in the organization's time zone; the scheduler
works on local intervals of that week; stored activities are UTC instants.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from helpline.clock import utc_now
from helpline.domain.enums import Role
from helpline.errors import InvalidInput, NotFound
from helpline.services.actor import Actor
from helpline.storage import tables
from helpline.storage.events import append_event
from helpline.wfm import erlang
from helpline.wfm.activities import shift_activities
from helpline.wfm.rostering import Agent, Contract, RosterInputError, RosterProblem, roster_agents
from helpline.wfm.rostering import RosterResult as Roster
from helpline.wfm.scheduling import (
    ScheduleInputError,
    ScheduleProblem,
    ScheduleResult,
    ServiceLevelCurve,
    ServiceLevelGoal,
)
from helpline.wfm.scheduling import schedule_shifts as solve_schedule
from helpline.wfm.scheduling.service_level import erlang_c_curve
from helpline.wfm.scheduling.templates import ShiftSettings, shift_settings_from_data
from helpline.wfm.staffing import staff_intervals

PLANNING_ROLES = (Role.MANAGER, Role.WFM_ANALYST)
"""Who may generate and publish schedules besides admins."""
READING_ROLES = (*PLANNING_ROLES, Role.SUPERVISOR)
"""Who may read schedules and adherence."""
INTERVALS = (15, 30, 60)
DAYS = 7
DEFAULT_AHT_SECONDS = 300.0


@dataclass(frozen=True)
class StaffingTarget:
    """How forecast volume becomes required agents (defaults: the queue's service-level target)."""

    service_level: float | None = None
    answer_time_seconds: float | None = None
    aht_seconds: float = DEFAULT_AHT_SECONDS  # where the forecast has no AHT
    shrinkage: float = 0.3
    patience_seconds: float | None = None


@dataclass(frozen=True)
class ContractRules:
    """The working-time rules every rostered agent gets."""

    max_hours_per_week: float = 40.0
    min_hours_per_week: float = 0.0
    max_days_in_a_row: int = 5
    min_consecutive_days_off: int = 2
    min_rest_hours: float = 11.0


@dataclass(frozen=True)
class ScheduleRequest:
    """Generate a week: requirements given per interval, or from the queue's published forecast."""

    week_start: date
    shifts: dict[str, Any]
    queue_id: int | None = None
    name: str = ""
    interval_minutes: int | None = None  # default: the forecast's, or 30
    requirements: Sequence[float] | None = None
    staffing: StaffingTarget = field(default_factory=StaffingTarget)
    contract: ContractRules = field(default_factory=ContractRules)
    time_limit_seconds: float = 10.0
    objective: str = "requirement"  # or "service_level": the week's SL target at minimum cost


@dataclass(frozen=True)
class _Demand:
    interval_minutes: int
    required: np.ndarray
    calls: np.ndarray | None
    aht_seconds: np.ndarray | None
    answer_time_seconds: float | None
    source: dict[str, Any]
    notes: list[str]
    target_service_level: float | None = None


@dataclass(frozen=True)
class ScheduleDetail:
    """A stored schedule with its roster's activities (ordered by agent, then time)."""

    schedule: tables.Schedule
    activities: list[tables.ScheduleActivity]


def organization_zone(session: Session, actor: Actor) -> ZoneInfo:
    """The actor's organization's time zone."""
    org = session.get(tables.Organization, actor.organization_id)
    if org is None:  # pragma: no cover - actors always belong to an organization
        raise NotFound("organization not found")
    return ZoneInfo(org.time_zone)


def _queue(session: Session, actor: Actor, queue_id: int | None) -> tables.Queue | None:
    if queue_id is None:
        return None
    queue = session.scalar(
        select(tables.Queue).where(
            tables.Queue.id == queue_id, tables.Queue.organization_id == actor.organization_id
        )
    )
    if queue is None:
        raise InvalidInput("queue_id", f"no queue with id {queue_id}")
    return queue


def published_forecast(session: Session, actor: Actor, queue_id: int) -> tables.Forecast | None:
    """The queue's published forecast, if any."""
    return session.scalar(
        select(tables.Forecast)
        .where(
            tables.Forecast.organization_id == actor.organization_id,
            tables.Forecast.queue_id == queue_id,
            tables.Forecast.status == "published",
        )
        .order_by(tables.Forecast.id.desc())
        .limit(1)
    )


def local_interval_starts(
    week_start: date, zone: ZoneInfo, interval_minutes: int, days: int = DAYS
) -> list[datetime]:
    """UTC instants of the local interval starts of ``days`` days from ``week_start``'s midnight."""
    midnight = datetime.combine(week_start, datetime.min.time())
    count = days * 1440 // interval_minutes
    return [
        (midnight + timedelta(minutes=interval_minutes * i)).replace(tzinfo=zone).astimezone(UTC)
        for i in range(count)
    ]


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


def _demand_from_body(request: ScheduleRequest) -> _Demand:
    interval = request.interval_minutes or 30
    values = np.asarray(request.requirements, dtype=np.float64)
    expected = DAYS * 1440 // interval
    if values.shape != (expected,):
        raise InvalidInput(
            "requirements",
            f"a week of {interval}-minute intervals has {expected} values, got {values.size}",
        )
    if not np.all(np.isfinite(values)) or np.any(values < 0):
        raise InvalidInput("requirements", "values must be finite and >= 0")
    return _Demand(interval, values, None, None, None, {"requirements": "body"}, [])


def _demand_from_forecast(
    session: Session, actor: Actor, request: ScheduleRequest, zone: ZoneInfo
) -> _Demand:
    queue = _queue(session, actor, request.queue_id)
    if queue is None:
        raise InvalidInput("requirements", "give requirements, or a queue_id to use its forecast")
    forecast = published_forecast(session, actor, queue.id)
    if forecast is None:
        raise InvalidInput("queue_id", "the queue has no published forecast; give requirements")
    interval = forecast.interval_minutes
    if request.interval_minutes is not None and request.interval_minutes != interval:
        raise InvalidInput(
            "interval_minutes", f"the published forecast has {interval}-minute intervals"
        )
    series = forecast.series
    index = {datetime.fromisoformat(t): i for i, t in enumerate(series["timestamps"])}
    starts = local_interval_starts(request.week_start, zone, interval)
    found = [index.get(moment) for moment in starts]
    covered = sum(i is not None for i in found)
    if covered == 0:
        raise InvalidInput("week_start", "the queue's published forecast does not cover this week")
    aht_series = series.get("aht_seconds")
    calls = np.array([series["volume"][i] or 0.0 if i is not None else 0.0 for i in found])
    aht = np.array(
        [
            aht_series[i]
            if i is not None and aht_series is not None and aht_series[i]
            else request.staffing.aht_seconds
            for i in found
        ],
        dtype=np.float64,
    )
    target = request.staffing
    service_level = target.service_level or queue.service_level_percent / 100.0
    answer_time = target.answer_time_seconds or float(queue.service_level_seconds)
    try:
        staffing = staff_intervals(
            calls,
            aht,
            interval * 60.0,
            service_level,
            answer_time,
            patience=target.patience_seconds,
            shrinkage=target.shrinkage,
        )
    except ValueError as error:
        raise InvalidInput("staffing", str(error)) from None
    notes = []
    if covered < len(starts):
        notes.append(
            f"the published forecast covers {covered} of the week's {len(starts)} intervals; "
            "the others need no agents"
        )
    source = {
        "requirements": "forecast",
        "forecast_id": forecast.id,
        "service_level": service_level,
        "answer_time_seconds": answer_time,
        "shrinkage": target.shrinkage,
        "patience_seconds": target.patience_seconds,
    }
    return _Demand(
        interval,
        staffing.fte.astype(np.float64),
        calls,
        aht,
        answer_time,
        source,
        notes,
        target_service_level=service_level,
    )


def _settings(shifts: dict[str, Any]) -> ShiftSettings:
    try:
        settings = shift_settings_from_data(shifts)
    except (ScheduleInputError, ValueError, TypeError) as error:
        # The parser names the field in ScheduleInputError; a few document-level numbers
        # (understaffing_penalty) still reach float() unchecked and raise plain ValueError/TypeError.
        raise InvalidInput("shifts", str(error)) from None
    if len({t.group for t in settings.templates}) != 1:
        raise InvalidInput("shifts", "every template of one schedule covers the same group")
    return settings


def _service_level_goal(demand: _Demand, group: str, shrinkage: float) -> ServiceLevelGoal:
    """The week's service-level goal on Erlang C curves of scheduled (not productive) agents.

    A scheduled agent is on the phones ``1 - shrinkage`` of the time, so the curve of ``n`` scheduled
    agents is Erlang C's at ``n (1 - shrinkage)`` productive agents, interpolated linearly: scaling the
    argument keeps the curve concave above its inflection, which the scheduler's model relies on.
    """
    if demand.calls is None or demand.aht_seconds is None or demand.target_service_level is None:
        raise InvalidInput(
            "objective", "the service-level objective needs a forecast: give queue_id only"
        )
    calls = demand.calls
    weights = calls.sum()
    aht = float((demand.aht_seconds * calls).sum() / weights) if weights else DEFAULT_AHT_SECONDS
    base = erlang_c_curve(
        calls,
        interval_minutes=demand.interval_minutes,
        aht_seconds=aht,
        answer_time_seconds=demand.answer_time_seconds or 20.0,
    ).service_level
    productive = 1.0 - shrinkage
    top = base.shape[1] - 1
    scheduled = np.arange(math.ceil(top / productive) + 1) * productive
    levels = np.array([np.interp(scheduled, np.arange(top + 1), row) for row in base])
    curve = ServiceLevelCurve(calls=calls, service_level=levels)
    return ServiceLevelGoal(demand.target_service_level, {group: curve})


def _solve(
    demand: _Demand, settings: ShiftSettings, request: ScheduleRequest
) -> tuple[ScheduleProblem, ScheduleResult]:
    group = settings.templates[0].group
    goal = None
    required = demand.required
    if request.objective == "service_level":
        goal = _service_level_goal(demand, group, request.staffing.shrinkage)
        required = np.zeros_like(required)
    try:
        problem = ScheduleProblem(
            interval_minutes=demand.interval_minutes,
            requirements={group: required},
            templates=settings.templates,
            understaffing_penalty=settings.understaffing_penalty,
            wraps_around=settings.wraps_around,
            service_level_goal=goal,
            time_limit_seconds=request.time_limit_seconds,
        )
    except ScheduleInputError as error:
        raise InvalidInput("shifts", str(error)) from None
    return problem, solve_schedule(problem)


def _roster(
    session: Session,
    actor: Actor,
    result: ScheduleResult,
    problem: ScheduleProblem,
    rules: ContractRules,
) -> tuple[Roster | None, list[int]]:
    agent_ids = list(
        session.scalars(
            select(tables.Agent.id)
            .where(
                tables.Agent.organization_id == actor.organization_id,
                tables.Agent.is_active.is_(True),
            )
            .order_by(tables.Agent.id)
        ).all()
    )
    if not agent_ids or not result.shifts:
        return None, agent_ids
    group = problem.templates[0].group
    try:
        contract = Contract(
            name="default",
            max_hours_per_week=rules.max_hours_per_week,
            min_hours_per_week=rules.min_hours_per_week,
            max_days_in_a_row=rules.max_days_in_a_row,
            min_consecutive_days_off=rules.min_consecutive_days_off,
            min_rest_minutes=round(rules.min_rest_hours * 60),
        )
        roster = roster_agents(
            RosterProblem(
                result.shifts,
                tuple(Agent(str(i), contract, skills=frozenset({group})) for i in agent_ids),
                num_days=DAYS,
                wraps_around=problem.wraps_around,
                time_limit_seconds=problem.time_limit_seconds,
            )
        )
    except RosterInputError as error:
        raise InvalidInput("contract", str(error)) from None
    return roster, agent_ids


def _finite(value: float) -> float | None:
    return round(value, 6) if math.isfinite(value) else None


def _series(values: np.ndarray) -> list[float]:
    return [round(float(v), 4) for v in values]


def _coverage(
    demand: _Demand, result: ScheduleResult, starts: list[datetime], shrinkage: float
) -> dict[str, Any]:
    group = next(iter(result.coverage))
    scheduled = result.coverage[group]
    service_level: list[float | None] | None = None
    interpolated = result.service_level.get(group)
    if interpolated is not None and demand.calls is not None:
        # Service-level mode: the curves the scheduler met the goal on.
        service_level = [
            round(float(v), 4) if c > 0 else None
            for v, c in zip(interpolated, demand.calls, strict=True)
        ]
    elif demand.calls is not None and demand.aht_seconds is not None:
        on_phones = np.floor(scheduled * (1.0 - shrinkage) + 1e-9)
        rate = demand.calls / (demand.interval_minutes * 60.0)
        levels = erlang.erlang_c(
            rate, demand.aht_seconds, on_phones, demand.answer_time_seconds or 20.0
        ).service_level
        service_level = [
            round(float(v), 4) if c > 0 else None for v, c in zip(levels, demand.calls, strict=True)
        ]
    return {
        "timestamps": [moment.isoformat() for moment in starts],
        "calls": _series(demand.calls) if demand.calls is not None else None,
        "required": _series(result.required[group]),
        "scheduled": _series(scheduled),
        "understaffed": _series(result.understaffed[group]),
        "overstaffed": _series(result.overstaffed[group]),
        "service_level": service_level,
    }


def _summary(
    demand: _Demand,
    result: ScheduleResult,
    roster: Roster | None,
    agent_ids: list[int],
    starts: list[datetime],
    coverage: dict[str, Any],
) -> dict[str, Any]:
    shortfalls = [
        {
            "starts_at": starts[gap.interval].isoformat(),
            "required_agents": round(gap.required_agents, 4),
            "scheduled_agents": round(gap.scheduled_agents, 4),
            "short_agents": round(gap.short_agents, 4),
        }
        for gap in result.shortfalls
    ]
    predicted = None
    if coverage["service_level"] is not None and demand.calls is not None:
        levels = np.array([v if v is not None else 0.0 for v in coverage["service_level"]])
        total = float(demand.calls.sum())
        predicted = round(float((levels * demand.calls).sum() / total), 6) if total else None
    unfilled = [] if roster is None else roster.unfilled
    roster_summary = {
        "agents": len(agent_ids),
        "agents_rostered": 0 if roster is None else sum(1 for a in roster.agents if a.days_worked),
        "assigned_shifts": 0 if roster is None else len(roster.assignments),
        "unfilled_shifts": sum(u.missing for u in unfilled)
        if roster is not None
        else sum(s.count for s in result.shifts),
        "unfilled": [
            {
                "template": u.template,
                "day": u.day,
                "start_minutes": u.start_minutes,
                "missing": u.missing,
            }
            for u in unfilled
        ],
        "is_proven_optimal": None if roster is None else roster.is_proven_optimal,
        "gap": None if roster is None else _finite(roster.gap),
    }
    notes = list(demand.notes)
    if not agent_ids:
        notes.append("the organization has no active agents: nothing was rostered")
    return {
        "shifts": sum(s.count for s in result.shifts),
        "paid_hours": round(result.paid_hours, 4),
        "cost": round(result.cost, 4),
        "required_agent_hours": round(
            float(sum(result.required.values(), np.zeros(1)).sum()) * demand.interval_minutes / 60,
            4,
        ),
        "lp_bound": _finite(result.lp_bound),
        "dual_bound": _finite(result.dual_bound),
        "gap": _finite(result.gap),
        "is_proven_optimal": result.is_proven_optimal,
        "solver_status": result.solver_status,
        "understaffed_intervals": result.understaffed_intervals,
        "shortfalls": shortfalls,
        "predicted_service_level": predicted,
        "roster": roster_summary,
        "notes": notes,
    }


def _activity_rows(
    actor: Actor,
    schedule: tables.Schedule,
    roster: Roster | None,
    week_start: date,
    zone: ZoneInfo,
) -> list[tables.ScheduleActivity]:
    if roster is None:
        return []
    midnight = datetime.combine(week_start, datetime.min.time())

    def instant(minute: int) -> datetime:
        return (midnight + timedelta(minutes=minute)).replace(tzinfo=zone).astimezone(UTC)

    return [
        tables.ScheduleActivity(
            organization_id=actor.organization_id,
            schedule_id=schedule.id,
            agent_id=int(assignment.agent),
            kind=activity.kind.value,
            template=assignment.shift.template,
            starts_at=instant(activity.start_minute),
            ends_at=instant(activity.end_minute),
        )
        for assignment in roster.assignments
        for activity in shift_activities(assignment.shift)
    ]


def generate_schedule(session: Session, actor: Actor, request: ScheduleRequest) -> ScheduleDetail:
    """Schedule and roster a week, store it as a draft version, and record ``ScheduleCreated``.

    A requirement the templates cannot meet still gives the best schedule, with its shortfalls.
    """
    actor.require(*PLANNING_ROLES)
    _check(request)
    zone = organization_zone(session, actor)
    settings = _settings(request.shifts)
    if request.requirements is not None:
        _queue(session, actor, request.queue_id)
        demand = _demand_from_body(request)
    else:
        demand = _demand_from_forecast(session, actor, request, zone)
    problem, result = _solve(demand, settings, request)
    roster, agent_ids = _roster(session, actor, result, problem, request.contract)
    starts = local_interval_starts(request.week_start, zone, demand.interval_minutes)
    coverage = _coverage(demand, result, starts, request.staffing.shrinkage)
    now = utc_now()
    version = session.scalar(
        select(func.max(tables.Schedule.version)).where(
            tables.Schedule.organization_id == actor.organization_id,
            tables.Schedule.week_start == request.week_start,
        )
    )
    schedule = tables.Schedule(
        organization_id=actor.organization_id,
        queue_id=request.queue_id,
        name=request.name,
        week_start=request.week_start,
        starts_at=starts[0],
        interval_minutes=demand.interval_minutes,
        version=(version or 0) + 1,
        status="draft",
        inputs={
            **demand.source,
            "shifts": request.shifts,
            "contract": request.contract.__dict__,
            "time_limit_seconds": request.time_limit_seconds,
            "objective": request.objective,
        },
        summary=_summary(demand, result, roster, agent_ids, starts, coverage),
        coverage=coverage,
        created_by=actor.label,
        created_at=now,
        published_at=None,
    )
    session.add(schedule)
    session.flush()
    activities = _activity_rows(actor, schedule, roster, request.week_start, zone)
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


def get_schedule(session: Session, actor: Actor, schedule_id: int) -> tables.Schedule:
    """A schedule of the actor's organization, or NotFound."""
    actor.require(*READING_ROLES)
    schedule = session.scalar(
        select(tables.Schedule).where(
            tables.Schedule.id == schedule_id,
            tables.Schedule.organization_id == actor.organization_id,
        )
    )
    if schedule is None:
        raise NotFound(f"schedule {schedule_id} not found")
    return schedule


def schedule_detail(session: Session, actor: Actor, schedule_id: int) -> ScheduleDetail:
    """A schedule with its roster."""
    schedule = get_schedule(session, actor, schedule_id)
    activities = session.scalars(
        select(tables.ScheduleActivity)
        .where(
            tables.ScheduleActivity.organization_id == actor.organization_id,
            tables.ScheduleActivity.schedule_id == schedule.id,
        )
        .order_by(tables.ScheduleActivity.agent_id, tables.ScheduleActivity.starts_at)
    ).all()
    return ScheduleDetail(schedule, list(activities))


def list_schedules(
    session: Session, actor: Actor, *, week_start: date | None, status: str | None, limit: int
) -> list[tables.Schedule]:
    """The organization's schedules, newest first."""
    actor.require(*READING_ROLES)
    query = select(tables.Schedule).where(tables.Schedule.organization_id == actor.organization_id)
    if week_start is not None:
        query = query.where(tables.Schedule.week_start == week_start)
    if status is not None:
        query = query.where(tables.Schedule.status == status)
    return list(session.scalars(query.order_by(tables.Schedule.id.desc()).limit(limit)).all())


def publish_schedule(session: Session, actor: Actor, schedule_id: int) -> tables.Schedule:
    """Publish a schedule; the week's previously published version is superseded."""
    actor.require(*PLANNING_ROLES)
    schedule = get_schedule(session, actor, schedule_id)
    if schedule.status == "published":
        return schedule
    now = utc_now()
    for previous in list_schedules(
        session, actor, week_start=schedule.week_start, status="published", limit=1000
    ):
        previous.status = "superseded"
    schedule.status = "published"
    schedule.published_at = now
    append_event(
        session,
        actor.organization_id,
        "SchedulePublished",
        occurred_at=now,
        actor=actor.label,
        payload={
            "schedule_id": schedule.id,
            "week_start": schedule.week_start,
            "version": schedule.version,
        },
    )
    session.flush()
    return schedule


def check_window(starts_at: datetime, ends_at: datetime, *, max_days: int) -> None:
    """``from``/``to`` query parameters: aware, in order, at most ``max_days`` apart."""
    for name, value in (("from", starts_at), ("to", ends_at)):
        if value.tzinfo is None:
            raise InvalidInput(name, "give a time zone, e.g. 2026-12-01T00:00:00Z")
    if ends_at <= starts_at:
        raise InvalidInput("to", "must be after from")
    if ends_at - starts_at > timedelta(days=max_days):
        raise InvalidInput("to", f"at most {max_days} days after from")


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
            tables.ScheduleActivity.organization_id == actor.organization_id,
            tables.Schedule.organization_id == actor.organization_id,
            tables.Schedule.status == "published",
            tables.ScheduleActivity.starts_at < ends_at,
            tables.ScheduleActivity.ends_at > starts_at,
        )
    )
    if agent_id is not None:
        query = query.where(tables.ScheduleActivity.agent_id == agent_id)
    ordered = query.order_by(tables.ScheduleActivity.agent_id, tables.ScheduleActivity.starts_at)
    return list(session.scalars(ordered).all())


def organization_agent(session: Session, actor: Actor, agent_id: int) -> tables.Agent | None:
    """The agent if it belongs to the actor's organization."""
    return session.scalar(
        select(tables.Agent).where(
            tables.Agent.id == agent_id, tables.Agent.organization_id == actor.organization_id
        )
    )


def agent_schedule(
    session: Session, actor: Actor, agent_id: int, starts_at: datetime, ends_at: datetime
) -> list[tables.ScheduleActivity]:
    """An agent's published activities overlapping ``[starts_at, ends_at)`` (at most 42 days).

    Agents read their own schedule; supervisors and planners anyone's.
    """
    agent = organization_agent(session, actor, agent_id)
    if agent is None:
        raise NotFound(f"agent {agent_id} not found")
    is_own = (
        actor.role is Role.AGENT and actor.user_id is not None and actor.user_id == agent.user_id
    )
    if not is_own:
        actor.require(*READING_ROLES)
    check_window(starts_at, ends_at, max_days=42)
    return published_activities(session, actor, starts_at, ends_at, agent_id)
