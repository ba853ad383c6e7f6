"""The routing rules restated as full scans: a reference oracle for tests and the benchmark baseline.

These functions read an engine's records and answer "which agent should this contact get?" and "which
contact should this agent get?" by looking at every agent or every waiting contact, with the rules
written as plainly as possible. They never change the engine. Property tests check that the indexed
engine decides the same; ``benchmarks/routing.py`` times them as the naive router. Never use them to
route: they are O(agents) and O(contacts) per decision.
"""

from __future__ import annotations

from helpline.routing.criteria import Requirement
from helpline.routing.members import CHANNEL_SLOTS
from helpline.routing.model import AgentSelection, AgentStatus, Channel, ContactSpec, ContactState
from helpline.routing.records import AgentRecord, ContactRecord
from helpline.routing.snapshot import SnapshotCore


def _has_capacity(agent: AgentRecord, channel: Channel, released: Channel | None) -> bool:
    """Capacity on ``channel``, as if one contact on ``released`` had already been let go."""
    settings = agent.channels.get(channel)
    in_use = agent.per_channel[CHANNEL_SLOTS[channel]] - (1 if released is channel else 0)
    total = agent.total - (0 if released is None else 1)
    voice = agent.per_channel[CHANNEL_SLOTS[Channel.VOICE]] - (
        1 if released is Channel.VOICE else 0
    )
    if settings is None or in_use >= settings.concurrency:
        return False
    if agent.profile.voice_blocks_other_channels and total:
        return channel is not Channel.VOICE and not voice
    return True


def _eligible(
    agent: AgentRecord, contact: ContactRecord, now: float, released: Channel | None = None
) -> tuple[int, float] | None:
    """(queue priority for the agent, delay) if the agent may take the contact now, else None."""
    if contact.state is not ContactState.QUEUED or agent.status is not AgentStatus.AVAILABLE:
        return None
    if not _has_capacity(agent, contact.channel, released):
        return None
    if contact.personal_agent is not None:
        return None if contact.personal_agent is not agent else (-1, 0.0)
    for membership in agent.profile_queues:
        priority, delay = membership.priority, membership.delay_seconds
        if membership.queue is contact.queue:
            if contact.enqueued_at + delay > now:
                return None
            requirement = contact.steps.requirements[contact.step_index_at(now)]
            if not requirement.is_met_by(agent.agent_id, agent.skills):
                return None
            return priority, delay
    return None


def _selection_key(selection: AgentSelection, requirement: Requirement, agent: AgentRecord) -> int:
    if selection is AgentSelection.MOST_SKILLED:
        return -requirement.skill_score(agent.skills)
    if selection is AgentSelection.LEAST_OCCUPIED:
        return agent.total
    return 0


def choose_agent(engine: SnapshotCore, contact_id: str, now: float) -> str | None:
    """The agent the rules give a waiting contact to at ``now``, by scanning every agent."""
    contact = engine._contacts[contact_id]
    selection = contact.queue.queue.agent_selection
    requirement = contact.steps.requirements[contact.step_index_at(now)]
    best: tuple[int, float, int] | None = None
    chosen = None
    for agent in engine._agents.values():
        if _eligible(agent, contact, now) is None:
            continue
        key = (_selection_key(selection, requirement, agent), agent.idle_since, agent.seq)
        if best is None or key < best:
            best, chosen = key, agent.agent_id
    return chosen


def choose_agent_for_new(engine: SnapshotCore, spec: ContactSpec, now: float) -> str | None:
    """The agent the rules give a contact arriving at ``now`` (its queue open), scanning every agent.

    A new contact has waited nothing, so only profiles with no delay for its queue qualify.
    """
    queue = engine._queues[spec.queue_id]
    steps = engine._compiled(spec, queue)
    requirement = steps.requirements[steps.index_at(0.0)]
    best: tuple[int, float, int] | None = None
    chosen = None
    for agent in engine._agents.values():
        if agent.status is not AgentStatus.AVAILABLE or not agent.has_capacity(queue.slot):
            continue
        if not any(m.queue is queue and m.delay_seconds <= 0 for m in agent.profile_queues):
            continue
        if not requirement.is_met_by(agent.agent_id, agent.skills):
            continue
        key = (
            _selection_key(queue.queue.agent_selection, requirement, agent),
            agent.idle_since,
            agent.seq,
        )
        if best is None or key < best:
            best, chosen = key, agent.agent_id
    return chosen


def choose_contact(
    engine: SnapshotCore, agent_id: str, now: float, releasing: str | None = None
) -> str | None:
    """The contact the rules give an agent at ``now``, by scanning every waiting contact.

    ``releasing``: decide as if the agent had just let go of this contact (to predict the decision a
    close or wrap-up will make). Order: personal queue first, then the agent's queue priority, contact
    priority, place in line and sequence.
    """
    agent = engine._agents[agent_id]
    released = None if releasing is None else agent.held[releasing].channel
    best: tuple[int, int, float, int] | None = None
    chosen = None
    for contact in engine._contacts.values():
        eligible = _eligible(agent, contact, now, released)
        if eligible is None:
            continue
        key = (eligible[0], contact.priority, contact.order_arrival, contact.seq)
        if best is None or key < best:
            best, chosen = key, contact.contact_id
    return chosen
