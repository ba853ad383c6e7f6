"""Plain values the routing engine takes in: configuration, agents, contacts, and the state enums.

Everything here is a frozen dataclass or an enum, so the service layer can build them from database rows
and the simulator from a scenario, and the engine never holds an ORM object. Time throughout the routing
package is ``float`` seconds on one clock chosen by the driver (Unix epoch seconds in the live server, a
virtual clock in the simulator); the engine only compares and adds durations, so any origin works.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field

# The channel and queue options are the product's own vocabulary, shared with storage and the API.
from helpline.domain.enums import AgentSelection as AgentSelection
from helpline.domain.enums import Channel as Channel
from helpline.domain.enums import ClosedTreatment as ClosedTreatment
from helpline.routing.criteria import RoutingCriteria
from helpline.routing.hours import ALWAYS_OPEN, Hours


class AgentStatus(enum.StrEnum):
    """What the agent chose; the engine only ever sets NOT_READY itself (reason ``missed``)."""

    OFFLINE = "offline"  # logged out: never offered anything
    AVAILABLE = "available"  # wants work: offered contacts while a channel has free capacity
    NOT_READY = "not_ready"  # logged in but takes no new offers (break, lunch, missed...)


class AgentState(enum.StrEnum):
    """The reported state of an agent, derived from their status and the contacts they hold.

    Precedence when an agent holds several contacts: reserved, busy, after-contact work, then status.
    """

    OFFLINE = "offline"  # status offline and no contacts
    AVAILABLE = "available"  # status available and no contacts
    RESERVED = "reserved"  # at least one offer awaits the agent's answer
    BUSY = "busy"  # connected (talking, chatting, on hold) on at least one contact
    ACW = "acw"  # only after-contact work left
    NOT_READY = "not_ready"  # status not-ready and no contacts


class ContactState(enum.StrEnum):
    """Where a contact is in the engine's lifecycle (ARCHITECTURE.md "Contact lifecycle")."""

    QUEUED = "queued"  # waiting in a queue (or an agent's personal queue) for an agent
    OFFERED = "offered"  # an agent is reserved for it and has not answered yet
    CONNECTED = "connected"  # an agent is handling it
    ON_HOLD = "on_hold"  # connected, customer on hold
    ACW = "acw"  # conversation over, the agent is wrapping up
    CLOSED = "closed"  # finished; the engine forgets it after emitting ContactClosed
    ABANDONED = "abandoned"  # the customer left before being connected


@dataclass(frozen=True, slots=True)
class ChannelSettings:
    """One channel of a routing profile: how many contacts of it at once, and whether offers auto-accept."""

    concurrency: int
    auto_accept: bool = False

    def __post_init__(self) -> None:
        if self.concurrency < 0:
            raise ValueError("concurrency must be >= 0")


@dataclass(frozen=True, slots=True)
class ProfileQueue:
    """A queue in a routing profile: lower ``priority`` is served first; ``delay_seconds`` of waiting
    before a contact of this queue is offered to agents of the profile."""

    queue_id: str
    priority: int = 1
    delay_seconds: float = 0.0

    def __post_init__(self) -> None:
        if self.delay_seconds < 0:
            raise ValueError("delay_seconds must be >= 0")


@dataclass(frozen=True, slots=True)
class RoutingProfile:
    """Which queues an agent serves and how much of each channel at once.

    ``voice_blocks_other_channels``: voice is exclusive — a voice contact (offered, connected or in
    after-contact work) blocks every other channel, and any other contact blocks voice.
    """

    profile_id: str
    channels: Mapping[Channel, ChannelSettings]
    queues: tuple[ProfileQueue, ...]
    voice_blocks_other_channels: bool = True

    def __post_init__(self) -> None:
        ids = [q.queue_id for q in self.queues]
        if len(ids) != len(set(ids)):
            raise ValueError(f"profile {self.profile_id}: a queue appears twice")


@dataclass(frozen=True, slots=True)
class Overflow:
    """What a queue does with a contact that has waited ``after_seconds`` in it.

    Either move it to ``to_queue_id`` (it keeps its place in line there) or, if ``to_queue_id`` is None,
    propose a callback to the customer (event ``CallbackProposed``; the contact keeps waiting).
    """

    after_seconds: float
    to_queue_id: str | None = None


@dataclass(frozen=True, slots=True)
class Queue:
    """A queue: one channel, default routing criteria, timers and treatments.

    ``criteria`` applies to contacts that bring none of their own. ``acw_timeout_seconds``: after-contact
    work ends by itself after this long (0 = no ACW, None = only when the agent wraps up).
    ``sticky_seconds``: a contact whose customer was last served by an agent waits this long for that
    agent before the criteria apply (None = no sticky routing).
    """

    queue_id: str
    channel: Channel
    criteria: RoutingCriteria = field(default_factory=RoutingCriteria)
    agent_selection: AgentSelection = AgentSelection.LONGEST_IDLE
    offer_timeout_seconds: float = 20.0
    acw_timeout_seconds: float | None = 60.0
    overflow: Overflow | None = None
    hours: Hours = ALWAYS_OPEN
    closed_treatment: ClosedTreatment = ClosedTreatment.MESSAGE
    closed_overflow_queue_id: str | None = None
    sticky_seconds: float | None = None

    def __post_init__(self) -> None:
        if (
            self.closed_treatment is ClosedTreatment.OVERFLOW
            and self.closed_overflow_queue_id is None
        ):
            raise ValueError(
                f"queue {self.queue_id}: overflow treatment needs closed_overflow_queue_id"
            )
        if self.offer_timeout_seconds <= 0:
            raise ValueError("offer_timeout_seconds must be > 0")


@dataclass(frozen=True, slots=True)
class RoutingConfig:
    """The static configuration of one organization's routing: its queues and routing profiles."""

    queues: tuple[Queue, ...]
    profiles: tuple[RoutingProfile, ...]

    def __post_init__(self) -> None:
        queue_ids = {q.queue_id for q in self.queues}
        if len(queue_ids) != len(self.queues):
            raise ValueError("queue ids must be unique")
        for profile in self.profiles:
            for pq in profile.queues:
                if pq.queue_id not in queue_ids:
                    raise ValueError(f"profile {profile.profile_id}: unknown queue {pq.queue_id}")
        for queue in self.queues:
            targets = [queue.closed_overflow_queue_id]
            targets.append(queue.overflow.to_queue_id if queue.overflow else None)
            for target in targets:
                if target is not None and target not in queue_ids:
                    raise ValueError(f"queue {queue.queue_id}: unknown overflow queue {target}")


@dataclass(frozen=True, slots=True)
class AgentSpec:
    """An agent as the engine needs them: skills (name -> proficiency 1-5) and a routing profile id."""

    agent_id: str
    profile_id: str
    skills: Mapping[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for skill, level in self.skills.items():
            if not 1 <= level <= 5:
                raise ValueError(f"agent {self.agent_id}: proficiency of {skill} must be 1-5")


@dataclass(frozen=True)  # no slots: compiled, it is an extension type (model.pxd)
class ContactSpec:
    """A contact to route.

    ``priority``: lower is served first within a queue. ``age_adjustment_seconds``: the contact is placed
    in line as if it had arrived this much earlier (reported waits are unaffected). ``criteria``
    overrides the queue's. ``last_agent_id`` enables sticky routing when the queue has it.
    """

    contact_id: str
    queue_id: str
    priority: int = 5
    criteria: RoutingCriteria | None = None
    age_adjustment_seconds: float = 0.0
    customer_id: str | None = None
    last_agent_id: str | None = None
