"""Forecast volumes convert to the simulation's intervals exactly, whatever the two grids."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np

from helpline.sim import VolumeSeries, calls_per_interval

SERIES = VolumeSeries(
    datetime(2026, 1, 5, 8, 0, tzinfo=UTC), 1800.0, (60.0, 0.0, float("nan"), 30.0)
)


def test_a_half_hour_forecast_splits_evenly_into_quarter_hours_from_a_later_start() -> None:
    counts = calls_per_interval(SERIES, datetime(2026, 1, 5, 8, 15, tzinfo=UTC), 900.0, 8)
    np.testing.assert_allclose(counts, [30, 0, 0, 0, 0, 15, 15, 0])


def test_an_hour_grid_sums_the_forecast_and_is_zero_outside_it() -> None:
    counts = calls_per_interval(SERIES, datetime(2026, 1, 5, 7, 0, tzinfo=UTC), 3600.0, 4)
    np.testing.assert_allclose(counts, [0, 60, 30, 0])
