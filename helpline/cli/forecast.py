"""``helpline forecast``: forecast contact volume from a CSV history, and backtest it.

    helpline forecast --history calls.csv --interval 30m --horizon 7d --country IL --out forecast.csv
    helpline forecast backtest --history calls.csv --country IL --plot backtest.png

The history is a CSV with a header ``timestamp,volume`` (and optionally ``aht``, seconds): one row per
interval, local time, sorted, no duplicates. A day may be missing entirely (unknown), but inside a day every
interval between its first and last row must be present (write closed intervals as 0).
"""

from __future__ import annotations

import csv
import math
import re
import sys
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import pairwise
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import numpy.typing as npt
import typer

from helpline.wfm.forecast import (
    MIN_HISTORY_DAYS,
    Accuracy,
    CalendarEvent,
    ForecastResult,
    backtest,
    day_kinds,
    forecast_series,
    to_day_grid,
)
from helpline.wfm.forecast.baselines import seasonal_naive
from helpline.wfm.forecast.grid import MINUTES_PER_DAY, DayGrid
from helpline.wfm.forecast.selection import auto_forecaster, default_candidates

app = typer.Typer(
    help="Forecast contact volume and AHT per interval; `backtest` scores the forecasts on history.",
    invoke_without_command=True,
    no_args_is_help=False,
)

INPUT_ERROR = 2

HistoryOption = Annotated[
    Path | None, typer.Option(help="CSV with a header timestamp,volume[,aht]; local times.")
]
IntervalOption = Annotated[str, typer.Option(help="Interval: 15m, 30m or 60m.")]
CountryOption = Annotated[
    str | None, typer.Option(help="ISO country code whose public holidays the forecast knows.")
]


class InputError(Exception):
    """The history (or an option) cannot be used; the message names the problem and the line."""


@dataclass(frozen=True)
class History:
    """A validated CSV history."""

    timestamps: npt.NDArray[np.datetime64]
    volume: npt.NDArray[np.float64]
    aht_seconds: npt.NDArray[np.float64] | None
    step_minutes: int


def parse_duration_minutes(text: str, *, what: str) -> int:
    """``15m``, ``30m``, ``1h``, ``7d``, ``6w`` -> minutes."""
    match = re.fullmatch(r"\s*(\d+)\s*([mhdw])\s*", text.lower())
    if not match:
        raise InputError(f"{what} {text!r} is not a duration like 30m, 1h, 7d or 6w")
    unit = {"m": 1, "h": 60, "d": MINUTES_PER_DAY, "w": 7 * MINUTES_PER_DAY}[match.group(2)]
    return int(match.group(1)) * unit


def read_history(path: Path) -> History:
    """Read and validate a ``timestamp,volume[,aht]`` CSV; raise `InputError` naming the bad line."""
    try:
        handle = path.open(newline="", encoding="utf-8-sig")
    except OSError as error:
        raise InputError(f"cannot open {path}: {error.strerror}") from error
    with handle:
        reader = csv.reader(handle)
        header = [name.strip().lower() for name in next(reader, [])]
        if header[:2] != ["timestamp", "volume"]:
            raise InputError(f"{path}: line 1: the header must start with timestamp,volume")
        has_aht = len(header) > 2 and header[2] in {"aht", "aht_seconds"}
        stamps: list[datetime] = []
        volumes: list[float] = []
        ahts: list[float] = []
        for line, row in enumerate(reader, start=2):
            if not row or not "".join(row).strip():
                continue
            stamp, volume, aht = _parse_row(row, line, has_aht)
            if stamps and stamp <= stamps[-1]:
                problem = (
                    "duplicate timestamp" if stamp == stamps[-1] else "timestamps out of order"
                )
                raise InputError(
                    f"line {line}: {problem}: {stamp:%Y-%m-%d %H:%M} after {stamps[-1]:%Y-%m-%d %H:%M}"
                )
            stamps.append(stamp)
            volumes.append(volume)
            ahts.append(aht)
    if not stamps:
        raise InputError(f"{path}: no data rows")
    step = _check_grid(stamps)
    days = len({stamp.date() for stamp in stamps})
    if days < MIN_HISTORY_DAYS:
        raise InputError(
            f"too little history: {days} days with data, at least {MIN_HISTORY_DAYS} needed"
        )
    return History(
        np.array(stamps, dtype="datetime64[m]"),
        np.array(volumes),
        np.array(ahts) if has_aht else None,
        step,
    )


def _parse_row(row: list[str], line: int, has_aht: bool) -> tuple[datetime, float, float]:
    if len(row) < 2:
        raise InputError(f"line {line}: expected timestamp,volume, got {','.join(row)!r}")
    try:
        stamp = datetime.fromisoformat(row[0].strip()).replace(tzinfo=None, second=0, microsecond=0)
    except ValueError:
        raise InputError(f"line {line}: cannot read timestamp {row[0]!r} (use ISO 8601)") from None
    volume = _number(row[1], line, "volume")
    if volume < 0:
        raise InputError(f"line {line}: negative volume {row[1].strip()}")
    aht = math.nan
    if has_aht and len(row) > 2 and row[2].strip():
        aht = _number(row[2], line, "aht")
        if aht < 0:
            raise InputError(f"line {line}: negative aht {row[2].strip()}")
    return stamp, volume, aht


def _number(text: str, line: int, column: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise InputError(
            f"line {line}: cannot read {column} {text.strip()!r} as a number"
        ) from None
    if not math.isfinite(value):
        raise InputError(f"line {line}: {column} {text.strip()!r} is not a finite number")
    return value


def _check_grid(stamps: list[datetime]) -> int:
    """The input step (smallest gap between rows of a day); raise on holes inside a day."""
    diffs = [b - a for a, b in pairwise(stamps) if a.date() == b.date()]
    step = min(diffs, default=timedelta(minutes=MINUTES_PER_DAY))
    step_minutes = int(step.total_seconds() // 60)
    if step_minutes <= 0 or MINUTES_PER_DAY % step_minutes:
        raise InputError(f"the rows are {step} apart, which does not divide a day")
    for line, (before, after) in enumerate(pairwise(stamps), start=3):
        if before.date() == after.date() and after - before != step:
            missing = (after - before) // step - 1
            raise InputError(
                f"line {line}: gap of {missing} interval(s) between {before:%Y-%m-%d %H:%M} and "
                f"{after:%H:%M}; write closed intervals as 0"
            )
    return step_minutes


def read_events(path: Path) -> list[CalendarEvent]:
    """Read a ``name,start,end,volume_multiplier`` CSV of calendar events."""
    events = []
    with path.open(newline="", encoding="utf-8-sig") as handle:
        for line, row in enumerate(csv.DictReader(handle), start=2):
            try:
                events.append(
                    CalendarEvent(
                        name=row["name"],
                        start=datetime.fromisoformat(row["start"]),
                        end=datetime.fromisoformat(row["end"]),
                        volume_multiplier=float(row.get("volume_multiplier") or 1.0),
                    )
                )
            except (KeyError, ValueError, TypeError) as error:
                raise InputError(f"{path}: line {line}: bad event ({error})") from None
    return events


def _interval(history: History, text: str) -> int:
    minutes = parse_duration_minutes(text, what="interval")
    if minutes not in {15, 30, 60}:
        raise InputError(f"interval {text!r} must be 15m, 30m or 60m")
    if minutes % history.step_minutes:
        raise InputError(
            f"interval {text} is not a multiple of the input's {history.step_minutes} minutes"
        )
    return minutes


def _fail(error: InputError) -> typer.Exit:
    typer.echo(f"error: {error}", err=True)
    return typer.Exit(INPUT_ERROR)


@app.callback()
def forecast(
    ctx: typer.Context,
    history: HistoryOption = None,
    interval: IntervalOption = "30m",
    horizon: Annotated[str, typer.Option(help="How far ahead: 12h, 7d... up to 6w.")] = "7d",
    country: CountryOption = None,
    start: Annotated[
        datetime | None,
        typer.Option(
            help="Forecast start (default: midnight after the history). Inside a day whose first "
            "intervals are in the history, the rest of the day is re-forecast from them."
        ),
    ] = None,
    events: Annotated[
        Path | None,
        typer.Option(help="CSV of calendar events: name,start,end,volume_multiplier."),
    ] = None,
    coverage: Annotated[float, typer.Option(help="Prediction interval coverage.")] = 0.8,
    out: Annotated[Path | None, typer.Option(help="Output CSV (default: standard output).")] = None,
) -> None:
    """Forecast volume per interval with an 80% prediction interval (and AHT when the history has it)."""
    if ctx.invoked_subcommand is not None:
        return
    if history is None:
        typer.echo(ctx.get_help())
        raise typer.Exit(INPUT_ERROR)
    try:
        data = read_history(history)
        candidates = default_candidates()
        with typer.progressbar(
            length=len(candidates), label="backtesting models", file=sys.stderr
        ) as bar:
            result = forecast_series(
                data.timestamps,
                data.volume,
                interval_minutes=_interval(data, interval),
                horizon_minutes=parse_duration_minutes(horizon, what="horizon"),
                start=start,
                aht_seconds=data.aht_seconds,
                country=country,
                events=read_events(events) if events else (),
                coverage=coverage,
                candidates=candidates,
                on_scored=lambda _score: bar.update(1),
            )
    except InputError as error:
        raise _fail(error) from None
    except ValueError as error:
        raise _fail(InputError(str(error))) from None
    _write_forecast(result, out)
    accuracy = result.backtest
    summary = f"model: {result.model}"
    if accuracy is not None:
        summary += f"; backtest WAPE {accuracy.wape_interval:.1%} per interval, {accuracy.wape_daily:.1%} daily"
    typer.echo(summary, err=True)


def _write_forecast(result: ForecastResult, out: Path | None) -> None:
    handle = out.open("w", newline="", encoding="utf-8") if out else sys.stdout
    try:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(
            ["timestamp", "volume", "lower", "upper"]
            + (["aht"] if result.aht_seconds is not None else [])
        )
        for i, stamp in enumerate(result.timestamps):
            row: list[Any] = [
                stamp.isoformat(timespec="minutes"),
                f"{result.volume[i]:.2f}",
                f"{result.lower[i]:g}",
                f"{result.upper[i]:g}",
            ]
            if result.aht_seconds is not None:
                aht = result.aht_seconds[i]
                row.append("" if math.isnan(aht) else f"{aht:.1f}")
            writer.writerow(row)
    finally:
        if out:
            handle.close()


@app.command("backtest")
def backtest_command(
    history: HistoryOption = None,
    interval: IntervalOption = "30m",
    horizon: Annotated[str, typer.Option(help="Days forecast from each origin.")] = "7d",
    origins: Annotated[int, typer.Option(min=1, help="Number of weekly rolling origins.")] = 8,
    country: CountryOption = None,
    plot: Annotated[Path, typer.Option(help="PNG of forecast vs actual.")] = Path("backtest.png"),
) -> None:
    """Rolling-origin backtest of the forecast (and seasonal naive): a table and a PNG plot."""
    try:
        if history is None:
            raise InputError("--history is required")
        data = read_history(history)
        grid = to_day_grid(data.timestamps, data.volume, _interval(data, interval))
        days = parse_duration_minutes(horizon, what="horizon") // MINUTES_PER_DAY
        if days < 1:
            raise InputError("the backtest horizon must be at least one day (1d)")
        if grid.n_days - origins * days < MIN_HISTORY_DAYS:
            raise InputError(
                f"too little history: {grid.n_days} days for {origins} origins of {days} days "
                f"plus {MIN_HISTORY_DAYS} days of training"
            )
        kinds = day_kinds(grid.first_day, grid.n_days + days, country)
    except InputError as error:
        raise _fail(error) from None
    except ValueError as error:
        raise _fail(InputError(str(error))) from None
    ours = auto_forecaster(kinds)
    with typer.progressbar(length=origins, label="backtest", file=sys.stderr) as bar:

        def tracked(past: DayGrid, ahead: int) -> npt.NDArray[np.float64]:
            forecast = ours(past, ahead)
            bar.update(1)
            return forecast

        ours_accuracy, actual, forecast = backtest(
            grid, tracked, origins=origins, horizon_days=days
        )
    naive_accuracy, _, _ = backtest(grid, seasonal_naive, origins=origins, horizon_days=days)
    typer.echo(_table({"helpline": ours_accuracy, "seasonal naive": naive_accuracy}))
    first = grid.first_day + timedelta(days=grid.n_days - origins * days)
    _plot(first, actual, forecast, plot)
    typer.echo(f"plot: {plot}")


def _table(rows: dict[str, Accuracy]) -> str:
    lines = [
        f"{'model':<16}{'WAPE interval':>15}{'WAPE daily':>12}{'bias':>8}{'days within 5%':>16}"
    ]
    for name, acc in rows.items():
        lines.append(
            f"{name:<16}{acc.wape_interval:>15.1%}{acc.wape_daily:>12.1%}{acc.bias:>+8.1%}"
            f"{acc.days_within_5pct:>16.0%}"
        )
    return "\n".join(lines)


def _plot(
    first: Any, actual: npt.NDArray[np.float64], forecast: npt.NDArray[np.float64], path: Path
) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    known = np.asarray(~np.isnan(actual).all(axis=1), dtype=bool)
    dates = [first + timedelta(days=i) for i in range(actual.shape[0])]
    shown = [d for d, k in zip(dates, known, strict=True) if k]
    figure, (daily, intervals) = plt.subplots(2, 1, figsize=(11, 7))
    daily.plot(shown, np.nansum(actual, axis=1)[known], "o-", label="actual")
    daily.plot(shown, forecast.sum(axis=1)[known], "s--", label="forecast")
    daily.set_title("Daily totals")
    daily.legend()
    last_week = slice(max(0, actual.shape[0] - 7), actual.shape[0])
    intervals.plot(np.nan_to_num(actual[last_week]).ravel(), label="actual")
    intervals.plot(forecast[last_week].ravel(), label="forecast")
    intervals.set_title("Intervals of the last 7 days")
    intervals.set_xlabel("interval")
    intervals.legend()
    figure.tight_layout()
    figure.savefig(path, dpi=90)
    plt.close(figure)
