"""What a generated schedule reports: coverage per group and interval (required, scheduled, under and
over staffing, predicted service level), the summary (paid hours, bounds, shortfalls, roster status and
fairness) and the roster's activities as rows to store.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np

from helpline.services.access import any_member
from helpline.services.actor import Actor
from helpline.services.planning.schedule_groups import GroupDemand
from helpline.storage import tables
from helpline.wfm import erlang
from helpline.wfm.activities import shift_activities
from helpline.wfm.rostering import RosterResult
from helpline.wfm.scheduling import ScheduleResult


def finite(value: float) -> float | None:
    """``value`` rounded, or None when it is not finite (JSON has no infinity)."""
    return round(value, 6) if math.isfinite(value) else None


def _series(values: np.ndarray) -> list[float]:
    return [round(float(v), 4) for v in values]


def _group_coverage(
    demand: GroupDemand, result: ScheduleResult, shrinkage: float
) -> dict[str, Any]:
    group = demand.group.name
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
        "calls": _series(demand.calls) if demand.calls is not None else None,
        "required": _series(result.required[group]),
        "scheduled": _series(scheduled),
        "understaffed": _series(result.understaffed[group]),
        "overstaffed": _series(result.overstaffed[group]),
        "service_level": service_level,
    }


def coverage(
    demands: Sequence[GroupDemand],
    result: ScheduleResult,
    starts: list[datetime],
    shrinkage: float,
) -> dict[str, Any]:
    """Per group and interval; the top-level series are the groups' sums (the group's own series
    when there is one group; ``service_level`` only then)."""
    groups = {d.group.name: _group_coverage(d, result, shrinkage) for d in demands}
    if len(groups) == 1:
        total = dict(next(iter(groups.values())))
    else:
        total = {
            key: _series(sum((np.asarray(g[key]) for g in groups.values()), np.zeros(len(starts))))
            for key in ("required", "scheduled", "understaffed", "overstaffed")
        }
        calls = [g["calls"] for g in groups.values()]
        total["calls"] = (
            None if any(c is None for c in calls) else _series(np.sum(np.asarray(calls), axis=0))
        )
        total["service_level"] = None
    return {"timestamps": [moment.isoformat() for moment in starts], **total, "groups": groups}


def _predicted(levels: list[float | None] | None, calls: np.ndarray | None) -> tuple[float, float]:
    """(answered in time, calls) of a group, (0, 0) when it has no forecast."""
    if levels is None or calls is None:
        return 0.0, 0.0
    values = np.array([v if v is not None else 0.0 for v in levels])
    return float((values * calls).sum()), float(calls.sum())


def _fairness(roster: RosterResult) -> dict[str, Any]:
    worked = [a for a in roster.agents if a.days_worked]
    if not worked:
        return {"weekend_days": None, "night_shifts": None}
    weekends = [a.weekend_days for a in worked]
    nights = [a.night_shifts for a in worked]
    return {
        "weekend_days": {"min": min(weekends), "max": max(weekends), "total": sum(weekends)},
        "night_shifts": {"min": min(nights), "max": max(nights), "total": sum(nights)},
    }


def _roster_summary(
    roster: RosterResult | None, agent_ids: list[int], result: ScheduleResult
) -> dict[str, Any]:
    unfilled = [] if roster is None else roster.unfilled
    return {
        "agents": len(agent_ids),
        "agents_rostered": 0 if roster is None else sum(1 for a in roster.agents if a.days_worked),
        "assigned_shifts": 0 if roster is None else len(roster.assignments),
        "unfilled_shifts": sum(u.missing for u in unfilled)
        if roster is not None
        else sum(s.count for s in result.shifts),
        "unfilled": [
            {
                "template": u.template,
                "group": u.group,
                "day": u.day,
                "start_minutes": u.start_minutes,
                "missing": u.missing,
            }
            for u in unfilled
        ],
        "is_proven_optimal": None if roster is None else roster.is_proven_optimal,
        "gap": None if roster is None else finite(roster.gap),
        "solver_seconds": None if roster is None else round(roster.solver_seconds, 3),
        "fairness": None if roster is None else _fairness(roster),
        "per_agent": []
        if roster is None
        else [
            {
                "agent_id": int(a.agent),
                "paid_hours": [round(h, 4) for h in a.paid_hours],
                "days_worked": a.days_worked,
                "weekend_days": a.weekend_days,
                "night_shifts": a.night_shifts,
            }
            for a in roster.agents
        ],
    }


def summary(
    demands: Sequence[GroupDemand],
    result: ScheduleResult,
    roster: RosterResult | None,
    agent_ids: list[int],
    starts: list[datetime],
    covered: dict[str, Any],
) -> dict[str, Any]:
    """Paid hours, cost, bounds, shortfalls, predicted service level, per-group figures, roster."""
    interval_hours = demands[0].interval_minutes / 60
    shortfalls = [
        {
            "group": gap.group,
            "starts_at": starts[gap.interval].isoformat(),
            "required_agents": round(gap.required_agents, 4),
            "scheduled_agents": round(gap.scheduled_agents, 4),
            "short_agents": round(gap.short_agents, 4),
        }
        for gap in result.shortfalls
    ]
    groups: dict[str, Any] = {}
    answered = offered = 0.0
    for demand in demands:
        name = demand.group.name
        in_time, calls = _predicted(covered["groups"][name]["service_level"], demand.calls)
        answered, offered = answered + in_time, offered + calls
        groups[name] = {
            "queue_id": demand.group.queue_id,
            "skill_ids": list(demand.group.skill_ids),
            **demand.source,
            "required_agent_hours": round(float(result.required[name].sum()) * interval_hours, 4),
            "scheduled_agent_hours": round(float(result.coverage[name].sum()) * interval_hours, 4),
            "understaffed_intervals": int(np.count_nonzero(result.understaffed[name] > 1e-9)),
            "predicted_service_level": round(in_time / calls, 6) if calls else None,
        }
    notes = [note for demand in demands for note in demand.notes]
    if not agent_ids:
        notes.append("the organization has no active agents: nothing was rostered")
    return {
        "shifts": sum(s.count for s in result.shifts),
        "paid_hours": round(result.paid_hours, 4),
        "cost": round(result.cost, 4),
        "required_agent_hours": round(
            sum(float(r.sum()) for r in result.required.values()) * interval_hours, 4
        ),
        "lp_bound": finite(result.lp_bound),
        "dual_bound": finite(result.dual_bound),
        "gap": finite(result.gap),
        "is_proven_optimal": result.is_proven_optimal,
        "solver_status": result.solver_status,
        "understaffed_intervals": result.understaffed_intervals,
        "shortfalls": shortfalls,
        "predicted_service_level": round(answered / offered, 6) if offered else None,
        "groups": groups,
        "roster": _roster_summary(roster, agent_ids, result),
        "notes": notes,
    }


@any_member
def activity_rows(
    actor: Actor,
    schedule: tables.Schedule,
    roster: RosterResult | None,
    week_start: date,
    zone: ZoneInfo,
) -> list[tables.ScheduleActivity]:
    """The roster's work, breaks and lunches as rows (local week minutes -> UTC instants)."""
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
            group=assignment.shift.group,
            starts_at=instant(activity.start_minute),
            ends_at=instant(activity.end_minute),
        )
        for assignment in roster.assignments
        for activity in shift_activities(assignment.shift)
    ]
