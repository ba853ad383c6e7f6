"""Behaviour of helpline.wfm.rostering.roster_agents, checked by an independent validator."""

from __future__ import annotations

from collections import Counter, defaultdict

import numpy as np
import pytest

from helpline.wfm.rostering import Agent, Contract, RosterProblem, RosterResult, roster_agents
from helpline.wfm.scheduling import ScheduledShift, ScheduleProblem, ShiftTemplate, schedule_shifts

FULL_TIME = Contract(
    "full-time",
    max_hours_per_week=40,
    max_days_in_a_row=5,
    min_consecutive_days_off=2,
    min_rest_minutes=660,
)


def shift(day: int, start_hour: float, hours: int = 8, count: int = 1, **kw: str) -> ScheduledShift:
    start = round(start_hour * 60)
    return ScheduledShift(
        template=kw.get("template", f"{hours}h"),
        group=kw.get("group", "default"),
        day=day,
        start_minutes=start,
        length_minutes=hours * 60,
        paid_minutes=hours * 60,
        breaks=(),
        count=count,
    )


def violations(problem: RosterProblem, result: RosterResult) -> list[str]:
    """Every broken rule of ``result``, recomputed from the assignments alone."""
    problems: list[str] = []
    horizon = problem.num_days * 1440
    agents = {a.name: a for a in problem.agents}
    by_agent: dict[str, list[ScheduledShift]] = defaultdict(list)
    for assignment in result.assignments:
        by_agent[assignment.agent].append(assignment.shift)
    for name, shifts in by_agent.items():
        agent, contract = agents[name], agents[name].contract
        spans = sorted((s.day * 1440 + s.start_minutes, s) for s in shifts)
        for i, (start, s) in enumerate(spans):
            if s.group not in agent.skills:
                problems.append(f"{name}: works {s.group} without the skill")
            if s.day in agent.days_off:
                problems.append(f"{name}: works on day off {s.day}")
            if i + 1 < len(spans) or problem.wraps_around:
                next_start = spans[(i + 1) % len(spans)][0] + (
                    horizon if i + 1 == len(spans) else 0
                )
                if (
                    len(spans) > 1
                    and next_start < start + s.length_minutes + contract.min_rest_minutes
                ):
                    problems.append(f"{name}: rest after day {s.day} too short")
        days = Counter(s.day for s in shifts)
        if any(n > 1 for n in days.values()):
            problems.append(f"{name}: two shifts on one day")
        for week in range(problem.num_days // 7):
            hours = sum(s.paid_minutes for s in shifts if s.day // 7 == week) / 60
            if hours > contract.max_hours_per_week + 1e-9:
                problems.append(f"{name}: {hours} h in week {week}")
        worked = [d in days for d in range(problem.num_days)]
        ring = worked + worked if problem.wraps_around else worked
        run = longest = 0
        for flag in ring:
            run = run + 1 if flag else 0
            longest = max(longest, run)
        if min(longest, problem.num_days) > contract.max_days_in_a_row:
            problems.append(f"{name}: {longest} days in a row")
        block = contract.min_consecutive_days_off
        if block:
            off = [not w for w in worked]
            ring_off = off + off
            has_block = any(all(ring_off[d : d + block]) for d in range(problem.num_days))
            if not has_block:
                problems.append(f"{name}: no {block} days off in a row")
    filled = Counter(
        (a.shift.template, a.shift.day, a.shift.start_minutes) for a in result.assignments
    )
    missing = Counter({(u.template, u.day, u.start_minutes): u.missing for u in result.unfilled})
    needed: Counter[tuple[str, int, int]] = Counter()
    for s in problem.shifts:
        needed[(s.template, s.day, s.start_minutes)] += s.count
    if filled + missing != needed:
        problems.append("assigned + unfilled does not match the schedule")
    return problems


def test_one_daily_shift_is_shared_by_two_full_timers_within_their_contract() -> None:
    shifts = tuple(shift(day, 9) for day in range(7))
    problem = RosterProblem(shifts, (Agent("ana", FULL_TIME), Agent("bo", FULL_TIME)))
    result = roster_agents(problem)
    assert violations(problem, result) == []
    assert result.unfilled == ()
    assert result.is_proven_optimal
    assert sum(sum(a.paid_hours) for a in result.agents) == 56.0


def test_minimum_rest_leaves_a_quick_return_unfilled() -> None:
    # 16:00-24:00 then 06:00 next day is 6 h of rest: one agent can only do one of them.
    shifts = (shift(0, 16), shift(1, 6))
    problem = RosterProblem(shifts, (Agent("ana", FULL_TIME),))
    result = roster_agents(problem)
    assert violations(problem, result) == []
    assert sum(u.missing for u in result.unfilled) == 1


def test_rest_rule_wraps_from_sunday_night_into_monday_morning() -> None:
    shifts = (shift(6, 20), shift(0, 6))
    problem = RosterProblem(shifts, (Agent("ana", FULL_TIME),))
    result = roster_agents(problem)
    assert violations(problem, result) == []
    assert sum(u.missing for u in result.unfilled) == 1


def test_time_off_and_skills_are_respected() -> None:
    shifts = (shift(2, 9), shift(3, 9, group="chat", template="chat"))
    agents = (
        Agent("ana", FULL_TIME, days_off=frozenset({2})),
        Agent("bo", FULL_TIME, skills=frozenset({"chat"})),
    )
    problem = RosterProblem(shifts, agents)
    result = roster_agents(problem)
    assert violations(problem, result) == []
    assert {(a.agent, a.shift.day) for a in result.assignments} == {("bo", 3)}
    assert [(u.day, u.missing) for u in result.unfilled] == [(2, 1)]


def test_weekly_hours_cap_limits_a_part_timer_to_two_shifts() -> None:
    part_time = Contract("part-time", max_hours_per_week=16, min_rest_minutes=660)
    shifts = tuple(shift(day, 9) for day in range(5))
    problem = RosterProblem(shifts, (Agent("ana", part_time),))
    result = roster_agents(problem)
    assert violations(problem, result) == []
    assert len(result.assignments) == 2
    assert sum(u.missing for u in result.unfilled) == 3


def test_preferred_template_goes_to_the_agent_who_prefers_it() -> None:
    shifts = (shift(0, 7, template="early"), shift(0, 14, template="late"))
    agents = (
        Agent("ana", FULL_TIME, preferred_templates=frozenset({"late"})),
        Agent("bo", FULL_TIME, preferred_templates=frozenset({"early"})),
    )
    result = roster_agents(RosterProblem(shifts, agents))
    assert {(a.agent, a.shift.template) for a in result.assignments} == {
        ("ana", "late"),
        ("bo", "early"),
    }


def test_night_shift_goes_to_the_agent_who_does_not_avoid_nights() -> None:
    shifts = (shift(0, 22, template="night"), shift(1, 12, template="day"))
    agents = (
        Agent("ana", FULL_TIME, avoids_nights=True),
        Agent("bo", FULL_TIME, preferred_templates=frozenset({"day"})),
    )
    result = roster_agents(RosterProblem(shifts, agents))
    assert violations(RosterProblem(shifts, agents), result) == []
    assert {(a.agent, a.shift.template) for a in result.assignments} == {
        ("ana", "day"),
        ("bo", "night"),
    }
    nights = {a.agent: a.night_shifts for a in result.agents}
    assert nights == {"ana": 0, "bo": 1}


def test_weekends_are_spread_evenly() -> None:
    shifts = (shift(5, 9, count=2), shift(6, 9, count=2))
    agents = tuple(Agent(name, FULL_TIME) for name in ("ana", "bo", "cy", "di"))
    result = roster_agents(RosterProblem(shifts, agents))
    assert [a.weekend_days for a in result.agents] == [1, 1, 1, 1]


def test_a_scheduled_week_is_rostered_without_breaking_any_rule() -> None:
    # A small but realistic week: two peaks on weekdays, lighter weekends, 8 h shifts every hour.
    hours = np.arange(24)
    day = np.where((hours >= 7) & (hours < 22), 3 + 3 * np.sin((hours - 7) / 15 * np.pi), 1)
    required = np.concatenate([np.ceil(day * (0.6 if d >= 5 else 1.0)) for d in range(7)])
    schedule = schedule_shifts(
        ScheduleProblem(
            60, {"default": required}, (ShiftTemplate("8h", 480, tuple(range(0, 1440, 60))),)
        )
    )
    total = sum(s.count for s in schedule.shifts)
    agents = tuple(Agent(f"agent{i:02d}", FULL_TIME) for i in range(total // 5 + 3))
    problem = RosterProblem(schedule.shifts, agents)
    result = roster_agents(problem)
    assert violations(problem, result) == []
    assert result.unfilled == ()
    assert result.is_proven_optimal
    assert len(result.assignments) == total


@pytest.mark.parametrize("wraps_around", [True, False])
def test_two_week_horizon_keeps_the_rules_in_both_weeks(wraps_around: bool) -> None:
    shifts = tuple(shift(day, 9, count=2) for day in range(14))
    contract = Contract(
        "full-time", min_hours_per_week=32, max_days_in_a_row=5, min_consecutive_days_off=2
    )
    agents = tuple(Agent(name, contract) for name in ("ana", "bo", "cy"))
    problem = RosterProblem(shifts, agents, num_days=14, wraps_around=wraps_around)
    result = roster_agents(problem)
    assert violations(problem, result) == []
    assert result.unfilled == ()
