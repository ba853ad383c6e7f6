"""``helpline staff``: interval volumes CSV in, required agents and predicted KPIs CSV out."""

from __future__ import annotations

import csv
import math
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import numpy as np
import typer

from helpline.wfm.staffing import staff_intervals

# Exit status for bad input, the same code Typer/Click uses for usage errors.
_BAD_INPUT = 2
_INTERVAL = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smh]?)\s*$")
_UNIT_SECONDS = {"s": 1.0, "m": 60.0, "h": 3600.0, "": 60.0}
OUTPUT_COLUMNS = (
    "timestamp",
    "volume",
    "aht",
    "agents",
    "fte",
    "service_level",
    "asa",
    "abandon_rate",
    "occupancy",
)


class InputError(Exception):
    """A problem in the user's input, reported as one line and exit status 2."""


@dataclass(frozen=True)
class VolumeRows:
    """The parsed input file: one entry per interval, in file order."""

    timestamps: list[str]
    volumes: list[float]
    ahts: list[float]


def parse_interval(text: str) -> float:
    """'30m', '15m', '1h', '900s' or a bare number of minutes -> seconds (> 0)."""
    match = _INTERVAL.match(text)
    if not match or float(match.group(1)) <= 0:
        raise InputError(f"--interval: expected a length like 30m, 1h or 900s, got {text!r}")
    return float(match.group(1)) * _UNIT_SECONDS[match.group(2)]


def _number(path: Path, line: int, column: str, text: str, *, positive: bool) -> float:
    try:
        value = float(text)
    except ValueError:
        raise InputError(f"{path}:{line}: {column} is not a number: {text!r}") from None
    if not math.isfinite(value) or value < 0 or (positive and value == 0):
        bound = "> 0" if positive else ">= 0"
        raise InputError(f"{path}:{line}: {column} must be a finite number {bound}, got {text!r}")
    return value


def read_volumes(path: Path, default_aht: float | None) -> VolumeRows:
    """Read ``timestamp,volume[,aht]``; InputError naming the file and line for any bad cell."""
    try:
        handle = path.open(newline="", encoding="utf-8-sig")
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror}") from None
    with handle:
        reader = csv.DictReader(handle)
        header = [name.strip() for name in reader.fieldnames or []]
        missing = [name for name in ("timestamp", "volume") if name not in header]
        if missing:
            raise InputError(f"{path}:1: missing column(s) {', '.join(missing)}")
        reader.fieldnames = header
        has_aht = "aht" in header
        rows = VolumeRows([], [], [])
        for row in reader:
            line = reader.line_num
            stamp = (row.get("timestamp") or "").strip()
            try:
                datetime.fromisoformat(stamp)
            except ValueError:
                raise InputError(f"{path}:{line}: bad timestamp {stamp!r}") from None
            volume = _number(
                path, line, "volume", (row.get("volume") or "").strip(), positive=False
            )
            aht_text = (row.get("aht") or "").strip() if has_aht else ""
            if aht_text:
                aht = _number(path, line, "aht", aht_text, positive=True)
            elif default_aht is not None:
                aht = default_aht
            else:
                raise InputError(f"{path}:{line}: no aht in the file and no --aht given")
            rows.timestamps.append(stamp)
            rows.volumes.append(volume)
            rows.ahts.append(aht)
    if not rows.timestamps:
        raise InputError(f"{path}: no intervals after the header")
    return rows


def fitted_patience(log: Path) -> float:
    """Mean patience of an Anonymous Bank log's callers, seconds: the exponential maximum-likelihood
    estimate from censored waits (abandonments / total waiting time), Erlang A's patience."""
    from helpline.domain.anonymous_bank import FormatError, Outcome, parse_calls
    from helpline.wfm.patience import CensoredWaits, fit_exponential

    try:
        with log.open(encoding="utf-8", newline="") as lines:
            calls = [c for c in parse_calls(lines) if c.reached_agents]
    except OSError as exc:
        raise InputError(f"{log}: cannot read: {exc.strerror}") from None
    except FormatError as exc:
        raise InputError(f"{log}: line {exc.line}: {exc.reason}") from None
    waits = CensoredWaits.of(
        [float(c.wait_seconds) for c in calls], [c.outcome is not Outcome.AGENT for c in calls]
    )
    try:
        return fit_exponential(waits).mean_seconds
    except ValueError as exc:
        raise InputError(f"{log}: {exc}") from None


def staff(
    volumes: Path = typer.Option(..., "--volumes", help="CSV with columns timestamp,volume[,aht]."),
    out: Path = typer.Option(..., "--out", help="Where to write the staffing CSV."),
    aht: float | None = typer.Option(
        None, "--aht", min=0.0, help="Average handle time, seconds (when the CSV has no aht)."
    ),
    interval: str = typer.Option("30m", "--interval", help="Interval length: 15m, 30m, 1h, 900s."),
    service_level: float = typer.Option(
        0.8, "--service-level", min=0.0, max=1.0, help="Target fraction answered in time."
    ),
    answer_time: float = typer.Option(
        20.0, "--answer-time", min=0.0, help="Target answer time, seconds."
    ),
    patience: float | None = typer.Option(
        None, "--patience", min=0.0, help="Callers' mean patience, seconds: use Erlang A."
    ),
    patience_from: Path | None = typer.Option(
        None,
        "--patience-from",
        help="Anonymous Bank call log: use Erlang A with the mean patience fitted to its censored "
        "waits (the twin's estimate, docs/simulation.md).",
    ),
    shrinkage: float = typer.Option(
        0.0, "--shrinkage", min=0.0, max=1.0, help="Fraction of paid time off the phones."
    ),
    max_occupancy: float | None = typer.Option(
        None, "--max-occupancy", min=0.0, max=1.0, help="Occupancy ceiling, fraction."
    ),
    max_asa: float | None = typer.Option(None, "--max-asa", min=0.0, help="ASA ceiling, seconds."),
    max_abandon: float | None = typer.Option(
        None, "--max-abandon", min=0.0, max=1.0, help="Abandonment ceiling (needs --patience)."
    ),
) -> None:
    """Required agents, scheduled FTE and predicted SL, ASA, abandonment, occupancy per interval.

    Erlang C by default, Erlang A with --patience. Exit status 2 on bad input.
    """
    try:
        if patience_from is not None:
            if patience is not None:
                raise InputError("give --patience or --patience-from, not both")
            patience = fitted_patience(patience_from)
            typer.echo(f"patience fitted from {patience_from}: {patience:.1f} s", err=True)
        interval_seconds = parse_interval(interval)
        rows = read_volumes(volumes, aht)
        result = staff_intervals(
            np.array(rows.volumes),
            np.array(rows.ahts),
            interval_seconds,
            service_level,
            answer_time,
            patience=patience,
            shrinkage=shrinkage,
            max_occupancy=max_occupancy,
            max_asa=max_asa,
            max_abandon=max_abandon,
        )
    except (InputError, ValueError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(_BAD_INPUT) from None
    with out.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(OUTPUT_COLUMNS)
        for i, stamp in enumerate(rows.timestamps):
            writer.writerow(
                [
                    stamp,
                    f"{rows.volumes[i]:g}",
                    f"{rows.ahts[i]:g}",
                    int(result.agents[i]),
                    int(result.fte[i]),
                    f"{result.service_level[i]:.6f}",
                    f"{result.asa[i]:.3f}",
                    f"{result.abandon_rate[i]:.6f}",
                    f"{result.occupancy[i]:.6f}",
                ]
            )
    typer.echo(f"staffed {len(rows.timestamps)} intervals -> {out}")
