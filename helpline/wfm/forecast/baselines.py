"""Reference forecasters: seasonal naive and statsforecast's AutoETS and MSTL on the interval series.

They are what a careful analyst would try first with a good library, so the benchmark runs them next to
our models in the same run, and the model selection may pick them when they backtest best.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import numpy.typing as npt

from helpline.wfm.forecast.grid import DayGrid

FloatArray = npt.NDArray[np.float64]


def seasonal_naive(history: DayGrid, horizon_days: int) -> FloatArray:
    """Each day ahead repeats the latest known day with the same weekday (zero if none)."""
    known = np.flatnonzero(~np.isnan(history.volume).all(axis=1))
    weekdays = history.weekdays()
    out = np.zeros((horizon_days, history.slots_per_day))
    for ahead in range(horizon_days):
        weekday = (int(weekdays[0]) + history.n_days + ahead) % 7
        same = known[weekdays[known] == weekday]
        if same.size:
            out[ahead] = history.volume[same[-1]]
    return out


class StatsforecastBaseline:
    """statsforecast AutoETS or MSTL fitted to the open intervals of the known days, end to end.

    The series is the concatenation of the known days of open weekdays, restricted to intervals that ever
    had contacts, with seasons of one day and (MSTL) one week of open days. Forecasts are laid back on the
    calendar: the k-th open day ahead gets the k-th day of the forecast; other days and intervals get 0.
    """

    def __init__(self, method: Literal["AutoETS", "MSTL"]) -> None:
        self.method = method

    def __call__(self, history: DayGrid, horizon_days: int) -> FloatArray:
        """Forecast ``horizon_days`` days after ``history`` (days x intervals)."""
        from statsforecast.models import MSTL, AutoETS

        volume = history.volume
        weekdays = history.weekdays()
        known = ~np.isnan(volume).all(axis=1)
        open_weekdays = np.unique(weekdays[known & (np.nan_to_num(volume).sum(axis=1) > 0)])
        days = known & np.isin(weekdays, open_weekdays)
        active = np.flatnonzero(np.nan_to_num(volume[days]).sum(axis=0) > 0)
        series = volume[np.ix_(days, active)].ravel()
        per_day = active.size
        future_weekdays = (int(weekdays[0]) + history.n_days + np.arange(horizon_days)) % 7
        future_open = np.isin(future_weekdays, open_weekdays)
        steps = int(future_open.sum()) * per_day
        out = np.zeros((horizon_days, history.slots_per_day))
        if steps == 0:
            return out
        model: MSTL | AutoETS
        if self.method == "MSTL":
            model = MSTL(
                season_length=[per_day, per_day * open_weekdays.size],
                trend_forecaster=AutoETS(model="ZZN"),
            )
        else:
            # AutoETS allows seasons up to 24 intervals only when 'Z' is given; use additive daily season.
            model = AutoETS(season_length=per_day, model="ZNA")
        mean = np.asarray(model.fit(series).predict(h=steps)["mean"], dtype=np.float64)
        out[np.ix_(future_open, active)] = np.maximum(mean, 0.0).reshape(-1, per_day)
        return out
