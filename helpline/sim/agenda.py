# cython: boundscheck=False, wraparound=False
"""The simulator's agenda: a binary min-heap of future events keyed by (time, insertion order).

An entry is four numbers (time, kind, contact number, agent number) kept in parallel typed columns
rather than a tuple per entry: compiled (``agenda.pxd``), a push or a pop is a few C comparisons and
moves, with no tuple to allocate and no Python comparison of tuples (the ``heapq`` version spent about a
tenth of a simulation's time there). Entries due at the same time come out in the order they were pushed.

Run as pure Python (no compiler), the same class keeps ``heapq`` tuples instead: a sift loop written in
Python costs more than the tuples it saves.
"""

from __future__ import annotations

from array import array
from heapq import heappop, heappush
from math import inf
from typing import Any

import cython

_INITIAL_CAPACITY = 64


class Agenda:
    """Future events of one simulation. :meth:`pop` fills ``at``, ``kind``, ``number`` and ``agent``."""

    def __init__(self) -> None:
        self._times = array("d", bytes(8 * _INITIAL_CAPACITY))
        self._orders = array("q", bytes(8 * _INITIAL_CAPACITY))
        self._kinds = array("q", bytes(8 * _INITIAL_CAPACITY))
        self._numbers = array("q", bytes(8 * _INITIAL_CAPACITY))
        self._agents = array("q", bytes(8 * _INITIAL_CAPACITY))
        self._capacity = _INITIAL_CAPACITY
        self._entries: list[tuple[float, int, int, int, int]] = []  # pure Python only
        self._size = 0
        self._pushed = 0
        self.at = inf
        self.kind = 0
        self.number = 0
        self.agent = 0

    def __len__(self) -> int:
        return self._size

    def head_at(self) -> float:
        """When the earliest entry is due (``inf`` when there is none)."""
        if not cython.compiled:
            return self._entries[0][0] if self._entries else inf
        return self._times[0] if self._size else inf

    def push(self, at: float, kind: int, number: int, agent: int) -> None:
        """Add an entry due at ``at``."""
        self._pushed += 1
        order = self._pushed
        if not cython.compiled:
            heappush(self._entries, (at, order, kind, number, agent))
            self._size += 1
            return
        if self._size == self._capacity:
            self._grow()
        i = self._size
        self._size += 1
        while i > 0:  # sift up: move parents later than the new entry down a level
            parent = (i - 1) >> 1
            if self._times[parent] < at or (
                self._times[parent] == at and self._orders[parent] < order
            ):
                break
            self._move(parent, i)
            i = parent
        self._store(i, at, order, kind, number, agent)

    def pop(self) -> None:
        """Remove the earliest entry and put its fields in ``at``, ``kind``, ``number``, ``agent``."""
        if self._size == 0:
            raise IndexError("pop from an empty agenda")
        if not cython.compiled:
            self.at, _, self.kind, self.number, self.agent = heappop(self._entries)
            self._size -= 1
            return
        self.at = self._times[0]
        self.kind = self._kinds[0]
        self.number = self._numbers[0]
        self.agent = self._agents[0]
        self._size -= 1
        size = self._size
        if size == 0:
            return
        # Sift the last entry down from the root.
        at = self._times[size]
        order = self._orders[size]
        kind = self._kinds[size]
        number = self._numbers[size]
        agent = self._agents[size]
        i = 0
        while True:
            child = 2 * i + 1
            if child >= size:
                break
            right = child + 1
            if right < size and (
                self._times[right] < self._times[child]
                or (
                    self._times[right] == self._times[child]
                    and self._orders[right] < self._orders[child]
                )
            ):
                child = right
            if at < self._times[child] or (
                at == self._times[child] and order < self._orders[child]
            ):
                break
            self._move(child, i)
            i = child
        self._store(i, at, order, kind, number, agent)

    def _store(self, i: int, at: float, order: int, kind: int, number: int, agent: int) -> None:
        self._times[i] = at
        self._orders[i] = order
        self._kinds[i] = kind
        self._numbers[i] = number
        self._agents[i] = agent

    def _move(self, source: int, target: int) -> None:
        self._times[target] = self._times[source]
        self._orders[target] = self._orders[source]
        self._kinds[target] = self._kinds[source]
        self._numbers[target] = self._numbers[source]
        self._agents[target] = self._agents[source]

    def _grow(self) -> None:
        capacity = 2 * self._capacity
        self._times = grown(self._times, "d", capacity)
        self._orders = grown(self._orders, "q", capacity)
        self._kinds = grown(self._kinds, "q", capacity)
        self._numbers = grown(self._numbers, "q", capacity)
        self._agents = grown(self._agents, "q", capacity)
        self._capacity = capacity


def grown(column: object, typecode: str, size: int, fill: float = 0) -> array[Any]:
    """A new array of ``typecode`` holding ``column`` (an array, or a compiled typed view of one)
    followed by ``fill`` up to ``size`` items."""
    out: array[Any] = array(typecode, memoryview(column).tobytes())  # type: ignore[arg-type]
    out.extend(array(typecode, [fill]) * (size - len(out)))
    return out
