"""Interval series <-> a days x intervals grid, the shape every forecasting model here works on."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import cast

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
MINUTES_PER_DAY = 24 * 60


@dataclass(frozen=True)
class DayGrid:
    """Contact volume (and AHT) on a calendar grid: one row per day, one column per interval.

    ``volume[d, s]`` is the number of contacts offered on day ``first_day + d`` in interval ``s``
    (minutes ``[s * interval_minutes, (s + 1) * interval_minutes)`` after local midnight). A row of NaN is a
    day without data (unknown, e.g. missing from the export); intervals of a day with data that have no
    record are closed hours (0). ``aht_seconds`` holds the average handle time where volume > 0, else NaN.
    """

    first_day: date
    interval_minutes: int
    volume: FloatArray
    aht_seconds: FloatArray | None = None

    @property
    def slots_per_day(self) -> int:
        """Number of intervals in a day."""
        return MINUTES_PER_DAY // self.interval_minutes

    @property
    def n_days(self) -> int:
        """Number of calendar days covered."""
        return int(self.volume.shape[0])

    def weekdays(self) -> npt.NDArray[np.int8]:
        """Weekday of each row (Monday = 0)."""
        start = self.first_day.weekday()
        return ((start + np.arange(self.n_days)) % 7).astype(np.int8)

    def head(self, n_days: int) -> DayGrid:
        """The first ``n_days`` days (the history before a backtest origin)."""
        aht = None if self.aht_seconds is None else self.aht_seconds[:n_days]
        return DayGrid(self.first_day, self.interval_minutes, self.volume[:n_days], aht)


def check_interval(interval_minutes: int) -> None:
    """Raise ValueError unless ``interval_minutes`` divides a day evenly (5, 15, 30, 60...)."""
    if interval_minutes <= 0 or MINUTES_PER_DAY % interval_minutes:
        raise ValueError(f"interval of {interval_minutes} minutes does not divide a day evenly")


def to_day_grid(
    timestamps: npt.NDArray[np.datetime64],
    volumes: npt.ArrayLike,
    interval_minutes: int,
    aht_seconds: npt.ArrayLike | None = None,
    *,
    last_day: date | None = None,
) -> DayGrid:
    """Aggregate an interval series (local start times, any finer step) to a `DayGrid`.

    Volumes are summed into ``interval_minutes`` bins (a multiple of the rows' step, else ValueError);
    AHT is volume-weighted. Days without any record
    are unknown (NaN); ``last_day`` extends the grid to that day (e.g. today, when nothing is in yet).
    """
    check_interval(interval_minutes)
    minutes = np.asarray(timestamps, dtype="datetime64[m]")
    values = np.asarray(volumes, dtype=np.float64)
    if minutes.shape != values.shape or minutes.size == 0:
        raise ValueError("timestamps and volumes must be non-empty and of the same length")
    steps = np.diff(np.unique(minutes)).astype(np.int64)
    if steps.size and interval_minutes % int(steps.min()):
        raise ValueError(
            f"rows {int(steps.min())} minutes apart cannot be split into "
            f"{interval_minutes}-minute intervals"
        )
    days = minutes.astype("datetime64[D]")
    first = days.min()
    end = days.max() if last_day is None else max(days.max(), np.datetime64(last_day, "D"))
    n_days = int((end - first).astype(int)) + 1
    day_index = (days - first).astype(np.int64)
    slot = (minutes - days).astype(np.int64) // interval_minutes
    slots = MINUTES_PER_DAY // interval_minutes
    volume = np.zeros((n_days, slots))
    np.add.at(volume, (day_index, slot), values)
    seen = np.zeros(n_days, dtype=bool)
    seen[day_index] = True
    volume[~seen] = np.nan
    aht_grid = None
    if aht_seconds is not None:
        aht = np.asarray(aht_seconds, dtype=np.float64)
        work = np.zeros((n_days, slots))
        np.add.at(work, (day_index, slot), np.where(values > 0, np.nan_to_num(aht) * values, 0.0))
        with np.errstate(invalid="ignore", divide="ignore"):
            aht_grid = np.where(volume > 0, work / volume, np.nan)
    first_day = cast(date, first.astype(object))
    return DayGrid(first_day, interval_minutes, volume, aht_grid)
