"""The matching indexes: per queue, one *group* per (current requirement, delay class).

What the structure buys:

* A contact waits in exactly the groups of its queue's current requirement, one per profile delay it has
  already waited out. A group keeps two heaps: its waiting contacts ordered by (contact priority, place
  in line, sequence), and the ready agents who satisfy the requirement, ordered by the queue's agent
  selection key. So a new contact finds its agent by peeking the top of one heap per delay class
  (usually one): O(log n) instead of scanning 10,000 agents.
* A freed agent looks only at the groups it can satisfy in its own queues (cached per agent, recomputed
  only when a queue gains a new requirement), peeks each group's best contact and takes the best of those,
  visiting queues in priority order and stopping at the first priority level with a candidate: cost
  proportional to the number of distinct requirements it meets, not to the 100,000 queued contacts.
* Deletion is lazy: entries carry the record's ``gen``; a record that changes bumps ``gen`` and its old
  entries become stale, dropped when they reach a heap top or when a heap compacts (when it has grown to
  twice its size after the last compaction: amortised O(1) per push, and at most about half of a heap
  is stale). Removing an agent from 20 heaps is then one integer increment, with no list of where its
  entries are to keep.

Between commands the engine keeps the matching *maximal*: no group holds both a live contact and a live
agent (every change that adds one side first looks for the other). That is what lets each side search
only its own view.
"""

from __future__ import annotations

from collections.abc import Iterable
from heapq import heapify, heappush

from helpline.routing.criteria import CompiledSteps, Requirement, RoutingCriteria
from helpline.routing.members import CHANNEL_SLOTS
from helpline.routing.model import AgentSelection, Queue
from helpline.routing.records import AgentRecord, ContactRecord, Membership

# Enum members bound once: on Python 3.11 every attribute read on an enum class takes EnumType's
# slow __getattr__ path (about 0.2 us, more than the comparison it serves).
_LONGEST_IDLE = AgentSelection.LONGEST_IDLE
_MOST_SKILLED = AgentSelection.MOST_SKILLED

AgentEntry = tuple[
    int, float, int, int, AgentRecord
]  # (selection key, idle since, seq, gen, agent)
ContactEntry = tuple[int, float, int, int, ContactRecord]  # (priority, place, seq, gen, contact)

COMPACT_SLACK = 64  # heaps never compact below this size: cleaning them is not worth a pass


class Group:
    """Contacts of one queue whose current requirement is ``requirement``, waited past one delay class,
    and the ready agents of that delay class who meet the requirement."""

    __slots__ = (
        "agents",
        "agents_kept",
        "contacts",
        "contacts_kept",
        "delay_index",
        "queue",
        "requirement",
        "selection",
    )

    def __init__(self, queue: QueueIndex, requirement: Requirement, delay_index: int) -> None:
        self.queue = queue
        self.requirement = requirement
        self.delay_index = delay_index
        self.selection = queue.queue.agent_selection
        self.contacts: list[ContactEntry] = []
        self.agents: list[AgentEntry] = []
        # Heap sizes after the last compaction: a heap compacts when it doubles past them.
        self.contacts_kept = 0
        self.agents_kept = 0

    def agent_key(self, agent: AgentRecord) -> int:
        """The first component of an agent's heap entry under this queue's selection rule."""
        if self.selection is _LONGEST_IDLE:
            return 0
        if self.selection is _MOST_SKILLED:
            return -self.requirement.skill_score(agent.skills)
        return agent.total

    def push_agent(self, agent: AgentRecord) -> None:
        """Add a live entry for a ready agent (the caller checked readiness and the requirement)."""
        heap = self.agents
        key = 0 if self.selection is _LONGEST_IDLE else self.agent_key(agent)
        heappush(heap, (key, agent.idle_since, agent.seq, agent.gen, agent))
        if len(heap) > 2 * self.agents_kept + COMPACT_SLACK:
            self.agents = [e for e in heap if e[3] == e[4].gen]
            heapify(self.agents)
            self.agents_kept = len(self.agents)

    def push_contact(self, contact: ContactRecord) -> None:
        """Add a live entry for a waiting contact."""
        heap = self.contacts
        entry = (contact.priority, contact.order_arrival, contact.seq, contact.gen, contact)
        heappush(heap, entry)
        if len(heap) > 2 * self.contacts_kept + COMPACT_SLACK:
            self.compact_contacts()

    def compact_contacts(self) -> None:
        """Drop the stale contact entries (called when the heap doubled since the last time)."""
        self.contacts = [e for e in self.contacts if e[3] == e[4].gen]
        heapify(self.contacts)
        self.contacts_kept = len(self.contacts)


class QueueIndex:
    """A queue's configuration plus its groups and the agents whose profile includes it."""

    __slots__ = (
        "acw_timeout_seconds",
        "by_skill",
        "channel",
        "criteria",
        "delays",
        "groups",
        "hours",
        "members",
        "offer_timeout_seconds",
        "overflow",
        "own_plan",
        "plans",
        "queue",
        "queue_id",
        "slot",
    )

    def __init__(self, queue: Queue, delays: Iterable[float]) -> None:
        self.queue = queue
        # The configuration the hot paths read, copied: one attribute read instead of two (compiled,
        # a C field instead of a Python attribute lookup).
        self.queue_id = queue.queue_id
        self.channel = queue.channel
        self.slot = CHANNEL_SLOTS[queue.channel]
        self.criteria = queue.criteria
        self.overflow = queue.overflow
        self.acw_timeout_seconds = queue.acw_timeout_seconds
        self.offer_timeout_seconds = queue.offer_timeout_seconds
        self.hours = queue.hours
        # Distinct profile delays for this queue, ascending; a contact that has waited ``delays[i]``
        # lives in the groups of delay classes 0..i. Always contains 0.0 so a class-0 group exists.
        self.delays: tuple[float, ...] = tuple(sorted({0.0, *delays}))
        self.groups: dict[Requirement, list[Group]] = {}
        self.members: dict[str, Membership] = {}  # agent id -> the agent's membership
        # skill -> members having it: a new requirement scans only the members with its rarest skill.
        self.by_skill: dict[str, dict[str, Membership]] = {}
        # criteria -> (steps, group row per step) for contacts without a sticky agent (core._plan).
        self.plans: dict[RoutingCriteria, tuple[CompiledSteps, tuple[list[Group], ...]]] = {}
        # plans[criteria] for the queue's own criteria, once computed (most contacts bring none).
        self.own_plan: tuple[CompiledSteps, tuple[list[Group], ...]] | None = None

    def add_member(self, membership: Membership) -> None:
        """Register a new agent whose profile includes this queue."""
        agent = membership.agent
        self.members[agent.agent_id] = membership
        for skill in agent.skills:
            self.by_skill.setdefault(skill, {})[agent.agent_id] = membership

    def _candidates(self, requirement: Requirement) -> Iterable[Membership]:
        """Members who might meet the requirement (a superset, in registration order)."""
        if requirement.agent_ids is not None:
            found = [self.members[a] for a in requirement.agent_ids if a in self.members]
            return sorted(found, key=lambda member: member.agent.seq)
        if not requirement.skills:
            return self.members.values()
        sets = [self.by_skill.get(skill, {}) for skill, _ in requirement.skills]
        return min(sets, key=len).values()

    def groups_for(self, requirement: Requirement) -> list[Group]:
        """The groups (one per delay class) of a requirement, created on first use.

        A new row is filled with the ready member agents who meet it, so maximality holds from the
        start; this scan of the queue's members happens once per distinct requirement.
        """
        row = self.groups.get(requirement)
        if row is not None:
            return row
        row = [Group(self, requirement, i) for i in range(len(self.delays))]
        self.groups[requirement] = row
        slot = self.slot
        for membership in self._candidates(requirement):
            agent = membership.agent
            if requirement.is_met_by(agent.agent_id, agent.skills):
                group = row[membership.delay_index]
                if membership.groups is not None:
                    membership.groups.append(group)  # keep the agent's cache complete
                if agent.is_ready_for(slot):
                    # Appended unordered and heapified once below: O(n) instead of n pushes.
                    group.agents.append(
                        (group.agent_key(agent), agent.idle_since, agent.seq, agent.gen, agent)
                    )
        for group in row:
            heapify(group.agents)
        return row

    def satisfiable(self, membership: Membership) -> list[Group]:
        """Groups of the member's delay class whose requirement the agent meets.

        Cached in the membership and kept complete by :meth:`groups_for` when a requirement is added,
        so it is computed once per agent and queue (again only after a skill change drops it).
        """
        if membership.groups is not None:
            return membership.groups
        agent = membership.agent
        groups = [
            row[membership.delay_index]
            for requirement, row in self.groups.items()
            if requirement.is_met_by(agent.agent_id, agent.skills)
        ]
        membership.groups = groups
        return groups


def invalidate_agent(agent: AgentRecord) -> None:
    """Make every index entry of the agent stale (it changed readiness, capacity or keys)."""
    agent.gen += 1


def invalidate_contact(contact: ContactRecord) -> None:
    """Make every index entry of the contact stale (it was offered, moved, escalated or left)."""
    contact.gen += 1
