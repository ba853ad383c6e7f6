"""The routing engine's machinery: matching both ways, offers, timers and queue entry.

``RoutingEngine`` (engine.py) adds the public commands on top. Everything here runs at ``self._now``,
which the public commands set after running the timers due before it.
"""

from __future__ import annotations

from dataclasses import replace
from heapq import heapify, heappop, heappush
from math import inf

from helpline.routing import events as ev
from helpline.routing.criteria import CompiledSteps, RoutingCriteria, compile_steps
from helpline.routing.errors import (
    ClockWentBackwardsError,
    DuplicateIdError,
    UnknownAgentError,
    UnknownContactError,
    UnknownQueueError,
)
from helpline.routing.index import (
    COMPACT_SLACK,
    ContactEntry,
    Group,
    QueueIndex,
    invalidate_agent,
    invalidate_contact,
)
from helpline.routing.members import (
    AGENT_ACW,
    AGENT_AVAILABLE,
    AGENT_BUSY,
    AGENT_NOT_READY,
    AGENT_RESERVED,
    CLOSE_ACW_TIMED_OUT,
    CLOSED,
    CONNECTED,
    IN_ACW,
    MISS_TIMED_OUT,
    OFFERED,
    QUEUED,
    STATUS_AVAILABLE,
    STATUS_NOT_READY,
)
from helpline.routing.model import (
    ContactSpec,
    RoutingConfig,
    RoutingProfile,
)
from helpline.routing.records import FREE_STATE, AgentRecord, ContactRecord, Membership
from helpline.routing.timers import TimerQueue

# Timer kinds. A timer is (due, seq, kind, contact, contact gen at scheduling); it is void when the
# contact's gen moved on, which is how cancelling costs nothing.
_WAKE = 0  # a queued contact's next escalation step, delay class or overflow
_OFFER_TIMEOUT = 1
_ACW_TIMEOUT = 2


class RoutingCore:
    """State and internal transitions of the routing engine (see ``RoutingEngine`` for the API)."""

    def __init__(self, config: RoutingConfig, *, lean: bool = False) -> None:
        # Lean: skip the events that only restate what the next event says (see RoutingEngine).
        self._lean = lean
        delays: dict[str, set[float]] = {q.queue_id: set() for q in config.queues}
        for profile in config.profiles:
            for pq in profile.queues:
                delays[pq.queue_id].add(pq.delay_seconds)
        self._queues = {q.queue_id: QueueIndex(q, delays[q.queue_id]) for q in config.queues}
        self._profiles: dict[str, RoutingProfile] = {p.profile_id: p for p in config.profiles}
        self._agents: dict[str, AgentRecord] = {}
        self._contacts: dict[str, ContactRecord] = {}
        self._timers = TimerQueue()
        self._timer_seq = 0
        self._agent_seq = 0
        self._contact_seq = 0
        # (criteria, sticky agent, sticky seconds, queue id) -> (steps, group row per step)
        self._plans: dict[
            tuple[RoutingCriteria, str | None, float | None, str],
            tuple[CompiledSteps, tuple[list[Group], ...]],
        ] = {}
        self._now = -inf
        self._out: list[ev.Event] = []
        self._carry: list[ev.Event] = []  # the next command's list: events a refused one left
        # Agents whose reported state may have changed (each once: AgentRecord.dirty), in order: the
        # first _n_dirty items (the list is reused, not emptied: emptying it frees its storage, which
        # the next command would allocate again).
        self._dirty: list[AgentRecord] = []
        self._n_dirty = 0
        # Commands that went through (each _finish): a refused command leaves it unchanged, so a
        # driver can tell "refused, nothing changed" from "changed, then something else failed".
        self._revision = 0

    # -- clock and timers ---------------------------------------------------------------------------

    def _start(self, now: float) -> list[ev.Event]:
        """Begin a command at ``now``: run due timers, then return the list the command appends to.

        Every public command calls this (keeping the list if it appends to it), makes its checks and
        changes, then returns ``self._finish()``. The list is ``_carry`` until :meth:`_finish` replaces
        it, so a command that raises (refused) leaves its events (those of the timers it ran) there: the
        next command starts from them and returns them first. That next command also flushes the
        refused one's agents (:meth:`_flush`) before its timers, at the refused command's time.
        """
        if now < self._now:
            raise ClockWentBackwardsError(f"now={now} is before {self._now}")
        out = self._out = self._carry
        if self._n_dirty:  # left by a refused command
            self._flush()
        timers = self._timers
        heads = timers.heads
        while heads and heads[0][0] <= now:
            due, _, kind, contact, gen = timers.pop()
            if contact.gen != gen:
                continue
            if due > self._now:
                self._now = due
            if kind == _WAKE and contact.state is QUEUED:
                self._wake(contact)
            elif kind == _OFFER_TIMEOUT and contact.state is OFFERED:
                self._miss(contact, MISS_TIMED_OUT)
            elif kind == _ACW_TIMEOUT and contact.state is IN_ACW:
                self._close(contact, CLOSE_ACW_TIMED_OUT)
            if self._n_dirty:  # most escalations offer nothing: skip the call
                self._flush()
        self._now = now
        return out

    def _finish(self) -> list[ev.Event]:
        """End a command that went through: flush agent states and return the command's events."""
        self._flush()
        self._carry = []
        self._revision += 1
        return self._out

    def _schedule(self, due: float, kind: int, contact: ContactRecord) -> None:
        self._timer_seq += 1
        now = self._now
        if due < now:
            due = now
        self._timers.push((due, self._timer_seq, kind, contact, contact.gen), due - now)

    def _schedule_acw_timeout(self, contact: ContactRecord) -> None:
        assert contact.acw_ends_at is not None  # noqa: S101 -- callers check
        self._schedule(contact.acw_ends_at, _ACW_TIMEOUT, contact)

    def _schedule_offer_timeout(self, contact: ContactRecord) -> None:
        self._schedule(contact.offer_expires_at, _OFFER_TIMEOUT, contact)

    def _schedule_wake(self, contact: ContactRecord) -> None:
        """Schedule the next moment a queued contact's eligibility changes (if any)."""
        due = inf
        ends = contact.step_ends
        index = contact.step_index
        if index < len(ends):
            due = ends[index]
        queue = contact.queue
        delays = queue.delays
        matured = contact.matured
        if matured + 1 < len(delays):
            due = min(due, contact.enqueued_at + delays[matured + 1])
        overflow = queue.overflow
        if overflow is not None and not contact.overflow_done and contact.personal_agent is None:
            due = min(due, contact.enqueued_at + overflow.after_seconds)
        if due < inf:
            # Inlined _schedule (a call per waiting contact and escalation).
            self._timer_seq += 1
            now = self._now
            if due < now:
                due = now
            self._timers.push((due, self._timer_seq, _WAKE, contact, contact.gen), due - now)

    # -- lookups --------------------------------------------------------------------------------------

    def _agent(self, agent_id: str) -> AgentRecord:
        try:
            return self._agents[agent_id]
        except KeyError:
            raise UnknownAgentError(agent_id) from None

    def _contact(self, contact_id: str) -> ContactRecord:
        try:
            return self._contacts[contact_id]
        except KeyError:
            raise UnknownContactError(contact_id) from None

    def _queue(self, queue_id: str) -> QueueIndex:
        try:
            return self._queues[queue_id]
        except KeyError:
            raise UnknownQueueError(queue_id) from None

    def _check_new_contact_id(self, contact_id: str) -> None:
        if contact_id in self._contacts:
            raise DuplicateIdError(f"contact {contact_id} already exists")

    # -- agents ---------------------------------------------------------------------------------------

    def _new_agent(
        self, agent_id: str, profile: RoutingProfile, skills: dict[str, int]
    ) -> AgentRecord:
        self._agent_seq += 1
        agent = AgentRecord(agent_id, self._agent_seq, profile, skills, self._now)
        by_priority = sorted(profile.queues, key=lambda pq: pq.priority)  # ties keep profile order
        for pq in by_priority:
            queue = self._queues[pq.queue_id]
            delay_index = queue.delays.index(pq.delay_seconds)
            membership = Membership(agent, queue, pq.priority, pq.delay_seconds, delay_index)
            agent.profile_queues.append(membership)
            queue.add_member(membership)
        self._agents[agent_id] = agent
        return agent

    def _report(self, agent: AgentRecord) -> None:
        """Note that the agent's reported state may have changed (emitted by :meth:`_flush`)."""
        if not agent.dirty:
            agent.dirty = True
            if self._n_dirty < len(self._dirty):
                self._dirty[self._n_dirty] = agent
            else:
                self._dirty.append(agent)
            self._n_dirty += 1

    def _flush(self) -> None:
        """Emit AgentStateChanged for agents whose state differs from the last one reported.

        Done once at the end of each command and timer, so a state held for no time at all (available
        between a close and the next offer, reserved before an auto-accept) is not reported.
        """
        dirty = self._dirty
        for k in range(self._n_dirty):
            agent = dirty[k]
            agent.dirty = False
            # Inlined AgentRecord.derived_state (a call per command otherwise).
            if agent.n_offered:
                state = AGENT_RESERVED
            elif agent.n_connected:
                state = AGENT_BUSY
            elif agent.n_acw:
                state = AGENT_ACW
            elif agent.status is STATUS_AVAILABLE:
                state = AGENT_AVAILABLE
            else:
                state = FREE_STATE[agent.status]
            if state is not agent.reported:
                agent.reported = state
                reason = agent.reason if state is AGENT_NOT_READY else None
                self._out.append(ev.agent_state_changed(self._now, agent.agent_id, state, reason))
        self._n_dirty = 0

    def _push_agent(self, agent: AgentRecord) -> None:
        """Index a ready agent in every group it can serve (no search: the caller knows none waits)."""
        invalidate_agent(agent)
        self._index_agent(agent)

    def _index_agent(self, agent: AgentRecord) -> None:
        """:meth:`_push_agent` for an agent known to have no live index entry."""
        if agent.status is not STATUS_AVAILABLE:
            return
        if agent.holds_voice_exclusively():
            return  # a voice contact blocks every channel
        for membership in agent.profile_queues:
            queue = membership.queue
            if agent.has_capacity(queue.slot):
                # Inlined cache hit of QueueIndex.satisfiable.
                groups = membership.groups
                if groups is None:
                    groups = queue.satisfiable(membership)
                for group in groups:
                    group.push_agent(agent)

    def _fill(self, agent: AgentRecord) -> None:
        """Offer the agent the best waiting contacts while it has capacity, then index what is left."""
        invalidate_agent(agent)
        while agent.status is STATUS_AVAILABLE:
            if agent.holds_voice_exclusively():
                return  # a voice contact blocks everything else: the common case, answered cheaply
            contact = self._best_contact_for(agent)
            if contact is None:
                break
            self._offer(contact, agent)
        else:
            return  # not available: invalidated above, nothing to index
        self._index_agent(agent)  # no entry since the invalidation above (offers invalidate too)

    def _best_contact_for(self, agent: AgentRecord) -> ContactRecord | None:
        """The contact the agent should get next: personal queue first, then queues by priority, then
        contact priority, place in line and sequence."""
        if agent.personal:
            live = [e for e in agent.personal if e[3] == e[4].gen]
            if len(live) != len(agent.personal):
                heapify(live)
                agent.personal = live
            fits = [e for e in live if agent.has_capacity(e[4].slot)]
            if fits:
                return min(fits)[4]
        best: ContactEntry | None = None
        level = 0
        for membership in agent.profile_queues:
            priority = membership.priority
            if best is not None and priority != level:
                break  # queues are sorted by priority: a worse level cannot beat the candidate
            queue = membership.queue
            if not agent.has_capacity(queue.slot):
                continue
            # Inlined cache hit of QueueIndex.satisfiable: a method call per queue of the profile.
            groups = membership.groups
            if groups is None:
                groups = queue.satisfiable(membership)
            for group in groups:
                heap = group.contacts  # its first live entry, dropping stale tops: the hot path
                while heap:
                    entry = heap[0]
                    waiting = entry[4]
                    if entry[3] == waiting.gen:
                        if best is None or entry < best:
                            best = entry
                            level = priority
                        break
                    heappop(heap)
        return None if best is None else best[4]

    # -- contacts -------------------------------------------------------------------------------------

    def _compiled(self, spec: ContactSpec, queue: QueueIndex) -> CompiledSteps:
        """The contact's escalation steps in this queue (its own criteria or the queue's)."""
        return self._plan(spec, queue)[0]

    def _plan(
        self, spec: ContactSpec, queue: QueueIndex
    ) -> tuple[CompiledSteps, tuple[list[Group], ...]]:
        """Compiled steps and, per step, the queue's group row: cached per distinct criteria, so routing
        a contact never hashes a requirement."""
        criteria = spec.criteria if spec.criteria is not None else queue.criteria
        plain = spec.last_agent_id is None
        if plain:
            # Most contacts have no sticky agent: one lookup in the queue's own cache by the criteria
            # (hash cached, found by identity) instead of building and hashing a 4-tuple key.
            plan = queue.plans.get(criteria)
            if plan is not None:
                return plan
        sticky = queue.queue.sticky_seconds if not plain else None
        key = (criteria, spec.last_agent_id if sticky else None, sticky, queue.queue_id)
        plan = self._plans.get(key)
        if plan is None:
            steps = compile_steps(criteria, key[1], sticky)
            plan = (steps, tuple(queue.groups_for(r) for r in steps.requirements))
            self._plans[key] = plan
        if plain:
            queue.plans[criteria] = plan
            if criteria is queue.criteria:
                queue.own_plan = plan
        return plan

    def _set_plan(self, contact: ContactRecord, enqueued_at: float) -> None:
        """Attach the contact's steps and group rows for its current queue, timed from ``enqueued_at``."""
        spec, queue = contact.spec, contact.queue
        plan = None
        if spec.last_agent_id is None:  # inlined cache hit of _plan (one call per arrival)
            criteria = spec.criteria
            if criteria is None or criteria is queue.criteria:
                plan = queue.own_plan  # the common case: not even a hash
            else:
                plan = queue.plans.get(criteria)
        if plan is None:
            plan = self._plan(spec, queue)
        steps = contact.steps = plan[0]
        contact.rows = plan[1]
        ends = steps.ends
        contact.step_ends = tuple([enqueued_at + end for end in ends]) if ends else ()

    def _enter_queue(self, contact: ContactRecord, queue: QueueIndex, new_place: bool) -> None:
        """Put a contact in a queue (arrival, transfer, overflow) and route it.

        ``new_place``: join the back of the line (arrival, transfer); otherwise keep the place in line
        (overflow, which exists to help the contacts that waited longest).
        """
        now = self._now
        if contact.queue is not queue:
            contact.spec = replace(contact.spec, queue_id=queue.queue_id, criteria=None)
        contact.queue = queue
        contact.channel = queue.channel
        contact.slot = queue.slot
        contact.enqueued_at = now
        if new_place:
            self._contact_seq += 1
            contact.seq = self._contact_seq
            contact.waiting_since = now
            contact.order_arrival = now - contact.spec.age_adjustment_seconds
        self._set_plan(contact, now)
        contact.step_index = 0
        contact.matured = 0
        contact.overflow_done = False
        contact.state = QUEUED
        if not self._lean:
            self._out.append(
                ev.ContactQueued(
                    now,
                    contact.contact_id,
                    queue.queue_id,
                    contact.seq,
                    contact.personal_agent.agent_id if contact.personal_agent else None,
                    contact.is_callback,
                )
            )
        ends = contact.step_ends
        if ends and ends[0] <= now:  # a zero-length first step; delays are all > 0 past class 0
            self._catch_up(contact)
        self._route(contact)

    def _catch_up(self, contact: ContactRecord, emit: bool = True) -> None:
        """Advance the contact's step and delay class to ``now``."""
        now = self._now
        index = contact.step_index
        ends = contact.step_ends
        while index < len(ends) and now >= ends[index]:
            index += 1
            if emit:
                self._out.append(
                    ev.ContactEscalated(now, contact.contact_id, contact.queue.queue_id, index)
                )
        contact.step_index = index
        delays = contact.queue.delays
        matured = contact.matured
        while matured + 1 < len(delays) and contact.enqueued_at + delays[matured + 1] <= now:
            matured += 1
        contact.matured = matured

    def _route(self, contact: ContactRecord) -> None:
        """Offer a waiting contact to the best ready agent, or index it to wait (and set its timer)."""
        invalidate_contact(contact)  # also voids its timers and any personal-queue entry
        personal = contact.personal_agent
        if personal is not None:
            if personal.is_ready_for(contact.slot):
                self._offer(contact, personal)
                self._push_agent(personal)
            else:
                item = (contact.priority, contact.order_arrival, contact.seq, contact.gen, contact)
                heappush(personal.personal, item)
            return
        row = contact.rows[contact.step_index]
        best = None
        for delay_index in range(contact.matured + 1):
            group = row[delay_index]  # typed (core.pxd): its fields are then C reads
            heap = group.agents  # its first live entry, dropping stale tops: the hot path
            while heap:
                entry = heap[0]
                candidate = entry[4]
                if entry[3] == candidate.gen:
                    if best is None or entry < best:
                        best = entry
                    break
                heappop(heap)
        if best is not None:
            agent = best[4]
            self._offer(contact, agent)
            if not agent.holds_voice_exclusively():
                self._index_agent(agent)  # capacity left (_offer invalidated its entries)
            return
        # Inlined Group.push_contact: one entry tuple shared by every delay class's heap.
        waiting = (contact.priority, contact.order_arrival, contact.seq, contact.gen, contact)
        for delay_index in range(contact.matured + 1):
            group = row[delay_index]
            contacts = group.contacts
            heappush(contacts, waiting)
            if len(contacts) > 2 * group.contacts_kept + COMPACT_SLACK:
                group.compact_contacts()
        self._schedule_wake(contact)

    def _wake(self, contact: ContactRecord) -> None:
        """A queued contact's timer: overflow if due, else escalate / mature and route again."""
        now = self._now
        overflow = contact.queue.overflow
        due = overflow is not None and now >= contact.enqueued_at + overflow.after_seconds
        if overflow is not None and due and not contact.overflow_done:
            contact.overflow_done = True
            if overflow.to_queue_id is not None:
                source = contact.queue.queue_id
                self._out.append(
                    ev.ContactOverflowed(now, contact.contact_id, source, overflow.to_queue_id)
                )
                invalidate_contact(contact)
                contact.spec = replace(contact.spec, last_agent_id=None)
                self._enter_queue(contact, self._queues[overflow.to_queue_id], new_place=False)
                return
            self._out.append(ev.CallbackProposed(now, contact.contact_id, contact.queue.queue_id))
        self._catch_up(contact)
        self._route(contact)

    def _offer(self, contact: ContactRecord, agent: AgentRecord) -> None:
        """Reserve the agent for the contact; auto-accept connects at once."""
        now = self._now
        contact.gen += 1  # inlined invalidate_contact and invalidate_agent (index.py)
        agent.gen += 1
        contact.state = OFFERED
        contact.agent = agent
        agent.held[contact.contact_id] = contact
        agent.per_channel[contact.slot] += 1
        agent.total += 1
        agent.idle_since = now
        queue = contact.queue
        wait = now - contact.waiting_since
        if agent.auto_accepts[contact.slot]:
            if not self._lean:  # ContactConnected follows at once and says the same
                self._out.append(
                    ev.ContactOffered(
                        now,
                        contact.contact_id,
                        agent.agent_id,
                        queue.queue_id,
                        wait,
                        now,
                        contact.is_callback,
                    )
                )
            contact.state = CONNECTED
            agent.n_connected += 1
            self._out.append(
                ev.contact_connected(now, contact.contact_id, agent.agent_id, queue.queue_id, wait)
            )
        else:
            expires = now + queue.offer_timeout_seconds
            contact.offer_expires_at = expires
            agent.n_offered += 1
            self._out.append(
                ev.ContactOffered(
                    now,
                    contact.contact_id,
                    agent.agent_id,
                    queue.queue_id,
                    wait,
                    expires,
                    contact.is_callback,
                )
            )
            self._schedule_offer_timeout(contact)
        self._report(agent)

    def _unhold(self, contact: ContactRecord) -> AgentRecord:
        """Take the contact off its agent's capacity (any held state) and return the agent."""
        agent = contact.agent
        assert agent is not None  # noqa: S101 -- held states always have an agent
        del agent.held[contact.contact_id]
        agent.per_channel[contact.slot] -= 1
        agent.total -= 1
        if contact.state is OFFERED:
            agent.n_offered -= 1
        elif contact.state is IN_ACW:
            agent.n_acw -= 1
        else:
            agent.n_connected -= 1
        agent.idle_since = self._now
        contact.agent = None
        return agent

    def _miss(self, contact: ContactRecord, reason: ev.MissReason) -> None:
        """The offer was rejected or timed out: agent to not-ready (missed), contact back in its place."""
        agent = self._unhold(contact)
        self._out.append(ev.OfferMissed(self._now, contact.contact_id, agent.agent_id, reason))
        agent.status = STATUS_NOT_READY
        agent.reason = "missed"
        invalidate_agent(agent)
        self._report(agent)
        self._requeue(contact)

    def _requeue(self, contact: ContactRecord) -> None:
        """Return an offered contact to its queue with its place in line unchanged."""
        contact.state = QUEUED
        contact.gen += 1
        self._catch_up(contact)
        self._route(contact)

    def _close(self, contact: ContactRecord, reason: ev.CloseReason) -> None:
        """Finish a held contact, free the agent's capacity and give the agent its next contact."""
        agent = self._unhold(contact)
        contact.state = CLOSED
        contact.gen += 1
        del self._contacts[contact.contact_id]
        self._out.append(ev.contact_closed(self._now, contact.contact_id, agent.agent_id, reason))
        self._report(agent)
        self._fill(agent)
