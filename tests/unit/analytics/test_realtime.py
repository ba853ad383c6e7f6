"""The wallboard at an instant of the golden morning (``golden.py``), computed by hand."""

from __future__ import annotations

import dataclasses
from zoneinfo import ZoneInfo

import pytest

from helpline.analytics import AgentSettings, realtime_snapshot
from tests.unit.analytics.golden import DIMENSIONS, EVENTS, at

SERVING_QUEUE_1 = dataclasses.replace(
    DIMENSIONS,
    agents={
        agent_id: dataclasses.replace(settings, queue_ids=frozenset({1}))
        for agent_id, settings in DIMENSIONS.agents.items()
    }
    | {12: AgentSettings()},
)


def test_wallboard_at_08_50_10() -> None:
    now = at("08:50:10")
    board = realtime_snapshot(
        [e for e in EVENTS if e.occurred_at <= now], SERVING_QUEUE_1, now, ZoneInfo("Europe/Berlin")
    )
    (queue,) = board.queues
    # c7 queued at 08:50:00 and has not asked for its callback yet.
    assert (queue.queue_id, queue.waiting, queue.longest_wait_seconds) == (1, 1, 10.0)
    assert queue.agents_by_state == {"not_ready": 1, "offline": 1}
    assert (queue.today.offered, queue.today.answered, queue.today.abandoned) == (6, 3, 2)
    assert queue.today.service_level == pytest.approx(2 / 4)
    assert queue.today.asa_seconds == pytest.approx(15.0)
    agents = {a.agent_id: (a.state, a.reason, a.seconds_in_state) for a in board.agents}
    assert agents == {10: ("not_ready", "break", 10.0), 11: ("offline", None, 10.0)}
