"""Files of ``helpline schedule``: requirement and agent CSVs, the shift-template YAML, the outputs.

Every reader raises :class:`InputFileError` with the file name and, for CSV, the line number, so the
command can print one clear message and exit with code 2.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import numpy.typing as npt
import yaml
from pydantic import TypeAdapter, ValidationError

from helpline.documents import Count, validate
from helpline.errors import InvalidInput
from helpline.wfm.rostering import Agent, Assignment
from helpline.wfm.rostering.profiles import AgentRow
from helpline.wfm.scheduling import ScheduledShift, ScheduleInputError, ScheduleResult
from helpline.wfm.scheduling.templates import DAY_NAMES, ShiftSettings, shift_settings_from_data

FloatArray = npt.NDArray[np.float64]
REQUIREMENT_COLUMNS = ("agents", "required_agents_80_20", "required_agents", "fte")
CALL_COLUMNS = ("calls", "volume")
_COUNT: TypeAdapter[float] = TypeAdapter(Count)
_LISTS = {"skills", "days_off", "preferred_templates", "preferred_days_off"}


class InputFileError(ValueError):
    """A file given to the command is unreadable or invalid; the message says where and why."""


@dataclass(frozen=True)
class Requirements:
    """Required agents (and offered calls, when the file has them) per interval of a whole-day horizon.

    ``first_day`` is the calendar date of day 0 when the file had timestamps.
    """

    interval_minutes: int
    required: FloatArray
    calls: FloatArray | None
    first_day: datetime | None


def _numbers(rows: list[dict[str, str]], column: str, path: Path) -> FloatArray:
    """The column as agents or calls per interval (the API's bounds), naming the line on error."""
    values = []
    for i, row in enumerate(rows):
        try:
            values.append(_COUNT.validate_python((row.get(column) or "").strip() or None))
        except ValidationError as error:
            reason = error.errors(include_url=False)[0]["msg"]
            raise InputFileError(f"{path}: line {i + 2}: {column}: {reason}") from None
    return np.array(values, dtype=np.float64)


def _rows(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    try:
        with path.open(newline="", encoding="utf-8") as handle:
            reader = csv.DictReader(handle)
            rows = list(reader)
            header = list(reader.fieldnames or [])
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        raise InputFileError(f"{path}: cannot read: {error}") from None
    if not header:
        raise InputFileError(f"{path}: empty file, expected a header line")
    if not rows:
        raise InputFileError(f"{path}: no data lines after the header")
    return [h.strip() for h in header], [{k.strip(): v for k, v in r.items() if k} for r in rows]


def _pick(header: Sequence[str], wanted: str | None, defaults: Sequence[str], path: Path) -> str:
    if wanted is not None:
        if wanted not in header:
            raise InputFileError(
                f"{path}: line 1: no column {wanted!r} (columns: {', '.join(header)})"
            )
        return wanted
    for name in defaults:
        if name in header:
            return name
    raise InputFileError(
        f"{path}: line 1: no requirement column; expected one of {', '.join(defaults)} "
        "(or name it with --column)"
    )


def read_requirements(
    path: Path, column: str | None = None, calls_column: str | None = None
) -> Requirements:
    """Read ``timestamp,...,agents,...`` (``helpline staff`` output) or ``day,period,...`` CSV."""
    header, rows = _rows(path)
    value_column = _pick(header, column, REQUIREMENT_COLUMNS, path)
    required = _numbers(rows, value_column, path)
    calls = None
    calls_name = calls_column or next((c for c in CALL_COLUMNS if c in header), None)
    if calls_name is not None:
        if calls_name not in header:
            raise InputFileError(f"{path}: line 1: no column {calls_name!r}")
        calls = _numbers(rows, calls_name, path)
    if "timestamp" in header:
        interval, first_day = _timestamp_axis(path, rows)
    elif "day" in header and "period" in header:
        interval, first_day = _day_period_axis(path, rows), None
    else:
        raise InputFileError(f"{path}: line 1: expected a 'timestamp' column or 'day' and 'period'")
    return Requirements(interval, required, calls, first_day)


def _timestamp_axis(path: Path, rows: list[dict[str, str]]) -> tuple[int, datetime]:
    stamps = []
    for i, row in enumerate(rows):
        try:
            stamps.append(datetime.fromisoformat(row["timestamp"].strip()))
        except (ValueError, AttributeError):
            raise InputFileError(
                f"{path}: line {i + 2}: timestamp {row.get('timestamp')!r} is not ISO 8601"
            ) from None
    if len(stamps) < 2:
        raise InputFileError(f"{path}: need at least two intervals to tell their length")
    step = stamps[1] - stamps[0]
    for i in range(1, len(stamps)):
        if stamps[i] - stamps[i - 1] != step:
            raise InputFileError(f"{path}: line {i + 2}: intervals must be evenly spaced ({step})")
    if stamps[0].time() != datetime.min.time():
        raise InputFileError(f"{path}: line 2: the horizon must start at midnight")
    if step <= timedelta(0) or step.total_seconds() % 60:
        raise InputFileError(f"{path}: line 3: interval of {step} is not a whole number of minutes")
    return int(step.total_seconds() // 60), stamps[0]


def _day_period_axis(path: Path, rows: list[dict[str, str]]) -> int:
    periods = []
    for i, row in enumerate(rows):
        try:
            periods.append((int(row["day"]), int(row["period"])))
        except (ValueError, TypeError):
            raise InputFileError(f"{path}: line {i + 2}: day and period must be integers") from None
    per_day = max(p for _, p in periods) + 1
    for i, (day, period) in enumerate(periods):
        if day * per_day + period != i:
            raise InputFileError(
                f"{path}: line {i + 2}: expected day {i // per_day} period {i % per_day} "
                "(rows must cover whole days in order)"
            )
    if 1440 % per_day:
        raise InputFileError(f"{path}: {per_day} periods per day do not divide a day")
    return 1440 // per_day


def read_shift_settings(path: Path) -> ShiftSettings:
    """Read and validate the shift-template YAML file (format: README, "Shift templates")."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise InputFileError(f"{path}: cannot read: {error}") from None
    except yaml.YAMLError as error:
        raise InputFileError(f"{path}: not valid YAML: {error}") from None
    try:
        return shift_settings_from_data(data)
    except ScheduleInputError as error:
        raise InputFileError(f"{path}: {error}") from None


def read_agents(path: Path) -> tuple[Agent, ...]:
    """Read agents: ``name`` plus optional contract, skills, time-off and preference columns (lists
    separated by ``;``), each validated as the API validates rostering profiles."""
    header, rows = _rows(path)
    if "name" not in header:
        raise InputFileError(f"{path}: line 1: missing column 'name'")
    agents = []
    for i, row in enumerate(rows):
        cells: dict[str, object] = {k: v.strip() for k, v in row.items() if v and v.strip()}
        for key in _LISTS & cells.keys():
            cells[key] = [item.strip() for item in str(cells[key]).split(";") if item.strip()]
        try:
            agents.append(validate(AgentRow, cells, "row").agent())
        except InvalidInput as error:
            raise InputFileError(f"{path}: line {i + 2}: {error}") from None
    names = [a.name for a in agents]
    if len(set(names)) != len(names):
        raise InputFileError(f"{path}: agent names must be unique")
    return tuple(agents)


def _clock(minutes: int) -> str:
    return f"{minutes // 60 % 24:02d}:{minutes % 60:02d}"


def _shift_fields(shift: ScheduledShift, first_day: datetime | None) -> dict[str, object]:
    date = (first_day + timedelta(days=shift.day)).date().isoformat() if first_day else ""
    weekday = (
        DAY_NAMES[(first_day + timedelta(days=shift.day)).weekday()]
        if first_day
        else DAY_NAMES[shift.day % 7]
    )
    breaks = "; ".join(
        f"{b.name} {_clock(shift.start_minutes + b.start_offset_minutes)}-"
        f"{_clock(shift.start_minutes + b.start_offset_minutes + b.duration_minutes)}"
        for b in shift.breaks
    )
    return {
        "day": shift.day,
        "date": date,
        "weekday": weekday,
        "start": _clock(shift.start_minutes),
        "end": _clock(shift.start_minutes + shift.length_minutes),
        "template": shift.template,
        "group": shift.group,
        "paid_hours": round(shift.paid_minutes / 60, 4),
        "breaks": breaks,
    }


def _write(path: Path, header: list[str], rows: Iterable[dict[str, object]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=header)
        writer.writeheader()
        writer.writerows(rows)


def write_shifts(path: Path, result: ScheduleResult, first_day: datetime | None) -> None:
    """One line per group of identical shifts, with how many agents work it."""
    header = [
        "day",
        "date",
        "weekday",
        "start",
        "end",
        "template",
        "group",
        "paid_hours",
        "count",
        "breaks",
    ]
    _write(path, header, ({**_shift_fields(s, first_day), "count": s.count} for s in result.shifts))


def write_roster(path: Path, assignments: Sequence[Assignment], first_day: datetime | None) -> None:
    """One line per agent and shift."""
    header = [
        "agent",
        "day",
        "date",
        "weekday",
        "start",
        "end",
        "template",
        "group",
        "paid_hours",
        "breaks",
    ]
    rows = sorted(
        ({"agent": a.agent, **_shift_fields(a.shift, first_day)} for a in assignments),
        key=lambda row: (str(row["agent"]), int(str(row["day"])), str(row["start"])),
    )
    _write(path, header, rows)


def write_coverage(path: Path, result: ScheduleResult) -> None:
    """Per group and interval: required, scheduled, under/over staffing and predicted SL."""
    header = [
        "interval",
        "day",
        "time",
        "group",
        "required",
        "scheduled",
        "understaffed",
        "overstaffed",
        "service_level",
    ]
    per_day = 1440 // result.interval_minutes

    def line(group: str, t: int) -> dict[str, object]:
        levels = result.service_level.get(group)
        return {
            "interval": t,
            "day": t // per_day,
            "time": _clock((t % per_day) * result.interval_minutes),
            "group": group,
            "required": round(float(result.required[group][t]), 4),
            "scheduled": round(float(result.coverage[group][t]), 4),
            "understaffed": round(float(result.understaffed[group][t]), 4),
            "overstaffed": round(float(result.overstaffed[group][t]), 4),
            "service_level": "" if levels is None else round(float(levels[t]), 6),
        }

    _write(
        path, header, [line(g, t) for g, r in result.required.items() for t in range(r.shape[0])]
    )
