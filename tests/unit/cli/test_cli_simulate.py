"""``helpline simulate``: a scenario file in, KPIs with confidence intervals out; bad files exit 2."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from helpline.cli import app
from helpline.sim import ReplayedArrivals

SCENARIO = """
horizon_seconds: 7200
interval_seconds: 3600
routing:
  queues: [{id: q, channel: voice, acw_timeout_seconds: 0}]
  profiles:
    - id: p
      channels: {voice: {concurrency: 1, auto_accept: true}}
      queues: [q]
queues:
  - queue_id: q
    handle_time: {distribution: exponential, mean_seconds: 300}
    patience: {distribution: exponential, mean_seconds: 180}
agents: [{name: team, count: 10, profile_id: p}]
arrivals: [{queue_id: q, calls_per_interval: [90, 100]}]
"""


def test_simulate_writes_kpis_with_intervals_per_interval_and_queue(tmp_path: Path) -> None:
    scenario = tmp_path / "what_if.yaml"
    scenario.write_text(SCENARIO, encoding="utf-8")
    out = tmp_path / "kpis.csv"
    traces = tmp_path / "traces.csv"
    result = CliRunner().invoke(
        app,
        [
            "simulate",
            str(scenario),
            "--replications",
            "3",
            "--out",
            str(out),
            "--traces",
            str(traces),
        ],
    )
    assert result.exit_code == 0, result.output
    with out.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [(r["interval_start_seconds"], r["queue_id"]) for r in rows] == [
        ("0", "q"),
        ("3600", "q"),
        ("all", "q"),
    ]
    whole = rows[-1]
    assert float(whole["service_level_ci_low"]) <= float(whole["service_level"])
    assert float(whole["service_level"]) <= float(whole["service_level_ci_high"])
    assert 150 < float(whole["offered"]) < 240
    with traces.open(encoding="utf-8") as handle:
        replications = {row["replication"] for row in csv.DictReader(handle)}
    assert replications == {"1", "2", "3"}


def test_the_same_seed_writes_the_same_kpis(tmp_path: Path) -> None:
    scenario = tmp_path / "what_if.yaml"
    scenario.write_text(SCENARIO, encoding="utf-8")
    outputs = []
    for name in ("a.csv", "b.csv"):
        out = tmp_path / name
        CliRunner().invoke(
            app, ["simulate", str(scenario), "-r", "2", "--seed", "4", "-o", str(out)]
        )
        outputs.append(out.read_text(encoding="utf-8"))
    assert outputs[0] == outputs[1]


def test_a_bad_scenario_names_the_field_and_exits_2(tmp_path: Path) -> None:
    scenario = tmp_path / "bad.yaml"
    scenario.write_text(SCENARIO.replace("count: 10", "count: -1"), encoding="utf-8")
    result = CliRunner().invoke(app, ["simulate", str(scenario)])
    assert result.exit_code == 2
    assert "agents[0].count" in result.output


def test_a_file_that_is_not_yaml_exits_2(tmp_path: Path) -> None:
    scenario = tmp_path / "bad.yaml"
    scenario.write_text("routing: [unclosed", encoding="utf-8")
    result = CliRunner().invoke(app, ["simulate", str(scenario)])
    assert result.exit_code == 2
    assert "not valid YAML" in result.output


def test_an_impossible_yaml_date_exits_2(tmp_path: Path) -> None:
    scenario = tmp_path / "bad.yaml"
    scenario.write_text(SCENARIO + "when: 1999-13-03\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["simulate", str(scenario)])
    assert result.exit_code == 2
    assert "not valid YAML" in result.output


def test_a_replayed_call_log_is_read_relative_to_the_scenario(tmp_path: Path) -> None:
    (tmp_path / "calls.csv").write_text(
        "arrival_seconds,queue_id,handle_seconds\n10,q,100\n20,q,\n", encoding="utf-8"
    )
    scenario = tmp_path / "replay.yaml"
    scenario.write_text(
        SCENARIO.replace(
            "arrivals: [{queue_id: q, calls_per_interval: [90, 100]}]",
            "arrivals: [{replay: calls.csv}]",
        ),
        encoding="utf-8",
    )
    out = tmp_path / "kpis.csv"
    result = CliRunner().invoke(app, ["simulate", str(scenario), "-r", "2", "-o", str(out)])
    assert result.exit_code == 0, result.output
    with out.open(encoding="utf-8") as handle:
        whole = list(csv.DictReader(handle))[-1]
    assert float(whole["offered"]) == 2
    assert float(whole["answered"]) == 2


FORECAST_SCENARIO = SCENARIO.replace(
    "arrivals: [{queue_id: q, calls_per_interval: [90, 100]}]",
    'start: "2026-01-05T08:30"\narrivals: [{queue_id: q, forecast: forecast.csv}]',
).replace(
    "horizon_seconds: 7200\ninterval_seconds: 3600", "horizon_seconds: 5400\ninterval_seconds: 1800"
)


def test_arrivals_follow_a_forecast_csv_from_the_scenario_start(tmp_path: Path) -> None:
    (tmp_path / "what_if.yaml").write_text(FORECAST_SCENARIO, encoding="utf-8")
    (tmp_path / "forecast.csv").write_text(
        "timestamp,volume,lower,upper\n"
        "2026-01-05T08:00,500,0,0\n2026-01-05T08:30,100,0,0\n"
        "2026-01-05T09:00,0,0,0\n2026-01-05T09:30,50,0,0\n",
        encoding="utf-8",
    )
    out = tmp_path / "kpis.csv"
    result = CliRunner().invoke(
        app, ["simulate", str(tmp_path / "what_if.yaml"), "-r", "4", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    with out.open(encoding="utf-8") as handle:
        offered = [float(row["offered"]) for row in csv.DictReader(handle)]
    assert 70 < offered[0] < 130  # 08:30: 100 expected (08:00's 500 is before the start)
    assert offered[1] == 0  # 09:00: none
    assert 30 < offered[2] < 70  # 09:30: 50


def test_a_bad_forecast_csv_names_the_line(tmp_path: Path) -> None:
    (tmp_path / "what_if.yaml").write_text(FORECAST_SCENARIO, encoding="utf-8")
    (tmp_path / "forecast.csv").write_text(
        "timestamp,volume\n2026-01-05T08:00,5\n2026-01-05T08:30,-1\n", encoding="utf-8"
    )
    result = CliRunner().invoke(app, ["simulate", str(tmp_path / "what_if.yaml")])
    assert result.exit_code == 2
    assert "arrivals[0].forecast.line 3.volume" in result.output


SAMPLE_WEEK = Path(__file__).resolve().parents[2] / "data" / "anonymous_bank" / "january_13_19.txt"
SAMPLE_DAY = (
    Path(__file__).resolve().parents[2] / "data" / "anonymous_bank" / "january_1999-01-02.txt"
)


def test_replay_writes_the_days_beside_the_log_and_prints_the_period(tmp_path: Path) -> None:
    out = tmp_path / "days.csv"
    result = CliRunner().invoke(
        app,
        [
            "simulate",
            "replay",
            str(SAMPLE_DAY),
            "--from",
            "1999-01-02",
            "--to",
            "1999-01-02",
            "--staffing",
            "from-log",
            "--patience",
            "logged",
            "-r",
            "2",
            "--out",
            str(out),
            "--availability",
            str(tmp_path / "availability.csv"),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "replaying 1999-01-02 to 1999-01-02 (1 days" in result.output
    with (tmp_path / "availability.csv").open(encoding="utf-8") as handle:
        shares = list(csv.DictReader(handle))
    assert {r["agent"] for r in shares} == {"AVNI", "MICHAL", "PINHAS", "YITZ", "ZOHARI"}
    assert all(0 <= float(r["available_share"]) <= 1 for r in shares)
    assert all(float(r["logged_seconds"]) <= 1800 for r in shares)
    with out.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    day = next(r for r in rows if r["queue_id"] == "all" and r["day"] == "1999-01-02")
    assert int(day["offered"]) == 230  # the calls of that day that asked for an agent
    assert float(day["service_level_log"]) == pytest.approx(163 / 230, abs=0.01)
    assert float(day["service_level_ci_low"]) <= float(day["service_level"])
    assert rows[-1]["day"] == "mae"


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--from", "1999-01-02"], "--to"),
        (["--from", "1999-01-02", "--to", "1999-13-01"], "--to"),
        (["--from", "1999-01-03", "--to", "1999-01-02"], "ends before"),
        (["--from", "1999-02-01", "--to", "1999-02-02"], "no call"),
        (["--from", "1999-01-02", "--to", "1999-01-02", "--staffing", "all"], "--staffing"),
        (["--from", "1999-01-02", "--to", "1999-01-02", "--patience", "x"], "--patience"),
        (["--from", "1999-01-02", "--to", "1999-01-02", "-r", "1"], "replications"),
    ],
)
def test_replay_refuses_bad_input_with_exit_2(options: list[str], message: str) -> None:
    result = CliRunner().invoke(app, ["simulate", "replay", str(SAMPLE_DAY), *options])
    assert result.exit_code == 2
    assert message in result.output


def test_replay_of_a_missing_or_malformed_log_exits_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_text("not a log\n", encoding="utf-8")
    for path in (tmp_path / "missing.txt", bad):
        result = CliRunner().invoke(
            app, ["simulate", "replay", str(path), "--from", "1999-01-02", "--to", "1999-01-02"]
        )
        assert result.exit_code == 2
        assert "error:" in result.output


def test_a_scenario_replaying_the_bank_log_without_days_replays_every_day_of_it(
    tmp_path: Path,
) -> None:
    from helpline.cli.simulate import load_scenario

    (tmp_path / "week.txt").write_bytes(SAMPLE_WEEK.read_bytes())
    types = ["PS", "PE", "IN", "NE", "NW", "TT"]
    document = {
        "horizon_seconds": 7 * 86400,
        "routing": {
            "queues": [{"id": t, "channel": "voice", "acw_timeout_seconds": 0} for t in types],
            "profiles": [
                {
                    "id": "p",
                    "channels": {"voice": {"concurrency": 1, "auto_accept": True}},
                    "queues": types,
                }
            ],
        },
        "queues": [
            {"queue_id": t, "handle_time": {"distribution": "fixed", "seconds": 60}} for t in types
        ],
        "agents": [{"name": "team", "count": 5, "profile_id": "p"}],
        "arrivals": [{"replay": "week.txt", "format": "anonymous_bank", "first_day": "1999-01-13"}],
    }
    scenario = tmp_path / "replay.yaml"
    scenario.write_text(yaml.safe_dump(document), encoding="utf-8")
    (arrivals,) = load_scenario(scenario).arrivals
    assert isinstance(arrivals, ReplayedArrivals)
    assert {int(c.arrival_seconds // 86400) for c in arrivals.contacts} == set(range(7))
