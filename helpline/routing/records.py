"""The engine's mutable working records of agents and contacts (internal; read-only outside the engine).

They are plain ``__slots__`` classes rather than dataclasses because the hot path touches their fields
millions of times in the benchmark. Two counters make lazy deletion from the indexes possible: every index
entry carries the record's ``gen`` at the time it was pushed, and any change that could alter a record's
place in an index bumps ``gen``, turning all its old entries stale in O(1) (see ``index.py``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from helpline.routing.criteria import CompiledSteps, Requirement
from helpline.routing.members import (
    AGENT_ACW,
    AGENT_BUSY,
    AGENT_OFFLINE,
    AGENT_RESERVED,
    CHANNEL_SLOTS,
    QUEUED,
    STATUS_AVAILABLE,
    STATUS_OFFLINE,
    VOICE_SLOT,
)
from helpline.routing.model import (
    AgentState,
    AgentStatus,
    Channel,
    ChannelSettings,
    ContactSpec,
    RoutingProfile,
)

if TYPE_CHECKING:
    from helpline.routing.index import Group, QueueIndex

_NO_STEPS = CompiledSteps((Requirement(),), ())

# An entry in an agent's personal queue heap: (priority, ordering arrival, sequence, gen, contact).
PersonalEntry = tuple[int, float, int, int, "ContactRecord"]

# The reported state of a free agent, by status (a lookup instead of an enum construction per flush).
FREE_STATE = {status: AgentState(status.value) for status in AgentStatus}


class AgentRecord:
    """An agent's live routing state: status, capacity in use and index bookkeeping."""

    __slots__ = (
        "agent_id",
        "auto_accepts",
        "blocks",
        "channels",
        "dirty",
        "gen",
        "held",
        "idle_since",
        "limits",
        "n_acw",
        "n_connected",
        "n_offered",
        "per_channel",
        "personal",
        "profile",
        "profile_queues",
        "reason",
        "reported",
        "seq",
        "skills",
        "status",
        "total",
    )

    def __init__(
        self,
        agent_id: str,
        seq: int,
        profile: RoutingProfile,
        skills: dict[str, int],
        idle_since: float,
    ) -> None:
        self.agent_id = agent_id
        self.seq = seq  # registration order: the last tie-breaker between agents
        self.profile = profile
        self.channels: dict[Channel, ChannelSettings] = dict(profile.channels)
        # By channel slot (CHANNEL_SLOTS): concurrency (0 off the profile), auto-accept, contacts held.
        self.limits = [0] * len(CHANNEL_SLOTS)
        self.auto_accepts = [False] * len(CHANNEL_SLOTS)
        for channel, settings in profile.channels.items():
            self.limits[CHANNEL_SLOTS[channel]] = settings.concurrency
            self.auto_accepts[CHANNEL_SLOTS[channel]] = settings.auto_accept
        self.per_channel = [0] * len(CHANNEL_SLOTS)
        self.blocks = profile.voice_blocks_other_channels
        self.skills = skills
        # The queues of its profile, sorted by priority then profile order (the engine fills it): the
        # contact search stops at the first priority level that yields a candidate.
        self.profile_queues: list[Membership] = []
        self.status = STATUS_OFFLINE
        self.reason: str | None = None
        self.reported = AGENT_OFFLINE
        self.dirty = False  # listed in the engine's _dirty (its state may need reporting)
        self.idle_since = idle_since
        self.gen = 0
        self.held: dict[str, ContactRecord] = {}  # contacts offered to / handled by the agent
        self.total = 0
        self.n_offered = 0
        self.n_connected = 0
        self.n_acw = 0
        self.personal: list[PersonalEntry] = []  # heap of contacts transferred to this agent

    def has_capacity(self, slot: int) -> bool:
        """True when the agent may be offered one more contact on the channel of ``slot``
        (CHANNEL_SLOTS), status aside."""
        if self.per_channel[slot] >= self.limits[slot]:
            return False
        if self.blocks and self.total:
            # Voice is exclusive: nothing beside a voice contact, and no voice beside anything else.
            return slot != VOICE_SLOT and not self.per_channel[VOICE_SLOT]
        return True

    def holds_voice_exclusively(self) -> bool:
        """True when the agent holds a voice contact that blocks every other channel."""
        return self.blocks and self.total > 0 and self.per_channel[VOICE_SLOT] > 0

    def is_ready_for(self, slot: int) -> bool:
        """True when the agent is available and has capacity on the channel of ``slot``."""
        return self.status is STATUS_AVAILABLE and self.has_capacity(slot)

    def derived_state(self) -> AgentState:
        """The reported state: reserved > busy > ACW > the chosen status."""
        if self.n_offered:
            return AGENT_RESERVED
        if self.n_connected:
            return AGENT_BUSY
        if self.n_acw:
            return AGENT_ACW
        return FREE_STATE[self.status]


class Membership:
    """An agent's place in one queue of its routing profile; also the queue's record of the agent."""

    __slots__ = ("agent", "delay_index", "delay_seconds", "groups", "priority", "queue")

    def __init__(
        self,
        agent: AgentRecord,
        queue: QueueIndex,
        priority: int,
        delay_seconds: float,
        delay_index: int,
    ) -> None:
        self.agent = agent
        self.queue = queue
        self.priority = priority
        self.delay_seconds = delay_seconds  # the profile's delay before the agent serves this queue
        self.delay_index = delay_index  # its place in queue.delays
        # The queue's groups of this delay class whose requirement the agent meets: computed on first
        # use, kept complete by the queue, dropped when the agent's skills change (index.py).
        self.groups: list[Group] | None = None


class ContactRecord:
    """A contact's live routing state: where it waits, which step applies, who holds it.

    Built by :func:`new_contact_record`.
    """

    __slots__ = (
        "acw_ends_at",
        "agent",
        "channel",
        "consult_leg",
        "consult_of",
        "contact_id",
        "enqueued_at",
        "gen",
        "is_callback",
        "matured",
        "offer_expires_at",
        "order_arrival",
        "overflow_done",
        "personal_agent",
        "priority",
        "queue",
        "rows",
        "seq",
        "slot",
        "spec",
        "state",
        "step_ends",
        "step_index",
        "steps",
        "waiting_since",
    )

    def setup(self, spec: ContactSpec, queue: QueueIndex, seq: int, now: float) -> None:
        """Initialise the record of a contact entering ``queue`` at ``now`` (see :func:`new_contact_record`)."""
        self.contact_id = spec.contact_id
        self.spec = spec  # current routing inputs (queue, criteria) — replaced on transfer/overflow
        self.queue = queue
        self.channel = queue.channel
        self.slot = queue.slot  # the channel's slot (CHANNEL_SLOTS)
        self.priority = spec.priority
        self.seq = seq  # FIFO tie-breaker, persisted via ContactQueued.queue_sequence
        self.waiting_since = now  # reported waits count from here
        self.order_arrival = now - spec.age_adjustment_seconds  # place in line
        self.enqueued_at = (
            now  # entry into the current queue: steps, delays, overflow count from here
        )
        self.state = QUEUED
        self.gen = 0
        self.steps = _NO_STEPS  # set with ``rows`` when the contact enters a queue
        self.rows: tuple[list[Group], ...] = ()  # per step, the queue's groups of its requirement
        self.step_ends: tuple[float, ...] = ()  # absolute times at which each step expires
        self.step_index = 0
        self.matured = 0  # index of the largest queue delay this contact has waited out
        self.agent: AgentRecord | None = None
        self.personal_agent: AgentRecord | None = None
        self.acw_ends_at: float | None = None
        self.offer_expires_at = 0.0  # when the open offer times out (meaningful while OFFERED)
        self.is_callback = False
        self.overflow_done = False
        self.consult_of: ContactRecord | None = None
        self.consult_leg: ContactRecord | None = None

    def step_index_at(self, now: float) -> int:
        """Index of the requirement in force at ``now`` (the timers keep ``step_index`` equal to it)."""
        i = 0
        for end in self.step_ends:
            if now < end:
                return i
            i += 1
        return i


def new_contact_record(spec: ContactSpec, queue: QueueIndex, seq: int, now: float) -> ContactRecord:
    """The record of a contact entering ``queue`` at ``now``; ``seq`` is its FIFO tie-breaker.

    Compiled, this is one allocation (from a free list, records.pxd) and a C call: no Python-level constructor call
    and no argument parsing, which cost about a twentieth of a simulated contact.
    """
    contact = ContactRecord.__new__(ContactRecord)
    contact.setup(spec, queue, seq, now)
    return contact
