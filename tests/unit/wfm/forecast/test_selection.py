"""Model selection by rolling-origin backtest."""

from __future__ import annotations

from datetime import date

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from helpline.wfm.forecast import DayGrid, WeeklyProfileModel, select_model
from helpline.wfm.forecast.baselines import seasonal_naive
from helpline.wfm.forecast.selection import Candidate, profile_candidate
from tests.unit.wfm.forecast.forecast_factories import expected_grid

FIRST = date(2024, 1, 1)
NAIVE = Candidate(
    "seasonal-naive", lambda history, _k, future: seasonal_naive(history, future.size)
)
PROFILE = profile_candidate(WeeklyProfileModel(profile_weeks=8))


def _grid(days: int, seed: int = 4) -> DayGrid:
    rng = np.random.default_rng(seed)
    return DayGrid(FIRST, 30, rng.poisson(expected_grid(FIRST, days, 2000)).astype(float))


def test_selection_keeps_the_candidate_with_the_lowest_backtest_wape_and_records_all() -> None:
    choice = select_model(_grid(56), np.zeros(56, np.int8), [NAIVE, PROFILE], origins=3)
    assert [score.name for score in choice.scores] == [NAIVE.name, PROFILE.name]
    best = min(choice.scores, key=lambda score: score.accuracy.wape_interval)
    assert choice.candidate.name == best.name == PROFILE.name  # averaging beats one noisy week
    assert choice.accuracy == best.accuracy
    assert choice.accuracy is not None
    assert choice.accuracy.days == 3 * 7  # three weeks scored, closed weekends included
    assert choice.dispersion >= 0
    assert 0 < choice.daily_cv < 0.1


def test_too_short_a_history_keeps_the_first_candidate_unscored() -> None:
    choice = select_model(_grid(18), np.zeros(18, np.int8), [PROFILE, NAIVE])
    assert choice.candidate is PROFILE
    assert choice.accuracy is None
    assert choice.scores == ()


@settings(max_examples=15, deadline=None)
@given(
    level=st.floats(min_value=5, max_value=5000),
    seed=st.integers(min_value=0, max_value=1000),
    horizon=st.integers(min_value=1, max_value=42),
)
def test_intervals_always_sum_to_the_daily_forecast(level: float, seed: int, horizon: int) -> None:
    rng = np.random.default_rng(seed)
    volume = rng.poisson(expected_grid(FIRST, 35, level)).astype(float)
    days = np.datetime64(FIRST, "D") + np.arange(35 + horizon)
    kinds = rng.choice(4, size=35 + horizon, p=[0.85, 0.05, 0.05, 0.05]).astype(np.int8)
    model = WeeklyProfileModel(uses_day_of_month=True).fit(volume, days[:35], kinds[:35])
    forecast = model.predict(days[35:], kinds[35:])
    np.testing.assert_allclose(forecast.sum(axis=1), model.predict_daily(days[35:], kinds[35:]))
    assert (forecast >= 0).all()
