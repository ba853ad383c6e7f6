"""`helpline schedule`: end to end on the sample week, and clear errors (exit 2) on bad input."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from typer.testing import CliRunner

from helpline.cli import app
from helpline.cli.schedule_files import InputFileError, read_agents

DATA = Path(__file__).resolve().parents[2] / "data" / "scheduling"
REQUIREMENTS = DATA / "week_hourly_requirements.csv"
SHIFTS = DATA / "shifts.yaml"
AGENTS = DATA / "agents.csv"
SIMPLE_SHIFTS = """
templates:
  - name: full
    length: 8h
    starts: {from: "00:00", to: "23:00", every: 1h}
"""

runner = CliRunner()


def run(*args: str | Path) -> tuple[int, str]:
    result = runner.invoke(app, ["schedule", *map(str, args)])
    return result.exit_code, result.output


def read_csv(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(path.read_text().splitlines()))


@pytest.fixture
def simple_shifts(tmp_path: Path) -> Path:
    path = tmp_path / "shifts.yaml"
    path.write_text(SIMPLE_SHIFTS)
    return path


def test_schedule_writes_shifts_and_coverage(tmp_path: Path, simple_shifts: Path) -> None:
    out, coverage = tmp_path / "schedule.csv", tmp_path / "coverage.csv"
    code, output = run(
        "--requirements", REQUIREMENTS, "--shifts", simple_shifts, "--out", out,
        "--coverage-out", coverage,
    )  # fmt: skip
    assert code == 0, output
    shifts = read_csv(out)
    assert shifts
    assert {"day", "start", "end", "template", "count"} <= set(shifts[0])
    lines = read_csv(coverage)
    assert len(lines) == 168
    assert all(float(line["scheduled"]) >= float(line["required"]) for line in lines)


def test_schedule_with_agents_writes_a_roster(tmp_path: Path, simple_shifts: Path) -> None:
    small = tmp_path / "small.csv"
    lines = ["day,period,required_agents_80_20"]
    lines += [
        f"{d},{h},{(3 if 8 <= h < 20 else 1) if d < 5 else 1}" for d in range(7) for h in range(24)
    ]
    small.write_text("\n".join(lines) + "\n")
    out = tmp_path / "roster.csv"
    code, output = run(
        "--requirements", small, "--shifts", simple_shifts, "--agents", AGENTS, "--out", out
    )  # fmt: skip
    assert code == 0, output
    rows = read_csv(out)
    assert {row["agent"] for row in rows} <= {f"agent{i:02d}" for i in range(30)} | {
        f"part{i:02d}" for i in range(10)
    }
    assert not any(row["agent"] == "agent03" and row["weekday"] == "wed" for row in rows)


def test_sample_shift_file_with_lunches_parses_and_solves(tmp_path: Path) -> None:
    code, output = run(
        "--requirements", REQUIREMENTS, "--shifts", SHIFTS, "--out", tmp_path / "s.csv",
        "--time-limit", "2",
    )  # fmt: skip
    assert code == 0, output


def test_staff_output_format_with_timestamps_is_accepted(
    tmp_path: Path, simple_shifts: Path
) -> None:
    staff = tmp_path / "staff.csv"
    lines = ["timestamp,volume,agents,fte,service_level"]
    lines += [f"2026-03-02T{h:02d}:00:00,10,{2 if 8 <= h < 18 else 1},3,0.8" for h in range(24)]
    staff.write_text("\n".join(lines) + "\n")
    out = tmp_path / "schedule.csv"
    code, output = run("--requirements", staff, "--shifts", simple_shifts, "--out", out)
    assert code == 0, output
    first = read_csv(out)[0]
    assert first["date"] == "2026-03-02"
    assert first["weekday"] == "mon"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("day,period,required_agents_80_20\n0,0,1\n0,1,abc\n", "line 3"),
        ("day,period,required_agents_80_20\n0,0,1\n0,1,-2\n", "line 3"),
        ("day,period,other\n0,0,1\n", "no requirement column"),
        ("timestamp,agents\n2026-03-02T00:00:00,1\nnot a time,1\n", "line 3"),
        (
            "timestamp,agents\n2026-03-02T00:00:00,1\n2026-03-02T01:00:00,1\n2026-03-02T03:00:00,1\n",
            "line 4",
        ),
        ("", "empty file"),
    ],
)
def test_bad_requirements_file_exits_2_naming_the_line(
    tmp_path: Path, simple_shifts: Path, content: str, message: str
) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text(content)
    code, output = run(
        "--requirements", bad, "--shifts", simple_shifts, "--out", tmp_path / "o.csv"
    )
    assert code == 2
    assert message in output


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("templates: [", "not valid YAML"),
        ("templates: []", "at least one"),
        ("templates:\n  - {name: x, length: 8h}\n", "templates[0].starts: Field required"),
        ("templates:\n  - {name: x, length: eight, starts: ['08:00']}\n", "templates[0].length"),
        ("templates:\n  - {name: x, length: 8h, starts: ['25:00']}\n", "templates[0].starts[0]"),
        ("templates:\n  - {name: x, length: 8h, starts: ['08:00'], colour: red}\n", "colour"),
    ],
)
def test_bad_shift_file_exits_2_naming_the_field(
    tmp_path: Path, content: str, message: str
) -> None:
    bad = tmp_path / "shifts.yaml"
    bad.write_text(content)
    code, output = run("--requirements", REQUIREMENTS, "--shifts", bad, "--out", tmp_path / "o.csv")
    assert code == 2
    assert message in output


def test_bad_agents_file_exits_2_naming_the_line(tmp_path: Path, simple_shifts: Path) -> None:
    bad = tmp_path / "agents.csv"
    bad.write_text("name,max_hours_per_week\nana,40\nbo,lots\n")
    code, output = run(
        "--requirements", REQUIREMENTS, "--shifts", simple_shifts, "--agents", bad,
        "--out", tmp_path / "o.csv",
    )  # fmt: skip
    assert code == 2
    assert "line 3" in output


def test_missing_file_exits_2(tmp_path: Path, simple_shifts: Path) -> None:
    code, output = run(
        "--requirements", tmp_path / "nope.csv", "--shifts", simple_shifts, "--out", tmp_path / "o"
    )  # fmt: skip
    assert code == 2
    assert "nope.csv" in output


def test_service_level_mode_without_handle_time_exits_2(
    tmp_path: Path, simple_shifts: Path
) -> None:
    code, output = run(
        "--requirements", REQUIREMENTS, "--shifts", simple_shifts, "--out", tmp_path / "o.csv",
        "--service-level", "0.8",
    )  # fmt: skip
    assert code == 2
    assert "--aht" in output


def test_service_level_mode_meets_the_goal_over_the_day(
    tmp_path: Path, simple_shifts: Path
) -> None:
    day = tmp_path / "day.csv"
    lines = ["day,period,calls,required_agents_80_20"]
    lines += [f"0,{h},{120 if 8 <= h < 20 else 12},0" for h in range(24)]
    day.write_text("\n".join(lines) + "\n")
    coverage = tmp_path / "coverage.csv"
    code, output = run(
        "--requirements", day, "--shifts", simple_shifts, "--out", tmp_path / "s.csv",
        "--coverage-out", coverage, "--service-level", "0.8", "--answer-time", "20",
        "--aht", "300",
    )  # fmt: skip
    assert code == 0, output
    assert "predicted service level" in output
    rows = read_csv(coverage)
    calls = [120 if 8 <= h < 20 else 12 for h in range(24)]
    answered = sum(c * float(r["service_level"]) for c, r in zip(calls, rows, strict=True))
    assert answered / sum(calls) >= 0.8 - 1e-3


def test_agents_file_reads_avoids_nights(tmp_path: Path) -> None:
    good = tmp_path / "agents.csv"
    good.write_text("name,avoids_nights\nana,yes\nbo,\n")
    assert [a.avoids_nights for a in read_agents(good)] == [True, False]
    good.write_text("name,avoids_nights\nana,maybe\n")
    with pytest.raises(InputFileError, match="line 2: avoids_nights"):
        read_agents(good)


def test_agents_file_employment_fills_in_the_hours_not_given(tmp_path: Path) -> None:
    agents = tmp_path / "agents.csv"
    agents.write_text(
        "name,employment,min_hours_per_week,max_hours_per_week\n"
        "ana,full_time,,\nbo,part_time,,\ncy,part_time,,20\ndi,,,\n"
    )
    hours = [
        (a.contract.min_hours_per_week, a.contract.max_hours_per_week) for a in read_agents(agents)
    ]
    assert hours == [(35.0, 40.0), (0.0, 30.0), (0.0, 20.0), (0.0, 40.0)]
    agents.write_text("name,employment\nana,seasonal\n")
    with pytest.raises(InputFileError, match="line 2: employment"):
        read_agents(agents)


def test_night_fairness_option_spreads_or_gathers_night_shifts(tmp_path: Path) -> None:
    shifts = tmp_path / "nights.yaml"
    shifts.write_text(
        "templates:\n  - name: night\n    length: 8h\n    starts: ['20:00']\n"
        "    days: [mon, tue, wed, thu]\n"
    )
    required = tmp_path / "nights.csv"
    rows = ["day,period,required_agents_80_20"]
    rows += [
        f"{d},{h},{1 if (d < 4 and h >= 20) or (1 <= d <= 4 and h < 4) else 0}"
        for d in range(7)
        for h in range(24)
    ]
    required.write_text("\n".join(rows) + "\n")
    agents = tmp_path / "agents.csv"
    agents.write_text("name,preferred_templates\nfan,night\nbo,\ncy,\ndi,\n")
    for weight, expected in (("1", {"fan": 1, "bo": 1, "cy": 1, "di": 1}), ("0", {"fan": 4})):
        out = tmp_path / f"roster{weight}.csv"
        code, output = run(
            "--requirements", required, "--shifts", shifts, "--agents", agents, "--out", out,
            "--night-fairness", weight,
        )  # fmt: skip
        assert code == 0, output
        assert "proven optimal" in output
        worked: dict[str, int] = {}
        for row in read_csv(out):
            worked[row["agent"]] = worked.get(row["agent"], 0) + 1
        assert worked == expected
    code, output = run(
        "--requirements", required, "--shifts", shifts, "--agents", agents, "--out", out,
        "--night-fairness", "-1",
    )  # fmt: skip
    assert code == 2
    assert "night_shifts_squared" in output
