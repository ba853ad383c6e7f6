"""``helpline simulate``: run a what-if scenario file through the simulator, KPIs with intervals to CSV;
``helpline simulate replay LOG``: replay a call log and compare the simulated days with the real ones."""

from __future__ import annotations

import csv
import datetime as dt
import math
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TextIO

import typer
import yaml
from typer import _click as click
from typer.core import TyperGroup

from helpline.bootstrap import open_database
from helpline.cli.admin import DatabaseOption, settings_with
from helpline.domain.anonymous_bank import BankCall, FormatError, parse_calls
from helpline.errors import InvalidInput, NotFound
from helpline.services.actor import system_actor
from helpline.services.identity import organizations
from helpline.services.planning.simulations import forecast_volumes
from helpline.sim import (
    METRICS,
    LoggedContact,
    RunResult,
    Scenario,
    SimulationSummary,
    VolumeSeries,
    bank_contacts,
    contact_traces,
    parse_csv_log,
    scenario_from_dict,
    simulate,
)
from helpline.sim.loader import LoadForecast

# Exit status for bad input, the same code Typer/Click uses for usage errors.
_BAD_INPUT = 2


def _log_loader(base: Path) -> Any:
    """Read the call logs a scenario names, relative to the scenario file."""

    def load(source: str, log_format: str, options: Mapping[str, Any]) -> tuple[LoggedContact, ...]:
        path = base / source
        try:
            with path.open(encoding="utf-8", newline="") as lines:
                if log_format == "csv":
                    if options:
                        raise InvalidInput(sorted(options)[0], "is not an option of csv logs")
                    return parse_csv_log(lines)
                if log_format == "anonymous_bank":
                    return _bank(list(parse_calls(lines)), options)
        except OSError as exc:
            raise InvalidInput("replay", f"{path}: cannot read: {exc.strerror}") from None
        except FormatError as exc:
            raise InvalidInput(f"{source}: line {exc.line}", exc.reason) from None
        raise InvalidInput("format", "must be csv or anonymous_bank")

    return load


def _bank(calls: list[BankCall], options: Mapping[str, Any]) -> tuple[LoggedContact, ...]:
    unknown = set(options) - {"first_day", "days", "logged_patience"}
    if unknown:
        raise InvalidInput(sorted(unknown)[0], "is not an option of anonymous_bank logs")
    first = options.get("first_day")
    try:
        first_day = (
            min(c.vru_entry.date() for c in calls)
            if first is None
            else dt.date.fromisoformat(str(first))
        )
    except ValueError:
        raise InvalidInput("first_day", "must be a date YYYY-MM-DD") from None
    # No silent week: without ``days``, every day of the log from ``first_day`` on.
    days = options.get("days", (max(c.vru_entry.date() for c in calls) - first_day).days + 1)
    if not isinstance(days, int) or days < 1:
        raise InvalidInput("days", "must be a whole number >= 1")
    logged = options.get("logged_patience", True)
    return bank_contacts(calls, first_day, days, logged_patience=bool(logged))


def read_forecast_csv(path: Path) -> VolumeSeries:
    """A ``timestamp,volume[,...]`` CSV such as ``helpline forecast --out`` writes: consecutive
    intervals of one length; raises InvalidInput naming the line."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.reader(handle))
    except OSError as exc:
        raise InvalidInput(str(path), f"cannot read: {exc.strerror}") from None
    if not rows or [c.strip().lower() for c in rows[0][:2]] != ["timestamp", "volume"]:
        raise InvalidInput("line 1", "the header must start with timestamp,volume")
    stamps: list[dt.datetime] = []
    volumes: list[float] = []
    for line, row in enumerate(rows[1:], start=2):
        if not "".join(row).strip():
            continue
        try:
            stamps.append(dt.datetime.fromisoformat(row[0].strip()))
            volumes.append(float(row[1]))
        except (ValueError, IndexError):
            raise InvalidInput(f"line {line}", "needs an ISO timestamp and a volume") from None
        if not volumes[-1] >= 0:
            raise InvalidInput(f"line {line}.volume", "must be >= 0")
        if len(stamps) > 2 and stamps[-1] - stamps[-2] != stamps[1] - stamps[0]:
            raise InvalidInput(f"line {line}.timestamp", "intervals must be consecutive and equal")
    if len(stamps) < 2 or stamps[1] <= stamps[0]:
        raise InvalidInput("line 3", "needs at least two intervals in time order")
    step = (stamps[1] - stamps[0]).total_seconds()
    return VolumeSeries(stamps[0], step, tuple(volumes))


def _forecast_loader(base: Path, org: str | None, database_url: str | None) -> LoadForecast:
    """Read forecasts a scenario names: a CSV relative to the scenario file, or a stored forecast of
    the organization ``org`` in the database."""

    def load(source: str | int) -> VolumeSeries:
        if isinstance(source, str):
            return read_forecast_csv(base / source)
        if org is None:
            raise InvalidInput("", "a stored forecast needs --org")
        db = open_database(settings_with(database_url))
        try:
            with db.transaction() as session:
                organization_id = organizations.organization_by_name(session, org).id
                return forecast_volumes(session, system_actor(organization_id), source)
        except NotFound as error:
            raise InvalidInput("", error.message) from None
        finally:
            db.dispose()

    return load


def load_scenario(
    path: Path, *, org: str | None = None, database_url: str | None = None
) -> Scenario:
    """Read and validate a scenario file (YAML); raises InvalidInput naming the field. Stored
    forecasts (``forecast_id``) are read from the database of ``database_url`` for ``org``."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InvalidInput(str(path), f"cannot read: {exc.strerror}") from None
    try:
        data = yaml.safe_load(text)
    except (yaml.YAMLError, ValueError) as exc:  # ValueError: a YAML date like 1999-13-03
        raise InvalidInput(str(path), f"is not valid YAML: {exc}") from None
    return scenario_from_dict(
        data, _log_loader(path.parent), _forecast_loader(path.parent, org, database_url)
    )


def _format_number(value: float) -> str:
    return "" if math.isnan(value) else f"{value:.6g}"


def write_kpis(summary: SimulationSummary, out: TextIO) -> None:
    """One row per interval and queue (the ``all`` interval is the whole run): each metric's mean and
    the bounds of its confidence interval."""
    writer = csv.writer(out, lineterminator="\n")
    header = ["interval_start_seconds", "queue_id"]
    for metric in METRICS:
        header += [metric, f"{metric}_ci_low", f"{metric}_ci_high"]
    writer.writerow(header)
    starts = [f"{s:g}" for s in summary.interval_starts_seconds] + ["all"]
    for row, start in enumerate(starts):
        for column, queue_id in enumerate(summary.queue_ids):
            cells = [start, queue_id]
            for metric in METRICS:
                est = summary.estimates[metric]
                cells += [
                    _format_number(float(est.mean[row, column])),
                    _format_number(float(est.low[row, column])),
                    _format_number(float(est.high[row, column])),
                ]
            writer.writerow(cells)


def _write_traces(writer: Any, replication: int, run: RunResult) -> None:
    for trace in contact_traces(run):
        writer.writerow(
            [
                replication,
                trace.contact_number,
                trace.queue_id,
                f"{trace.arrival_seconds:.3f}",
                trace.outcome.value,
                "" if trace.wait_seconds is None else f"{trace.wait_seconds:.3f}",
                "" if trace.closed_seconds is None else f"{trace.closed_seconds:.3f}",
                trace.agent_id or "",
                trace.customer_id or "",
                int(trace.is_retrial),
                int(trace.is_callback),
            ]
        )


def simulate_command(
    scenario_path: Path = typer.Argument(..., help="Scenario file (YAML), see docs/simulation.md."),
    replications: int = typer.Option(10, "--replications", "-r", min=1, help="Independent runs."),
    seed: int = typer.Option(1, "--seed", help="Seed: the same seed gives the same results."),
    confidence: float = typer.Option(
        0.95, "--confidence", min=0.5, max=0.999, help="Confidence level of the intervals."
    ),
    out: Path | None = typer.Option(
        None, "--out", "-o", help="KPI CSV (default: standard output)."
    ),
    traces: Path | None = typer.Option(
        None, "--traces", help="Also write every contact of every replication to this CSV."
    ),
    org: str | None = typer.Option(
        None, "--org", help="Organization whose stored forecasts `forecast_id` names."
    ),
    database_url: str | None = DatabaseOption,
) -> None:
    """Simulate a what-if scenario with the real routing engine: KPIs per interval and queue, with
    confidence intervals over the replications."""
    try:
        scenario = load_scenario(scenario_path, org=org, database_url=database_url)
    except InvalidInput as exc:
        typer.echo(f"error: {scenario_path}: {exc}", err=True)
        raise typer.Exit(_BAD_INPUT) from None
    trace_file = None if traces is None else traces.open("w", encoding="utf-8", newline="")
    trace_writer = None
    if trace_file is not None:
        trace_writer = csv.writer(trace_file, lineterminator="\n")
        trace_writer.writerow(
            [
                "replication",
                "contact",
                "queue_id",
                "arrival_seconds",
                "outcome",
                "wait_seconds",
                "closed_seconds",
                "agent_id",
                "customer_id",
                "is_retrial",
                "is_callback",
            ]
        )
    done = 0
    try:
        with typer.progressbar(
            length=replications, label="simulating", file=sys.stderr
        ) as progress:

            def on_replication(run: RunResult) -> None:
                nonlocal done
                done += 1
                if trace_writer is not None:
                    _write_traces(trace_writer, done, run)
                progress.update(1)

            summary = simulate(
                scenario, replications, seed, confidence=confidence, on_replication=on_replication
            )
    finally:
        if trace_file is not None:
            trace_file.close()
    if out is None:
        write_kpis(summary, sys.stdout)
    else:
        with out.open("w", encoding="utf-8", newline="") as handle:
            write_kpis(summary, handle)
        typer.echo(
            f"{summary.contacts_simulated} contacts in {replications} replications -> {out}",
            err=True,
        )


class _ScenarioOrCommand(TyperGroup):
    """``helpline simulate SCENARIO`` runs a scenario file (the hidden ``run`` command); a known
    sub-command name (``replay``) runs that command instead."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ("--help", "-h"):
            args = ["run", *args]
        return super().parse_args(ctx, args)


simulate_app = typer.Typer(
    cls=_ScenarioOrCommand,
    help="Simulate a what-if scenario with the real routing engine: KPIs per interval and queue, "
    "with\nconfidence intervals over the replications.\n\n"
    "helpline simulate SCENARIO.yaml [-r N] [--seed S] [--out KPIS.csv] runs a scenario file (its "
    "options: helpline simulate run --help); helpline simulate replay LOG --from DATE --to DATE "
    "replays a call log against its own KPIs.",
    no_args_is_help=True,
    add_completion=False,
)
simulate_app.command("run", hidden=True)(simulate_command)


def _day(text: str, option: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(option, f"{text!r} is not a date YYYY-MM-DD") from None


def replay_command(
    log: Path = typer.Argument(..., help="Anonymous Bank call log (tab-separated, see docs)."),
    first: str = typer.Option(..., "--from", help="First day replayed, YYYY-MM-DD."),
    last: str = typer.Option(..., "--to", help="Last day replayed (included), YYYY-MM-DD."),
    staffing: str = typer.Option(
        "from-log",
        "--staffing",
        help="from-log: each agent's sessions and not-ready time; head-counts: agents present "
        "per half hour, always available.",
    ),
    patience: str = typer.Option(
        "fitted",
        "--patience",
        help="fitted (censored MLE, family by held-out likelihood), exponential, km (Kaplan-Meier) "
        "or logged (abandoners' logged waits, answered callers never abandon).",
    ),
    remove_agents: float = typer.Option(
        0.0, "--remove-agents", min=0.0, max=0.9, help="What-if: leave out this share of agents."
    ),
    idle_threshold: float = typer.Option(
        300.0,
        "--idle-threshold",
        min=1.0,
        help="Seconds: an agent's gap between calls while a caller waited is after-call work up "
        "to this, a not-ready break beyond.",
    ),
    replications: int = typer.Option(5, "--replications", "-r", min=2, help="Independent runs."),
    seed: int = typer.Option(1, "--seed", help="Seed: the same seed gives the same results."),
    out: Path | None = typer.Option(
        None, "--out", "-o", help="Per-day CSV (default: standard output)."
    ),
    availability: Path | None = typer.Option(
        None,
        "--availability",
        help="Also write per agent and half hour the time logged on, talking, not ready and the "
        "share available derived from the log.",
    ),
) -> None:
    """Replay a call log with its real arrivals, handle times and staffing: simulated KPIs per day
    and queue with confidence intervals beside the log's own, and the mean absolute errors."""
    from helpline.sim import twin

    try:
        first_day, last_day = _day(first, "--from"), _day(last, "--to")
        if last_day < first_day:
            raise InvalidInput("--to", "the period ends before it starts")
        period = twin.Period(first_day, last_day)
        if staffing not in twin.STAFFING_MODES:
            raise InvalidInput("--staffing", f"must be one of {', '.join(twin.STAFFING_MODES)}")
        if patience not in twin.PATIENCE_MODES:
            raise InvalidInput("--patience", f"must be one of {', '.join(twin.PATIENCE_MODES)}")
        try:
            with log.open(encoding="utf-8", newline="") as lines:
                calls = list(parse_calls(lines))
        except OSError as exc:
            raise InvalidInput(str(log), f"cannot read: {exc.strerror}") from None
        except FormatError as exc:
            raise InvalidInput(f"{log}: line {exc.line}", exc.reason) from None
        try:
            inputs = twin.replay_inputs(calls, period, idle_threshold_seconds=idle_threshold)
        except ValueError as exc:
            raise InvalidInput("--from/--to", str(exc)) from None
        if patience != "logged" and inputs.patience is None:
            raise InvalidInput("--patience", "nobody abandoned in the period: use logged")
    except InvalidInput as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(_BAD_INPUT) from None
    typer.echo(
        f"replaying {period.first} to {period.last} ({period.days} days, {len(inputs.calls)} calls, "
        f"{len(inputs.timelines.agents)} agents), staffing {staffing}, patience {patience}",
        err=True,
    )
    if availability is not None:
        with availability.open("w", encoding="utf-8", newline="") as handle:
            write_availability(inputs, handle)
    result = twin.replay(
        inputs,
        staffing=staffing,
        patience=patience,
        replications=replications,
        seed=seed,
        remove_share=remove_agents,
    )
    if out is None:
        write_days(result, sys.stdout)
    else:
        with out.open("w", encoding="utf-8", newline="") as handle:
            write_days(result, handle)
    mae = result.mae
    typer.echo(
        f"mean absolute error per day: service level {mae['service_level']:.3f}, "
        f"ASA {mae['asa_seconds']:.1f} s, abandonment {mae['abandonment_rate']:.2f} points"
        + ("" if out is None else f" -> {out}"),
        err=True,
    )


def write_availability(inputs: Any, out: TextIO) -> None:
    """Per agent and half hour where it was logged on: seconds logged on, talking, not ready, and
    the share of logged-on time available to take calls."""
    from helpline.sim.twin import DAY

    interval = 1800.0
    n_intervals = math.ceil(inputs.period.days * DAY / interval)
    table = inputs.timelines.availability(interval, n_intervals)
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(
        ["agent", "interval_start", "logged_seconds", "talk_seconds", "not_ready_seconds",
         "available_share"]
    )  # fmt: skip
    for a, agent in enumerate(inputs.timelines.agents):
        for i in range(n_intervals):
            logged = float(table["logged_seconds"][a, i])
            if logged <= 0:
                continue
            start = inputs.period.midnight + dt.timedelta(seconds=i * interval)
            writer.writerow(
                [
                    agent.name,
                    start.isoformat(timespec="minutes"),
                    _format_number(logged),
                    _format_number(float(table["talk_seconds"][a, i])),
                    _format_number(float(table["not_ready_seconds"][a, i])),
                    _format_number(float(table["available_share"][a, i])),
                ]
            )


def write_days(result: Any, out: TextIO) -> None:
    """One row per day and queue (``all``: the day's queues together): each KPI simulated with its
    confidence bounds, and the log's; a last ``mae`` row with the mean absolute errors."""
    from helpline.sim.twin import KPIS

    writer = csv.writer(out, lineterminator="\n")
    header = ["day", "queue_id", "offered"]
    for kpi in KPIS:
        header += [kpi, f"{kpi}_ci_low", f"{kpi}_ci_high", f"{kpi}_log"]
    writer.writerow(header)
    for row in result.rows:
        cells = [row.day.isoformat(), row.queue_id, str(row.offered)]
        for kpi in KPIS:
            mean, half = row.simulated[kpi], row.half_width[kpi]
            cells += [
                _format_number(mean),
                _format_number(mean - half),
                _format_number(mean + half),
                _format_number(row.logged[kpi]),
            ]
        writer.writerow(cells)
    mae = ["mae", "all", ""]
    for kpi in KPIS:
        mae += [_format_number(result.mae[kpi]), "", "", ""]
    writer.writerow(mae)


simulate_app.command("replay")(replay_command)
