"""The routing engine's public API: commands in, events out.

Every command takes ``now`` (seconds on the driver's clock, never decreasing), first runs the timers due
by then (offer timeouts, escalations, delays, overflow, ACW timeouts), then applies itself, and returns
the events of everything that happened, in order. A command that raises changed nothing except for the
timers it ran (their events are then returned by the next command). Drivers call :meth:`advance` at
:meth:`next_wakeup` so timers fire without waiting for a command.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from helpline.routing import events as ev
from helpline.routing.errors import DuplicateIdError, InvalidTransitionError
from helpline.routing.handling import HandlingCore
from helpline.routing.hours import ALWAYS_OPEN
from helpline.routing.index import QueueIndex, invalidate_agent, invalidate_contact
from helpline.routing.members import (
    ABANDONED,
    AGENT_NOT_READY,
    CLOSE_CLOSED_OUT_OF_HOURS,
    CONNECTED,
    MISS_REJECTED,
    OFFERED,
    QUEUED,
    STATUS_AVAILABLE,
    STATUS_NOT_READY,
    STATUS_OFFLINE,
)
from helpline.routing.model import (
    AgentSpec,
    AgentState,
    AgentStatus,
    ClosedTreatment,
    ContactSpec,
    ContactState,
    RoutingConfig,
)
from helpline.routing.records import ContactRecord, new_contact_record
from helpline.routing.snapshot import EngineSnapshot


@dataclass(frozen=True, slots=True)
class AgentView:
    """A read-only picture of one agent for APIs and tests."""

    agent_id: str
    state: AgentState
    status: AgentStatus
    reason: str | None
    idle_since: float
    contact_ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ContactView:
    """A read-only picture of one live contact for APIs and tests."""

    contact_id: str
    state: ContactState
    queue_id: str
    agent_id: str | None
    step_index: int
    waiting_since: float
    queue_sequence: int
    is_callback: bool


class RoutingEngine(HandlingCore):
    """Decides which agent gets which contact, deterministically, from commands and time.

    Build it from a :class:`~helpline.routing.model.RoutingConfig`, register agents, then drive it with
    the commands below (or rebuild it with :func:`helpline.routing.snapshot.rebuild`). Same commands at
    the same times always give the same events.

    ``lean=True`` (for the simulator) skips building the two events that only restate others:
    ``ContactQueued`` and the ``ContactOffered`` of an auto-accepted offer (its ``ContactConnected``
    follows at the same instant). Decisions, timers and every other event are the same; the live
    server keeps the full stream it persists.
    """

    @classmethod
    def from_snapshot(
        cls, config: RoutingConfig, snapshot: EngineSnapshot, now: float, *, lean: bool = False
    ) -> tuple[RoutingEngine, list[ev.Event]]:
        """Rebuild an engine after a restart; returns it with the events of the rebuild (withdrawn
        offers, new offers, overflows that fell due during the downtime) for the service to persist."""
        engine = cls(config, lean=lean)
        out = engine._restore(snapshot, now)
        out.extend(engine.advance(now))
        return engine, out

    # -- time -----------------------------------------------------------------------------------------

    @property
    def now(self) -> float:
        """The time of the latest command (``-inf`` before the first)."""
        return self._now

    @property
    def revision(self) -> int:
        """How many commands went through; unchanged by a refused command (nothing changed then)."""
        return self._revision

    @property
    def holds_refused_events(self) -> bool:
        """True when a refused command ran timers whose events the next command returns first."""
        return bool(self._carry)

    def next_wakeup(self) -> float | None:
        """When the earliest pending timer is due (None if none): call :meth:`advance` then."""
        timers = self._timers
        heads = timers.heads  # non-empty exactly when timers are pending (no call)
        while heads:
            timer = timers.peek()
            if timer[3].gen == timer[4]:
                return timer[0]
            timers.pop()
        return None

    def advance(self, now: float) -> list[ev.Event]:
        """Run every timer due at or before ``now``."""
        self._start(now)
        return self._finish()

    # -- agents ---------------------------------------------------------------------------------------

    def add_agent(self, spec: AgentSpec, now: float) -> list[ev.Event]:
        """Register an agent (offline). Raises if the id is taken or the profile unknown."""
        self._start(now)
        if spec.agent_id in self._agents:
            raise DuplicateIdError(f"agent {spec.agent_id} already exists")
        profile = self._profiles.get(spec.profile_id)
        if profile is None:
            raise InvalidTransitionError(f"unknown routing profile {spec.profile_id}")
        self._new_agent(spec.agent_id, profile, dict(spec.skills))
        return self._finish()

    def set_agent_status(
        self, agent_id: str, status: AgentStatus, now: float, reason: str | None = None
    ) -> list[ev.Event]:
        """The agent chooses available, not-ready (with a reason) or offline.

        Going offline is refused while the agent holds contacts; going not-ready keeps current contacts
        (an open offer can still be accepted) but stops new offers.
        """
        out = self._start(now)
        agent = self._agent(agent_id)
        if status is STATUS_OFFLINE and agent.held:
            raise InvalidTransitionError(f"agent {agent_id} still holds contacts")
        was, was_reason = agent.status, agent.reason
        agent.status = status
        agent.reason = reason if status is STATUS_NOT_READY else None
        if status is STATUS_AVAILABLE:
            if was is not STATUS_AVAILABLE:
                agent.idle_since = now
            self._report(agent)
            self._fill(agent)
            return self._finish()
        invalidate_agent(agent)
        if agent.reported is AGENT_NOT_READY and was_reason != agent.reason:
            out.append(ev.agent_state_changed(now, agent_id, AGENT_NOT_READY, agent.reason))
        else:
            self._report(agent)
        return self._finish()

    # -- arrival and waiting --------------------------------------------------------------------------

    def add_contact(self, spec: ContactSpec, now: float) -> list[ev.Event]:
        """A contact arrives for a queue: routed now, queued, or given the queue's closed treatment."""
        out = self._start(now)
        if spec.contact_id in self._contacts:
            self._check_new_contact_id(spec.contact_id)  # raises
        queue = self._queues.get(spec.queue_id) or self._queue(spec.queue_id)
        is_callback = False
        if queue.hours is not ALWAYS_OPEN:
            treated = self._closed_treatment(spec, queue, now, out)
            if treated is None:
                return self._finish()
            spec, queue, is_callback = treated
        contact = new_contact_record(spec, queue, 0, now)
        contact.is_callback = is_callback
        self._contacts[spec.contact_id] = contact
        if is_callback:
            out.append(ev.CallbackRequested(now, spec.contact_id, spec.contact_id, queue.queue_id))
        self._enter_queue(contact, queue, new_place=True)
        return self._finish()

    def _closed_treatment(
        self, spec: ContactSpec, queue: QueueIndex, now: float, out: list[ev.Event]
    ) -> tuple[ContactSpec, QueueIndex, bool] | None:
        """Apply closed queues' treatments to an arrival: the (spec, queue, is callback) it waits in,
        or None if it got the closed message and was closed."""
        for _ in range(len(self._queues)):  # bounded: closed-overflow chains cannot loop for ever
            hours = queue.hours
            if hours is ALWAYS_OPEN or hours.is_open(now):
                break
            treatment = queue.queue.closed_treatment
            out.append(
                ev.ContactArrivedWhileClosed(now, spec.contact_id, queue.queue_id, treatment)
            )
            if treatment is ClosedTreatment.MESSAGE:
                out.append(ev.contact_closed(now, spec.contact_id, None, CLOSE_CLOSED_OUT_OF_HOURS))
                return None
            if treatment is ClosedTreatment.CALLBACK:
                return spec, queue, True
            target = queue.queue.closed_overflow_queue_id
            assert target is not None  # noqa: S101 -- Queue validates this
            out.append(ev.ContactOverflowed(now, spec.contact_id, queue.queue_id, target))
            queue = self._queues[target]
            spec = replace(spec, queue_id=target, criteria=None, last_agent_id=None)
        return spec, queue, False

    def abandon_contact(self, contact_id: str, now: float) -> list[ev.Event]:
        """The customer left while queued or offered (an open offer is withdrawn without penalty)."""
        out = self._start(now)
        contact = self._contact(contact_id)
        if contact.state not in (QUEUED, OFFERED):
            raise InvalidTransitionError(f"contact {contact_id} is {contact.state}, not waiting")
        agent = None
        if contact.state is OFFERED:
            agent = self._unhold(contact)
            out.append(ev.OfferWithdrawn(now, contact_id, agent.agent_id))
        invalidate_contact(contact)
        contact.state = ABANDONED
        del self._contacts[contact_id]
        wait = now - contact.waiting_since
        out.append(ev.ContactAbandoned(now, contact_id, contact.queue.queue_id, wait))
        self._detach_consult(contact)
        if agent is not None:
            self._report(agent)
            self._fill(agent)
        return self._finish()

    def request_callback(
        self, contact_id: str, now: float, callback_contact_id: str | None = None
    ) -> list[ev.Event]:
        """A waiting caller asks to be called back; the callback keeps their place in line.

        ``callback_contact_id`` renames the waiting contact (the service's outbound contact row); by
        default the contact keeps its id. When its turn comes it is offered with ``is_callback``.
        """
        out = self._start(now)
        contact = self._contact(contact_id)
        if contact.state is not QUEUED:
            raise InvalidTransitionError(f"contact {contact_id} is {contact.state}, not queued")
        new_id = callback_contact_id or contact_id
        if new_id != contact_id:
            self._check_new_contact_id(new_id)
            del self._contacts[contact_id]
            contact.contact_id = new_id
            contact.spec = replace(contact.spec, contact_id=new_id)
            self._contacts[new_id] = contact
        contact.is_callback = True
        out.append(ev.CallbackRequested(now, contact_id, new_id, contact.queue.queue_id))
        return self._finish()

    # -- offers ---------------------------------------------------------------------------------------

    def _offered_to(self, contact_id: str, agent_id: str) -> ContactRecord:
        contact = self._contact(contact_id)
        if contact.state is not OFFERED or contact.agent is not self._agent(agent_id):
            raise InvalidTransitionError(f"contact {contact_id} is not offered to agent {agent_id}")
        return contact

    def accept_offer(self, contact_id: str, agent_id: str, now: float) -> list[ev.Event]:
        """The agent accepts the offer: the contact is connected. Refused if the offer is gone."""
        out = self._start(now)
        contact = self._offered_to(contact_id, agent_id)
        agent = self._agent(agent_id)
        contact.state = CONNECTED
        contact.gen += 1  # voids the offer timer
        agent.n_offered -= 1
        agent.n_connected += 1
        wait = now - contact.waiting_since
        out.append(ev.contact_connected(now, contact_id, agent_id, contact.queue.queue_id, wait))
        self._report(agent)
        return self._finish()

    def reject_offer(self, contact_id: str, agent_id: str, now: float) -> list[ev.Event]:
        """The agent rejects the offer: missed offer, agent not-ready (missed), contact back in place."""
        self._start(now)
        contact = self._offered_to(contact_id, agent_id)
        self._miss(contact, MISS_REJECTED)
        return self._finish()

    # -- inspection -----------------------------------------------------------------------------------

    def agent_view(self, agent_id: str) -> AgentView:
        """The agent's current state and contacts."""
        agent = self._agent(agent_id)
        return AgentView(
            agent_id,
            agent.derived_state(),
            agent.status,
            agent.reason,
            agent.idle_since,
            tuple(agent.held),
        )

    def contact_view(self, contact_id: str) -> ContactView:
        """The contact's current state."""
        c = self._contact(contact_id)
        agent_id = c.agent.agent_id if c.agent else None
        return ContactView(
            contact_id,
            c.state,
            c.queue.queue_id,
            agent_id,
            c.step_index,
            c.waiting_since,
            c.seq,
            c.is_callback,
        )

    def queued_contact_ids(self, queue_id: str) -> list[str]:
        """Contacts waiting in a queue, in line order (priority, place, sequence). O(n log n)."""
        queue = self._queue(queue_id)
        waiting = [
            c
            for c in self._contacts.values()
            if c.queue is queue and c.state is QUEUED and c.personal_agent is None
        ]
        waiting.sort(key=lambda c: (c.priority, c.order_arrival, c.seq))
        return [c.contact_id for c in waiting]
