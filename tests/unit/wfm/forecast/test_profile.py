"""WeeklyProfileModel: decomposition, reconciliation, closed hours and days, special days."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from helpline.wfm.forecast import DayKind, WeeklyProfileModel
from tests.unit.wfm.forecast.forecast_factories import (
    OPEN_SLOTS,
    WEEKDAY_SHAPE,
    expected_grid,
    intraday_shape,
)

FIRST = date(2024, 1, 1)  # a Monday


def _days(n: int, start: int = 0) -> np.ndarray:
    return np.datetime64(FIRST, "D") + np.arange(start, start + n)


def _fit(
    volume: np.ndarray, kinds: np.ndarray | None = None, **settings: object
) -> WeeklyProfileModel:
    n = volume.shape[0]
    kinds = np.zeros(n, np.int8) if kinds is None else kinds
    return WeeklyProfileModel(**settings).fit(volume, _days(n), kinds)  # type: ignore[arg-type]


def test_intervals_sum_to_the_daily_forecast() -> None:
    rng = np.random.default_rng(1)
    model = _fit(rng.poisson(expected_grid(FIRST, 56, 2000)).astype(float), uses_day_of_month=True)
    future, kinds = _days(14, 56), np.zeros(14, np.int8)
    np.testing.assert_allclose(
        model.predict(future, kinds).sum(axis=1), model.predict_daily(future, kinds)
    )


def test_decomposition_recovers_weekday_and_intraday_shapes() -> None:
    model = _fit(expected_grid(FIRST, 56, 2000))
    forecast = model.predict(_days(7, 56), np.zeros(7, np.int8))
    np.testing.assert_allclose(forecast, expected_grid(FIRST, 7, 2000), rtol=1e-6, atol=1e-9)
    open_days = WEEKDAY_SHAPE > 0
    np.testing.assert_allclose(
        model.weekday_factor_[open_days] / model.weekday_factor_[0],
        WEEKDAY_SHAPE[open_days] / WEEKDAY_SHAPE[0],
    )
    np.testing.assert_allclose(model.profile_[2], intraday_shape())


def test_closed_hours_and_closed_weekdays_forecast_exactly_zero() -> None:
    rng = np.random.default_rng(2)
    model = _fit(rng.poisson(expected_grid(FIRST, 56, 2000)).astype(float))
    forecast = model.predict(_days(7, 56), np.zeros(7, np.int8))
    assert (forecast[:, : OPEN_SLOTS.start] == 0).all()
    assert (forecast[:, OPEN_SLOTS.stop :] == 0).all()
    assert (forecast[5:] == 0).all()  # Saturday and Sunday
    assert (forecast[:5, OPEN_SLOTS] > 0).all()


def test_weekdays_missing_from_the_history_are_closed() -> None:
    volume = expected_grid(FIRST, 56, 2000)
    volume[WEEKDAY_SHAPE[np.arange(56) % 7] == 0] = np.nan  # weekends not exported at all
    forecast = _fit(volume).predict(_days(7, 56), np.zeros(7, np.int8))
    assert forecast[5:].sum() == 0


def test_public_holidays_learned_from_history_lower_a_future_holiday() -> None:
    volume = expected_grid(FIRST, 70, 2000)
    kinds = np.zeros(77, np.int8)
    for day in (9, 30, 51, 73):  # Wednesdays, Wednesday, Wednesday, then a future Thursday
        kinds[day] = DayKind.HOLIDAY
    for day in (9, 30, 51):
        volume[day] *= 0.1
    model = _fit(volume, kinds[:70])
    daily = model.predict_daily(_days(7, 70), kinds[70:])
    normal_thursday = 2000 * WEEKDAY_SHAPE[3]
    # Three holidays at 10 % of normal, shrunk a little towards "ordinary day": well below normal.
    assert 0.1 * normal_thursday < daily[3] < 0.2 * normal_thursday
    assert daily[2] == pytest.approx(normal_thursday, rel=0.01)  # ordinary Wednesday unaffected


def test_a_holiday_never_seen_in_history_is_forecast_as_an_ordinary_day() -> None:
    kinds = np.zeros(63, np.int8)
    kinds[58] = DayKind.HOLIDAY
    model = _fit(expected_grid(FIRST, 56, 2000), kinds[:56])
    daily = model.predict_daily(_days(7, 56), kinds[56:])
    assert daily[2] == pytest.approx(2000 * WEEKDAY_SHAPE[2])


def test_an_outlier_day_does_not_move_the_forecast() -> None:
    clean = _fit(expected_grid(FIRST, 56, 2000)).predict_daily(_days(7, 56), np.zeros(7, np.int8))
    volume = expected_grid(FIRST, 56, 2000)
    volume[52] *= 6  # a one-off outage storm last Thursday
    model = _fit(volume)
    daily = model.predict_daily(_days(7, 56), np.zeros(7, np.int8))
    assert model.outlier_days_[52]
    np.testing.assert_allclose(daily, clean, rtol=0.01)


def _with_catch_up(n_days: int, holidays: list[int]) -> tuple[np.ndarray, np.ndarray]:
    """An expected grid whose holidays (Mondays) are closed and whose next two days get +30 %, +10 %."""
    volume = expected_grid(FIRST, n_days, 2000)
    kinds = np.zeros(n_days, np.int8)
    for day in holidays:
        kinds[day] = DayKind.HOLIDAY
        if day < n_days:
            volume[day] = 0.0
            volume[day + 1] *= 1.3
            volume[day + 2] *= 1.1
    return volume, kinds


def test_post_holiday_catch_up_is_learned_from_earlier_holidays() -> None:
    holidays = [21, 63, 105, 126]  # Mondays; the last one is in the forecast week
    volume, kinds = _with_catch_up(133, holidays)
    model = _fit(volume[:126], kinds[:126], uses_calendar_effects=True)
    daily = model.predict_daily(_days(7, 126), kinds[126:])
    ordinary = 2000 * WEEKDAY_SHAPE
    # Three holidays seen, shrunk by one pseudo-day of "no effect": 1.3 ** (3 / 4) = 1.22.
    assert daily[1] == pytest.approx(ordinary[1] * 1.3**0.75, rel=0.01)
    assert daily[2] == pytest.approx(ordinary[2] * 1.1**0.75, rel=0.01)
    assert daily[3] == pytest.approx(ordinary[3], rel=0.01)  # the level is not inflated


def test_month_start_uplift_is_recovered_in_business_days() -> None:
    volume = expected_grid(FIRST, 182, 2000)  # 2024-01-01 ... 2024-06-30
    days = _days(182)
    first_business = [
        np.busday_offset(month, 0, roll="forward")
        for month in days[days.astype("datetime64[M]").astype("datetime64[D]") == days]
    ]
    for day in first_business:
        volume[int((day - days[0]).astype(int))] *= 1.2
    model = _fit(volume, uses_calendar_effects=True)
    july = model.predict_daily(_days(7, 182), np.zeros(7, np.int8))  # 1 July 2024 is a Monday
    assert july[0] == pytest.approx(2000 * WEEKDAY_SHAPE[0] * 1.2 ** (6 / 7), rel=0.01)
    assert july[1] == pytest.approx(2000 * WEEKDAY_SHAPE[1], rel=0.01)


def test_intervals_sum_to_a_daily_forecast_with_calendar_effects() -> None:
    volume, kinds = _with_catch_up(133, [21, 63, 105, 126])
    model = _fit(volume[:126], kinds[:126], uses_calendar_effects=True, uses_day_of_month=True)
    forecast = model.predict(_days(7, 126), kinds[126:])
    np.testing.assert_allclose(
        forecast.sum(axis=1), model.predict_daily(_days(7, 126), kinds[126:])
    )
    assert forecast[0].sum() < forecast[1].sum()  # the holiday, then the catch-up


def test_holiday_eves_on_closed_weekdays_do_not_close_a_weekday_eve() -> None:
    kinds = np.zeros(77, np.int8)
    for day in (6, 27, 48, 71):  # Sundays (closed, 0 calls), then a future Tuesday
        kinds[day] = DayKind.EVE
    model = _fit(expected_grid(FIRST, 70, 2000), kinds[:70])
    daily = model.predict_daily(_days(7, 70), kinds[70:])
    assert model.special_[DayKind.EVE].days_seen == 0
    assert daily[1] == pytest.approx(2000 * WEEKDAY_SHAPE[1])
