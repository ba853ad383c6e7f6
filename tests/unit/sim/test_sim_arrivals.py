"""Forecast volumes convert to the simulation's intervals exactly, whatever the two grids."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np

from helpline.sim import (
    LoggedContact,
    PoissonArrivals,
    ReplayedArrivals,
    VolumeSeries,
    calls_per_interval,
)
from helpline.sim.arrivals import plan_arrivals
from tests.unit.sim.sim_factories import single_queue

SERIES = VolumeSeries(
    datetime(2026, 1, 5, 8, 0, tzinfo=UTC), 1800.0, (60.0, 0.0, float("nan"), 30.0)
)


def test_a_half_hour_forecast_splits_evenly_into_quarter_hours_from_a_later_start() -> None:
    counts = calls_per_interval(SERIES, datetime(2026, 1, 5, 8, 15, tzinfo=UTC), 900.0, 8)
    np.testing.assert_allclose(counts, [30, 0, 0, 0, 0, 15, 15, 0])


def test_an_hour_grid_sums_the_forecast_and_is_zero_outside_it() -> None:
    counts = calls_per_interval(SERIES, datetime(2026, 1, 5, 7, 0, tzinfo=UTC), 3600.0, 4)
    np.testing.assert_allclose(counts, [0, 60, 30, 0])


def test_replayed_and_drawn_arrivals_are_merged_in_time_order_with_their_customers() -> None:
    logged = (
        LoggedContact(900.0, "q", customer_id="c-late"),
        LoggedContact(10.0, "q", customer_id="c-early"),
        LoggedContact(500.0, "q"),
        LoggedContact(4000.0, "q", customer_id="c-after-horizon"),
    )
    scenario = single_queue(
        load_erlangs=2.0,
        agents=3,
        horizon_seconds=3600.0,
        arrivals=(ReplayedArrivals(logged), PoissonArrivals("q", (1 / 60,))),
    )
    plan = plan_arrivals(scenario, np.random.default_rng(5))
    assert np.all(np.diff(plan.times_seconds) >= 0)
    known = {float(t): c for t, c in zip(plan.times_seconds, plan.customer_ids, strict=True) if c}
    assert known == {10.0: "c-early", 900.0: "c-late"}
    assert len(plan.customer_ids) == len(plan.times_seconds) > 3
