"""Calendar effects on daily totals that a WFM analyst plans for, counted in business days.

* Catch-up after a public holiday: customers who could not call on the holiday call on the next
  business days (a US bank sees +20-35 % on the first day after Labor Day, still +10-15 % on the second).
* Month turn: statements, salaries and bills bring more calls on the last business day of a month and
  the first business days of the next.

Business days are the full-volume open weekdays (`business_weekdays`) that are not public holidays, so a
month that starts on a Saturday has its first business day on Monday (Sunday in Israel). Effects are
multiplicative, estimated jointly by a ridge regression of the log ratio of each ordinary day's total to
its expected ordinary value: with few occurrences (a few holidays a year) every effect is shrunk towards
"no effect" by ``EFFECT_PRIOR_DAYS`` pseudo-observations (Hoerl & Kennard, Technometrics 1970).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from helpline.wfm.forecast.calendar import DayKind

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.int8]

#: Business days after a public holiday with their own catch-up effect (the first, second, ...).
CATCH_UP_DAYS = 3
#: First business days of a month with their own effect.
MONTH_START_DAYS = 3
#: Last business days of a month with their own effect (the last, the one before, ...).
MONTH_END_DAYS = 1
#: Pseudo-observations of "no effect" behind each effect.
EFFECT_PRIOR_DAYS = 1.0
#: An open weekday is a business day when its volume is at least this share of the median open weekday.
BUSINESS_SHARE = 0.5
#: Day kinds whose totals the effects apply to (the other special days have their own factors).
AFFECTED_KINDS = (DayKind.NORMAL, DayKind.AFTER_HOLIDAY)

FEATURES = (
    *(f"holiday+{k}" for k in range(1, CATCH_UP_DAYS + 1)),
    *(f"month start+{k}" for k in range(1, MONTH_START_DAYS + 1)),
    *(f"month end-{k}" for k in range(1, MONTH_END_DAYS + 1)),
)


def business_weekdays(weekday_factor: FloatArray) -> BoolArray:
    """Open weekdays (factor > 0) with at least ``BUSINESS_SHARE`` of the median open weekday's volume."""
    is_open = weekday_factor > 0
    if not is_open.any():
        return is_open
    return weekday_factor >= BUSINESS_SHARE * float(np.median(weekday_factor[is_open]))


def calendar_features(
    days: npt.NDArray[np.datetime64], kinds: IntArray, business: BoolArray
) -> FloatArray:
    """Indicator matrix (days x `FEATURES`) of consecutive ``days`` with their `DayKind`.

    ``business`` marks the business weekdays (Monday = 0). Rows of days that are not business days or
    whose kind is not in ``AFFECTED_KINDS`` are zero. The days of the first and last months outside
    ``days`` count as business days by their weekday alone.
    """
    given = days.astype("datetime64[D]")
    month_start = given[0].astype("datetime64[M]").astype("datetime64[D]")
    month_end = (given[-1].astype("datetime64[M]") + 1).astype("datetime64[D]")
    before, after = np.arange(month_start, given[0]), np.arange(given[-1] + 1, month_end)
    as_days = np.concatenate([before, given, after])
    normal = np.int8(DayKind.NORMAL)
    kinds = np.concatenate([np.full(before.size, normal), kinds, np.full(after.size, normal)])
    weekday = (as_days.astype(np.int64) + 3) % 7  # 1970-01-01 was a Thursday
    month = as_days.astype("datetime64[M]").astype(np.int64)
    is_business = business[weekday] & (kinds != DayKind.HOLIDAY)
    affected = is_business & np.isin(kinds, AFFECTED_KINDS)
    features = np.zeros((as_days.size, len(FEATURES)))
    since_holiday = CATCH_UP_DAYS + 1
    in_month = 0
    for day in range(as_days.size):
        if day and month[day] != month[day - 1]:
            in_month = 0
        if kinds[day] == DayKind.HOLIDAY and business[weekday[day]]:
            since_holiday = 0
        if is_business[day]:
            since_holiday += 1
            in_month += 1
        if affected[day] and since_holiday <= CATCH_UP_DAYS:
            features[day, since_holiday - 1] = 1.0
        if affected[day] and in_month <= MONTH_START_DAYS:
            features[day, CATCH_UP_DAYS + in_month - 1] = 1.0
    left = 0
    for day in range(as_days.size - 1, -1, -1):
        if day < as_days.size - 1 and month[day] != month[day + 1]:
            left = 0
        left += int(is_business[day])
        if affected[day] and left <= MONTH_END_DAYS:
            features[day, CATCH_UP_DAYS + MONTH_START_DAYS + left - 1] = 1.0
    return features[before.size : before.size + given.size]


def fit_effects(log_ratio: FloatArray, features: FloatArray) -> FloatArray:
    """Ridge estimates of the log effects from days' log ratios to their ordinary expectation.

    NaN ratios (unknown or unusable days) are left out.
    """
    known = ~np.isnan(log_ratio)
    x, y = features[known], log_ratio[known]
    gram = x.T @ x + EFFECT_PRIOR_DAYS * np.eye(x.shape[1])
    return np.asarray(np.linalg.solve(gram, x.T @ y), dtype=np.float64)
