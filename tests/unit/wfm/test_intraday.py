"""Intraday re-planning: the re-forecast scaling, re-staffing and suggested actions, by hand."""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np
import pytest

from helpline.wfm import erlang
from helpline.wfm.intraday import (
    ActionKind,
    IntradayAction,
    IntradayDay,
    ServiceTarget,
    completed_intervals,
    replan_intraday,
)
from helpline.wfm.staffing import staff_intervals

# Intraday planning works in local wall-clock time, naive like the forecaster's history.
START = datetime(2026, 12, 1, 9, 0)  # noqa: DTZ001
STAMPS = tuple(START + timedelta(hours=h) for h in range(6))
TARGET = ServiceTarget(service_level=0.8, answer_time_seconds=20)


def day(scheduled: np.ndarray, on_break: np.ndarray, actual_first: float = 72.0) -> IntradayDay:
    return IntradayDay(
        interval_minutes=60,
        timestamps=STAMPS,
        forecast_volume=np.full(6, 60.0),
        aht_seconds=np.full(6, 300.0),
        scheduled_agents=scheduled,
        on_break=on_break,
        actual_volume=np.array([actual_first, *[np.nan] * 5]),
    )


def expected_volume() -> np.ndarray:
    # 72 arrived against 60 forecast: the rest scales by (100 + 72) / (100 + 60) (prior a = 1/0.1^2).
    return np.array([72.0, *[60.0 * 172 / 160] * 5])


def required() -> np.ndarray:
    staffing = staff_intervals(expected_volume(), 300.0, 3600.0, 0.8, 20.0)
    return staffing.agents.astype(np.float64)


@pytest.mark.parametrize(
    ("now", "completed"),
    [(START, 0), (START + timedelta(minutes=59), 0), (START + timedelta(hours=1), 1)],
)
def test_an_interval_is_completed_once_it_has_ended(now: datetime, completed: int) -> None:
    assert completed_intervals(STAMPS, 60, now) == completed


def test_without_history_the_rest_of_the_day_scales_towards_the_actuals() -> None:
    need = required()
    plan = replan_intraday(day(need.copy(), np.zeros(6)), START + timedelta(hours=1), TARGET)
    assert plan.method == "scaled published forecast"
    assert plan.completed == 1
    np.testing.assert_allclose(plan.volume, expected_volume())
    np.testing.assert_array_equal(plan.required_agents, need)
    np.testing.assert_array_equal(plan.gap, np.zeros(6))
    assert plan.actions == ()


def test_breaks_move_to_spare_intervals_then_overtime_then_voluntary_time_off() -> None:
    need = required()
    scheduled = need + np.array([0.0, -1.0, 1.0, 0.0, -2.0, 2.0])
    on_break = np.array([0.0, 1.0, 0.0, 0.0, 0.0, 0.0])
    plan = replan_intraday(day(scheduled, on_break), START + timedelta(hours=1), TARGET)
    np.testing.assert_allclose(plan.gap, [0.0, -1.0, 1.0, 0.0, -2.0, 2.0])
    assert plan.actions == (
        IntradayAction(ActionKind.MOVE_BREAKS, 1, 1.0, 2),
        IntradayAction(ActionKind.OFFER_OVERTIME, 4, 2.0),
        IntradayAction(ActionKind.OFFER_VOLUNTARY_TIME_OFF, 5, 2.0),
    )


def test_completed_intervals_get_no_suggestions() -> None:
    need = required()
    scheduled = need + np.array([-3.0, 0.0, 0.0, 0.0, 0.0, 0.0])
    plan = replan_intraday(day(scheduled, np.zeros(6)), START + timedelta(hours=1), TARGET)
    assert plan.actions == ()


def test_predicted_service_level_falls_when_short() -> None:
    need = required()
    plan = replan_intraday(day(need - 2.0, np.zeros(6)), START + timedelta(hours=1), TARGET)
    assert np.all(plan.service_level[1:] < 0.8)


def test_before_the_first_interval_ends_the_published_forecast_stands() -> None:
    plan = replan_intraday(day(np.full(6, 9.0), np.zeros(6)), START, TARGET)
    assert plan.method == "published forecast"
    np.testing.assert_allclose(plan.volume, np.full(6, 60.0))


def test_with_a_history_the_forecaster_re_forecasts_the_day() -> None:
    history_start = START.replace(hour=0) - timedelta(days=28)
    stamps = [history_start + timedelta(hours=h) for h in range(28 * 24)]
    volumes = [60.0 if 9 <= s.hour < 15 else 0.0 for s in stamps]
    plan = replan_intraday(
        day(np.full(6, 9.0), np.zeros(6)),
        START + timedelta(hours=1),
        TARGET,
        history_timestamps=stamps,
        history_volumes=volumes,
    )
    assert plan.method.startswith("re-forecast")
    assert plan.volume[0] == 72.0
    assert np.all(plan.volume[1:] > 60.0)  # today runs above the usual level


def test_mismatched_arrays_are_refused() -> None:
    with pytest.raises(ValueError, match="scheduled_agents"):
        day(np.zeros(3), np.zeros(6))


def test_with_patience_the_day_is_staffed_and_judged_by_erlang_a() -> None:
    patient = ServiceTarget(service_level=0.8, answer_time_seconds=20, patience_seconds=60.0)
    scheduled = required()
    now = START + timedelta(hours=1)
    plan = replan_intraday(day(scheduled, np.zeros(6)), now, patient)
    erlang_a = staff_intervals(expected_volume(), 300.0, 3600.0, 0.8, 20.0, patience=60.0)
    np.testing.assert_array_equal(plan.required_agents, erlang_a.agents)
    # Callers who hang up after a minute's wait need fewer agents than callers who never do.
    assert np.all(plan.required_agents <= scheduled)
    assert np.sum(plan.required_agents) < np.sum(scheduled)
    rate = expected_volume() / 3600.0
    levels = erlang.erlang_a(rate, 300.0, scheduled, 60.0, 20.0).service_level
    np.testing.assert_allclose(plan.service_level, levels)
    assert np.all(
        plan.service_level > replan_intraday(day(scheduled, np.zeros(6)), now, TARGET).service_level
    )
