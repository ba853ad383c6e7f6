"""The event loop: customers, agents' shifts and the real routing engine on one virtual clock.

What the structure buys (this is the hot path, see ``benchmarks/simulation.py``):

* Scheduled arrivals are one sorted list merged with the event heap by a cursor, so an arrival costs no
  heap operation; handle times and patience are drawn for all of them in one vectorised call per queue.
* The heap holds only customer and schedule events (abandonment, service end, wrap-up, answer, retrial,
  shift changes); the engine keeps its own timers (offer timeouts, escalation, ACW) and the loop merely
  calls ``advance`` when ``next_wakeup`` comes before the next heap event.
* Abandonment timers are never removed: a fired timer whose contact is no longer waiting is dropped,
  and a contact answered at arrival never gets one.
* Per-contact state lives in parallel lists indexed by the contact's number (its engine id is that
  number as a string), turned into NumPy arrays once at the end.
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
from heapq import heappop, heappush
from math import inf

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
_SPAN_KIND = {  # the agent states whose time is accounted, by kind
    AGENT_AVAILABLE: _AVAILABLE,
    AGENT_RESERVED: _RESERVED,
    AGENT_BUSY: _HANDLING,
    AGENT_ACW: _HANDLING,
}

_NOISE_SECONDS = 1e-6

_BUSY_STATES = frozenset((AGENT_RESERVED, AGENT_BUSY, AGENT_ACW))
_END_OF_SHIFT = "end_of_shift"


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
        self._heap: list[tuple[float, int, int, int, str]] = []
        self._seq = 0
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
        self._n_scheduled = len(plan.times_seconds)
        self._arrival: list[float] = plan.times_seconds.tolist()
        self._queue: list[int] = plan.queue_indexes.tolist()
        self._handle: list[float] = handle.tolist()
        self._patience: list[float] = patience.tolist()
        self._customer: list[str | None] = list(plan.customer_ids)
        self._priority: list[int] = plan.priorities.tolist()
        n = self._n_scheduled
        self._state = [_WAITING] * n
        # Times as C doubles (array, not list): a list of floats allocated one by one over the run
        # took longer to turn into a NumPy array at the end than a fifth of the run itself.
        self._answered = array("d", [math.nan]) * n
        self._service_end = array("d", [math.nan]) * n
        self._closed = array("d", [math.nan]) * n
        self._abandoned = array("d", [math.nan]) * n
        self._agent_of: list[str | None] = [None] * n
        self._is_retrial = [False] * n
        self._is_callback = [False] * n
        self._offered_to: dict[int, str] = {}
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
        self._span_starts = array("d")
        self._span_ends = array("d")
        self._span_codes = array("q")
        self._group_of: dict[str, int] = {}
        self._span_base: dict[str, int] = {}  # agent id -> _SPAN_KINDS * group
        self._groups: list[AgentGroup] = list(scenario.agents)
        self._answer_draws = [
            None if g.answer_delay is None else Draws(g.answer_delay, self._rng)
            for g in scenario.agents
        ]
        self._agent_state: dict[str, AgentState] = {}
        self._state_since: dict[str, float] = {}
        self._planned: dict[str, AgentStatus] = {}
        self._agent_names: list[str] = []
        engine = self._engine
        for g, group in enumerate(scenario.agents):
            shifts = group.shifts or ()
            for k in range(group.count):
                agent_id = f"{group.name}-{k + 1}"
                engine.add_agent(AgentSpec(agent_id, group.profile_id, group.skills), 0.0)
                self._group_of[agent_id] = g
                self._span_base[agent_id] = _SPAN_KINDS * g
                self._agent_state[agent_id] = AGENT_OFFLINE
                self._state_since[agent_id] = 0.0
                self._planned[agent_id] = STATUS_OFFLINE
                self._agent_names.append(agent_id)
                if not shifts:
                    self._push(0.0, _AGENT, _LOGIN, agent_id)
                    continue
                for shift in shifts:
                    self._push(shift.start_seconds, _AGENT, _LOGIN, agent_id)
                    for brk in shift.breaks:
                        self._push(brk.start_seconds, _AGENT, _BREAK, agent_id)
                        self._push(
                            brk.start_seconds + brk.duration_seconds, _AGENT, _BREAK_END, agent_id
                        )
                    self._push(shift.end_seconds, _AGENT, _LOGOUT, agent_id)
        self._break_reasons = {
            (g, brk.start_seconds): brk.reason
            for g, group in enumerate(scenario.agents)
            for shift in group.shifts
            for brk in shift.breaks
        }

    def _push(self, at: float, kind: int, number: int, agent_id: str = "") -> None:
        self._seq += 1
        heappush(self._heap, (at, self._seq, kind, number, agent_id))

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
        heap = self._heap
        arrivals = self._arrival
        n_scheduled = self._n_scheduled
        stop = self.scenario.horizon_seconds + self.scenario.drain_seconds
        cursor = 0
        next_arrival = arrivals[0] if n_scheduled else inf
        processed = 0
        state = self._state
        service_end = self._service_end
        patience = self._patience
        queue_of = self._queue
        queue_ids = self._queue_ids
        priority = self._priority
        customer = self._customer
        while True:
            t = heap[0][0] if heap else inf
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
                next_arrival = arrivals[cursor] if cursor < n_scheduled else inf
                # Inlined _arrive: the most frequent event of all.
                # Positional (criteria None, no age adjustment): a keyword costs a dict per arrival.
                spec = ContactSpec(
                    str(i), queue_ids[queue_of[i]], priority[i], None, 0.0, customer[i]
                )
                self._handle_events(engine.add_contact(spec, t))
                if state[i] == _WAITING and patience[i] < inf:
                    self._seq += 1
                    heappush(heap, (t + patience[i], self._seq, _ABANDON, i, ""))
                continue
            entry = heappop(heap)
            kind = entry[2]
            number = entry[3]
            if kind == _SERVICE_END:
                service_end[number] = t
                self._handle_events(engine.end_contact(str(number), t))
            elif kind == _ABANDON:
                if state[number] == _WAITING:
                    self._handle_events(engine.abandon_contact(str(number), t))
            elif kind == _WRAP_UP:
                self._handle_events(engine.close_contact(str(number), t))
            elif kind == _ANSWER:
                agent_id = entry[4]
                if self._offered_to.get(number) == agent_id:
                    self._handle_events(engine.accept_offer(str(number), agent_id, t))
            elif kind == _RETRIAL:
                self._arrive(number, t)
            elif kind == _AGENT:
                self._schedule_change(number, entry[4], t)
            elif kind == _RECOVER:
                agent_id = entry[4]
                if (
                    self._planned[agent_id] is STATUS_AVAILABLE
                    and self._agent_state[agent_id] is AGENT_NOT_READY
                ):
                    self._handle_events(engine.set_agent_status(agent_id, STATUS_AVAILABLE, t))
        return processed

    def _handle_events(self, events: list[ev.Event]) -> None:
        """Apply engine events to the customer model. The three most frequent kinds are handled here
        (about a third of the loop's own time went to dispatch); the rest go through ``_handlers``. The
        lean engine does not send ``ContactQueued`` nor auto-accepted ``ContactOffered``."""
        for event in events:
            if isinstance(event, ev.ContactConnected):
                connected = event
                i = int(connected.contact_id)
                at = connected.at
                self._state[i] = _CONNECTED
                self._answered[i] = at
                self._agent_of[i] = connected.agent_id
                if self._offered_to:
                    self._offered_to.pop(i, None)
                self._seq += 1
                heappush(self._heap, (at + self._handle[i], self._seq, _SERVICE_END, i, ""))
            elif isinstance(event, ev.AgentStateChanged):
                changed = event
                agent_id = changed.agent_id
                at = changed.at
                kind = _SPAN_KIND.get(self._agent_state[agent_id])
                if kind is not None:  # available or busy in any way: inlined _account
                    self._span_starts.append(self._state_since[agent_id])
                    self._span_ends.append(at)
                    self._span_codes.append(self._span_base[agent_id] + kind)
                self._state_since[agent_id] = at
                self._agent_state[agent_id] = changed.state
                if changed.state is AGENT_NOT_READY:
                    self._on_not_ready(changed)
            elif isinstance(event, ev.ContactClosed):
                closed = event
                i = int(closed.contact_id)
                self._closed[i] = closed.at
                if closed.reason is CLOSE_CLOSED_OUT_OF_HOURS:
                    self._state[i] = _CLOSED_UNSERVED
            else:
                handler = self._handlers.get(type(event))
                if handler is not None:
                    handler(event)

    def _arrive(self, i: int, t: float) -> None:
        q = self._queue[i]
        spec = ContactSpec(
            str(i), self._queue_ids[q], self._priority[i], customer_id=self._customer[i]
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
        i = int(event.contact_id)
        self._offered_to[i] = event.agent_id
        g = self._group_of[event.agent_id]
        group = self._groups[g]
        if group.miss_probability and self._uniform.next() < group.miss_probability:
            return  # the agent lets it ring: the engine's offer timeout fires
        draws = self._answer_draws[g]
        delay = 0.0 if draws is None else draws.next()
        if event.at + delay < event.expires_at:
            self._push(event.at + delay, _ANSWER, i, event.agent_id)

    def _on_offer_over(self, event: ev.OfferMissed | ev.OfferWithdrawn) -> None:
        self._offered_to.pop(int(event.contact_id), None)

    def _on_acw(self, event: ev.AfterContactWorkStarted) -> None:
        i = int(event.contact_id)
        draws = self._acw_draws[self._queue[i]]
        if draws is None:
            return  # the engine's ACW timeout ends it
        ends = event.at + draws.next()
        if event.ends_at is None or ends < event.ends_at:
            self._push(ends, _WRAP_UP, i)

    def _on_abandoned(self, event: ev.ContactAbandoned) -> None:
        i = int(event.contact_id)
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
        q = self._queue[previous]
        patience_draws = self._patience_draws[q]
        self._arrival.append(at)
        self._queue.append(q)
        self._handle.append(self._handle_draws[q].next())
        self._patience.append(inf if patience_draws is None else patience_draws.next())
        self._customer.append(self._customer[previous])
        self._priority.append(self._priority[previous])
        self._state.append(_WAITING)
        self._answered.append(math.nan)
        self._service_end.append(math.nan)
        self._closed.append(math.nan)
        self._abandoned.append(math.nan)
        self._agent_of.append(None)
        self._is_retrial.append(True)
        self._is_callback.append(False)
        return len(self._arrival) - 1

    def _on_callback_proposed(self, event: ev.CallbackProposed) -> None:
        i = int(event.contact_id)
        p = self.scenario.queues[self._queue[i]].callback_acceptance_probability
        if p and self._uniform.next() < p:
            self._handle_events(self._engine.request_callback(event.contact_id, event.at))

    def _on_callback_requested(self, event: ev.CallbackRequested) -> None:
        i = int(event.contact_id)
        self._state[i] = _CALLBACK
        self._is_callback[i] = True

    # -- agents ---------------------------------------------------------------------------------------

    def _on_not_ready(self, event: ev.AgentStateChanged) -> None:
        """The agent is not-ready and free: log out at the end of a shift, or come back after a miss."""
        agent_id = event.agent_id
        if self._planned[agent_id] is STATUS_OFFLINE:
            self._handle_events(self._engine.set_agent_status(agent_id, STATUS_OFFLINE, event.at))
        elif event.reason == "missed":
            wait = self._groups[self._group_of[agent_id]].not_ready_after_miss_seconds
            self._push(event.at + wait, _RECOVER, 0, agent_id)

    def _account(self, agent_id: str, state: AgentState, now: float) -> None:
        """Record the agent's span in ``state`` (available, or busy in any way) since its last change;
        :func:`_interval_totals` splits the spans over intervals once, vectorised, at the end."""
        self._span_starts.append(self._state_since[agent_id])
        self._span_ends.append(now)
        self._span_codes.append(self._span_base[agent_id] + _SPAN_KIND[state])
        self._state_since[agent_id] = now

    def _schedule_change(self, action: int, agent_id: str, t: float) -> None:
        engine = self._engine
        if action in (_LOGIN, _BREAK_END):
            self._planned[agent_id] = STATUS_AVAILABLE
            self._handle_events(engine.set_agent_status(agent_id, STATUS_AVAILABLE, t))
        elif action == _BREAK:
            self._planned[agent_id] = STATUS_NOT_READY
            reason = self._break_reasons.get((self._group_of[agent_id], t), "break")
            self._handle_events(engine.set_agent_status(agent_id, STATUS_NOT_READY, t, reason))
        else:
            self._planned[agent_id] = STATUS_OFFLINE
            if self._agent_state[agent_id] in _BUSY_STATES:
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
        for agent_id in self._agent_names:
            agent_state = self._agent_state[agent_id]
            if agent_state is AGENT_AVAILABLE or agent_state in _BUSY_STATES:
                self._account(agent_id, agent_state, end)
        state = np.array(self._state, dtype=np.int64)
        edges = np.minimum(
            np.arange(self.scenario.n_intervals + 1) * self.scenario.interval_seconds,
            self.scenario.horizon_seconds,
        )
        totals = _interval_totals(
            np.array(self._span_starts),
            np.array(self._span_ends),
            np.array(self._span_codes, dtype=np.int64),
            edges,
            _SPAN_KINDS * len(self.scenario.agents),
        )
        return RunResult(
            scenario=self.scenario,
            arrival_seconds=np.array(self._arrival),
            queue_indexes=np.array(self._queue, dtype=np.int64),
            answered_seconds=np.array(self._answered),
            service_end_seconds=np.array(self._service_end),
            closed_seconds=np.array(self._closed),
            abandoned_seconds=np.array(self._abandoned),
            handle_seconds=np.array(self._handle),
            is_retrial=np.array(self._is_retrial, dtype=np.bool_),
            is_callback=np.array(self._is_callback, dtype=np.bool_),
            is_closed_unserved=state == _CLOSED_UNSERVED,
            agent_ids=tuple(self._agent_of),
            customer_ids=tuple(self._customer),
            busy_seconds=totals[:, _HANDLING::_SPAN_KINDS],
            reserved_seconds=totals[:, _RESERVED::_SPAN_KINDS],
            idle_seconds=totals[:, _AVAILABLE::_SPAN_KINDS],
            events_processed=processed,
        )


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
    consecutive ``edges``; shape (len(edges) - 1, n_codes).

    The covered length up to ``x`` is ``C(x) = sum(max(x - s, 0)) - sum(max(x - e, 0))``; with sorted
    starts and ends each sum is a prefix sum found by binary search, so an interval's total is
    ``C(right) - C(left)`` for any number of spans and intervals.
    """
    out = np.zeros((len(edges) - 1, n_codes))
    for code in range(n_codes):
        mask = codes == code
        if not mask.any():
            continue
        covered = _covered(np.sort(starts[mask]), edges) - _covered(np.sort(ends[mask]), edges)
        out[:, code] = np.diff(covered)
    # The prefix sums cancel to within rounding (about 1e-11 s here); keep that noise out of the
    # ratios (an interval nobody worked would otherwise show occupancy noise / noise).
    out[out < _NOISE_SECONDS] = 0.0
    return out


def _covered(points: FloatArray, edges: FloatArray) -> FloatArray:
    """``sum(max(x - p, 0))`` over sorted ``points`` for every ``x`` in ``edges``."""
    count = np.searchsorted(points, edges, side="right")
    prefix = np.concatenate([[0.0], np.cumsum(points)])
    covered: FloatArray = count * edges - prefix[count]
    return covered
