"""Calendar effects in business days: catch-up after public holidays, month turn."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from helpline.wfm.forecast import DayKind
from helpline.wfm.forecast.effects import (
    FEATURES,
    business_weekdays,
    calendar_features,
    fit_effects,
)

MONDAY_TO_FRIDAY = np.array([True] * 5 + [False] * 2)


def _features(
    first: date, n: int, kinds: dict[int, DayKind] | None = None
) -> dict[str, list[date]]:
    """Days carrying each feature, from a calendar of ``n`` days from ``first``."""
    days = np.datetime64(first, "D") + np.arange(n)
    kind = np.zeros(n, np.int8)
    for index, special in (kinds or {}).items():
        kind[index] = special
    matrix = calendar_features(days, kind, MONDAY_TO_FRIDAY)
    return {
        name: [days[i].astype(object) for i in np.flatnonzero(matrix[:, column])]
        for column, name in enumerate(FEATURES)
    }


def test_month_turn_is_counted_in_business_days() -> None:
    features = _features(date(2024, 5, 27), 14)  # 1 June 2024 is a Saturday
    assert features["month end-1"] == [date(2024, 5, 31)]  # a Friday
    assert features["month start+1"] == [date(2024, 6, 3)]  # the Monday after
    assert features["month start+2"] == [date(2024, 6, 4)]
    assert features["month start+3"] == [date(2024, 6, 5)]


def test_a_month_running_past_the_days_is_judged_by_its_weekdays() -> None:
    assert _features(date(2024, 6, 17), 11)["month end-1"] == []  # ends Thursday 27 June
    assert _features(date(2024, 6, 17), 12)["month end-1"] == [date(2024, 6, 28)]  # a Friday


def test_catch_up_follows_a_holiday_on_a_business_day_over_the_weekend() -> None:
    # Friday 12 July 2024 a holiday: catch-up on Monday, Tuesday, Wednesday.
    features = _features(date(2024, 7, 8), 14, {4: DayKind.HOLIDAY, 7: DayKind.AFTER_HOLIDAY})
    assert features["holiday+1"] == [date(2024, 7, 15)]
    assert features["holiday+2"] == [date(2024, 7, 16)]
    assert features["holiday+3"] == [date(2024, 7, 17)]


def test_a_holiday_on_a_closed_weekday_brings_no_catch_up() -> None:
    features = _features(date(2024, 7, 8), 14, {5: DayKind.HOLIDAY})  # a Saturday
    assert features["holiday+1"] == []


def test_special_days_of_their_own_kind_carry_no_effect() -> None:
    # Monday 1 July 2024 would be the first business day of July, but it is a holiday eve.
    features = _features(date(2024, 6, 24), 14, {7: DayKind.EVE, 8: DayKind.HOLIDAY})
    assert features["month start+1"] == []
    assert features["month start+2"] == [date(2024, 7, 3)]  # the holiday is no business day
    assert features["holiday+1"] == [date(2024, 7, 3)]


def test_business_weekdays_leave_out_half_days() -> None:
    # An Israeli week: busy Sunday to Thursday, a short Friday, a nearly closed Saturday.
    factor = np.array([1.4, 1.3, 1.3, 1.2, 0.4, 0.1, 1.6])
    assert business_weekdays(factor).tolist() == [True, True, True, True, False, False, True]
    assert not business_weekdays(np.zeros(7)).any()


def test_effects_seen_once_are_shrunk_towards_no_effect() -> None:
    features = np.array([[1.0, 0.0], [0.0, 0.0], [0.0, 1.0], [0.0, 1.0], [0.0, 1.0]])
    log_ratio = np.array([0.2, np.nan, 0.1, 0.1, 0.1])
    effects = fit_effects(log_ratio, features)
    assert effects[0] == pytest.approx(0.1)  # one day against one pseudo-day of "no effect"
    assert effects[1] == pytest.approx(0.075)
