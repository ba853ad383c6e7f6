"""Business-time arithmetic on open intervals: how much working time lies between two instants, and
when a given amount of working time will have passed.

Instants are seconds on one clock (the service passes Unix epoch seconds). Intervals are half-open
``[start, end)``, sorted and non-overlapping; ``end`` may be ``math.inf`` (open from ``start`` on) and
``start`` may be ``-math.inf``. Weekly hours in a time zone are expanded into intervals by the service
layer (``services.acd.engine_config.open_intervals``), so this module never reads a clock or a tz database.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

Interval = tuple[float, float]
ALWAYS: tuple[Interval, ...] = ((-math.inf, math.inf),)
"""Every instant is working time (a policy without hours)."""


def normalized(intervals: Iterable[Interval]) -> tuple[Interval, ...]:
    """``intervals`` sorted with empty ones dropped and overlapping or touching ones joined."""
    merged: list[Interval] = []
    for start, end in sorted(i for i in intervals if i[0] < i[1]):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return tuple(merged)


def intersect(a: Sequence[Interval], b: Sequence[Interval]) -> tuple[Interval, ...]:
    """The instants in both ``a`` and ``b`` (both normalised); linear merge of the two lists."""
    result: list[Interval] = []
    i = j = 0
    while i < len(a) and j < len(b):
        start = max(a[i][0], b[j][0])
        end = min(a[i][1], b[j][1])
        if start < end:
            result.append((start, end))
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return tuple(result)


def complement(intervals: Sequence[Interval]) -> tuple[Interval, ...]:
    """The instants outside ``intervals`` (normalised), e.g. the open time around holidays."""
    gaps: list[Interval] = []
    previous = -math.inf
    for start, end in intervals:
        if previous < start:
            gaps.append((previous, start))
        previous = end
    if previous < math.inf:
        gaps.append((previous, math.inf))
    return tuple(gaps)


def working_seconds(intervals: Sequence[Interval], start: float, end: float) -> float:
    """Seconds of ``intervals`` inside ``[start, end)`` (0 when ``end <= start``)."""
    total = 0.0
    if end <= start:
        return total
    for opens, closes in intervals:
        if closes <= start:
            continue
        if opens >= end:
            break
        total += min(closes, end) - max(opens, start)
    return total


def add_working_seconds(
    intervals: Sequence[Interval], start: float, seconds: float
) -> float | None:
    """The first instant at which ``seconds`` of working time have passed since ``start``
    (``start`` itself for zero).

    None when the intervals end before that much working time accumulates (beyond the horizon the
    caller expanded, or a pause with no end).
    """
    if seconds <= 0:
        return start
    remaining = seconds
    for opens, closes in intervals:
        if closes <= start:
            continue
        begin = max(opens, start)
        available = closes - begin
        if remaining <= available:
            return begin + remaining
        remaining -= available
    return None
