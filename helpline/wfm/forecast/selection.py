"""Model selection per series by rolling-origin backtest inside the history (no peeking past it)."""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

from helpline.wfm.forecast.backtest import Accuracy, GridForecaster, backtest
from helpline.wfm.forecast.baselines import seasonal_naive
from helpline.wfm.forecast.grid import DayGrid
from helpline.wfm.forecast.profile import WeeklyProfileModel

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int8]

#: Fewest days of history a forecast accepts: two full weeks to see every weekday twice.
MIN_HISTORY_DAYS = 14


@dataclass(frozen=True)
class Candidate:
    """A named way to forecast whole days: (history, its day kinds, future day kinds) -> forecast."""

    name: str
    forecast: Callable[[DayGrid, IntArray, IntArray], FloatArray]


@dataclass(frozen=True)
class CandidateScore:
    """Backtest accuracy of one candidate."""

    name: str
    accuracy: Accuracy


@dataclass(frozen=True)
class ModelChoice:
    """The selected candidate, its backtest and the dispersion of its errors (for prediction intervals).

    ``dispersion`` is ``k`` in Var(actual | forecast f) = f + k f^2 (negative-binomial form), estimated by
    the method of moments from the backtest; ``daily_cv`` is the relative error of daily totals.
    """

    candidate: Candidate
    accuracy: Accuracy | None  # None when the history was too short to backtest
    scores: tuple[CandidateScore, ...]
    dispersion: float
    daily_cv: float


def profile_candidate(model: WeeklyProfileModel) -> Candidate:
    """Wrap a `WeeklyProfileModel` setting as a candidate (a fresh fit per call)."""

    def forecast(history: DayGrid, kinds: IntArray, future_kinds: IntArray) -> FloatArray:
        first = np.datetime64(history.first_day, "D")
        days = first + np.arange(history.n_days + future_kinds.size)
        fitted = copy.copy(model).fit(history.volume, days[: history.n_days], kinds)
        return fitted.predict(days[history.n_days :], future_kinds)

    return Candidate(model.name, forecast)


def combined_candidate(*parts: Candidate) -> Candidate:
    """The mean of several candidates' forecasts: combining usually beats each one (Clemen,
    "Combining forecasts: a review and annotated bibliography", IJF 1989)."""

    def forecast(history: DayGrid, kinds: IntArray, future_kinds: IntArray) -> FloatArray:
        forecasts = [part.forecast(history, kinds, future_kinds) for part in parts]
        return np.asarray(np.mean(forecasts, axis=0), dtype=np.float64)

    return Candidate(f"mean({', '.join(part.name for part in parts)})", forecast)


def default_candidates() -> tuple[Candidate, ...]:
    """The candidates tried on every series: profile models with calendar effects and a few level
    settings, their combination, a plain profile model and seasonal naive."""

    def with_calendar(half_life_days: float, level: Literal["ewm", "ets"] = "ewm") -> Candidate:
        return profile_candidate(
            WeeklyProfileModel(
                level_half_life_days=half_life_days,
                level_method=level,
                uses_day_of_month=True,
                uses_calendar_effects=True,
            )
        )

    short, long, ets = with_calendar(14), with_calendar(28), with_calendar(14, "ets")
    return (
        short,
        long,
        ets,
        combined_candidate(short, long, ets),
        profile_candidate(WeeklyProfileModel(level_half_life_days=14)),
        Candidate(
            "seasonal-naive", lambda history, _k, future: seasonal_naive(history, future.size)
        ),
    )


def select_model(
    grid: DayGrid,
    kinds: IntArray,
    candidates: Sequence[Candidate] | None = None,
    *,
    origins: int = 4,
    horizon_days: int = 7,
    on_scored: Callable[[CandidateScore], None] | None = None,
) -> ModelChoice:
    """Backtest every candidate from ``origins`` weekly origins at the end of ``grid``; keep the best.

    ``kinds`` gives the `DayKind` of each day of ``grid``. The best candidate has the lowest interval WAPE.
    With too little history for even one origin, the first candidate is kept unscored. ``on_scored`` is
    called after each candidate's backtest (for a progress bar).
    """
    candidates = tuple(candidates or default_candidates())
    usable_origins = min(origins, (grid.n_days - MIN_HISTORY_DAYS) // horizon_days)
    if usable_origins < 1:
        return ModelChoice(candidates[0], None, (), 0.0, 0.0)
    best: tuple[float, Candidate, Accuracy, FloatArray, FloatArray] | None = None
    scores = []
    for candidate in candidates:

        def run(history: DayGrid, days: int, candidate: Candidate = candidate) -> FloatArray:
            future = kinds[history.n_days : history.n_days + days]
            return candidate.forecast(history, kinds[: history.n_days], future)

        result, actual, forecast = backtest(
            grid, run, origins=usable_origins, horizon_days=horizon_days
        )
        scores.append(CandidateScore(candidate.name, result))
        if on_scored is not None:
            on_scored(scores[-1])
        wape = result.wape_interval if np.isfinite(result.wape_interval) else np.inf
        if best is None or wape < best[0]:
            best = (wape, candidate, result, actual, forecast)
    if best is None:
        raise ValueError("no candidate to select from")
    _, chosen, result, actual, forecast = best
    dispersion, daily_cv = _dispersion(actual, forecast)
    return ModelChoice(chosen, result, tuple(scores), dispersion, daily_cv)


def _dispersion(actual: FloatArray, forecast: FloatArray) -> tuple[float, float]:
    known = ~np.isnan(actual).all(axis=1)
    y, f = np.nan_to_num(actual[known]), forecast[known]
    k = float(((y - f) ** 2 - f).sum() / max(float((f**2).sum()), 1e-9))
    daily_y, daily_f = y.sum(axis=1), f.sum(axis=1)
    open_days = daily_f > 0
    relative = (daily_y[open_days] - daily_f[open_days]) / daily_f[open_days]
    daily_cv = float(np.sqrt(np.mean(relative**2))) if relative.size else 0.0
    return max(k, 0.0), daily_cv


def auto_forecaster(
    kinds: IntArray, candidates: Sequence[Candidate] | None = None, *, origins: int = 4
) -> GridForecaster:
    """A forecaster for `backtest` that selects its model on each history it is given, then forecasts.

    ``kinds`` covers the whole backtested grid plus the horizon. This is how our forecasts are scored:
    the choice of model only ever sees data before the origin.
    """

    def forecast(history: DayGrid, days: int) -> FloatArray:
        past, future = kinds[: history.n_days], kinds[history.n_days : history.n_days + days]
        choice = select_model(history, past, candidates, origins=origins)
        return choice.candidate.forecast(history, past, future)

    return forecast
