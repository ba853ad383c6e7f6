"""Scheduled callbacks as plain values: their lifecycle, and which time slots a queue can book.

Times are seconds since the Unix epoch (the live engine's clock). A queue's day is cut into slots of
``slot_seconds`` from each local midnight; a slot is bookable when it starts after now, lies wholly
inside one open interval of the queue and holds fewer callbacks than the queue's capacity per slot.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from itertools import pairwise

OpenTime = tuple[tuple[float, float], ...] | None
"""Sorted, non-overlapping open intervals ``[start, end)``; None means always open."""


class CallbackState(StrEnum):
    """Where a scheduled callback is in its life."""

    SCHEDULED = "scheduled"  # booked; waits for its slot to start (and the queue to be open)
    ROUTED = "routed"  # its outbound voice contact was created and handed to the ACD
    COMPLETED = "completed"  # an agent was connected to the callback contact
    FAILED = "failed"  # the callback contact ended without an agent connected
    CANCELLED = "cancelled"  # withdrawn before an agent was connected


class CallbackSource(StrEnum):
    """Where the customer asked for the callback."""

    API = "api"  # an integration or a supervisor through the REST API
    AGENT = "agent"  # an agent promised it (a personal callback)
    CHAT = "chat"  # the visitor of a chat widget
    IVR = "ivr"  # the phone menu (voice flows)


OPEN_STATES = frozenset({CallbackState.SCHEDULED, CallbackState.ROUTED})
"""States that still take a place in their slot and may be cancelled."""


@dataclass(frozen=True, slots=True)
class Slot:
    """A bookable time slot ``[start, end)`` and how many more callbacks it takes."""

    start: float
    end: float
    remaining: int


def slot_grid(day_starts: Sequence[float], slot_seconds: float) -> Iterator[tuple[float, float]]:
    """The slots of consecutive local days: ``day_starts`` are the local midnights bounding them
    (n + 1 values for n days); each day is cut into ``slot_seconds`` slots from its midnight (a
    shorter last slot of a daylight-saving day is dropped)."""
    for day_start, next_day in pairwise(day_starts):
        start = day_start
        while start + slot_seconds <= next_day:
            yield start, start + slot_seconds
            start += slot_seconds


def is_within_open_time(open_time: OpenTime, start: float, end: float) -> bool:
    """True when ``[start, end)`` lies inside one open interval (always, when always open)."""
    if open_time is None:
        return True
    i = bisect.bisect_right(open_time, (start, float("inf"))) - 1
    return i >= 0 and open_time[i][0] <= start and end <= open_time[i][1]


def bookable_slots(
    grid: Iterator[tuple[float, float]] | Sequence[tuple[float, float]],
    open_time: OpenTime,
    *,
    after: float,
    capacity: int,
    booked: Mapping[float, int],
) -> list[Slot]:
    """The slots of ``grid`` starting after ``after``, inside open time, with room left (``booked``
    counts the open callbacks by slot start)."""
    slots = []
    for start, end in grid:
        if start <= after or not is_within_open_time(open_time, start, end):
            continue
        remaining = capacity - booked.get(start, 0)
        if remaining > 0:
            slots.append(Slot(start, end, remaining))
    return slots
