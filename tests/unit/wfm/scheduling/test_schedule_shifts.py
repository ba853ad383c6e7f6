"""Behaviour of helpline.wfm.scheduling.schedule_shifts on small, hand-checkable cases."""

from __future__ import annotations

import numpy as np
import pytest

from helpline.wfm.scheduling import (
    BreakRule,
    ScheduleInputError,
    ScheduleProblem,
    ServiceLevelCurve,
    ServiceLevelGoal,
    ShiftTemplate,
    WeeklyPattern,
    schedule_shifts,
)
from helpline.wfm.scheduling.columns import pattern_days

HOURLY = tuple(range(0, 1440, 60))


def day_requirement(*blocks: tuple[int, int, float], days: int = 1) -> np.ndarray:
    """Hourly requirement: ``(from_hour, to_hour, agents)`` blocks repeated on every day."""
    one_day = np.zeros(24)
    for start, end, agents in blocks:
        one_day[start:end] = agents
    return np.tile(one_day, days)


def test_two_full_shifts_and_one_part_time_shift_are_the_cheapest_cover() -> None:
    # 2 agents 08-16 and 1 agent 16-20: two 8 h shifts at 08:00 and one 4 h shift at 16:00
    # = 20 paid hours; no cover can be cheaper since 2*8 + 4 agent-hours are required.
    required = day_requirement((8, 16, 2), (16, 20, 1))
    problem = ScheduleProblem(
        interval_minutes=60,
        requirements={"default": required},
        templates=(
            ShiftTemplate("full", 480, (480, 720)),
            ShiftTemplate("part", 240, (960,)),
        ),
        wraps_around=False,
    )
    result = schedule_shifts(problem)
    assert result.paid_hours == pytest.approx(20.0)
    assert result.lp_bound == pytest.approx(20.0)
    assert result.is_proven_optimal
    assert result.gap == pytest.approx(0.0, abs=1e-9)
    assert result.shortfalls == ()
    counts = {(s.template, s.start_minutes): s.count for s in result.shifts}
    assert counts == {("full", 480): 2, ("part", 960): 1}
    np.testing.assert_allclose(result.coverage["default"], required)


def test_uncoverable_intervals_come_back_as_shortfalls_with_the_best_schedule() -> None:
    # Nobody may start before 08:00 nor cross midnight, so 03:00-05:00 cannot be covered.
    required = day_requirement((3, 5, 2), (8, 16, 1))
    problem = ScheduleProblem(
        interval_minutes=60,
        requirements={"default": required},
        templates=(ShiftTemplate("full", 480, (480,), may_cross_midnight=False),),
        wraps_around=False,
    )
    result = schedule_shifts(problem)
    assert result.paid_hours == pytest.approx(8.0)
    assert [(s.interval, s.short_agents) for s in result.shortfalls] == [(3, 2.0), (4, 2.0)]
    assert result.understaffed_intervals == 2
    assert result.understaffed["default"].sum() == pytest.approx(4.0)


def test_night_shift_crosses_midnight_and_the_week_wraps_into_monday() -> None:
    required = day_requirement((0, 6, 1), (22, 24, 1), days=7)
    night = ShiftTemplate("night", 480, (1320,))
    result = schedule_shifts(ScheduleProblem(60, {"default": required}, (night,)))
    assert result.shortfalls == ()
    assert sum(s.count for s in result.shifts) == 7
    # Monday 00:00-06:00 is covered by Sunday's 22:00 shift.
    assert {s.day for s in result.shifts} == set(range(7))
    np.testing.assert_allclose(result.coverage["default"][:6], 1.0)


def test_night_shift_that_may_not_cross_midnight_leaves_the_early_hours_short() -> None:
    required = day_requirement((0, 6, 1), (22, 24, 1), days=7)
    night = ShiftTemplate("late", 120, (1320,), may_cross_midnight=False)
    result = schedule_shifts(ScheduleProblem(60, {"default": required}, (night,)))
    assert result.understaffed_intervals == 7 * 6
    assert all(s.minute_of_day < 360 for s in result.shortfalls)


def test_lunch_is_placed_inside_its_window_and_coverage_accounts_for_it() -> None:
    # Two agents needed 08:00-17:00 with a 9 h shift holding a 1 h unpaid lunch 3-5 h after start:
    # the lunches take agents off the floor, so the scheduler must stagger shifts and lunches.
    required = day_requirement((8, 17, 2))
    template = ShiftTemplate(
        "day",
        540,
        tuple(range(360, 601, 60)),
        breaks=(BreakRule("lunch", 60, 180, 300),),
        may_cross_midnight=False,
    )
    result = schedule_shifts(
        ScheduleProblem(60, {"default": required}, (template,), wraps_around=False)
    )
    assert result.shortfalls == ()
    for shift in result.shifts:
        (lunch,) = shift.breaks
        assert 180 <= lunch.start_offset_minutes <= 300
        assert shift.paid_minutes == 480
    assert result.paid_hours == pytest.approx(8.0 * sum(s.count for s in result.shifts))
    assert np.all(result.coverage["default"] >= required - 1e-9)
    # Coverage is net of lunches: the total on-duty hours are the paid hours.
    assert result.coverage["default"].sum() == pytest.approx(result.paid_hours)


def test_short_paid_break_removes_half_an_agent_from_a_half_hour_interval() -> None:
    required = np.zeros(48)
    required[16:24] = 0.5  # 08:00-12:00, half an agent
    template = ShiftTemplate(
        "morning",
        240,
        (480,),
        breaks=(BreakRule("coffee", 15, 90, 90, is_paid=True),),
        may_cross_midnight=False,
    )
    result = schedule_shifts(
        ScheduleProblem(30, {"default": required}, (template,), wraps_around=False)
    )
    coverage = result.coverage["default"]
    assert coverage[19] == pytest.approx(0.5)  # 09:30-10:00 holds the 15-minute break
    assert coverage[16] == pytest.approx(1.0)
    assert result.paid_hours == pytest.approx(4.0)


def test_weekly_tours_work_five_days_with_two_consecutive_days_off() -> None:
    required = day_requirement((9, 17, 3), days=7)
    template = ShiftTemplate(
        "tour", 480, (540,), weekly_pattern=WeeklyPattern(5, min_consecutive_days_off=2)
    )
    result = schedule_shifts(ScheduleProblem(60, {"default": required}, (template,)))
    assert result.shortfalls == ()
    assert result.tours
    for tour in result.tours:
        assert len(tour.days) == 5
        off = sorted(set(range(7)) - set(tour.days))
        assert (off[1] - off[0]) % 7 in (1, 6)
    # 3 agents on 7 days = 21 agent-days, 5 per tour: at least 5 tours.
    assert sum(t.count for t in result.tours) == 5


def test_pattern_days_counts_the_seven_ways_to_take_two_days_off_together() -> None:
    assert len(pattern_days(WeeklyPattern(5, 2), tuple(range(7)))) == 7
    assert len(pattern_days(WeeklyPattern(5, 0), tuple(range(7)))) == 21


def test_max_shifts_caps_a_template_and_the_rest_goes_to_the_dearer_one() -> None:
    required = day_requirement((8, 12, 3))
    cheap = ShiftTemplate("cheap", 240, (480,), max_shifts=1)
    dear = ShiftTemplate("dear", 240, (480,), cost_per_paid_hour=2.0)
    result = schedule_shifts(
        ScheduleProblem(60, {"default": required}, (cheap, dear), wraps_around=False)
    )
    counts = {s.template: s.count for s in result.shifts}
    assert counts == {"cheap": 1, "dear": 2}
    assert result.cost == pytest.approx(4 + 2 * 8)


def test_each_group_is_covered_by_its_own_templates() -> None:
    voice = day_requirement((8, 12, 2))
    chat = day_requirement((12, 16, 1))
    templates = (
        ShiftTemplate("voice", 240, (480,), group="voice"),
        ShiftTemplate("chat", 240, (720,), group="chat"),
    )
    result = schedule_shifts(
        ScheduleProblem(60, {"voice": voice, "chat": chat}, templates, wraps_around=False)
    )
    assert {(s.group, s.count) for s in result.shifts} == {("voice", 2), ("chat", 1)}


def test_service_level_mode_meets_the_weekly_target_with_fewer_agents_than_the_headcount() -> None:
    # Two 12-hour intervals; SL with n agents is 0, .5, .8, .9, .95, .97... in both.
    levels = np.array([0.0, 0.5, 0.8, 0.9, 0.95, 0.97, 0.98, 0.99, 1.0])
    curve = ServiceLevelCurve(calls=np.array([300.0, 100.0]), service_level=np.tile(levels, (2, 1)))
    templates = (ShiftTemplate("half", 720, (0, 720), may_cross_midnight=False),)
    problem = ScheduleProblem(
        interval_minutes=720,
        requirements={"default": np.zeros(2)},
        templates=templates,
        wraps_around=False,
        service_level_goal=ServiceLevelGoal(0.85, {"default": curve}),
    )
    result = schedule_shifts(problem)
    # (3, 2): (0.9*300 + 0.8*100) / 400 = 0.875 >= 0.85 with 5 agents; 4 agents reach at most 0.8.
    np.testing.assert_allclose(result.coverage["default"], [3.0, 2.0])
    assert result.weekly_service_level["default"] == pytest.approx(0.875)
    np.testing.assert_allclose(result.service_level["default"], [0.9, 0.8])
    assert result.is_proven_optimal


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"length_minutes": 0}, "length_minutes"),
        ({"start_minutes": ()}, "start_minutes"),
        ({"start_minutes": (1440,)}, "start_minutes"),
        ({"days": (7,)}, "days"),
        ({"breaks": (BreakRule("lunch", 60, 400, 480),)}, "window ends after"),
    ],
)
def test_invalid_template_is_rejected_naming_the_field(
    kwargs: dict[str, object], message: str
) -> None:
    fields: dict[str, object] = {"name": "t", "length_minutes": 480, "start_minutes": (480,)}
    fields.update(kwargs)
    with pytest.raises(ScheduleInputError, match=message):
        ShiftTemplate(**fields)  # type: ignore[arg-type]


def test_requirement_that_is_not_whole_days_is_rejected() -> None:
    with pytest.raises(ScheduleInputError, match="whole number of days"):
        ScheduleProblem(60, {"default": np.ones(25)}, (ShiftTemplate("t", 480, (0,)),))
