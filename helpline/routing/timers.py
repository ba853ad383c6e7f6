"""The engine's pending timers, popped in (due, sequence) order like one heap, but cheaper.

Most timers come in runs that fall due in the order they were scheduled: every arrival schedules its
first escalation the same 20, 30 or 60 s later, every escalation its next step the same delay later, every
offer its timeout. A single heap of 100,000+ timers made each pop sift through ~17 levels of tuples
scattered in memory (a sixth of the benchmark's CPU time). Here each run is a FIFO *lane* keyed by the
timer's delay, and a small heap holds only the head of each lane: a pop is a ``popleft`` plus a sift in a
heap of a few dozen entries.

A lane only ever receives timers due no earlier than its last one (sequence numbers always grow), so each
lane is sorted by (due, sequence) and merging the lane heads gives exactly the single heap's order. A timer
that would break a lane's order gets a lane of its own: the key only affects speed, never the order.
"""

from __future__ import annotations

from collections import deque
from heapq import heappop, heappush, heapreplace
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from helpline.routing.records import ContactRecord

# (due, seq, kind, contact, contact gen at scheduling); void when the contact's gen moved on.
Timer = tuple[float, int, int, "ContactRecord", int]
LaneKey = float | tuple[float, int]


class TimerQueue:
    """Timers ordered by (due, sequence); ``heads`` is public so hot loops can test the earliest due."""

    __slots__ = ("heads", "lanes")

    def __init__(self) -> None:
        self.lanes: dict[LaneKey, deque[Timer]] = {}  # non-empty lanes only
        self.heads: list[tuple[float, int, LaneKey]] = []  # heap of (due, seq, key) of lane heads

    def push(self, timer: Timer, delay: float) -> None:
        """Add a timer; ``delay`` (due minus now) groups timers likely to fall due in scheduling order."""
        key: LaneKey = delay
        lane = self.lanes.get(key)
        if lane is not None:
            if lane[-1][0] <= timer[0]:
                lane.append(timer)  # the head is unchanged: the heap of heads needs no update
                return
            key = (delay, timer[1])  # out of order for that lane: a lane of its own (seq is unique)
        self.lanes[key] = deque((timer,))
        heappush(self.heads, (timer[0], timer[1], key))

    def peek(self) -> Timer:
        """The earliest timer (the queue must not be empty)."""
        return self.lanes[self.heads[0][2]][0]

    def pop(self) -> Timer:
        """Remove and return the earliest timer (the queue must not be empty)."""
        heads = self.heads
        key = heads[0][2]
        lane = self.lanes[key]
        timer = lane.popleft()
        if lane:
            head = lane[0]
            heapreplace(heads, (head[0], head[1], key))
        else:
            heappop(heads)
            del self.lanes[key]
        return timer
