"""The simulator's agenda: a heap of (time, kind, number, agent) in push order among equal times."""

from __future__ import annotations

import heapq
import random
from array import array
from math import inf

import pytest

from helpline.sim.agenda import Agenda, grown


def test_pops_in_time_order_and_push_order_among_equal_times_like_heapq() -> None:
    rng = random.Random(7)
    agenda = Agenda()
    reference: list[tuple[float, int, int, int, int]] = []
    pushed = 0
    popped: list[tuple[float, int, int, int]] = []
    expected: list[tuple[float, int, int, int]] = []
    for _ in range(5000):  # interleaved pushes and pops, far past the initial capacity
        if reference and rng.random() < 0.4:
            agenda.pop()
            popped.append((agenda.at, agenda.kind, agenda.number, agenda.agent))
            at, _, kind, number, agent = heapq.heappop(reference)
            expected.append((at, kind, number, agent))
        else:
            at = float(rng.randrange(50))  # many equal times
            kind, number, agent = rng.randrange(7), rng.randrange(10**6), rng.randrange(-1, 30)
            pushed += 1
            agenda.push(at, kind, number, agent)
            heapq.heappush(reference, (at, pushed, kind, number, agent))
        assert len(agenda) == len(reference)
        assert agenda.head_at() == (reference[0][0] if reference else inf)
    while reference:
        agenda.pop()
        popped.append((agenda.at, agenda.kind, agenda.number, agenda.agent))
        at, _, kind, number, agent = heapq.heappop(reference)
        expected.append((at, kind, number, agent))
    assert popped == expected
    assert len(agenda) == 0


def test_empty_agenda_has_no_head_and_refuses_to_pop() -> None:
    agenda = Agenda()
    assert agenda.head_at() == inf
    with pytest.raises(IndexError):
        agenda.pop()


def test_grown_keeps_the_items_and_fills_the_rest() -> None:
    assert list(grown(array("d", [1.5, 2.5]), "d", 4, -1.0)) == [1.5, 2.5, -1.0, -1.0]
    assert list(grown(array("q", [3]), "q", 3)) == [3, 0, 0]
