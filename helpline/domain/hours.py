"""Hours of operation: a weekly timetable in the organization's time zone."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, time
from typing import Any

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def parse_clock(text: str) -> time:
    """``"08:30"`` -> 08:30; ``"24:00"`` is the end of the day (returned as 23:59:59.999999)."""
    if text == "24:00":
        return time.max
    hours, _, minutes = text.partition(":")
    return time(int(hours), int(minutes))


def is_open(hours: Mapping[str, Any], local: datetime) -> bool:
    """Whether a queue with ``hours`` (``{"always_open": bool, "weekly": {day: [{open, close}]}}``)
    is open at ``local``, a time already in the organization's time zone."""
    if hours.get("always_open", True):
        return True
    weekly: Mapping[str, Sequence[Mapping[str, str]]] = hours.get("weekly") or {}
    now = local.time()
    return any(
        parse_clock(span["open"]) <= now < parse_clock(span["close"])
        for span in weekly.get(WEEKDAYS[local.weekday()], ())
    )
