"""Rolling-origin backtests and the accuracy measures a WFM analyst reads.

WAPE (weighted absolute percentage error) = sum |actual - forecast| / sum actual, the measure of choice for
interval volumes, which are often zero at night (Kolassa & Schuetz, "Advantages of the MAD/MEAN ratio over
the MAPE", Foresight 2007). Bias = sum (forecast - actual) / sum actual (positive = over-forecast).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from helpline.wfm.forecast.grid import DayGrid

FloatArray = npt.NDArray[np.float64]

#: A forecaster for backtests: (history grid, number of days ahead) -> days x intervals forecast.
GridForecaster = Callable[[DayGrid, int], FloatArray]


@dataclass(frozen=True)
class Accuracy:
    """Accuracy of forecasts against actuals, over the days that have actuals."""

    wape_interval: float  # WAPE of interval volumes
    wape_daily: float  # WAPE of daily totals
    bias: float  # (forecast - actual) / actual, over all intervals
    days_within_5pct: float  # share of days whose forecast total is within 5 % of the actual total
    days: int  # number of days scored


def accuracy(actual: FloatArray, forecast: FloatArray) -> Accuracy:
    """Score a days x intervals ``forecast`` against ``actual`` (NaN rows of ``actual`` are skipped)."""
    known = ~np.isnan(actual).all(axis=1)
    act = np.nan_to_num(actual[known])
    fc = forecast[known]
    total = float(act.sum())
    if total <= 0:
        return Accuracy(float("nan"), float("nan"), float("nan"), float("nan"), int(known.sum()))
    daily_act, daily_fc = act.sum(axis=1), fc.sum(axis=1)
    within = np.abs(daily_fc - daily_act) <= 0.05 * daily_act
    return Accuracy(
        wape_interval=float(np.abs(act - fc).sum()) / total,
        wape_daily=float(np.abs(daily_act - daily_fc).sum()) / total,
        bias=float((fc - act).sum()) / total,
        days_within_5pct=float(within.mean()),
        days=int(known.sum()),
    )


def rolling_origins(n_days: int, *, origins: int, horizon_days: int) -> Iterator[int]:
    """Origins (day indices) of a rolling backtest that ends with the history: every ``horizon_days``."""
    for k in range(origins, 0, -1):
        origin = n_days - k * horizon_days
        if origin > 0:
            yield origin


def backtest(
    grid: DayGrid, forecaster: GridForecaster, *, origins: int, horizon_days: int = 7
) -> tuple[Accuracy, FloatArray, FloatArray]:
    """Run ``forecaster`` from each rolling origin; return the pooled accuracy, actuals and forecasts.

    Each origin forecasts the next ``horizon_days`` days from all data before it.
    """
    actual_blocks: list[FloatArray] = []
    forecast_blocks: list[FloatArray] = []
    for origin in rolling_origins(grid.n_days, origins=origins, horizon_days=horizon_days):
        days = min(horizon_days, grid.n_days - origin)
        forecast_blocks.append(forecaster(grid.head(origin), days))
        actual_blocks.append(grid.volume[origin : origin + days])
    if not actual_blocks:
        raise ValueError("history too short for a backtest")
    actual = np.concatenate(actual_blocks)
    forecast = np.concatenate(forecast_blocks)
    return accuracy(actual, forecast), actual, forecast
