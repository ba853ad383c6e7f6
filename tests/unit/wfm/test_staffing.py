"""staff_intervals: a week of volumes to agents, FTE and predicted KPIs."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest

from helpline.wfm.staffing import staff_intervals

WEEK = Path(__file__).resolve().parents[2] / "data" / "erlang" / "week_requirements_80_20.csv"


def week() -> tuple[np.ndarray, np.ndarray]:
    with WEEK.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    calls = np.array([float(r["calls"]) for r in rows])
    return calls, np.array([int(r["required_agents_80_20"]) for r in rows])


def test_week_of_half_hours_gets_the_reference_agents() -> None:
    calls, required = week()
    result = staff_intervals(calls, 300.0, 1800.0, 0.8, 20.0)
    np.testing.assert_array_equal(result.agents, required)
    assert np.all(result.service_level >= 0.8)
    np.testing.assert_array_equal(result.abandon_rate, 0.0)
    np.testing.assert_allclose(result.offered_load, calls * 300.0 / 1800.0)


def test_shrinkage_rounds_scheduled_fte_up_without_float_artifacts() -> None:
    # 7 agents / (1 - 0.3) is exactly 10 FTE, although 7/0.7 is 10.000000000000002 in floats.
    result = staff_intervals(np.array([7 * 1800 / 300 * 0.5]), 300.0, 1800.0, 0.0, 20.0)
    agents = int(result.agents[0])
    shrunk = staff_intervals(
        np.array([7 * 1800 / 300 * 0.5]), 300.0, 1800.0, 0.0, 20.0, shrinkage=0.3
    )
    assert int(shrunk.fte[0]) == int(np.ceil(round(agents / 0.7, 9)))
    assert (
        int(staff_intervals(np.array([0.0]), 300.0, 1800.0, 0.8, 20.0, shrinkage=0.3).fte[0]) == 0
    )


def test_fte_is_agents_over_one_minus_shrinkage_rounded_up() -> None:
    calls, _ = week()
    result = staff_intervals(calls, 300.0, 1800.0, 0.8, 20.0, shrinkage=0.35)
    assert np.all(result.fte >= result.agents / 0.65 - 1e-9)
    assert np.all(result.fte - 1 < result.agents / 0.65)


def test_patience_switches_to_erlang_a_with_abandonment() -> None:
    calls, required = week()
    result = staff_intervals(calls, 300.0, 1800.0, 0.8, 20.0, patience=120.0)
    # Callers who give up shorten the queue: never more agents than Erlang C, often fewer.
    assert np.all(result.agents <= required)
    assert np.any(result.agents < required)
    assert np.all(result.abandon_rate > 0)
    assert np.all(result.abandon_rate < 0.2)
    assert np.all(result.service_level >= 0.8)
    capped = staff_intervals(calls, 300.0, 1800.0, 0.8, 20.0, patience=120.0, max_occupancy=0.9)
    assert np.all(capped.occupancy <= 0.9)
    assert np.all(capped.agents >= result.agents)


@pytest.mark.parametrize(
    ("kwargs", "argument"),
    [
        ({"interval_seconds": 0.0}, "interval_seconds"),
        ({"shrinkage": 1.0}, "shrinkage"),
        ({"volumes": np.array([-1.0])}, "volumes"),
        ({"aht": -300.0}, "aht"),
    ],
)
def test_bad_arguments_raise_value_error_naming_them(kwargs: dict, argument: str) -> None:  # type: ignore[type-arg]
    args = {
        "volumes": np.array([10.0]),
        "aht": 300.0,
        "interval_seconds": 1800.0,
        "target_service_level": 0.8,
        "target_answer_time": 20.0,
    }
    args.update(kwargs)
    with pytest.raises(ValueError, match=argument):
        staff_intervals(**args)
