"""Turn weekly availability windows and dated absences into the stretches rostering must avoid.

Minutes are minutes since the start of the horizon (local midnight of its first Monday).
"""

from __future__ import annotations

from collections.abc import Iterable

from helpline.wfm.rostering.model import MINUTES_PER_DAY

Stretch = tuple[int, int]


def merge_stretches(stretches: Iterable[Stretch]) -> list[Stretch]:
    """Sorted, non-overlapping union of ``(start, end)`` stretches (empty ones dropped)."""
    merged: list[Stretch] = []
    for start, end in sorted(s for s in stretches if s[1] > s[0]):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def outside_weekly_windows(
    windows: Iterable[tuple[int, int, int]], num_days: int
) -> tuple[Stretch, ...]:
    """The stretches of a ``num_days`` horizon outside weekly ``(weekday, start, end)`` windows.

    ``weekday`` is 0 (Monday) .. 6; ``start`` and ``end`` are minutes of that day (``end`` up to 1440).
    Adjacent windows join, so Monday 22:00-24:00 and Tuesday 00:00-06:00 allow a night shift.
    """
    weekly = list(windows)
    available = merge_stretches(
        (day * MINUTES_PER_DAY + start, day * MINUTES_PER_DAY + end)
        for day in range(num_days)
        for weekday, start, end in weekly
        if day % 7 == weekday
    )
    gaps: list[Stretch] = []
    cursor = 0
    for start, end in available:
        if start > cursor:
            gaps.append((cursor, start))
        cursor = end
    horizon = num_days * MINUTES_PER_DAY
    if cursor < horizon:
        gaps.append((cursor, horizon))
    return tuple(gaps)


def clip_to_horizon(stretches: Iterable[Stretch], num_days: int) -> tuple[Stretch, ...]:
    """``stretches`` cut to ``[0, num_days days)``, merged; those wholly outside are dropped."""
    horizon = num_days * MINUTES_PER_DAY
    return tuple(merge_stretches((max(0, s), min(horizon, e)) for s, e in stretches))
