"""The event loop: customers, agents' shifts and the real routing engine on one virtual clock.

What the structure buys (this is the hot path, see ``benchmarks/simulation.py``):

* Scheduled arrivals are one sorted list merged with the agenda by a cursor, so an arrival costs no
  heap operation; handle times and patience are drawn for all of them in one vectorised call per queue.
* The agenda (``agenda.py``, a heap of plain numbers) holds only customer and schedule events
  (abandonment, service end, wrap-up, answer, retrial, shift changes); the engine keeps its own timers
  (offer timeouts, escalation, ACW) and the loop merely calls ``advance`` when ``next_wakeup`` comes
  before the next agenda entry.
* Abandonment timers are never removed: a fired timer whose contact is no longer waiting is dropped,
  and a contact answered at arrival never gets one.
* Per-contact state lives in typed columns (``array``) indexed by the contact's number (its engine id is
  that number as a string), per-agent state in columns indexed by the agent's number; compiled
  (simulation.pxd), reading and writing them are C loads and stores. They become NumPy arrays at the end
  without a copy per item.
* The engine runs in its lean event mode (no ``ContactQueued``, no auto-accepted ``ContactOffered``:
  the loop never used them), and the cyclic garbage collector runs rarely during the loop.

Every engine decision drives the customer model: ``ContactConnected`` schedules the service end,
``AfterContactWorkStarted`` the wrap-up, ``ContactOffered`` without auto-accept the agent's answer (or a
miss), ``AgentStateChanged`` feeds occupancy and the shift logic, ``CallbackProposed`` the customer's
choice.
"""

from __future__ import annotations

import gc
import math
import threading
from array import array
from collections.abc import Callable
from dataclasses import dataclass
from math import inf
from typing import Any

import numpy as np
import numpy.typing as npt

from helpline.routing import AgentSpec, AgentState, AgentStatus
from helpline.routing import events as ev
from helpline.routing.engine import (
    RoutingEngine,  # the defining modules: compiled, these are C types
)
from helpline.routing.members import (
    AGENT_ACW,
    AGENT_AVAILABLE,
    AGENT_BUSY,
    AGENT_NOT_READY,
    AGENT_OFFLINE,
    AGENT_RESERVED,
    CLOSE_CLOSED_OUT_OF_HOURS,
    STATUS_AVAILABLE,
    STATUS_NOT_READY,
    STATUS_OFFLINE,
)
from helpline.routing.model import ContactSpec
from helpline.sim.agenda import Agenda, grown
from helpline.sim.arrivals import plan_arrivals
from helpline.sim.distributions import Draws, Uniforms
from helpline.sim.scenario import AgentGroup, Scenario

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

# Heap entry kinds.
_ABANDON = 0
_SERVICE_END = 1
_WRAP_UP = 2
_ANSWER = 3
_RETRIAL = 4
_AGENT = 5
_RECOVER = 6

# A contact's place in the customer model.
_WAITING = 0
_CONNECTED = 1
_ABANDONED = 2
_CLOSED_UNSERVED = 3  # arrived while closed and got the closed message
_CALLBACK = 4  # waiting for a callback: will not abandon

# Agent schedule actions.
_LOGIN = 0
_BREAK = 1
_BREAK_END = 2
_LOGOUT = 3

# Kinds of agent time (a span's code is ``_SPAN_KINDS * group + kind``).
_HANDLING = 0  # busy or in after-contact work
_AVAILABLE = 1
_RESERVED = 2
_SPAN_KINDS = 3
_NOT_ACCOUNTED = -1

_NO_AGENT = -1

_BUSY_STATES = frozenset((AGENT_RESERVED, AGENT_BUSY, AGENT_ACW))
_END_OF_SHIFT = "end_of_shift"


def _span_kind(state: AgentState) -> int:
    """The kind of agent time ``state`` counts as, or ``_NOT_ACCOUNTED`` (not-ready, offline)."""
    if state is AGENT_AVAILABLE:
        return _AVAILABLE
    if state is AGENT_BUSY or state is AGENT_ACW:
        return _HANDLING
    if state is AGENT_RESERVED:
        return _RESERVED
    return _NOT_ACCOUNTED


def _doubles(size: int, fill: float = math.nan) -> array[float]:
    return array("d", [fill]) * size


def _integers(size: int, fill: int = 0) -> array[int]:
    return array("q", [fill]) * size


@dataclass(frozen=True, slots=True)
class RunResult:
    """What one replication produced, as columns indexed by contact number (NaN: never happened).

    ``queue_indexes`` index ``scenario.queues`` (the queue the contact arrived for). Agent time per
    interval and agent group, shape (n_intervals, n_groups): ``busy_seconds`` (busy or in after-contact
    work), ``reserved_seconds`` (holding an offer) and ``idle_seconds`` (available and free).
    """

    scenario: Scenario
    arrival_seconds: FloatArray
    queue_indexes: IntArray
    answered_seconds: FloatArray
    service_end_seconds: FloatArray
    closed_seconds: FloatArray
    abandoned_seconds: FloatArray
    handle_seconds: FloatArray
    is_retrial: BoolArray
    is_callback: BoolArray
    is_closed_unserved: BoolArray
    agent_ids: tuple[str | None, ...]
    customer_ids: tuple[str | None, ...]
    busy_seconds: FloatArray
    reserved_seconds: FloatArray
    idle_seconds: FloatArray
    events_processed: int

    @property
    def n_contacts(self) -> int:
        """Contacts that arrived (retrials included)."""
        return len(self.arrival_seconds)


class Simulation:
    """One replication of a scenario: build it with a Generator, then :meth:`run` it once.

    Randomness comes only from ``rng``: the same scenario and seed give the same result.
    """

    def __init__(self, scenario: Scenario, rng: np.random.Generator) -> None:
        self.scenario = scenario
        self._rng = rng
        self._engine = RoutingEngine(scenario.routing, lean=True)
        self._queue_ids = [m.queue_id for m in scenario.queues]
        self._agenda = Agenda()
        self._uniform = Uniforms(rng)
        self._handlers: dict[type[ev.Event], Callable[[ev.Event], None]] = {
            ev.ContactOffered: self._on_offered,  # type: ignore[dict-item]
            ev.AfterContactWorkStarted: self._on_acw,  # type: ignore[dict-item]
            ev.ContactAbandoned: self._on_abandoned,  # type: ignore[dict-item]
            ev.CallbackProposed: self._on_callback_proposed,  # type: ignore[dict-item]
            ev.CallbackRequested: self._on_callback_requested,  # type: ignore[dict-item]
            ev.OfferMissed: self._on_offer_over,  # type: ignore[dict-item]
            ev.OfferWithdrawn: self._on_offer_over,  # type: ignore[dict-item]
        }
        self._init_contacts()
        self._init_agents()

    # -- set-up ---------------------------------------------------------------------------------------

    def _init_contacts(self) -> None:
        scenario, rng = self.scenario, self._rng
        plan = plan_arrivals(scenario, rng)
        handle = plan.handle_seconds.copy()
        patience = plan.patience_seconds.copy()
        for q, model in enumerate(scenario.queues):
            mask = plan.queue_indexes == q
            unknown = mask & np.isnan(handle)
            handle[unknown] = model.handle_time.sample(rng, int(unknown.sum()))
            unknown = mask & np.isnan(patience)
            if model.patience is None:
                patience[unknown] = inf
            else:
                patience[unknown] = model.patience.sample(rng, int(unknown.sum()))
        n = len(plan.times_seconds)
        self._n_scheduled = n
        self._n_contacts = n
        self._capacity = n
        # Typed columns, one item per contact (retrials are appended: see _new_contact).
        self._arrival = array("d", plan.times_seconds.astype(np.float64).tobytes())
        self._queue = array("q", plan.queue_indexes.astype(np.int64).tobytes())
        self._handle = array("d", handle.astype(np.float64).tobytes())
        self._patience = array("d", patience.astype(np.float64).tobytes())
        self._priority = array("q", plan.priorities.astype(np.int64).tobytes())
        self._state = _integers(n, _WAITING)
        self._answered = _doubles(n)
        self._service_end = _doubles(n)
        self._closed = _doubles(n)
        self._abandoned = _doubles(n)
        self._is_retrial = _integers(n)
        self._is_callback = _integers(n)
        self._customer: list[str | None] = list(plan.customer_ids)
        self._agent_of: list[str | None] = [None] * n
        # Engine ids: unique among the contacts in the engine at one time, so the id of a contact
        # that left (closed or abandoned) is given to the next arrival; about as many strings are
        # made as contacts are ever in the engine at once, not one per contact.
        self._ids: list[str] = [""] * n  # by contact number
        self._free_ids: list[str] = []
        self._ids_made = 0
        # Engine id -> number while the contact is in the engine: a lookup of the very string the
        # events carry (its hash cached) costs a third of parsing it back with int().
        self._number_of: dict[str, int] = {}
        self._offered_to: dict[int, int] = {}  # contact number -> agent number, while ringing
        self._handle_draws = [Draws(m.handle_time, rng) for m in scenario.queues]
        self._patience_draws = [
            None if m.patience is None else Draws(m.patience, rng) for m in scenario.queues
        ]
        self._acw_draws = [None if m.acw is None else Draws(m.acw, rng) for m in scenario.queues]
        self._retrial_draws = [
            None if m.retrial_delay is None else Draws(m.retrial_delay, rng)
            for m in scenario.queues
        ]

    def _init_agents(self) -> None:
        scenario = self.scenario
        n_agents = sum(group.count for group in scenario.agents)
        # Room for about two spans per contact (busy, then available again) without growing.
        capacity = 2 * self._n_scheduled + 4 * n_agents + 64
        self._n_spans = 0
        self._span_capacity = capacity
        self._span_starts = _doubles(capacity)
        self._span_ends = _doubles(capacity)
        self._span_codes = _integers(capacity)
        self._groups: list[AgentGroup] = list(scenario.agents)
        self._answer_draws = [
            None if g.answer_delay is None else Draws(g.answer_delay, self._rng)
            for g in scenario.agents
        ]
        # Per agent, by number (registration order); the engine's events name agents by id.
        self._agent_number: dict[str, int] = {}
        self._agent_names: list[str] = []
        self._group_of = _integers(n_agents)
        self._span_base = _integers(n_agents)  # _SPAN_KINDS * group
        self._state_since = _doubles(n_agents, 0.0)
        self._agent_state: list[AgentState] = [AGENT_OFFLINE] * n_agents
        self._planned: list[AgentStatus] = [STATUS_OFFLINE] * n_agents
        engine = self._engine
        a = 0
        for g, group in enumerate(scenario.agents):
            shifts = group.shifts or ()
            for k in range(group.count):
                agent_id = f"{group.name}-{k + 1}"
                engine.add_agent(AgentSpec(agent_id, group.profile_id, group.skills), 0.0)
                self._agent_number[agent_id] = a
                self._agent_names.append(agent_id)
                self._group_of[a] = g
                self._span_base[a] = _SPAN_KINDS * g
                if not shifts:
                    self._push(0.0, _AGENT, _LOGIN, a)
                for shift in shifts:
                    self._push(shift.start_seconds, _AGENT, _LOGIN, a)
                    for brk in shift.breaks:
                        self._push(brk.start_seconds, _AGENT, _BREAK, a)
                        self._push(brk.start_seconds + brk.duration_seconds, _AGENT, _BREAK_END, a)
                    self._push(shift.end_seconds, _AGENT, _LOGOUT, a)
                a += 1
        self._break_reasons = {
            (g, brk.start_seconds): brk.reason
            for g, group in enumerate(scenario.agents)
            for shift in group.shifts
            for brk in shift.breaks
        }

    def _push(self, at: float, kind: int, number: int, agent: int = _NO_AGENT) -> None:
        self._agenda.push(at, kind, number, agent)

    # -- the loop -------------------------------------------------------------------------------------

    def run(self) -> RunResult:
        """Simulate to the horizon and drain; return the columns of every contact."""
        with _quiet_gc:
            processed = self._loop()
        return self._result(processed)

    def _loop(self) -> int:
        """The event loop; returns the number of events processed.

        Engine commands and ``_handle_events`` are called as methods, not through local aliases:
        compiled (simulation.pxd), those are direct C calls.
        """
        engine = self._engine
        agenda = self._agenda
        stop = self.scenario.horizon_seconds + self.scenario.drain_seconds
        n_scheduled = self._n_scheduled
        cursor = 0
        next_arrival = self._arrival[0] if n_scheduled else inf
        processed = 0
        queue_ids = self._queue_ids
        customer = self._customer
        ids = self._ids
        number_of = self._number_of
        while True:
            t = agenda.head_at()
            is_arrival = next_arrival <= t
            if is_arrival:
                t = next_arrival
            wake = engine.next_wakeup()
            if wake is not None and wake < t:
                if wake > stop:
                    break
                self._handle_events(engine.advance(wake))
                processed += 1
                continue
            if t > stop:
                break
            processed += 1
            if is_arrival:
                i = cursor
                cursor += 1
                next_arrival = self._arrival[cursor] if cursor < n_scheduled else inf
                # Inlined _arrive: the most frequent event of all.
                # Positional (criteria None, no age adjustment): a keyword costs a dict per arrival.
                contact_id = self._new_id()
                ids[i] = contact_id
                number_of[contact_id] = i
                spec = ContactSpec(
                    contact_id, queue_ids[self._queue[i]], self._priority[i], None, 0.0, customer[i]
                )
                self._handle_events(engine.add_contact(spec, t))
                if self._state[i] == _WAITING and self._patience[i] < inf:
                    agenda.push(t + self._patience[i], _ABANDON, i, _NO_AGENT)
                continue
            agenda.pop()
            kind = agenda.kind
            number = agenda.number
            if kind == _SERVICE_END:
                self._service_end[number] = t
                self._handle_events(engine.end_contact(ids[number], t))
            elif kind == _ABANDON:
                if self._state[number] == _WAITING:
                    self._handle_events(engine.abandon_contact(ids[number], t))
            elif kind == _WRAP_UP:
                self._handle_events(engine.close_contact(ids[number], t))
            elif kind == _ANSWER:
                a = agenda.agent
                if self._offered_to.get(number) == a:
                    agent_id = self._agent_names[a]
                    self._handle_events(engine.accept_offer(ids[number], agent_id, t))
            elif kind == _RETRIAL:
                self._arrive(number, t)
            elif kind == _AGENT:
                self._schedule_change(number, agenda.agent, t)
            elif kind == _RECOVER:
                a = agenda.agent
                if self._planned[a] is STATUS_AVAILABLE and self._agent_state[a] is AGENT_NOT_READY:
                    agent_id = self._agent_names[a]
                    self._handle_events(engine.set_agent_status(agent_id, STATUS_AVAILABLE, t))
        return processed

    def _handle_events(self, events: list[ev.Event]) -> None:
        """Apply engine events to the customer model. The three most frequent kinds are handled here
        (about a third of the loop's own time went to dispatch); the rest go through ``_handlers``. The
        lean engine does not send ``ContactQueued`` nor auto-accepted ``ContactOffered``."""
        for event in events:
            if isinstance(event, ev.ContactConnected):
                connected = event
                i = self._number_of[connected.contact_id]
                at = connected.at
                self._state[i] = _CONNECTED
                self._answered[i] = at
                self._agent_of[i] = connected.agent_id
                if self._offered_to:
                    self._offered_to.pop(i, None)
                self._agenda.push(at + self._handle[i], _SERVICE_END, i, _NO_AGENT)
            elif isinstance(event, ev.AgentStateChanged):
                changed = event
                a = self._agent_number[changed.agent_id]
                at = changed.at
                kind = _span_kind(self._agent_state[a])
                if kind != _NOT_ACCOUNTED:  # available or busy in any way
                    self._add_span(self._state_since[a], at, self._span_base[a] + kind)
                self._state_since[a] = at
                self._agent_state[a] = changed.state
                if changed.state is AGENT_NOT_READY:
                    self._on_not_ready(changed, a)
            elif isinstance(event, ev.ContactClosed):
                closed = event
                i = self._number_of.pop(closed.contact_id)  # its last event: the id is free
                self._free_ids.append(closed.contact_id)
                self._closed[i] = closed.at
                if closed.reason is CLOSE_CLOSED_OUT_OF_HOURS:
                    self._state[i] = _CLOSED_UNSERVED
            else:
                handler = self._handlers.get(type(event))
                if handler is not None:
                    handler(event)

    def _new_id(self) -> str:
        """An engine id no contact in the engine has."""
        if self._free_ids:
            return self._free_ids.pop()
        self._ids_made += 1
        return str(self._ids_made)

    def _arrive(self, i: int, t: float) -> None:
        q = self._queue[i]
        contact_id = self._ids[i] = self._new_id()
        self._number_of[contact_id] = i
        spec = ContactSpec(
            contact_id, self._queue_ids[q], self._priority[i], customer_id=self._customer[i]
        )
        self._handle_events(self._engine.add_contact(spec, t))
        if self._state[i] == _WAITING:
            patience = self._patience[i]
            if patience < inf:
                self._push(t + patience, _ABANDON, i)

    # -- engine decisions -----------------------------------------------------------------------------

    def _on_offered(self, event: ev.ContactOffered) -> None:
        if event.expires_at == event.at:
            return  # auto-accept: ContactConnected follows
        i = self._number_of[event.contact_id]
        a = self._agent_number[event.agent_id]
        self._offered_to[i] = a
        g = self._group_of[a]
        group = self._groups[g]
        if group.miss_probability and self._uniform.next() < group.miss_probability:
            return  # the agent lets it ring: the engine's offer timeout fires
        draws = self._answer_draws[g]
        delay = 0.0 if draws is None else draws.next()
        if event.at + delay < event.expires_at:
            self._push(event.at + delay, _ANSWER, i, a)

    def _on_offer_over(self, event: ev.OfferMissed | ev.OfferWithdrawn) -> None:
        self._offered_to.pop(self._number_of[event.contact_id], None)

    def _on_acw(self, event: ev.AfterContactWorkStarted) -> None:
        i = self._number_of[event.contact_id]
        draws = self._acw_draws[self._queue[i]]
        if draws is None:
            return  # the engine's ACW timeout ends it
        ends = event.at + draws.next()
        if event.ends_at is None or ends < event.ends_at:
            self._push(ends, _WRAP_UP, i)

    def _on_abandoned(self, event: ev.ContactAbandoned) -> None:
        i = self._number_of.pop(event.contact_id)  # its last event: the id is free
        self._free_ids.append(event.contact_id)
        self._state[i] = _ABANDONED
        self._abandoned[i] = event.at
        self._offered_to.pop(i, None)
        q = self._queue[i]
        model = self.scenario.queues[q]
        if model.retrial_probability and self._uniform.next() < model.retrial_probability:
            draws = self._retrial_draws[q]
            assert draws is not None  # noqa: S101 -- QueueModel requires a delay with a probability
            at = event.at + draws.next()
            if at < self.scenario.horizon_seconds:
                self._push(at, _RETRIAL, self._new_contact(i, at))

    def _new_contact(self, previous: int, at: float) -> int:
        """Append a contact (a retrial of ``previous``) to the columns; returns its number."""
        i = self._n_contacts
        if i == self._capacity:
            self._grow_contacts(max(64, 2 * self._capacity))
        self._n_contacts += 1
        q = self._queue[previous]
        patience_draws = self._patience_draws[q]
        self._arrival[i] = at
        self._queue[i] = q
        self._handle[i] = self._handle_draws[q].next()
        self._patience[i] = inf if patience_draws is None else patience_draws.next()
        self._priority[i] = self._priority[previous]
        self._state[i] = _WAITING
        self._is_retrial[i] = 1
        self._customer.append(self._customer[previous])
        self._agent_of.append(None)
        self._ids.append("")
        return i

    def _grow_contacts(self, capacity: int) -> None:
        self._arrival = grown(self._arrival, "d", capacity, math.nan)
        self._queue = grown(self._queue, "q", capacity)
        self._handle = grown(self._handle, "d", capacity, math.nan)
        self._patience = grown(self._patience, "d", capacity, math.nan)
        self._priority = grown(self._priority, "q", capacity)
        self._state = grown(self._state, "q", capacity, _WAITING)
        self._answered = grown(self._answered, "d", capacity, math.nan)
        self._service_end = grown(self._service_end, "d", capacity, math.nan)
        self._closed = grown(self._closed, "d", capacity, math.nan)
        self._abandoned = grown(self._abandoned, "d", capacity, math.nan)
        self._is_retrial = grown(self._is_retrial, "q", capacity)
        self._is_callback = grown(self._is_callback, "q", capacity)
        self._capacity = capacity

    def _on_callback_proposed(self, event: ev.CallbackProposed) -> None:
        i = self._number_of[event.contact_id]
        p = self.scenario.queues[self._queue[i]].callback_acceptance_probability
        if p and self._uniform.next() < p:
            self._handle_events(self._engine.request_callback(event.contact_id, event.at))

    def _on_callback_requested(self, event: ev.CallbackRequested) -> None:
        i = self._number_of[event.contact_id]
        self._state[i] = _CALLBACK
        self._is_callback[i] = 1

    # -- agents ---------------------------------------------------------------------------------------

    def _on_not_ready(self, event: ev.AgentStateChanged, a: int) -> None:
        """The agent is not-ready and free: log out at the end of a shift, or come back after a miss."""
        if self._planned[a] is STATUS_OFFLINE:
            self._handle_events(
                self._engine.set_agent_status(event.agent_id, STATUS_OFFLINE, event.at)
            )
        elif event.reason == "missed":
            wait = self._groups[self._group_of[a]].not_ready_after_miss_seconds
            self._push(event.at + wait, _RECOVER, 0, a)

    def _add_span(self, start: float, end: float, code: int) -> None:
        """Record a span of agent time of ``code``; :func:`_interval_totals` splits the spans over
        intervals once, vectorised, at the end."""
        n = self._n_spans
        if n == self._span_capacity:
            capacity = max(1024, 2 * n)
            self._span_starts = grown(self._span_starts, "d", capacity)
            self._span_ends = grown(self._span_ends, "d", capacity)
            self._span_codes = grown(self._span_codes, "q", capacity)
            self._span_capacity = capacity
        self._span_starts[n] = start
        self._span_ends[n] = end
        self._span_codes[n] = code
        self._n_spans = n + 1

    def _schedule_change(self, action: int, a: int, t: float) -> None:
        engine = self._engine
        agent_id = self._agent_names[a]
        if action in (_LOGIN, _BREAK_END):
            self._planned[a] = STATUS_AVAILABLE
            self._handle_events(engine.set_agent_status(agent_id, STATUS_AVAILABLE, t))
        elif action == _BREAK:
            self._planned[a] = STATUS_NOT_READY
            reason = self._break_reasons.get((self._group_of[a], t), "break")
            self._handle_events(engine.set_agent_status(agent_id, STATUS_NOT_READY, t, reason))
        else:
            self._planned[a] = STATUS_OFFLINE
            if self._agent_state[a] in _BUSY_STATES:
                # Finish the contacts in hand first; going not-ready reports once free.
                status = STATUS_NOT_READY
                self._handle_events(engine.set_agent_status(agent_id, status, t, _END_OF_SHIFT))
            else:
                self._handle_events(engine.set_agent_status(agent_id, STATUS_OFFLINE, t))

    # -- result ---------------------------------------------------------------------------------------

    def _result(self, processed: int) -> RunResult:
        end = max(
            self._engine.now, self.scenario.horizon_seconds
        )  # time past the horizon is dropped
        for a in range(len(self._agent_names)):
            kind = _span_kind(self._agent_state[a])
            if kind != _NOT_ACCOUNTED:
                self._add_span(self._state_since[a], end, self._span_base[a] + kind)
        n = self._n_contacts
        state = _column(self._state, n)
        edges = np.minimum(
            np.arange(self.scenario.n_intervals + 1) * self.scenario.interval_seconds,
            self.scenario.horizon_seconds,
        )
        spans = self._n_spans
        totals = _interval_totals(
            _column(self._span_starts, spans),
            _column(self._span_ends, spans),
            _column(self._span_codes, spans),
            edges,
            _SPAN_KINDS * len(self.scenario.agents),
        )
        return RunResult(
            scenario=self.scenario,
            arrival_seconds=_column(self._arrival, n),
            queue_indexes=_column(self._queue, n),
            answered_seconds=_column(self._answered, n),
            service_end_seconds=_column(self._service_end, n),
            closed_seconds=_column(self._closed, n),
            abandoned_seconds=_column(self._abandoned, n),
            handle_seconds=_column(self._handle, n),
            is_retrial=_column(self._is_retrial, n) != 0,
            is_callback=_column(self._is_callback, n) != 0,
            is_closed_unserved=state == _CLOSED_UNSERVED,
            agent_ids=tuple(self._agent_of),
            customer_ids=tuple(self._customer),
            busy_seconds=totals[:, _HANDLING::_SPAN_KINDS],
            reserved_seconds=totals[:, _RESERVED::_SPAN_KINDS],
            idle_seconds=totals[:, _AVAILABLE::_SPAN_KINDS],
            events_processed=processed,
        )


def _column(column: object, n: int) -> npt.NDArray[Any]:
    """The first ``n`` items of a typed column (an array, or a compiled typed view of one), copied."""
    return np.array(memoryview(column)[:n])  # type: ignore[arg-type]


class _QuietGc:
    """Collect young garbage rarely while simulations run (a context manager, shared by threads).

    A run allocates millions of short-lived objects (records, events, heap entries) that reference
    counting frees, but each allocation counts towards the cyclic collector's next pass, and the
    passes rescan the run's long-lived state: about a tenth of the run's time at the default
    thresholds. The thresholds are restored when the last concurrent run ends.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._runs = 0
        self._saved = gc.get_threshold()

    def __enter__(self) -> None:
        with self._lock:
            if self._runs == 0:
                self._saved = gc.get_threshold()
                gc.set_threshold(100_000, 50, 100)
            self._runs += 1

    def __exit__(self, *exc: object) -> None:
        with self._lock:
            self._runs -= 1
            if self._runs == 0:
                gc.set_threshold(*self._saved)


_quiet_gc = _QuietGc()


def _interval_totals(
    starts: FloatArray, ends: FloatArray, codes: IntArray, edges: FloatArray, n_codes: int
) -> FloatArray:
    """Total length of the spans ``[starts, ends)`` of each code inside each interval between
    consecutive ``edges`` (parts outside ``edges[0]..edges[-1]`` dropped); shape (len(edges) - 1,
    n_codes).

    One pass over the spans, no sort: a span adds its part in the interval where it starts and in the
    one where it ends, and the full width of every interval in between (counted in a difference array
    over the intervals, so a span crossing many intervals costs no more than one crossing two).
    """
    n_intervals = len(edges) - 1
    start = np.clip(starts, edges[0], edges[-1])
    end = np.clip(ends, edges[0], edges[-1])
    inside = end > start
    start, end, codes = start[inside], end[inside], codes[inside]
    first = (
        np.searchsorted(edges, start, side="right") - 1
    )  # edges[first] <= start < edges[first+1]
    last = np.searchsorted(edges, end, side="left") - 1  # edges[last] < end <= edges[last+1]
    size = n_intervals * n_codes
    within = first == last
    total = np.zeros(size)  # (bincount of nothing is integer: add to floats)
    total += np.bincount(
        first[within] * n_codes + codes[within], end[within] - start[within], minlength=size
    )
    cross = ~within
    first, last, codes = first[cross], last[cross], codes[cross]
    total += np.bincount(first * n_codes + codes, edges[first + 1] - start[cross], minlength=size)
    total += np.bincount(last * n_codes + codes, end[cross] - edges[last], minlength=size)
    # Intervals first+1 .. last-1 are covered whole: +1 from first+1, -1 from last, summed down.
    count = np.bincount((first + 1) * n_codes + codes, minlength=size + n_codes)
    count -= np.bincount(last * n_codes + codes, minlength=size + n_codes)
    covered = np.cumsum(count.reshape(n_intervals + 1, n_codes), axis=0)[:-1]
    out: FloatArray = total.reshape(n_intervals, n_codes) + covered * np.diff(edges)[:, None]
    return out
