"""Crash safety: the engine's state as plain values, and the engine rebuilt from them.

At start-up the service layer reads agents and live contacts from the database into an
:class:`EngineSnapshot` and calls ``RoutingEngine.from_snapshot``. Queued contacts come back in the same
order (their persisted ``queue_sequence`` is the FIFO tie-breaker, and the place in line is derived from
``waiting_since`` and the contact's age adjustment). An open offer comes back open, to the same agent with
the same expiry, so a rebuild changes nothing that was running; it is withdrawn (``OfferWithdrawn``, no
penalty for the agent) only when its expiry is unknown or the agent can no longer hold it. Timers that
fell due while the engine was down fire at the rebuild, in due order: offer timeouts (a missed offer),
ACW timeouts, escalation steps past the step the snapshot names (``ContactEscalated``), overflows.
"""

from __future__ import annotations

from dataclasses import dataclass
from heapq import heappush

from helpline.routing import events as ev
from helpline.routing.core import RoutingCore
from helpline.routing.index import invalidate_contact
from helpline.routing.members import (
    AGENT_RESERVED,
    CONNECTED,
    IN_ACW,
    OFFERED,
    ON_HOLD,
    QUEUED,
    STATUS_NOT_READY,
)
from helpline.routing.model import AgentSpec, AgentStatus, ContactSpec, ContactState
from helpline.routing.records import AgentRecord, ContactRecord, new_contact_record


@dataclass(frozen=True, slots=True)
class AgentSnapshot:
    """An agent's chosen status; ``idle_since`` keeps longest-idle fair across a restart."""

    spec: AgentSpec
    status: AgentStatus
    reason: str | None = None
    idle_since: float = 0.0


@dataclass(frozen=True, slots=True)
class WaitingContact:
    """A contact waiting for an agent: queued, or offered to ``offered_to_agent_id`` without an answer.

    ``spec.queue_id`` is the queue it waits in now; ``enqueued_at`` when it entered that queue (steps,
    delays and overflow count from there); ``waiting_since`` when it started waiting (reported wait and
    place in line).
    """

    spec: ContactSpec
    queue_sequence: int
    waiting_since: float
    enqueued_at: float
    is_callback: bool = False
    personal_agent_id: str | None = None
    offered_to_agent_id: str | None = None
    overflow_done: bool = False
    consult_of_contact_id: str | None = None
    offer_expires_at: float | None = None
    """When the open offer to ``offered_to_agent_id`` times out (None: unknown, withdrawn on rebuild)."""
    step_index: int | None = None
    """The escalation step reached (None: derived silently from ``enqueued_at`` on rebuild)."""


@dataclass(frozen=True, slots=True)
class HeldContact:
    """A contact an agent is handling: connected, on hold or in after-contact work."""

    spec: ContactSpec
    agent_id: str
    state: ContactState
    queue_sequence: int
    waiting_since: float
    is_callback: bool = False
    acw_ends_at: float | None = None
    consult_of_contact_id: str | None = None


@dataclass(frozen=True, slots=True)
class EngineSnapshot:
    """Everything needed to rebuild an engine.

    ``agents`` in registration order (it breaks ties between equally idle agents); ``waiting`` in any
    order (sorted by ``queue_sequence`` on rebuild).
    """

    agents: tuple[AgentSnapshot, ...]
    waiting: tuple[WaitingContact, ...] = ()
    held: tuple[HeldContact, ...] = ()


_HELD_STATES = (CONNECTED, ON_HOLD, IN_ACW)


class SnapshotCore(RoutingCore):
    """Adds taking a snapshot and restoring from one to the engine core."""

    def snapshot(self) -> EngineSnapshot:
        """The engine's state as plain values (what the database holds, for tests and tooling)."""
        agents = tuple(
            AgentSnapshot(
                AgentSpec(a.agent_id, a.profile.profile_id, dict(a.skills)),
                a.status,
                a.reason,
                a.idle_since,
            )
            for a in self._agents.values()
        )
        waiting: list[WaitingContact] = []
        held: list[HeldContact] = []
        for c in sorted(self._contacts.values(), key=lambda c: c.seq):
            consult_of = c.consult_of.contact_id if c.consult_of else None
            if c.state in (QUEUED, OFFERED):
                offered_to = c.agent.agent_id if c.agent else None
                personal = c.personal_agent.agent_id if c.personal_agent else None
                waiting.append(
                    WaitingContact(
                        c.spec,
                        c.seq,
                        c.waiting_since,
                        c.enqueued_at,
                        c.is_callback,
                        personal,
                        offered_to,
                        c.overflow_done,
                        consult_of,
                        c.offer_expires_at if c.state is OFFERED else None,
                        c.step_index,
                    )
                )
            else:
                assert c.agent is not None  # noqa: S101 -- held states always have an agent
                held.append(
                    HeldContact(
                        c.spec,
                        c.agent.agent_id,
                        c.state,
                        c.seq,
                        c.waiting_since,
                        c.is_callback,
                        c.acw_ends_at,
                        consult_of,
                    )
                )
        return EngineSnapshot(agents, tuple(waiting), tuple(held))

    def _restore(self, snapshot: EngineSnapshot, now: float) -> list[ev.Event]:
        """Load a snapshot into this fresh engine at ``now`` and make the decisions now due."""
        self._now = now
        out = self._out = []
        for a in snapshot.agents:
            agent = self._new_agent(
                a.spec.agent_id, self._profiles[a.spec.profile_id], dict(a.spec.skills)
            )
            agent.status = a.status
            agent.reason = a.reason if a.status is STATUS_NOT_READY else None
            agent.idle_since = a.idle_since
        links: list[tuple[ContactRecord, str]] = []
        # (due, sequence, is an offer, contact): ACW and offer timeouts, scheduled in due order below.
        timed: list[tuple[float, int, bool, ContactRecord]] = []
        for h in snapshot.held:
            if h.state not in _HELD_STATES:
                raise ValueError(f"held contact {h.spec.contact_id} has state {h.state}")
            contact = self._restored_contact(
                h.spec, h.queue_sequence, h.waiting_since, h.is_callback
            )
            agent = self._agent(h.agent_id)
            contact.state = h.state
            contact.agent = agent
            agent.held[contact.contact_id] = contact
            agent.per_channel[contact.slot] += 1
            agent.total += 1
            if h.state is IN_ACW:
                agent.n_acw += 1
                contact.acw_ends_at = h.acw_ends_at
                if h.acw_ends_at is not None:
                    timed.append((h.acw_ends_at, contact.seq, False, contact))
            else:
                agent.n_connected += 1
            if h.consult_of_contact_id is not None:
                links.append((contact, h.consult_of_contact_id))
        reserved: set[str] = set()
        for w in sorted(snapshot.waiting, key=lambda w: w.queue_sequence):
            contact = self._restored_contact(
                w.spec, w.queue_sequence, w.waiting_since, w.is_callback
            )
            contact.enqueued_at = w.enqueued_at
            contact.overflow_done = w.overflow_done
            self._set_plan(contact, w.enqueued_at)
            if w.step_index is not None:
                contact.step_index = min(w.step_index, len(contact.step_ends))
            if w.personal_agent_id is not None:
                contact.personal_agent = self._agent(w.personal_agent_id)
            if w.consult_of_contact_id is not None:
                links.append((contact, w.consult_of_contact_id))
            holder = self._agents.get(w.offered_to_agent_id) if w.offered_to_agent_id else None
            expires = w.offer_expires_at
            if holder is not None and expires is not None and holder.has_capacity(contact.slot):
                self._reserve(contact, holder, expires)
                timed.append((expires, contact.seq, True, contact))
                continue
            if w.offered_to_agent_id is not None:
                out.append(ev.OfferWithdrawn(now, contact.contact_id, w.offered_to_agent_id))
                reserved.add(w.offered_to_agent_id)
            # Steps that expired during the downtime: reported now when the snapshot names the step
            # reached (the event log has the earlier ones), applied silently otherwise.
            self._catch_up(contact, emit=w.step_index is not None)
            self._index_waiting(contact)
        # Timers overdue at the rebuild are all due "now": scheduling them in due order fires them so.
        for _, _, is_offer, contact in sorted(timed, key=lambda t: (t[0], t[1], t[2])):
            if is_offer:
                self._schedule_offer_timeout(contact)
            else:
                self._schedule_acw_timeout(contact)
        for contact, of_id in links:
            customer = self._contact(of_id)
            contact.consult_of = customer
            customer.consult_leg = contact
        for agent in self._agents.values():
            agent.reported = AGENT_RESERVED if agent.agent_id in reserved else agent.derived_state()
        # Agents who lost an offer look for work first, longest idle first; the others find none
        # unless an escalation happened during the downtime.
        for agent in sorted(self._agents.values(), key=lambda a: (a.idle_since, a.seq)):
            self._report(agent)
            self._fill(agent)
        self._flush()
        return out

    def _reserve(self, contact: ContactRecord, agent: AgentRecord, expires_at: float) -> None:
        """Restore an open offer: the agent holds the contact until it answers or the offer expires."""
        contact.state = OFFERED
        contact.agent = agent
        contact.offer_expires_at = expires_at
        agent.held[contact.contact_id] = contact
        agent.per_channel[contact.slot] += 1
        agent.total += 1
        agent.n_offered += 1

    def _restored_contact(
        self, spec: ContactSpec, sequence: int, waiting_since: float, is_callback: bool
    ) -> ContactRecord:
        self._check_new_contact_id(spec.contact_id)
        contact = new_contact_record(spec, self._queue(spec.queue_id), sequence, waiting_since)
        contact.is_callback = is_callback
        self._contact_seq = max(self._contact_seq, sequence)
        self._contacts[spec.contact_id] = contact
        return contact

    def _index_waiting(self, contact: ContactRecord) -> None:
        """Index a restored waiting contact without matching it (agents search afterwards)."""
        invalidate_contact(contact)
        personal = contact.personal_agent
        if personal is not None:
            item = (contact.priority, contact.order_arrival, contact.seq, contact.gen, contact)
            heappush(personal.personal, item)
            return
        row = contact.rows[contact.step_index]
        for delay_index in range(contact.matured + 1):
            row[delay_index].push_contact(contact)
        self._schedule_wake(contact)
