"""A rostered shift as the activities adherence compares against, and coverage from activities.

Pure: a :class:`~helpline.wfm.scheduling.ScheduledShift` becomes non-overlapping activities (work
between its breaks, each break as ``break``/``lunch``/...); activities become agents on duty and on
break per interval.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
import numpy.typing as npt

from helpline.wfm.adherence import ActivityKind
from helpline.wfm.scheduling import ScheduledShift

FloatArray = npt.NDArray[np.float64]
MINUTES_PER_DAY = 1440
_NAMED_KINDS = {kind.value: kind for kind in ActivityKind if kind is not ActivityKind.WORK}


@dataclass(frozen=True)
class PlannedActivity:
    """``kind`` from ``start_minute`` to ``end_minute``, minutes since the start of the horizon."""

    kind: ActivityKind
    start_minute: int
    end_minute: int


def break_kind(name: str, *, is_paid: bool) -> ActivityKind:
    """The activity of a placed break: its name when that is a kind (``lunch``, ``meeting``...),
    otherwise ``lunch`` for unpaid breaks and ``break`` for paid ones."""
    named = _NAMED_KINDS.get(name.strip().lower())
    if named is not None and named is not ActivityKind.OFF:
        return named
    return ActivityKind.BREAK if is_paid else ActivityKind.LUNCH


def shift_activities(shift: ScheduledShift) -> list[PlannedActivity]:
    """The shift's activities in order: work, then each break, then work again, without gaps."""
    start = shift.day * MINUTES_PER_DAY + shift.start_minutes
    end = start + shift.length_minutes
    activities = []
    cursor = start
    for placed in sorted(shift.breaks, key=lambda b: b.start_offset_minutes):
        break_start = start + placed.start_offset_minutes
        break_end = min(break_start + placed.duration_minutes, end)
        if break_start > cursor:
            activities.append(PlannedActivity(ActivityKind.WORK, cursor, break_start))
        activities.append(
            PlannedActivity(break_kind(placed.name, is_paid=placed.is_paid), break_start, break_end)
        )
        cursor = max(cursor, break_end)
    if cursor < end:
        activities.append(PlannedActivity(ActivityKind.WORK, cursor, end))
    return activities


def coverage_per_interval(
    activities: Iterable[tuple[ActivityKind | str, datetime, datetime]],
    interval_starts: Sequence[datetime],
    interval_minutes: int,
) -> tuple[FloatArray, FloatArray]:
    """Agents on duty (``work``) and away on breaks/lunch per interval, as fractions of the interval.

    An activity covering half an interval adds 0.5 there. ``interval_starts`` are aware and evenly
    spaced ``interval_minutes`` apart.
    """
    count = len(interval_starts)
    on_duty = np.zeros(count)
    on_break = np.zeros(count)
    if count == 0:
        return on_duty, on_break
    origin = interval_starts[0]
    step = interval_minutes * 60.0
    for kind, starts_at, ends_at in activities:
        target = on_duty if kind == ActivityKind.WORK else on_break
        if kind not in (ActivityKind.WORK, ActivityKind.BREAK, ActivityKind.LUNCH):
            continue
        begin = (starts_at - origin).total_seconds() / step
        finish = (ends_at - origin).total_seconds() / step
        first, last = max(int(np.floor(begin)), 0), min(int(np.ceil(finish)), count)
        for index in range(first, last):
            overlap = min(finish, index + 1) - max(begin, index)
            if overlap > 0:
                target[index] += overlap
    return on_duty, on_break


def interval_starts(first: datetime, count: int, interval_minutes: int) -> list[datetime]:
    """``count`` instants ``interval_minutes`` apart from ``first``."""
    return [first + timedelta(minutes=interval_minutes * i) for i in range(count)]
