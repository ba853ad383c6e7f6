"""Hours of operation as a pure value: "is the queue open at time t?".

Time zones and holiday calendars are resolved outside the core: the service layer expands a queue's weekly
schedule into absolute open intervals over a horizon (say the next 14 days) and hands them in, so the
engine never reads a clock or a tz database.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from typing import Protocol


class Hours(Protocol):
    """Anything that answers whether a queue is open at an instant (seconds on the engine clock)."""

    def is_open(self, at: float) -> bool:
        """True when the queue accepts contacts at ``at``."""
        ...


@dataclass(frozen=True, slots=True)
class AlwaysOpen:
    """Open around the clock (the default)."""

    def is_open(self, at: float) -> bool:
        """Always True."""
        return True


ALWAYS_OPEN = AlwaysOpen()


@dataclass(frozen=True, slots=True)
class OpenIntervals:
    """Open during half-open intervals ``[start, end)``, given sorted and non-overlapping.

    Outside every interval (including beyond the last one) the queue is closed.
    """

    intervals: tuple[tuple[float, float], ...]

    def __post_init__(self) -> None:
        previous_end = float("-inf")
        for start, end in self.intervals:
            if not previous_end <= start < end:
                raise ValueError("intervals must be sorted, non-empty and non-overlapping")
            previous_end = end

    def is_open(self, at: float) -> bool:
        """True when ``at`` falls inside an interval; O(log n) by bisection on the starts."""
        i = bisect.bisect_right(self.intervals, (at, float("inf"))) - 1
        return i >= 0 and at < self.intervals[i][1]
