"""Synthetic interval histories for the forecast tests: known weekly and intraday shapes, Poisson noise."""

from __future__ import annotations

from datetime import date

import numpy as np
import numpy.typing as npt

#: Relative volume per weekday, Monday first: busy Monday, quiet Friday, closed weekend.
WEEKDAY_SHAPE = np.array([1.3, 1.0, 1.0, 1.0, 0.7, 0.0, 0.0])
SLOTS = 48  # 30-minute intervals
OPEN_SLOTS = slice(16, 36)  # 08:00-18:00


def intraday_shape() -> npt.NDArray[np.float64]:
    """Shares of a day: a single hump from 08:00 to 18:00, zero at night (closed)."""
    shape = np.zeros(SLOTS)
    hours = np.arange(20)
    shape[OPEN_SLOTS] = np.sin(np.pi * (hours + 0.5) / 20)
    return shape / shape.sum()


def expected_grid(first_day: date, days: int, daily_volume: float) -> npt.NDArray[np.float64]:
    """Expected volume (days x 48) with the weekly and intraday shapes."""
    weekday = (first_day.weekday() + np.arange(days)) % 7
    return daily_volume * WEEKDAY_SHAPE[weekday][:, None] * intraday_shape()[None, :]


def poisson_history(
    first_day: date, days: int, daily_volume: float = 2000.0, seed: int = 7
) -> tuple[npt.NDArray[np.datetime64], npt.NDArray[np.float64]]:
    """Timestamps and Poisson volumes of ``days`` days of 30-minute intervals (every interval listed)."""
    rng = np.random.default_rng(seed)
    volume = rng.poisson(expected_grid(first_day, days, daily_volume)).astype(np.float64)
    start = np.datetime64(first_day, "m")
    stamps = start + np.arange(days * SLOTS) * np.timedelta64(30, "m")
    return stamps, volume.ravel()
