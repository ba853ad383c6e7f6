"""The plain values the KPI definitions read: event records and the configuration they need."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True, slots=True)
class EventRecord:
    """One event of the log, as the storage layer maps an ``events`` row (``occurred_at`` is UTC).

    ``type`` is the event class name (``ContactQueued``, ``AgentStateChanged``...); ``payload`` its
    fields other than ``contact_id``/``agent_id``/``at`` (see ``helpline/services/acd/store.py``).
    """

    sequence: int
    type: str
    occurred_at: datetime
    contact_id: int | None = None
    agent_id: int | None = None
    payload: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class QueueSettings:
    """What a queue's metrics depend on: its channel and its two thresholds, in seconds."""

    channel: str = "voice"
    service_level_seconds: float = 20.0
    short_abandon_seconds: float = 5.0


@dataclass(frozen=True, slots=True)
class AgentSettings:
    """What an agent's metrics depend on: team, hourly cost and how many contacts it handles at once."""

    team_id: int | None = None
    hourly_cost: float | None = None
    slots: int = 1
    """Contacts the agent may hold at once (the largest channel concurrency of its routing profile)."""
    queue_ids: frozenset[int] = frozenset()
    """The queues its routing profile serves (wallboards count agents per queue)."""


DEFAULT_QUEUE = QueueSettings()
DEFAULT_AGENT = AgentSettings()


@dataclass(frozen=True, slots=True)
class Dimensions:
    """The configuration the definitions read, keyed by id; unknown ids get the defaults."""

    queues: Mapping[int, QueueSettings] = field(default_factory=dict)
    agents: Mapping[int, AgentSettings] = field(default_factory=dict)
    fcr_days: int = 7
    """First-contact resolution window: a repeat within this many days means not resolved."""

    def queue(self, queue_id: int | None) -> QueueSettings:
        """The settings of ``queue_id`` (defaults when unknown or None)."""
        return self.queues.get(queue_id, DEFAULT_QUEUE) if queue_id is not None else DEFAULT_QUEUE

    def agent(self, agent_id: int | None) -> AgentSettings:
        """The settings of ``agent_id`` (defaults when unknown or None)."""
        return self.agents.get(agent_id, DEFAULT_AGENT) if agent_id is not None else DEFAULT_AGENT
