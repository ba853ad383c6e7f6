"""Read shift templates from plain data (a parsed YAML document), validating every field.

The document format (see the README's "Shift templates" section)::

    understaffing_penalty: 1000        # optional, per agent short per interval
    wraps_around: true                 # optional, the week repeats (shifts may run into Monday)
    templates:
      - name: full
        length: 8h30m                  # or minutes as an integer
        starts: {from: "06:00", to: "14:00", every: 30m}   # or a list of "HH:MM"
        days: [mon, tue, wed, thu, fri]                     # optional, default every day
        cost_per_paid_hour: 20         # optional, default 1
        may_cross_midnight: false      # optional, default true
        group: voice                   # optional, default "default"
        max_shifts: 120                # optional, cap over the horizon
        weekly_pattern: {days_worked: 5, min_consecutive_days_off: 2}   # optional: weekly tours
        breaks:
          - {name: lunch, duration: 30m, paid: false, window: [3h, 5h]}
          - {name: break, duration: 15m, paid: true, window: [5h30m, 7h]}

Parsing is pure: the caller reads the file; errors are :class:`ScheduleInputError` naming the field.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from helpline.wfm.scheduling.model import (
    ALL_DAYS,
    BreakRule,
    ScheduleInputError,
    ShiftTemplate,
    WeeklyPattern,
)

DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_DURATION = re.compile(r"^\s*(?:(\d+)\s*h)?\s*(?:(\d+)\s*m(?:in)?)?\s*$")
_CLOCK = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*$")


@dataclass(frozen=True)
class ShiftSettings:
    """What a shift-template document holds: the templates and the scheduling options."""

    templates: tuple[ShiftTemplate, ...]
    understaffing_penalty: float = 1000.0
    wraps_around: bool = True


def parse_minutes(value: object, where: str) -> int:
    """``90``, ``"90"``, ``"1h30m"``, ``"8h"`` or ``"45m"`` -> minutes."""
    if isinstance(value, bool):
        raise ScheduleInputError(f"{where}: expected a duration, got {value!r}")
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        if value.strip().isdigit():
            return int(value)
        match = _DURATION.match(value)
        if match and (match.group(1) or match.group(2)):
            return int(match.group(1) or 0) * 60 + int(match.group(2) or 0)
    raise ScheduleInputError(f"{where}: expected a duration like 8h, 30m or 1h30m, got {value!r}")


def parse_clock(value: object, where: str) -> int:
    """``"08:30"`` -> minutes after midnight (``"24:00"`` is not a start time)."""
    match = _CLOCK.match(value) if isinstance(value, str) else None
    if match is None:
        raise ScheduleInputError(f"{where}: expected a time HH:MM, got {value!r}")
    hours, minutes = int(match.group(1)), int(match.group(2))
    if hours > 23 or minutes > 59:
        raise ScheduleInputError(f"{where}: {value!r} is not a time of day")
    return hours * 60 + minutes


def _mapping(value: object, where: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise ScheduleInputError(f"{where}: expected a mapping, got {type(value).__name__}")
    return value


def _sequence(value: object, where: str) -> Sequence[Any]:
    if isinstance(value, str) or not isinstance(value, Sequence):
        raise ScheduleInputError(f"{where}: expected a list, got {type(value).__name__}")
    return value


def _check_keys(data: Mapping[str, Any], allowed: set[str], where: str) -> None:
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise ScheduleInputError(f"{where}: unknown field(s) {', '.join(unknown)}")


def _starts(value: object, where: str) -> tuple[int, ...]:
    if isinstance(value, Mapping):
        _check_keys(value, {"from", "to", "every"}, where)
        first = parse_clock(value.get("from", "00:00"), f"{where}.from")
        last = parse_clock(value.get("to", "23:59"), f"{where}.to")
        every = parse_minutes(value.get("every", 30), f"{where}.every")
        if every <= 0 or last < first:
            raise ScheduleInputError(f"{where}: need every > 0 and from <= to")
        return tuple(range(first, last + 1, every))
    return tuple(
        parse_clock(item, f"{where}[{i}]") for i, item in enumerate(_sequence(value, where))
    )


def _days(value: object, where: str) -> tuple[int, ...]:
    if value is None or value == "all":
        return ALL_DAYS
    days = []
    for i, item in enumerate(_sequence(value, where)):
        if isinstance(item, int) and not isinstance(item, bool) and 0 <= item <= 6:
            days.append(item)
        elif isinstance(item, str) and item.strip().lower()[:3] in DAY_NAMES:
            days.append(DAY_NAMES.index(item.strip().lower()[:3]))
        else:
            raise ScheduleInputError(f"{where}[{i}]: expected a day (mon..sun or 0..6)")
    return tuple(sorted(set(days)))


def _break(data: object, where: str) -> BreakRule:
    item = _mapping(data, where)
    _check_keys(item, {"name", "duration", "paid", "window", "step"}, where)
    window = _sequence(item.get("window"), f"{where}.window")
    if len(window) != 2:
        raise ScheduleInputError(f"{where}.window: expected [earliest, latest] after shift start")
    step = item.get("step")
    return BreakRule(
        name=str(item.get("name", "break")),
        duration_minutes=parse_minutes(item.get("duration"), f"{where}.duration"),
        earliest_start_minutes=parse_minutes(window[0], f"{where}.window[0]"),
        latest_start_minutes=parse_minutes(window[1], f"{where}.window[1]"),
        is_paid=bool(item.get("paid", False)),
        step_minutes=None if step is None else parse_minutes(step, f"{where}.step"),
    )


def _template(data: object, where: str) -> ShiftTemplate:
    item = _mapping(data, where)
    allowed = {
        "name",
        "length",
        "starts",
        "days",
        "breaks",
        "group",
        "cost_per_paid_hour",
        "may_cross_midnight",
        "weekly_pattern",
        "max_shifts",
    }
    _check_keys(item, allowed, where)
    for required in ("name", "length", "starts"):
        if required not in item:
            raise ScheduleInputError(f"{where}: missing field {required!r}")
    pattern = None
    if item.get("weekly_pattern") is not None:
        raw = _mapping(item["weekly_pattern"], f"{where}.weekly_pattern")
        _check_keys(raw, {"days_worked", "min_consecutive_days_off"}, f"{where}.weekly_pattern")
        pattern = WeeklyPattern(
            days_worked=int(raw.get("days_worked", 5)),
            min_consecutive_days_off=int(raw.get("min_consecutive_days_off", 0)),
        )
    breaks = item.get("breaks") or []
    max_shifts = item.get("max_shifts")
    try:
        return ShiftTemplate(
            name=str(item["name"]),
            length_minutes=parse_minutes(item["length"], f"{where}.length"),
            start_minutes=_starts(item["starts"], f"{where}.starts"),
            days=_days(item.get("days"), f"{where}.days"),
            breaks=tuple(
                _break(b, f"{where}.breaks[{i}]")
                for i, b in enumerate(_sequence(breaks, f"{where}.breaks"))
            ),
            group=str(item.get("group", "default")),
            cost_per_paid_hour=float(item.get("cost_per_paid_hour", 1.0)),
            may_cross_midnight=bool(item.get("may_cross_midnight", True)),
            weekly_pattern=pattern,
            max_shifts=None if max_shifts is None else int(max_shifts),
        )
    except (TypeError, ValueError) as error:  # int()/float() of a bad value, or a model check
        raise ScheduleInputError(f"{where}: {error}") from error


def shift_settings_from_data(data: object) -> ShiftSettings:
    """Validate a parsed shift-template document (see the module docstring) into settings."""
    document = _mapping(data, "shift templates")
    _check_keys(document, {"templates", "understaffing_penalty", "wraps_around"}, "document")
    templates = _sequence(document.get("templates"), "templates")
    if not templates:
        raise ScheduleInputError("templates: at least one shift template is needed")
    return ShiftSettings(
        templates=tuple(_template(t, f"templates[{i}]") for i, t in enumerate(templates)),
        understaffing_penalty=float(document.get("understaffing_penalty", 1000.0)),
        wraps_around=bool(document.get("wraps_around", True)),
    )
