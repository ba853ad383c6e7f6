"""The one call the service layer makes: an interval series in, a `ForecastResult` out."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import cast

import numpy as np
import numpy.typing as npt

from helpline.wfm.forecast.aht import forecast_aht
from helpline.wfm.forecast.backtest import Accuracy
from helpline.wfm.forecast.calendar import CalendarEvent, day_kinds, event_multipliers
from helpline.wfm.forecast.grid import MINUTES_PER_DAY, DayGrid, check_interval, to_day_grid
from helpline.wfm.forecast.selection import (
    MIN_HISTORY_DAYS,
    Candidate,
    CandidateScore,
    select_model,
)

FloatArray = npt.NDArray[np.float64]
MAX_HORIZON_DAYS = 6 * 7


@dataclass(frozen=True)
class ForecastResult:
    """Forecast per interval, with the model that made it and that model's backtest accuracy.

    ``timestamps`` are local interval starts; ``volume`` the expected contacts offered; ``lower`` and
    ``upper`` the central ``coverage`` prediction interval; ``aht_seconds`` the expected AHT when the
    history had it. ``backtest`` is None when the history was too short to backtest.
    """

    timestamps: tuple[datetime, ...]
    interval_minutes: int
    volume: FloatArray
    lower: FloatArray
    upper: FloatArray
    aht_seconds: FloatArray | None
    coverage: float
    model: str
    backtest: Accuracy | None
    candidates: tuple[CandidateScore, ...]


def forecast_series(
    timestamps: npt.ArrayLike,
    volumes: npt.ArrayLike,
    *,
    interval_minutes: int = 30,
    horizon_minutes: int = 7 * MINUTES_PER_DAY,
    start: datetime | None = None,
    aht_seconds: npt.ArrayLike | None = None,
    country: str | None = None,
    subdivision: str | None = None,
    events: Sequence[CalendarEvent] = (),
    coverage: float = 0.8,
    backtest_origins: int = 4,
    candidates: Sequence[Candidate] | None = None,
    on_scored: Callable[[CandidateScore], None] | None = None,
) -> ForecastResult:
    """Forecast contact volume (and AHT) per interval from an interval history.

    ``timestamps`` are local interval starts (any step that divides ``interval_minutes``); a day with
    records has its missing intervals closed (0), a day without any is unknown. The forecast covers
    ``[start, start + horizon_minutes)``; ``start`` defaults to the midnight after the last record.
    When ``start`` is inside a day whose earlier intervals are in the history (intraday re-forecast),
    the rest of that day is scaled towards today's actuals (gamma-Poisson update of the day's level).

    ``country`` (ISO code) brings its public holidays, their eves and observances; their effect is
    learned from the history, so a holiday that never appears in it (e.g. closed days left out of the
    export) is forecast as an ordinary day: add an event with ``volume_multiplier=0`` to close it. The
    first business days after any public holiday on a business day carry the catch-up seen after the
    earlier ones (none when the history has no holiday).
    ``events`` scale the volume of the intervals they cover and keep their days out of the fit.
    Times are the organization's local wall-clock time, naive. ``candidates`` (default
    `default_candidates()`) are backtested over ``backtest_origins`` weeks, calling ``on_scored`` after
    each. Raises ValueError on a history that cannot be forecast.
    """
    check_interval(interval_minutes)
    if not 0 < coverage < 1:
        raise ValueError("coverage must be between 0 and 1")
    if horizon_minutes <= 0 or horizon_minutes > MAX_HORIZON_DAYS * MINUTES_PER_DAY:
        raise ValueError(f"horizon must be between one interval and {MAX_HORIZON_DAYS} days")
    window = _window(timestamps, volumes, aht_seconds, interval_minutes, horizon_minutes, start)
    grid, n_history, n_future = window.grid, window.n_history, window.n_future
    slots = grid.slots_per_day
    first_slot = datetime.combine(grid.first_day, datetime.min.time())
    multipliers = event_multipliers(
        first_slot, (n_history + n_future) * slots, interval_minutes, events
    )
    history = _drop_event_days(grid.head(n_history), multipliers[: n_history * slots] != 1)
    kinds = day_kinds(grid.first_day, n_history + n_future, country, subdivision)

    choice = select_model(
        history, kinds[:n_history], candidates, origins=backtest_origins, on_scored=on_scored
    )
    future = choice.candidate.forecast(history, kinds[:n_history], kinds[n_history:])
    if window.offset and not np.isnan(grid.volume[n_history]).all():
        # Today's first intervals are known: re-forecast the rest of the day from them.
        future[0] = _update_today(future[0], grid.volume[n_history], window.offset, choice.daily_cv)
    future = future * multipliers[n_history * slots :].reshape(n_future, slots)

    count = horizon_minutes // interval_minutes
    shown = slice(window.offset, window.offset + count)
    volume = future.ravel()[shown]
    lower, upper = prediction_interval(volume, choice.dispersion, coverage)
    aht = None
    if history.aht_seconds is not None:
        weekday = history.weekdays()
        future_weekday = ((int(weekday[0]) + n_history + np.arange(n_future)) % 7).astype(np.int8)
        aht_grid = forecast_aht(history.volume, history.aht_seconds, weekday, future_weekday)
        aht = np.where(volume > 0, aht_grid.ravel()[shown], np.nan)
    step = timedelta(minutes=interval_minutes)
    return ForecastResult(
        timestamps=tuple(window.start + i * step for i in range(count)),
        interval_minutes=interval_minutes,
        volume=volume,
        lower=lower,
        upper=upper,
        aht_seconds=aht,
        coverage=coverage,
        model=choice.candidate.name,
        backtest=choice.accuracy,
        candidates=choice.scores,
    )


@dataclass(frozen=True)
class _Window:
    """The history laid on a day grid up to the first forecast day ("today"), and the days ahead."""

    grid: DayGrid  # history days, then today (whose intervals before ``start`` may be known)
    n_history: int  # whole days of history: grid rows before today
    n_future: int  # days from today to the last forecast day
    offset: int  # index of the first forecast interval within today
    start: datetime  # the first forecast interval


def _window(
    timestamps: npt.ArrayLike,
    volumes: npt.ArrayLike,
    aht_seconds: npt.ArrayLike | None,
    interval_minutes: int,
    horizon_minutes: int,
    start: datetime | None,
) -> _Window:
    times = np.asarray(timestamps, dtype="datetime64[m]")
    if times.size == 0:
        raise ValueError("the history is empty")
    step = np.timedelta64(interval_minutes, "m")
    next_midnight = (times.max().astype("datetime64[D]") + 1).astype("datetime64[m]")
    begin = next_midnight if start is None else np.datetime64(start, "m")
    begin = begin - (begin - begin.astype("datetime64[D]")) % step
    today = begin.astype("datetime64[D]")
    known = times < begin
    if not known.any():
        raise ValueError("the history starts after the forecast start")
    values = np.asarray(volumes, dtype=np.float64)
    aht_values = None if aht_seconds is None else np.asarray(aht_seconds, dtype=np.float64)[known]
    grid = to_day_grid(
        times[known], values[known], interval_minutes, aht_values, last_day=_as_date(today)
    )
    n_history = int((today - np.datetime64(grid.first_day, "D")).astype(np.int64))
    if np.count_nonzero(~np.isnan(grid.volume[:n_history]).all(axis=1)) < MIN_HISTORY_DAYS:
        raise ValueError(
            f"too little history: at least {MIN_HISTORY_DAYS} days with data are needed"
        )
    last_day = (begin + np.timedelta64(horizon_minutes - 1, "m")).astype("datetime64[D]")
    return _Window(
        grid=grid,
        n_history=n_history,
        n_future=int((last_day - today).astype(np.int64)) + 1,
        offset=int((begin - today) // step),
        start=_as_datetime(begin),
    )


def _update_today(
    forecast: FloatArray, actual: FloatArray, known: int, daily_cv: float
) -> FloatArray:
    """Scale the rest of today by the gamma-Poisson posterior mean of today's level multiplier.

    Prior: multiplier ~ Gamma(shape=a, rate=a), mean 1 and relative spread ``daily_cv`` (a = 1 / cv^2)
    from the backtest; intervals seen so far are Poisson(multiplier x forecast). Posterior mean:
    (a + actual so far) / (a + forecast so far) (Gelman et al., *Bayesian Data Analysis*, sec. 2.6).
    """
    prior = 1.0 / max(daily_cv, 0.01) ** 2
    seen_actual = float(np.nansum(actual[:known]))
    seen_forecast = float(forecast[:known].sum())
    updated = forecast.copy()
    updated[:known] = np.nan_to_num(actual[:known])
    updated[known:] *= (prior + seen_actual) / (prior + seen_forecast)
    return updated


def prediction_interval(
    volume: FloatArray, dispersion: float, coverage: float
) -> tuple[FloatArray, FloatArray]:
    """Central interval of a negative binomial with mean ``volume`` and Var = mean + k mean^2.

    k = 0 is Poisson. Quantiles are of the count distribution, so closed intervals (mean 0) get [0, 0].
    """
    from scipy import stats  # imported here: scipy.stats takes seconds to load, the CLI stays quick

    tail = (1 - coverage) / 2
    mean = np.maximum(volume, 0.0)
    if dispersion <= 1e-9:
        return (
            np.asarray(stats.poisson.ppf(tail, mean), dtype=np.float64),
            np.asarray(stats.poisson.ppf(1 - tail, mean), dtype=np.float64),
        )
    size = 1.0 / dispersion
    with np.errstate(divide="ignore", invalid="ignore"):
        prob = size / (size + mean)
        lower = np.asarray(stats.nbinom.ppf(tail, size, prob), dtype=np.float64)
        upper = np.asarray(stats.nbinom.ppf(1 - tail, size, prob), dtype=np.float64)
    closed = mean <= 0
    lower[closed] = 0.0
    upper[closed] = 0.0
    return np.minimum(lower, mean), np.maximum(upper, mean)


def _drop_event_days(history: DayGrid, in_event: npt.NDArray[np.bool_]) -> DayGrid:
    """Days touched by a calendar event are unknown to the fit (their volume is not typical)."""
    touched = in_event.reshape(history.n_days, history.slots_per_day).any(axis=1)
    if not touched.any():
        return history
    volume = history.volume.copy()
    volume[touched] = np.nan
    return DayGrid(history.first_day, history.interval_minutes, volume, history.aht_seconds)


def _as_date(day: np.datetime64) -> date:
    return cast(date, day.astype("datetime64[D]").astype(object))


def _as_datetime(moment: np.datetime64) -> datetime:
    return cast(datetime, moment.astype("datetime64[m]").astype(object))
