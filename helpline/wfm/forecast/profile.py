"""The call-center workhorse: daily level x weekday factor x intraday profile.

The classic WFM decomposition (Gans, Koole & Mandelbaum, "Telephone call centers: tutorial, review and
research prospects", MSOM 2003, sec. 4.1; Weinberg, Brown & Stroud, JASA 2007, eq. 1): the volume of
interval ``s`` on day ``d`` is ``level(d) * weekday_factor(d) * share(weekday(d), s)``, where the shares of a
day sum to 1, so intervals always add up to the daily forecast (reconciliation by construction).

Every part is estimated robustly from recent history: weekday factors by a two-way (week x weekday) fit
of log daily totals with outlier days dropped; the level by an exponentially weighted mean of the
deseasonalised totals (or statsforecast's AutoETS on them); special days (public holidays, their eves,
observances) by their ratio to the level of their own week, shrunk towards "no effect" when few were seen;
optionally the catch-up after public holidays and the month turn (`helpline.wfm.forecast.effects`), by
their ratio to the local level, taken out of the totals before the level is fitted.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Literal, Self

import numpy as np
import numpy.typing as npt

from helpline.wfm.forecast.calendar import DayKind
from helpline.wfm.forecast.effects import (
    FEATURES,
    business_weekdays,
    calendar_features,
    fit_effects,
)

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int8]
DayArray = npt.NDArray[np.datetime64]

#: Weight, in days, of the prior "a special day behaves like a normal one" when averaging special days.
SPECIAL_DAY_PRIOR_DAYS = 0.5
#: Days whose log total is further than this many robust standard deviations from the fit are outliers.
OUTLIER_SIGMAS = 3.5
#: Pseudo-observations of "no effect" behind each day-of-month factor.
MONTH_PRIOR_DAYS = 3.0
#: Half width, in days, of the window whose median ordinary day is the local level for calendar effects.
LOCAL_LEVEL_DAYS = 14
#: Special days whose effect multiplies their ordinary weekday (the rest replace it when lower).
RELATIVE_KINDS = frozenset({DayKind.OBSERVANCE, DayKind.AFTER_HOLIDAY})


@dataclass(frozen=True)
class SpecialDayEffect:
    """How one kind of special day behaved in the history."""

    kind: DayKind
    days_seen: int
    factor: (
        float  # daily total relative to its week's level, or to an ordinary day (RELATIVE_KINDS)
    )
    profile: FloatArray | None  # intraday shares when the kind has its own shape (HOLIDAY, EVE)


class WeeklyProfileModel:
    """Daily level x weekday factor x intraday profile, on a days x intervals grid.

    Settings: ``level_half_life_days`` (recency of the level), ``weekday_weeks`` (weeks of history for the
    weekday factors), ``profile_weeks`` and ``profile_half_life_weeks`` (recency of the intraday shares),
    ``level_method`` ("ewm" or "ets": statsforecast AutoETS on the deseasonalised daily totals),
    ``uses_day_of_month`` (a day-of-month factor: banks see more calls after salaries and statements),
    ``uses_calendar_effects`` (catch-up after public holidays and month-turn effects in business days,
    `helpline.wfm.forecast.effects`; they are taken out of the totals before the level is fitted).
    """

    def __init__(
        self,
        *,
        level_half_life_days: float = 14.0,
        weekday_weeks: int = 8,
        profile_weeks: int = 8,
        profile_half_life_weeks: float = 4.0,
        level_method: Literal["ewm", "ets"] = "ewm",
        uses_day_of_month: bool = False,
        uses_calendar_effects: bool = False,
    ) -> None:
        self.level_half_life_days = level_half_life_days
        self.weekday_weeks = weekday_weeks
        self.profile_weeks = profile_weeks
        self.profile_half_life_weeks = profile_half_life_weeks
        self.level_method = level_method
        self.uses_day_of_month = uses_day_of_month
        self.uses_calendar_effects = uses_calendar_effects

    @property
    def name(self) -> str:
        """Short label of the model and its settings, recorded with every forecast."""
        level = "AutoETS" if self.level_method == "ets" else f"ewm {self.level_half_life_days:g}d"
        month = ", day-of-month" if self.uses_day_of_month else ""
        effects = ", calendar effects" if self.uses_calendar_effects else ""
        return f"weekly-profile(level={level}, profile={self.profile_weeks}w{month}{effects})"

    def fit(self, volume: FloatArray, days: DayArray, kind: IntArray) -> Self:
        """Fit on ``volume`` (days x intervals, NaN rows unknown) with each row's date and `DayKind`."""
        weekday = _weekday(days)
        totals = np.where(np.isnan(volume).all(axis=1), np.nan, np.nansum(volume, axis=1))
        usable, week_level = self._fit_weekdays(totals, weekday, kind)
        self.history_days_, self.history_kind_ = days, kind
        self.effects_ = np.zeros(len(FEATURES))
        ordinary_totals = totals
        if self.uses_calendar_effects:
            self.business_ = business_weekdays(self.weekday_factor_)
            features = calendar_features(days, kind, self.business_)
            with np.errstate(divide="ignore", invalid="ignore"):
                log_day = np.log(totals / self.weekday_factor_[weekday])
            log_day[~np.isfinite(log_day)] = np.nan
            ordinary = log_day
            for _ in range(2):  # effects against the local level, then the level without them
                local = _local_median(ordinary, usable, LOCAL_LEVEL_DAYS)
                self.effects_ = fit_effects(log_day - local, features)
                ordinary = log_day - features @ self.effects_
            ordinary_totals = totals / np.exp(features @ self.effects_)
            usable, week_level = self._fit_weekdays(ordinary_totals, weekday, kind)
        self._fit_level(ordinary_totals, days, usable)
        shares = volume / np.where(totals > 0, totals, np.nan)[:, None]
        self._fit_profiles(shares, weekday, usable)
        self.special_: dict[DayKind, SpecialDayEffect] = {
            special: _special_effect(
                special, totals, shares, kind, week_level, self.weekday_factor_[weekday]
            )
            for special in DayKind
            if special is not DayKind.NORMAL
            and not (special is DayKind.AFTER_HOLIDAY and self.uses_calendar_effects)
        }
        return self

    def _fit_weekdays(
        self, totals: FloatArray, weekday: IntArray, kind: IntArray
    ) -> tuple[npt.NDArray[np.bool_], FloatArray]:
        """Open weekdays, weekday factors and outlier days; returns the ordinary usable days and
        the level of each day's week (in weekday-factor units, for judging special days)."""
        n_days = totals.size
        week = (np.arange(n_days) + int(weekday[0])) // 7
        normal = ~np.isnan(totals) & (kind == DayKind.NORMAL)
        recent = np.arange(n_days) >= n_days - 7 * self.weekday_weeks
        self.is_open_ = _open_weekdays(totals, weekday, normal & recent)
        usable = normal & self.is_open_[weekday] & (np.nan_to_num(totals) > 0)
        if not usable.any():
            raise ValueError("no ordinary open day with contacts in the history")
        log_total = np.log(np.where(usable, totals, 1.0))
        weekday_log, week_log = _two_way_fit(log_total, weekday, week, usable & recent)
        residual = log_total - week_log[week] - weekday_log[weekday]
        self.log_sigma_ = _robust_sigma(residual[usable & recent])
        self.outlier_days_ = usable & (np.abs(residual) > OUTLIER_SIGMAS * self.log_sigma_)
        usable &= ~self.outlier_days_
        weekday_log, _ = _two_way_fit(log_total, weekday, week, usable & recent)
        factor = np.where(self.is_open_, np.exp(weekday_log), 0.0)
        raw_mean = float(factor[self.is_open_].mean())
        self.weekday_factor_ = factor / raw_mean
        # Week levels over the whole history (not just the recent window), to judge old special days.
        week_log = _group_mean(
            log_total[usable] - weekday_log[weekday[usable]], week[usable], int(week.max()) + 1
        )
        return usable, np.exp(week_log)[week] * raw_mean

    def _fit_level(self, totals: FloatArray, days: DayArray, usable: npt.NDArray[np.bool_]) -> None:
        """Day-of-month factors, then the level of the deseasonalised ordinary days."""
        deseasonalised = totals[usable] / self.weekday_factor_[_weekday(days)[usable]]
        self.month_factor_ = np.ones(32)
        if self.uses_day_of_month:
            month_day = _day_of_month(days)[usable]
            self.month_factor_ = _day_of_month_factor(
                np.flatnonzero(usable), deseasonalised, month_day
            )
            deseasonalised = deseasonalised / self.month_factor_[month_day]
        age = (totals.size - 1 - np.flatnonzero(usable)).astype(np.float64)
        self.level_ = float(
            np.average(deseasonalised, weights=0.5 ** (age / self.level_half_life_days))
        )
        self.level_path_: FloatArray | None = None
        if self.level_method == "ets":
            self.level_path_ = _ets_level(deseasonalised, horizon=64)

    def _fit_profiles(
        self, shares: FloatArray, weekday: IntArray, usable: npt.NDArray[np.bool_]
    ) -> None:
        """Intraday shares per weekday: recency-weighted mean of its last ``profile_weeks`` days.

        An open weekday without a usable day takes the mean shape of the other open weekdays.
        """
        n_days = shares.shape[0]
        self.profile_ = np.zeros((7, shares.shape[1]))
        has_profile = np.zeros(7, dtype=bool)
        for day in range(7):
            rows = np.flatnonzero(usable & (weekday == day))[-self.profile_weeks :]
            if rows.size:
                weeks_old = (n_days - 1 - rows) / 7.0
                weights = 0.5 ** (weeks_old / self.profile_half_life_weeks)
                self.profile_[day] = np.average(shares[rows], axis=0, weights=weights)
                has_profile[day] = True
        missing = self.is_open_ & ~has_profile
        if missing.any():
            self.profile_[missing] = self.profile_[has_profile].mean(axis=0)

    def predict_daily(self, days: DayArray, kind: IntArray) -> FloatArray:
        """Daily totals of the days ``days`` after the history, given their `DayKind`."""
        return self._daily_and_profile(days, kind)[0]

    def predict(self, days: DayArray, kind: IntArray) -> FloatArray:
        """Volume per interval (days x intervals) of the days ``days`` after the history."""
        daily, profile = self._daily_and_profile(days, kind)
        return daily[:, None] * profile

    def _daily_and_profile(self, days: DayArray, kind: IntArray) -> tuple[FloatArray, FloatArray]:
        weekday = _weekday(days)
        level = np.full(weekday.size, self.level_) * self.month_factor_[_day_of_month(days)]
        if self.level_path_ is not None:
            # The k-th ordinary open day ahead takes the k-th step of the level forecast.
            step = np.cumsum(self.is_open_[weekday] & (kind == DayKind.NORMAL)) - 1
            level = self.level_path_[np.clip(step, 0, self.level_path_.size - 1)]
            level = level * self.month_factor_[_day_of_month(days)]
        base = self.weekday_factor_[weekday]
        daily = level * base
        if self.uses_calendar_effects:
            features = calendar_features(
                np.concatenate([self.history_days_, days]),
                np.concatenate([self.history_kind_, kind]),
                self.business_,
            )
            daily *= np.exp(features[self.history_days_.size :] @ self.effects_)
        profile = self.profile_[weekday].copy()
        for index, day_kind in enumerate(kind):
            effect = self.special_.get(DayKind(int(day_kind)))
            if effect is None or effect.days_seen == 0:
                continue
            if effect.kind in RELATIVE_KINDS:
                daily[index] *= effect.factor
            elif effect.factor < base[index]:
                daily[index] = level[index] * effect.factor
                if effect.profile is not None:
                    profile[index] = effect.profile
        return daily, profile


def _weekday(days: DayArray) -> IntArray:
    """Monday = 0 ... Sunday = 6 (1970-01-01 was a Thursday)."""
    return ((days.astype("datetime64[D]").astype(np.int64) + 3) % 7).astype(np.int8)


def _day_of_month(days: DayArray) -> npt.NDArray[np.int64]:
    """1 ... 31."""
    as_days = days.astype("datetime64[D]")
    offset: npt.NDArray[np.int64] = (as_days - as_days.astype("datetime64[M]")).astype(np.int64)
    return offset + 1


def _day_of_month_factor(
    position: npt.NDArray[np.int64], deseasonalised: FloatArray, month_day: npt.NDArray[np.int64]
) -> FloatArray:
    """Multiplicative effect of each day of the month (index 1..31), relative to the local level.

    The local level is the median of the deseasonalised totals within two weeks either side; the log
    ratios are averaged per day of the month, smoothed over neighbouring days and shrunk towards no
    effect (``MONTH_PRIOR_DAYS`` pseudo-observations), so a short history yields factors near 1.
    """
    log_ratio = np.empty(position.size)
    for i, day in enumerate(position):
        window = np.abs(position - day) <= 14
        log_ratio[i] = np.log(deseasonalised[i] / np.median(deseasonalised[window]))
    sums = np.bincount(month_day, weights=log_ratio, minlength=32)
    counts = np.bincount(month_day, minlength=32).astype(np.float64)
    kernel = np.array([0.25, 0.5, 0.25])
    smooth_sums = np.convolve(np.pad(sums[1:], 1, mode="wrap"), kernel, mode="valid")
    smooth_counts = np.convolve(np.pad(counts[1:], 1, mode="wrap"), kernel, mode="valid")
    effect = np.zeros(32)
    effect[1:] = smooth_sums / (smooth_counts + MONTH_PRIOR_DAYS)
    return np.exp(effect)


def _local_median(values: FloatArray, mask: npt.NDArray[np.bool_], half_width: int) -> FloatArray:
    """Median of ``values`` over the ``mask`` days within ``half_width`` days of each day (NaN if none)."""
    known = np.flatnonzero(mask & ~np.isnan(values))
    out = np.full(values.size, np.nan)
    for day in range(values.size):
        near = known[np.abs(known - day) <= half_width]
        if near.size:
            out[day] = float(np.median(values[near]))
    return out


def _open_weekdays(
    totals: FloatArray, weekday: IntArray, days: npt.NDArray[np.bool_]
) -> npt.NDArray[np.bool_]:
    """Weekdays with contacts on most of their recent ordinary days (never seen = closed)."""
    is_open = np.zeros(7, dtype=bool)
    for day in range(7):
        seen = totals[days & (weekday == day)]
        is_open[day] = seen.size > 0 and float(np.median(seen)) > 0
    return is_open


def _two_way_fit(
    log_total: FloatArray,
    weekday: IntArray,
    week: npt.NDArray[np.int64],
    days: npt.NDArray[np.bool_],
) -> tuple[FloatArray, FloatArray]:
    """Fit ``log_total = week_effect + weekday_effect`` over ``days`` by Tukey's median polish.

    Medians make one odd day (an outage, a storm) move neither its week nor its weekday (Tukey,
    *Exploratory Data Analysis*, 1977, ch. 11). Returns the weekday effects (7, up to a common constant;
    0 for weekdays without a day) and the effects of every week (the median for weeks without a day).
    """
    n_weeks = int(week.max()) + 1 if week.size else 0
    table = np.full((n_weeks, 7), np.nan)
    table[week[days], weekday[days]] = log_total[days]
    week_log, weekday_log = np.zeros(n_weeks), np.zeros(7)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN rows and columns: no effect
        for _ in range(10):
            row = np.nan_to_num(np.nanmedian(table, axis=1))
            week_log += row
            table -= row[:, None]
            column = np.nan_to_num(np.nanmedian(table, axis=0))
            weekday_log += column
            table -= column[None, :]
    fitted_weeks = np.unique(week[days])
    unfitted = np.setdiff1d(np.arange(n_weeks), fitted_weeks)
    if fitted_weeks.size:
        week_log[unfitted] = float(np.median(week_log[fitted_weeks]))
    return weekday_log, week_log


def _group_mean(values: FloatArray, group: npt.NDArray[np.integer], n_groups: int) -> FloatArray:
    sums = np.bincount(group, weights=values, minlength=n_groups)
    counts = np.bincount(group, minlength=n_groups)
    overall = float(values.mean()) if values.size else 0.0
    return np.where(counts > 0, sums / np.maximum(counts, 1), overall)


def _robust_sigma(values: FloatArray) -> float:
    """1.4826 x median absolute deviation, floored so a perfectly regular series keeps a scale."""
    if values.size == 0:
        return 1.0
    mad = float(np.median(np.abs(values - np.median(values))))
    return max(1.4826 * mad, 0.02)


def _special_effect(
    kind: DayKind,
    totals: FloatArray,
    shares: FloatArray,
    kinds: IntArray,
    week_level: FloatArray,
    weekday_factor: FloatArray,
) -> SpecialDayEffect:
    relative = kind in RELATIVE_KINDS
    expected_all = week_level * (weekday_factor if relative else 1.0)
    # A special day on a closed weekday says nothing about its effect.
    open_day = (kinds == kind) & ~np.isnan(totals) & (weekday_factor > 0)
    days = np.flatnonzero(open_day & (expected_all > 0))
    if days.size == 0:
        return SpecialDayEffect(kind, 0, 1.0, None)
    expected = expected_all[days]
    # Geometric mean of the ratios, shrunk towards the prior "as an ordinary day" in log space.
    log_ratio = np.log(np.maximum(totals[days] / expected, 0.005))
    ordinary = 1.0 if relative else float(np.mean(weekday_factor[days]))
    log_prior = float(np.log(max(ordinary, 0.005)))
    log_factor = (float(log_ratio.sum()) + SPECIAL_DAY_PRIOR_DAYS * log_prior) / (
        days.size + SPECIAL_DAY_PRIOR_DAYS
    )
    factor = float(np.exp(log_factor))
    profile = None
    with_contacts = days[totals[days] > 0]
    if not relative and with_contacts.size:
        profile = shares[with_contacts].mean(axis=0)
    return SpecialDayEffect(kind, int(days.size), factor, profile)


def _ets_level(series: FloatArray, horizon: int) -> FloatArray:
    """statsforecast AutoETS (no season) forecast of the deseasonalised ordinary-day totals."""
    from statsforecast.models import AutoETS

    model = AutoETS(model="ZZN", damped=None)
    forecast = model.fit(series.astype(np.float64)).predict(h=horizon)["mean"]
    return np.maximum(np.asarray(forecast, dtype=np.float64), 0.0)
