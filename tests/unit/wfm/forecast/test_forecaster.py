"""forecast_series: the call the service layer makes."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import numpy as np
import pytest

from helpline.wfm.forecast import CalendarEvent, WeeklyProfileModel, forecast_series
from helpline.wfm.forecast.selection import profile_candidate
from tests.unit.wfm.forecast.forecast_factories import SLOTS, expected_grid, poisson_history

FIRST = date(2024, 1, 1)  # a Monday
# One cheap candidate keeps these tests quick; the default set is exercised once below.
QUICK = (profile_candidate(WeeklyProfileModel()),)
CALENDAR = (profile_candidate(WeeklyProfileModel(uses_calendar_effects=True)),)

local = datetime.fromisoformat  # local wall-clock time, as the forecaster takes it


def test_forecast_starts_after_the_history_and_records_model_and_backtest() -> None:
    stamps, volume = poisson_history(FIRST, 56)
    result = forecast_series(stamps, volume, horizon_minutes=7 * 24 * 60)
    assert result.timestamps[0] == local("2024-02-26T00:00")
    assert len(result.timestamps) == 7 * SLOTS
    assert result.model in {score.name for score in result.candidates}
    assert len(result.candidates) >= 3
    assert result.backtest is not None
    assert 0 < result.backtest.wape_interval < 0.2
    assert result.aht_seconds is None


def test_prediction_intervals_cover_about_their_nominal_share() -> None:
    stamps, volume = poisson_history(FIRST, 56, seed=3)
    result = forecast_series(stamps, volume, candidates=QUICK, coverage=0.8)
    rng = np.random.default_rng(11)
    future = rng.poisson(expected_grid(FIRST + timedelta(days=56), 7, 2000)).ravel()
    open_intervals = result.volume > 0
    inside = (future >= result.lower) & (future <= result.upper)
    assert 0.7 <= inside[open_intervals].mean() <= 0.95
    assert (result.lower[~open_intervals] == 0).all()
    assert (result.upper[~open_intervals] == 0).all()


def test_intraday_reforecast_moves_the_rest_of_today_towards_the_actuals() -> None:
    stamps, volume = poisson_history(FIRST, 57, seed=5)
    today = 56 * SLOTS
    volume[today : today + 24] *= 1.5  # this morning runs 50 % above normal
    noon = local("2024-02-26T12:00")
    known = stamps < np.datetime64(noon)
    plain = forecast_series(
        stamps[:today], volume[:today], horizon_minutes=24 * 60, candidates=QUICK
    )
    updated = forecast_series(
        stamps[known], volume[known], start=noon, horizon_minutes=12 * 60, candidates=QUICK
    )
    assert updated.timestamps[0] == noon
    before = plain.volume[24:].sum()
    after = updated.volume.sum()
    # Days in this history vary little, so the update is cautious, yet clearly upwards.
    assert before * 1.1 < after < before * 1.5


def test_a_calendar_event_scales_its_intervals_and_aht_is_volume_weighted() -> None:
    stamps, volume = poisson_history(FIRST, 56)
    aht = np.where(np.arange(volume.size) % SLOTS < 24, 200.0, 400.0)  # mornings shorter
    campaign = CalendarEvent("campaign", local("2024-02-26T09:00"), local("2024-02-26T10:00"), 2.0)
    base = forecast_series(stamps, volume, aht_seconds=aht, candidates=QUICK, horizon_minutes=1440)
    boosted = forecast_series(
        stamps, volume, aht_seconds=aht, candidates=QUICK, horizon_minutes=1440, events=[campaign]
    )
    np.testing.assert_allclose(boosted.volume[18:20], 2 * base.volume[18:20])
    np.testing.assert_allclose(boosted.volume[20:], base.volume[20:])
    assert base.aht_seconds is not None
    assert base.aht_seconds[20] == pytest.approx(200.0)
    assert base.aht_seconds[30] == pytest.approx(400.0)
    assert np.isnan(base.aht_seconds[2])  # closed: no contacts, no handle time


def test_too_little_history_is_refused() -> None:
    stamps, volume = poisson_history(FIRST, 10)
    with pytest.raises(ValueError, match="too little history"):
        forecast_series(stamps, volume)


def test_hourly_intervals_over_six_weeks_keep_the_weekend_closed() -> None:
    stamps, volume = poisson_history(FIRST, 56)
    result = forecast_series(
        stamps, volume, interval_minutes=60, horizon_minutes=42 * 1440, candidates=QUICK
    )
    assert len(result.timestamps) == 42 * 24
    grid = result.volume.reshape(42, 24)
    assert grid[5::7].sum() == 0  # Saturdays
    assert grid[6::7].sum() == 0  # Sundays
    assert (grid[0::7, 9:17] > 0).all()  # Mondays 09:00-17:00 open
    with pytest.raises(ValueError, match="horizon"):
        forecast_series(stamps, volume, horizon_minutes=43 * 1440, candidates=QUICK)


def test_intervals_finer_than_the_history_are_refused() -> None:
    stamps, volume = poisson_history(FIRST, 28)
    with pytest.raises(ValueError, match="30 minutes apart cannot be split into 15-minute"):
        forecast_series(stamps, volume, interval_minutes=15)


def test_us_holidays_left_out_of_the_export_bring_their_catch_up_to_the_next_business_day() -> None:
    # Weekdays from January to 26 May 2024, weekends written as 0; the US public holidays are missing
    # (closed) and the next business day takes 30 % more. Forecast the week of Memorial Day.
    n_days = 147
    volume = expected_grid(FIRST, n_days, 2000)
    for holiday in (date(2024, 1, 1), date(2024, 1, 15), date(2024, 2, 19)):
        volume[(holiday - FIRST).days] = np.nan
        volume[(holiday - FIRST).days + 1] *= 1.3
    known = ~np.isnan(volume).all(axis=1)
    start = np.datetime64(FIRST, "m")
    stamps = start + np.arange(n_days * SLOTS) * np.timedelta64(30, "m")
    result = forecast_series(
        stamps[np.repeat(known, SLOTS)], volume[known].ravel(), country="US", candidates=CALENDAR
    )
    assert result.timestamps[0] == local("2024-05-27T00:00")
    daily = result.volume.reshape(7, SLOTS).sum(axis=1)
    ordinary = expected_grid(FIRST, 7, 2000).sum(axis=1)  # a Monday-first week
    # The history starts with its first record (2 January), so it holds two holidays (15 January,
    # 19 February), shrunk by one pseudo-day of "no effect": 1.3 ** (2 / 3) = 1.19.
    assert daily[1] == pytest.approx(1.3 ** (2 / 3) * ordinary[1], rel=0.02)  # Tuesday 28 May
    assert daily[3] == pytest.approx(ordinary[3], rel=0.02)  # an ordinary Thursday
