"""The forecaster on extracts of real call-center data (tests/data/forecast/SOURCE.md)."""

from __future__ import annotations

import csv
from datetime import date, datetime
from pathlib import Path

import numpy as np

from helpline.wfm.forecast import forecast_series

DATA = Path(__file__).resolve().parents[3] / "data" / "forecast"


def _read(name: str) -> tuple[np.ndarray, np.ndarray]:
    with (DATA / name).open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    stamps = np.array([row["timestamp"] for row in rows], dtype="datetime64[m]")
    return stamps, np.array([float(row["volume"]) for row in rows])


def _daily(result_volume: np.ndarray, slots: int = 48) -> np.ndarray:
    return result_volume.reshape(-1, slots).sum(axis=1)


local = datetime.fromisoformat  # local wall-clock time, as the forecaster takes it


def test_israeli_bank_yom_kippur_is_forecast_far_below_an_ordinary_monday() -> None:
    stamps, volume = _read("il_bank_1999_30min.csv")
    before = stamps < np.datetime64("1999-09-19")
    result = forecast_series(stamps[before], volume[before], country="IL", horizon_minutes=3 * 1440)
    eve, yom_kippur, after = _daily(result.volume)
    assert result.timestamps[0] == local("1999-09-19T00:00")
    assert yom_kippur < 0.3 * after  # actual: 161 calls against 1,713 the day after
    assert eve < 0.6 * after  # actual: 338, a half day
    actual = _daily(volume[stamps >= np.datetime64("1999-09-19")])
    assert abs(after - actual[2]) < 0.15 * actual[2]


def test_us_bank_forecast_has_no_calls_at_night_or_at_the_weekend() -> None:
    stamps, volume = _read("us_bank_2003_30min.csv")
    result = forecast_series(stamps, volume, country="US")
    assert result.timestamps[0] == local("2003-09-12T00:00")  # a Friday
    grid = result.volume.reshape(7, 48)
    assert grid[1:3].sum() == 0  # Saturday, Sunday
    assert grid[:, :14].sum() == 0  # before 07:00
    assert grid[0, 14:42].min() > 100
    assert result.backtest is not None
    assert result.backtest.wape_interval < 0.12
    assert date(2003, 9, 12).weekday() == 4
