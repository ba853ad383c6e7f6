"""Benchmark shift scheduling and rostering on the reference week; print ONE JSON line.

Run: ``.venv/bin/python benchmarks/scheduling.py`` (needs ``../shared/reference`` or
``HELPLINE_SHARED_DIR``; install the ``bench`` extra to time pyworkforce in the same run).

- Scheduling: 8 h shifts and 4 h part-time shifts starting every 30 min, cost = paid hours, on
  ``week_requirements_80_20.csv`` (required_agents_80_20), without and with shifts over midnight.
- Service-level mode: the same shifts (over midnight allowed) meeting 80% in 20 s over the week's
  calls (AHT 300 s) instead of in every interval, Erlang C curves included in the time.
- Rostering: the 8 h-only week for 545 agents (40 h/week, at most 5 days in a row, 2 days off in a
  row, 11 h rest), with every rule re-checked independently of the solver.
- Baselines: pyworkforce's MinRequiredResources (CP-SAT) on the same scheduling problem, and its
  MinHoursRoster on the same roster (rest rule only: it cannot express weekly hours or days off in
  a row), each in a subprocess with a time limit.
"""

from __future__ import annotations

import contextlib
import csv
import json
import os
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from helpline.wfm.rostering import Agent, Contract, RosterProblem, RosterResult, roster_agents
from helpline.wfm.scheduling import (
    ScheduleProblem,
    ScheduleResult,
    ServiceLevelGoal,
    ShiftTemplate,
    schedule_shifts,
)
from helpline.wfm.scheduling.service_level import erlang_c_curve

REPEATS = 3
AGENTS = 545
PYWORKFORCE_SEARCH_SECONDS = 120
STARTS = tuple(range(0, 1440, 30))
CONTRACT = Contract(
    "full-time",
    max_hours_per_week=40,
    max_days_in_a_row=5,
    min_consecutive_days_off=2,
    min_rest_minutes=660,
)

PYWORKFORCE_SCRIPT = """
import csv, json, sys, time
from pyworkforce.scheduling import MinRequiredResources
rows = list(csv.DictReader(open(sys.argv[1])))
required = [[0] * 48 for _ in range(7)]
for row in rows:
    required[int(row["day"])][int(row["period"])] = int(row["required_agents_80_20"])
coverage, cost = {}, {}
for length, name in ((16, "full"), (8, "part")):
    for start in range(0, 48 - length + 1):
        coverage[f"{name}_{start}"] = [1 if start <= p < start + length else 0 for p in range(48)]
        cost[f"{name}_{start}"] = length
scheduler = MinRequiredResources(num_days=7, periods=48, shifts_coverage=coverage,
    required_resources=required, max_period_concurrency=5000, max_shift_concurrency=5000,
    cost_dict=cost, max_search_time=float(sys.argv[2]), num_search_workers=2)
started = time.perf_counter()
solution = scheduler.solve()
seconds = time.perf_counter() - started
print(json.dumps({"seconds": seconds, "status": solution["status"],
                  "agent_hours": solution["cost"] / 2 if solution["cost"] >= 0 else None}))
"""


PYWORKFORCE_ROSTER_SCRIPT = """
import json, sys, time
from pyworkforce.rostering.binary_programming import MinHoursRoster
shifts_in, agents, limit = json.loads(sys.stdin.read()), int(sys.argv[1]), float(sys.argv[2])
starts = sorted({start for _, start, _ in shifts_in})
names = [f"s{start}" for start in starts]
required = {name: [0] * 7 for name in names}
for day, start, count in shifts_in:
    required[f"s{start}"][day] += count
# 11 h rest between 8 h shifts on consecutive days, as pyworkforce's "non sequential" pairs.
pairs = [{"origin": f"s{a}", "destination": f"s{b}"} for a in starts for b in starts
         if b + 1440 - (a + 480) < 660]
started = time.perf_counter()
roster = MinHoursRoster(num_days=7, resources=[f"agent{i}" for i in range(agents)], shifts=names,
    shifts_hours=[8] * len(names), min_working_hours=0, banned_shifts=[], max_resting=7,
    required_resources=required, non_sequential_shifts=pairs, max_search_time=limit,
    num_search_workers=2)
solution = roster.solve()
print(json.dumps({"seconds": time.perf_counter() - started, "status": solution["status"]}))
"""


def shared_dir() -> Path:
    """``../shared`` beside the repository, or ``HELPLINE_SHARED_DIR``."""
    override = os.environ.get("HELPLINE_SHARED_DIR")
    return Path(override) if override else Path(__file__).resolve().parents[1].parent / "shared"


@contextlib.contextmanager
def native_stdout_to_stderr() -> Iterator[None]:
    """HiGHS prints a banner on C-level stdout; keep stdout for the one JSON line."""
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        os.dup2(2, 1)
        yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)


def read_column(path: Path, column: str) -> np.ndarray:
    with path.open(newline="") as handle:
        return np.array([float(r[column]) for r in csv.DictReader(handle)])


def read_requirement(path: Path) -> np.ndarray:
    return read_column(path, "required_agents_80_20")


def service_level_mode(calls: np.ndarray) -> tuple[float, ScheduleResult]:
    """80% in 20 s over the week's calls (AHT 300 s), same shifts as the headcount run with wrap."""
    started = time.perf_counter()
    curve = erlang_c_curve(calls, interval_minutes=30, aht_seconds=300, answer_time_seconds=20)
    problem = schedule(np.zeros_like(calls), crossing=True)
    goal = ServiceLevelGoal(0.8, {"default": curve})
    result = schedule_shifts(
        ScheduleProblem(
            30,
            problem.requirements,
            problem.templates,
            service_level_goal=goal,
            mip_relative_gap=1e-4,
        )
    )
    return time.perf_counter() - started, result


def schedule(required: np.ndarray, *, crossing: bool, part_time: bool = True) -> ScheduleProblem:
    templates = [ShiftTemplate("full", 480, STARTS, may_cross_midnight=crossing)]
    if part_time:
        templates.append(ShiftTemplate("part", 240, STARTS, may_cross_midnight=crossing))
    return ScheduleProblem(30, {"default": required}, tuple(templates))


def timed_schedule(problem: ScheduleProblem) -> tuple[float, ScheduleResult]:
    times, result = [], None
    for _ in range(REPEATS):
        started = time.perf_counter()
        result = schedule_shifts(problem)
        times.append(time.perf_counter() - started)
    assert result is not None
    return statistics.median(times), result


def roster_violations(problem: RosterProblem, roster: RosterResult) -> int:
    """Rules broken by the roster, re-checked from the assignments alone (rest, days, hours)."""
    broken = 0
    by_agent: dict[str, list[tuple[int, int, float]]] = defaultdict(list)
    for a in roster.assignments:
        start = a.shift.day * 1440 + a.shift.start_minutes
        by_agent[a.agent].append((start, start + a.shift.length_minutes, a.shift.paid_minutes / 60))
    for spans in by_agent.values():
        spans.sort()
        days = {start // 1440 for start, _, _ in spans}
        broken += len(days) != len(spans)
        broken += sum(h for _, _, h in spans) > CONTRACT.max_hours_per_week
        for (_, end, _), (start, _, _) in zip(
            spans, [*spans[1:], (spans[0][0] + 10080, 0, 0)], strict=True
        ):
            broken += start - end < CONTRACT.min_rest_minutes
        worked = [d in days for d in range(7)] * 2
        run = longest = 0
        for flag in worked:
            run = run + 1 if flag else 0
            longest = max(longest, run)
        broken += longest > CONTRACT.max_days_in_a_row
        broken += not any(not worked[d] and not worked[d + 1] for d in range(7))
    return broken


def pyworkforce_baseline(reference: Path) -> dict[str, object]:
    try:
        import pyworkforce  # noqa: F401
    except ImportError as error:
        return {"pyworkforce_schedule_seconds": None, "pyworkforce_note": f"not installed: {error}"}
    try:
        completed = subprocess.run(  # noqa: S603 - our own interpreter and script
            [
                sys.executable,
                "-c",
                PYWORKFORCE_SCRIPT,
                str(reference),
                str(PYWORKFORCE_SEARCH_SECONDS),
            ],
            capture_output=True,
            text=True,
            timeout=PYWORKFORCE_SEARCH_SECONDS + 120,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return {"pyworkforce_schedule_seconds": None, "pyworkforce_note": "timed out"}
    if completed.returncode != 0:
        tail = completed.stderr.strip().splitlines()[-1:] or ["no output"]
        return {"pyworkforce_schedule_seconds": None, "pyworkforce_note": f"failed: {tail[0]}"}
    found = json.loads(completed.stdout.strip().splitlines()[-1])
    return {
        "pyworkforce_schedule_seconds": round(found["seconds"], 3),
        "pyworkforce_status": found["status"],
        "pyworkforce_agent_hours": found["agent_hours"],
        "pyworkforce_time_limit_seconds": PYWORKFORCE_SEARCH_SECONDS,
    }


def pyworkforce_roster_baseline(shifts: list[list[int]]) -> dict[str, object]:
    """pyworkforce's MinHoursRoster on the same week: it has no weekly maximum hours nor days off in a
    row, so it gets the rest rule only; recorded with its status."""
    try:
        import pyworkforce  # noqa: F401
    except ImportError as error:
        return {"pyworkforce_roster_seconds": None, "pyworkforce_roster_note": f"{error}"}
    try:
        completed = subprocess.run(  # noqa: S603 - our own interpreter and script
            [
                sys.executable,
                "-c",
                PYWORKFORCE_ROSTER_SCRIPT,
                str(AGENTS),
                str(PYWORKFORCE_SEARCH_SECONDS),
            ],
            input=json.dumps(shifts),
            capture_output=True,
            text=True,
            timeout=PYWORKFORCE_SEARCH_SECONDS + 300,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return {"pyworkforce_roster_seconds": None, "pyworkforce_roster_note": "timed out"}
    if completed.returncode != 0:
        tail = completed.stderr.strip().splitlines()[-1:] or ["no output"]
        return {"pyworkforce_roster_seconds": None, "pyworkforce_roster_note": f"failed: {tail[0]}"}
    found = json.loads(completed.stdout.strip().splitlines()[-1])
    return {
        "pyworkforce_roster_seconds": round(found["seconds"], 3),
        "pyworkforce_roster_status": found["status"],
    }


def spread(values: list[int]) -> dict[str, int]:
    """How many agents have each value, e.g. {"0": 300, "1": 245} night shifts."""
    return {str(v): values.count(v) for v in sorted(set(values))}


def main() -> None:
    reference = shared_dir() / "reference" / "week_requirements_80_20.csv"
    if not reference.exists():
        print(f"skipped: {reference} not found (set HELPLINE_SHARED_DIR)", file=sys.stderr)
        return
    required = read_requirement(reference)
    with native_stdout_to_stderr():
        schedule_shifts(schedule(required, crossing=False))  # warm-up: imports, HiGHS start-up
        seconds, plain = timed_schedule(schedule(required, crossing=False))
        seconds_midnight, midnight = timed_schedule(schedule(required, crossing=True))
        full_only = schedule_shifts(schedule(required, crossing=False, part_time=False))
        agents = tuple(Agent(f"agent{i:03d}", CONTRACT) for i in range(AGENTS))
        problem = RosterProblem(full_only.shifts, agents)
        started = time.perf_counter()
        roster = roster_agents(problem)
        roster_seconds = time.perf_counter() - started
        sl_seconds, by_service_level = service_level_mode(read_column(reference, "calls"))
    figures: dict[str, object] = {
        "schedule_seconds": round(seconds, 4),
        "scheduled_agent_hours": plain.paid_hours,
        "lp_bound_agent_hours": round(plain.lp_bound, 3),
        "schedule_proven_optimal": plain.is_proven_optimal,
        "understaffed_intervals": plain.understaffed_intervals,
        "schedule_midnight_seconds": round(seconds_midnight, 4),
        "scheduled_agent_hours_midnight": midnight.paid_hours,
        "lp_bound_agent_hours_midnight": round(midnight.lp_bound, 3),
        "understaffed_intervals_midnight": midnight.understaffed_intervals,
        "sl_mode_seconds": round(sl_seconds, 3),
        "sl_mode_agent_hours": by_service_level.paid_hours,
        "sl_mode_lp_bound_agent_hours": round(by_service_level.lp_bound, 3),
        "sl_mode_weekly_service_level": round(by_service_level.weekly_service_level["default"], 5),
        "roster_shifts": sum(s.count for s in full_only.shifts),
        "roster_agents": AGENTS,
        "roster_seconds": round(roster_seconds, 3),
        "roster_proven_optimal": roster.is_proven_optimal,
        "roster_gap": roster.gap,
        "roster_unfilled_shifts": sum(u.missing for u in roster.unfilled),
        "roster_rule_violations": roster_violations(problem, roster),
        "roster_night_shifts_total": sum(a.night_shifts for a in roster.agents),
        "roster_night_shifts_per_agent": spread([a.night_shifts for a in roster.agents]),
        "roster_weekend_days_per_agent": spread([a.weekend_days for a in roster.agents]),
        "cpu_count": os.cpu_count(),
        "load_average_1m": round(os.getloadavg()[0], 2),
    }
    figures.update(pyworkforce_baseline(reference))
    figures.update(
        pyworkforce_roster_baseline([[s.day, s.start_minutes, s.count] for s in full_only.shifts])
    )
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
