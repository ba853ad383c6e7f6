"""``helpline staff`` through Typer's CliRunner: output columns, targets and bad input."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from typer.testing import CliRunner

from helpline.cli import app

runner = CliRunner()


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "volumes.csv"
    path.write_text(text, encoding="utf-8")
    return path


def read_rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as handle:
        return list(csv.DictReader(handle))


def run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["staff", *args])
    return result.exit_code, result.output


def test_staffs_each_interval_and_writes_the_kpis(tmp_path: Path) -> None:
    volumes = write(
        tmp_path,
        "timestamp,volume\n2026-01-05T08:00,120\n2026-01-05T08:30,240\n2026-01-05T09:00,0\n",
    )
    out = tmp_path / "staff.csv"
    code, output = run(
        "--volumes", str(volumes), "--aht", "300", "--interval", "30m",
        "--service-level", "0.8", "--answer-time", "20", "--shrinkage", "0.3",
        "--out", str(out),
    )  # fmt: skip
    assert code == 0, output
    rows = read_rows(out)
    assert list(rows[0]) == [
        "timestamp", "volume", "aht", "agents", "fte",
        "service_level", "asa", "abandon_rate", "occupancy",
    ]  # fmt: skip
    # 20 and 40 Erlangs at 80% in 20 s (Erlang C); FTE = ceil(agents / 0.7).
    assert [int(r["agents"]) for r in rows] == [25, 46, 0]
    assert [int(r["fte"]) for r in rows] == [36, 66, 0]
    assert all(float(r["service_level"]) >= 0.8 for r in rows)
    assert [float(r["abandon_rate"]) for r in rows] == [0.0, 0.0, 0.0]


def test_patience_and_per_row_aht_use_erlang_a(tmp_path: Path) -> None:
    volumes = write(
        tmp_path, "timestamp,volume,aht\n2026-01-05 08:00,120,300\n2026-01-05 08:15,120,\n"
    )
    out = tmp_path / "staff.csv"
    code, output = run(
        "--volumes", str(volumes), "--aht", "600", "--interval", "15m", "--patience", "120",
        "--max-occupancy", "0.9", "--out", str(out),
    )  # fmt: skip
    assert code == 0, output
    rows = read_rows(out)
    assert [r["aht"] for r in rows] == ["300", "600"]
    assert all(0 < float(r["abandon_rate"]) < 0.2 for r in rows)
    assert all(float(r["occupancy"]) <= 0.9 for r in rows)
    assert int(rows[1]["agents"]) > int(rows[0]["agents"])


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("when,volume\n2026-01-05T08:00,1\n", ":1: missing column(s) timestamp"),
        ("timestamp,volume\n2026-01-05T08:00,12x\n", ":2: volume is not a number"),
        ("timestamp,volume\n2026-01-05T08:00,5\n2026-01-05T08:30,-3\n", ":3: volume must be"),
        ("timestamp,volume\nMonday 8am,5\n", ":2: bad timestamp 'Monday 8am'"),
        ("timestamp,volume\n2026-01-05T08:00,nan\n", ":2: volume must be a finite number"),
        ("timestamp,volume,aht\n2026-01-05T08:00,5,0\n", ":2: aht must be a finite number > 0"),
        ("timestamp,volume\n", "no intervals"),
    ],
)
def test_bad_files_name_the_line_and_exit_2(tmp_path: Path, content: str, message: str) -> None:
    volumes = write(tmp_path, content)
    code, output = run("--volumes", str(volumes), "--aht", "300", "--out", str(tmp_path / "o.csv"))
    assert code == 2
    assert message in output
    assert not (tmp_path / "o.csv").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--interval", "half an hour"], "--interval"),
        (["--service-level", "1"], "target_service_level"),
        (["--shrinkage", "1"], "shrinkage"),
        (["--max-abandon", "0.1"], "max_abandon needs patience"),
    ],
)
def test_bad_options_exit_2_with_a_message(tmp_path: Path, args: list[str], message: str) -> None:
    volumes = write(tmp_path, "timestamp,volume\n2026-01-05T08:00,10\n")
    code, output = run(
        "--volumes", str(volumes), "--aht", "300", "--out", str(tmp_path / "o"), *args
    )
    assert code == 2
    assert message in output


def test_missing_aht_and_usage_errors_exit_2(tmp_path: Path) -> None:
    volumes = write(tmp_path, "timestamp,volume\n2026-01-05T08:00,10\n")
    code, output = run("--volumes", str(volumes), "--out", str(tmp_path / "o.csv"))
    assert code == 2
    assert "no aht" in output
    assert run("--volumes", str(volumes))[0] == 2  # Typer: --out is required
    assert run("--volumes", str(volumes), "--out", "x", "--service-level", "high")[0] == 2
    assert run("--volumes", str(tmp_path / "absent.csv"), "--aht", "1", "--out", "x")[0] == 2


SAMPLE_LOG = Path(__file__).resolve().parents[2] / "data" / "anonymous_bank" / "january_13_19.txt"


def test_patience_from_a_call_log_uses_erlang_a_with_the_censored_estimate(
    tmp_path: Path,
) -> None:
    from helpline.cli.staff import fitted_patience

    volumes = write(tmp_path, "timestamp,volume\n2026-01-05T08:00,120\n")
    with_log, with_value = tmp_path / "a.csv", tmp_path / "b.csv"
    code, output = run(
        "--volumes", str(volumes), "--aht", "200", "--out", str(with_log),
        "--patience-from", str(SAMPLE_LOG),
    )  # fmt: skip
    assert code == 0, output
    patience = fitted_patience(SAMPLE_LOG)
    assert 100 < patience < 5000
    code, _ = run(
        "--volumes", str(volumes), "--aht", "200", "--out", str(with_value),
        "--patience", repr(patience),
    )  # fmt: skip
    assert read_rows(with_log) == read_rows(with_value)
    code, output = run(
        "--volumes", str(volumes), "--aht", "200", "--out", str(with_value),
        "--patience", "100", "--patience-from", str(SAMPLE_LOG),
    )  # fmt: skip
    assert code == 2
    assert "not both" in output
