"""The wallboard: what is happening now, per queue and per agent, from today's events.

Same folds and tallies as the historical reports (``facts``, ``aggregate.tally``): "so far today" is
the report of the window from local midnight to ``now``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from helpline.analytics.aggregate import GroupBy, Window, tally
from helpline.analytics.facts import agent_timelines, contact_facts
from helpline.analytics.intervals import Interval, bucket_start
from helpline.analytics.metrics import Metrics, Tally
from helpline.analytics.records import Dimensions, EventRecord


@dataclass(frozen=True, slots=True)
class QueueNow:
    """A queue at ``now``: contacts waiting, the longest current wait, its agents by state, and
    today's KPIs so far."""

    queue_id: int
    waiting: int
    longest_wait_seconds: float
    agents_by_state: dict[str, int]
    today: Metrics


@dataclass(frozen=True, slots=True)
class AgentNow:
    """An agent's reported state at ``now`` and how long it has been in it (seconds)."""

    agent_id: int
    state: str
    reason: str | None
    seconds_in_state: float


@dataclass(frozen=True, slots=True)
class RealtimeSnapshot:
    """Every queue that is configured or active today, and every agent with a known state."""

    at: datetime
    queues: tuple[QueueNow, ...]
    agents: tuple[AgentNow, ...]


def realtime_snapshot(
    events: Sequence[EventRecord], dims: Dimensions, now: datetime, zone: ZoneInfo
) -> RealtimeSnapshot:
    """The wallboard at ``now``; ``events`` as for a report of today (local midnight to ``now``).

    Waiting: contacts that entered a queue and have not been answered, abandoned, deflected or
    turned into a callback; the longest wait is ``now`` minus the oldest one's arrival.
    """
    midnight = bucket_start(now, Interval.DAY, zone)
    today = tally(events, dims, Window(midnight, now, Interval.DAY, zone), GroupBy.QUEUE)
    by_queue: dict[int, Tally] = {}
    for (_start, queue_id), t in today.items():
        if isinstance(queue_id, int):
            by_queue.setdefault(queue_id, Tally()).add(t)
    waits: dict[int, list[float]] = {}
    for fact in contact_facts(events):
        if fact.is_queued and fact.removed_at is None and fact.queue_id is not None:
            waits.setdefault(fact.queue_id, []).append((now - fact.arrived_at).total_seconds())
    agents = []
    for timeline in agent_timelines(events):
        last = timeline.spans[-1]
        agents.append(
            AgentNow(
                timeline.agent_id,
                last.state,
                last.reason,
                max(0.0, (now - last.start).total_seconds()),
            )
        )
    agents.sort(key=lambda a: a.agent_id)
    queue_ids = sorted(set(dims.queues) | set(by_queue) | set(waits))
    queues = []
    for queue_id in queue_ids:
        members = Counter(a.state for a in agents if queue_id in dims.agent(a.agent_id).queue_ids)
        queue_waits = waits.get(queue_id, [])
        queues.append(
            QueueNow(
                queue_id=queue_id,
                waiting=len(queue_waits),
                longest_wait_seconds=max(queue_waits, default=0.0),
                agents_by_state=dict(sorted(members.items())),
                today=Metrics.from_tally(by_queue.get(queue_id, Tally())),
            )
        )
    return RealtimeSnapshot(now, tuple(queues), tuple(agents))
