"""Builders for routing test data: short calls for the configurations the scenarios need."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from helpline.routing import (
    AgentSpec,
    AgentStatus,
    Channel,
    ChannelSettings,
    ContactSpec,
    ProfileQueue,
    Queue,
    RoutingConfig,
    RoutingEngine,
    RoutingProfile,
)
from helpline.routing.events import ContactOffered, Event


def profile(
    profile_id: str = "p",
    queues: Iterable[tuple[str, int, float]] = (("q", 1, 0.0),),
    channels: Mapping[Channel, int] | None = None,
    blocks: bool = True,
    auto_accept: Iterable[Channel] = (),
) -> RoutingProfile:
    """A routing profile; ``queues`` as (queue id, priority, delay seconds); voice 1 by default."""
    auto = set(auto_accept)
    channels = channels if channels is not None else {Channel.VOICE: 1}
    return RoutingProfile(
        profile_id,
        {ch: ChannelSettings(n, ch in auto) for ch, n in channels.items()},
        tuple(ProfileQueue(q, prio, delay) for q, prio, delay in queues),
        blocks,
    )


def engine(
    queues: Iterable[Queue] = (Queue("q", Channel.VOICE),),
    profiles: Iterable[RoutingProfile] = (),
    agents: Iterable[tuple[str, str, Mapping[str, int]]] = (),
    now: float = 0.0,
) -> RoutingEngine:
    """An engine with agents registered and made available in order at ``now`` (so the first listed is
    the longest idle)."""
    profiles = tuple(profiles) or (profile(),)
    routing = RoutingEngine(RoutingConfig(tuple(queues), profiles))
    for agent_id, profile_id, skills in agents:
        routing.add_agent(AgentSpec(agent_id, profile_id, skills), now)
        routing.set_agent_status(agent_id, AgentStatus.AVAILABLE, now)
    return routing


def agents(
    *ids: str, profile_id: str = "p", skills: Mapping[str, int] | None = None
) -> list[tuple[str, str, Mapping[str, int]]]:
    """Agent tuples for :func:`engine` sharing one profile and skill set."""
    return [(agent_id, profile_id, dict(skills or {})) for agent_id in ids]


def contact(contact_id: str, queue_id: str = "q", **kwargs: object) -> ContactSpec:
    """A contact spec (keyword arguments as ContactSpec's)."""
    return ContactSpec(contact_id, queue_id, **kwargs)  # type: ignore[arg-type]


def offers(events: Iterable[Event]) -> list[tuple[str, str]]:
    """(contact id, agent id) of every offer in the events, in order."""
    return [(e.contact_id, e.agent_id) for e in events if isinstance(e, ContactOffered)]


def kinds(events: Iterable[Event]) -> list[str]:
    """The event class names, in order."""
    return [type(e).__name__ for e in events]
