"""Accuracy measures and rolling origins."""

from __future__ import annotations

import numpy as np
import pytest

from helpline.wfm.forecast import accuracy
from helpline.wfm.forecast.backtest import rolling_origins


def test_accuracy_measures_match_their_definitions() -> None:
    actual = np.array([[10.0, 0.0], [20.0, 20.0], [np.nan, np.nan]])
    forecast = np.array([[12.0, 0.0], [20.0, 10.0], [5.0, 5.0]])
    result = accuracy(actual, forecast)
    assert result.days == 2  # the unknown day is not scored
    assert result.wape_interval == pytest.approx(12 / 50)
    assert result.wape_daily == pytest.approx((2 + 10) / 50)
    assert result.bias == pytest.approx(-8 / 50)
    assert result.days_within_5pct == 0.0


def test_rolling_origins_step_back_from_the_end_of_the_history() -> None:
    assert list(rolling_origins(100, origins=3, horizon_days=7)) == [79, 86, 93]
