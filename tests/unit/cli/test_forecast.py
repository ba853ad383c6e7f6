"""``helpline forecast`` and ``helpline forecast backtest`` on good and bad CSV histories."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from helpline.cli import app
from tests.unit.wfm.forecast.forecast_factories import poisson_history

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "forecast" / "us_bank_2003_30min.csv"
runner = CliRunner()


def _write_history(path: Path, days: int = 28, with_aht: bool = False) -> Path:
    stamps, volume = poisson_history(date(2024, 1, 1), days)
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["timestamp", "volume"] + (["aht"] if with_aht else []))
        for stamp, value in zip(stamps, volume, strict=True):
            row = [str(stamp), f"{value:g}"]
            writer.writerow(row + (["240" if value else ""] if with_aht else []))
    return path


def test_forecast_writes_volume_and_interval_per_half_hour(tmp_path: Path) -> None:
    out = tmp_path / "forecast.csv"
    result = runner.invoke(
        app,
        ["forecast", "--history", str(SAMPLE), "--interval", "30m", "--horizon", "7d",
         "--country", "US", "--out", str(out)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(out.read_text().splitlines()))
    assert list(rows[0]) == ["timestamp", "volume", "lower", "upper"]
    assert len(rows) == 7 * 48
    assert rows[0]["timestamp"] == "2003-09-12T00:00"
    assert all(float(r["lower"]) <= float(r["volume"]) <= float(r["upper"]) for r in rows)
    assert "model: " in result.output  # the model and its backtest WAPE, on standard error


def test_forecast_adds_aht_when_the_history_has_it_and_supports_hourly_intervals(
    tmp_path: Path,
) -> None:
    history = _write_history(tmp_path / "history.csv", with_aht=True)
    result = runner.invoke(
        app, ["forecast", "--history", str(history), "--interval", "60m", "--horizon", "1d"]
    )
    assert result.exit_code == 0, result.output
    lines = result.stdout.strip().splitlines()
    assert lines[0] == "timestamp,volume,lower,upper,aht"
    assert len(lines) == 1 + 24
    assert lines[11].endswith(",240.0")  # 10:00, open, every contact took 240 s


def _bad(tmp_path: Path, edit: str) -> Path:
    path = _write_history(tmp_path / "history.csv")
    lines = path.read_text().splitlines()
    if edit == "unsorted":
        lines[10], lines[11] = lines[11], lines[10]
    elif edit == "duplicate":
        lines[11] = lines[10]
    elif edit == "gap":
        del lines[30]  # an open interval inside a day
    elif edit == "negative":
        lines[12] = lines[12].split(",")[0] + ",-4"
    elif edit == "unparsable":
        lines[13] = "yesterday at noon,12"
    elif edit == "not a number":
        lines[13] = lines[13].split(",")[0] + ",twelve"
    elif edit == "short":
        lines = lines[: 1 + 48 * 10]
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        ("unsorted", "line 12: timestamps out of order"),
        ("duplicate", "line 12: duplicate timestamp"),
        ("gap", "line 31: gap of 1 interval(s)"),
        ("negative", "line 13: negative volume -4"),
        ("unparsable", "line 14: cannot read timestamp 'yesterday at noon'"),
        ("not a number", "line 14: cannot read volume 'twelve'"),
        ("short", "too little history: 10 days"),
    ],
)
def test_bad_history_exits_2_naming_the_problem(tmp_path: Path, edit: str, message: str) -> None:
    result = runner.invoke(app, ["forecast", "--history", str(_bad(tmp_path, edit))])
    assert result.exit_code == 2
    assert message in result.output


def test_bad_options_exit_2(tmp_path: Path) -> None:
    history = _write_history(tmp_path / "history.csv")
    for options, message in (
        (["--interval", "20m"], "must be 15m, 30m or 60m"),
        (["--horizon", "soon"], "not a duration"),
        (["--horizon", "10w"], "horizon must be between"),
        (["--country", "XX"], "unknown country"),
    ):
        result = runner.invoke(app, ["forecast", "--history", str(history), *options])
        assert result.exit_code == 2, options
        assert message in result.output
    missing = runner.invoke(app, ["forecast", "--history", str(tmp_path / "nope.csv")])
    assert missing.exit_code == 2
    assert "cannot open" in missing.output


def test_backtest_prints_a_table_and_writes_a_plot(tmp_path: Path) -> None:
    plot = tmp_path / "backtest.png"
    result = runner.invoke(
        app,
        ["forecast", "backtest", "--history", str(SAMPLE), "--origins", "1", "--country", "US",
         "--plot", str(plot)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "WAPE interval" in result.output
    assert "seasonal naive" in result.output
    assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert np.isfinite(float(result.output.split("helpline")[1].split("%")[0]))
