"""``helpline schedule``: requirements + shift templates (+ agents) -> schedule (or roster) CSV."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from helpline.cli.schedule_files import (
    InputFileError,
    Requirements,
    read_agents,
    read_requirements,
    read_shift_settings,
    write_coverage,
    write_roster,
    write_shifts,
)
from helpline.wfm.rostering import (
    RosterInputError,
    RosterProblem,
    RosterResult,
    RosterWeights,
    roster_agents,
)
from helpline.wfm.scheduling import (
    ScheduleInputError,
    ScheduleProblem,
    ScheduleResult,
    ServiceLevelGoal,
    schedule_shifts,
)
from helpline.wfm.scheduling.service_level import erlang_c_curve
from helpline.wfm.scheduling.templates import ShiftSettings

SCHEDULE_STAGES = ("enumerating shifts", "building model", "solving", "reading solution")
ROSTER_STAGES = ("building roster model", "solving roster", "splitting roster")


def _fail(message: str) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code=2)


@contextlib.contextmanager
def _native_stdout_to_stderr() -> Iterator[None]:
    """HiGHS prints a banner on C-level stdout when first used; keep stdout for results."""
    sys.stdout.flush()
    try:
        saved = os.dup(1)
    except OSError:  # no real file descriptor 1 (embedded interpreters)
        yield
        return
    try:
        os.dup2(2, 1)
        yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)


def _problem(
    requirements: Requirements,
    settings: ShiftSettings,
    time_limit: float,
    service_level: float | None,
    answer_time: float,
    aht: float | None,
) -> ScheduleProblem:
    groups = {t.group for t in settings.templates}
    if len(groups) != 1:
        raise ScheduleInputError(
            "the requirements file holds one group; all templates must share one 'group'"
        )
    group = groups.pop()
    required = requirements.required
    goal, report_curves = None, {}
    if service_level is not None and (requirements.calls is None or aht is None):
        raise ScheduleInputError(
            "--service-level needs a 'calls' (or 'volume') column and --aht (seconds)"
        )
    if requirements.calls is not None and aht is not None:
        curve = erlang_c_curve(
            requirements.calls,
            interval_minutes=requirements.interval_minutes,
            aht_seconds=aht,
            answer_time_seconds=answer_time,
        )
        report_curves = {group: curve}
        if service_level is not None:
            goal = ServiceLevelGoal(service_level, report_curves)
            required = np.zeros_like(required)
    return ScheduleProblem(
        interval_minutes=requirements.interval_minutes,
        requirements={group: required},
        templates=settings.templates,
        understaffing_penalty=settings.understaffing_penalty,
        wraps_around=settings.wraps_around,
        service_level_goal=goal,
        time_limit_seconds=time_limit,
        report_curves=report_curves,
        # The service-level model's costs are not integers: stop within 0.01% of optimal.
        mip_relative_gap=1e-4 if goal is not None else 1e-6,
    )


def _report_schedule(console: Console, result: ScheduleResult) -> None:
    proof = "proven optimal" if result.is_proven_optimal else f"gap {result.gap:.2%}"
    console.print(
        f"schedule: {sum(s.count for s in result.shifts)} shifts, {result.paid_hours:,.1f} paid hours, "
        f"cost {result.cost:,.2f} (LP bound {result.lp_bound:,.2f}, {proof})"
    )
    for group, level in result.weekly_service_level.items():
        console.print(f"predicted service level over the horizon ({group}): {level:.2%}")
    if result.shortfalls:
        console.print(f"[yellow]{len(result.shortfalls)} understaffed intervals[/yellow]:")
        for gap in result.shortfalls[:10]:
            console.print(
                f"  day {gap.day} {gap.minute_of_day // 60:02d}:{gap.minute_of_day % 60:02d} "
                f"{gap.group}: {gap.short_agents:g} agent(s) short of {gap.required_agents:g}"
            )
        if len(result.shortfalls) > 10:
            console.print(f"  ... and {len(result.shortfalls) - 10} more (see --coverage-out)")


def _report_roster(console: Console, roster: RosterResult) -> None:
    proof = "proven optimal" if roster.is_proven_optimal else f"gap {roster.gap:.2%}"
    rostered = sum(1 for a in roster.agents if a.days_worked)
    console.print(f"roster: {len(roster.assignments)} shifts to {rostered} agents ({proof})")
    if rostered:
        nights = max(a.night_shifts for a in roster.agents)
        weekends = max(a.weekend_days for a in roster.agents)
        console.print(f"most night shifts per agent: {nights}; most weekend days: {weekends}")
    missing = sum(u.missing for u in roster.unfilled)
    if missing:
        console.print(f"[yellow]{missing} shifts left unfilled[/yellow] (no agent may take them)")


def schedule(
    requirements: Path = typer.Option(
        ...,
        "--requirements",
        help="CSV of required agents per interval: `helpline staff` output (timestamp,...,agents) "
        "or day,period,...,required_agents_80_20.",
    ),
    shifts: Path = typer.Option(..., "--shifts", help="Shift-template YAML (see README)."),
    out: Path = typer.Option(
        ..., "--out", help="Output CSV: the roster with --agents, else shifts."
    ),
    agents: Path | None = typer.Option(
        None, "--agents", help="Agents CSV (name[,max_hours_per_week,...]); rosters them."
    ),
    column: str | None = typer.Option(
        None, "--column", help="Requirement column (default: agents or required_agents_80_20)."
    ),
    coverage_out: Path | None = typer.Option(
        None, "--coverage-out", help="Also write coverage vs requirement per interval to this CSV."
    ),
    service_level: float | None = typer.Option(
        None,
        "--service-level",
        help="Meet this service level over the whole horizon (e.g. 0.8) instead of the headcount.",
    ),
    answer_time: float = typer.Option(20.0, "--answer-time", help="Target answer time, seconds."),
    aht: float | None = typer.Option(
        None,
        "--aht",
        help="Average handle time, seconds: with a calls column, predicts SL per interval.",
    ),
    time_limit: float = typer.Option(60.0, "--time-limit", help="Solver time limit per stage, s."),
    weekend_fairness: float = typer.Option(
        1.0,
        "--weekend-fairness",
        help="Roster cost per agent on the square of weekend days worked (0: off).",
    ),
    night_fairness: float = typer.Option(
        1.0,
        "--night-fairness",
        help="Roster cost per agent on the square of night shifts worked, a night shift having "
        "3 h or more in 22:00-06:00 (0: off).",
    ),
) -> None:
    """Turn required agents per interval into the cheapest shifts, and optionally a roster."""
    console = Console(stderr=True)
    try:
        needed = read_requirements(requirements, column)
        settings = read_shift_settings(shifts)
        people = read_agents(agents) if agents is not None else None
        problem = _problem(needed, settings, time_limit, service_level, answer_time, aht)
        roster_problem_days = problem.num_days
    except (InputFileError, ScheduleInputError) as error:
        raise _fail(str(error)) from None
    stages = len(SCHEDULE_STAGES) + (len(ROSTER_STAGES) if people is not None else 0)
    with (
        Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            BarColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=True,
        ) as progress,
        _native_stdout_to_stderr(),
    ):
        task = progress.add_task("scheduling", total=stages)

        def advance(stage: str) -> None:
            progress.update(task, description=stage, advance=1)

        result = schedule_shifts(problem, progress=advance)
        roster = None
        if people is not None:
            try:
                roster = roster_agents(
                    RosterProblem(
                        result.shifts,
                        people,
                        num_days=roster_problem_days,
                        wraps_around=problem.wraps_around,
                        weights=RosterWeights(
                            weekend_days_squared=weekend_fairness,
                            night_shifts_squared=night_fairness,
                        ),
                        time_limit_seconds=time_limit,
                    ),
                    progress=advance,
                )
            except RosterInputError as error:
                raise _fail(str(error)) from None
    _report_schedule(console, result)
    if roster is not None:
        _report_roster(console, roster)
        write_roster(out, roster.assignments, needed.first_day)
    else:
        write_shifts(out, result, needed.first_day)
    if coverage_out is not None:
        write_coverage(coverage_out, result)
    console.print(f"wrote {out}")
