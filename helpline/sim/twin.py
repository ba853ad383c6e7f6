"""Digital-twin replay of a call log: real arrivals, handle times and staffing, fitted patience.

Given the parsed Anonymous Bank calls of a period, this module builds everything a faithful what-if
needs from the log itself (``docs/simulation.md``, "Replaying a log"):

* **patience** (:func:`fit_patience`): per segment (call type, identified customers apart) and time
  band, a distribution fitted to censored waits (:mod:`helpline.wfm.patience`), the family chosen by
  held-out likelihood (folds: odd and even days), with a fall-back to the segment, the call type,
  then all calls where a band has too few abandonments;
* **staffing** (:func:`agent_timelines`): per agent, the logged-on sessions (calls closer than
  ``session_gap_seconds``), and inside them the *not-ready* spans: the waiting parts of gaps between
  two of the agent's calls longer than ``idle_threshold_seconds`` during which a caller the agent
  could serve was waiting (an available agent would have answered). Shorter gaps while a caller
  waited are drawn after every simulated call as after-contact work
  (:attr:`AgentTimelines.acw_seconds`). Per agent and interval, :meth:`AgentTimelines.availability`
  gives the share of time actually available;
* **pre-queue delay** (:attr:`AgentTimelines.pickup_seconds`): per priority, the waits of callers
  who arrived while an agent who could serve them was idle and nobody waited;
* **head counts** (:func:`head_counts`): agents present per interval, for the cruder input;
* the **log's own KPIs** (:func:`log_tallies`) by the definitions of ``helpline report``.

:func:`replay_scenario` turns these into a :class:`~helpline.sim.scenario.Scenario` with one routing
queue per call type and one agent per server; :func:`replay` runs replications and compares per day.
Pure: no I/O; times are seconds from midnight of the first day replayed.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from helpline.analytics import ContactFact, Metrics, QueueSettings, Tally
from helpline.analytics import tally_arrival as count_arrival
from helpline.domain.anonymous_bank import BankCall, Outcome
from helpline.routing import (
    Channel,
    ChannelSettings,
    ProfileQueue,
    Queue,
    RoutingConfig,
    RoutingProfile,
)
from helpline.sim.distributions import (
    Distribution,
    Empirical,
    Exponential,
    Fixed,
    Lognormal,
    Weibull,
)
from helpline.sim.replications import estimate
from helpline.sim.reporting import run_kpis
from helpline.sim.scenario import (
    AgentGroup,
    Break,
    LoggedContact,
    QueueModel,
    ReplayedArrivals,
    Scenario,
    Shift,
    seat_shifts,
)
from helpline.sim.simulation import Simulation
from helpline.wfm import erlang
from helpline.wfm.patience import CensoredWaits, PatienceFit, fit_exponential, select_family

DAY = 86400.0
SERVICE_LEVEL_SECONDS = 20.0
SHORT_ABANDON_SECONDS = 5.0  # the importer's queues: the report's defaults
SETTINGS = QueueSettings("voice", SERVICE_LEVEL_SECONDS, SHORT_ABANDON_SECONDS)
BANDS_HOURS = (0, 10, 13, 16, 24)
"""Patience time bands (hours of the day): morning, midday, afternoon, evening and night."""
MIN_EVENTS = 30
"""Abandonments a (queue, band) needs for its own patience fit; fewer: the queue's, then the pool's."""
IDLE_THRESHOLD_SECONDS = 300.0
"""An agent's gap between calls while a caller it could serve waited: up to this long it is drawn as
after-contact work after each simulated call (so it grows with the calls an agent takes); longer,
the waiting part is a not-ready break at its logged time."""
PATIENCE_MODES = ("logged", "fitted", "exponential", "km")
STAFFING_MODES = ("from-log", "head-counts")
KPIS = ("service_level", "asa_seconds", "abandonment_rate")


# -- the calls of a period ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Period:
    """The days replayed, ``first`` to ``last`` inclusive."""

    first: dt.date
    last: dt.date

    def __post_init__(self) -> None:
        if self.last < self.first:
            raise ValueError("the period ends before it starts")

    @property
    def days(self) -> int:
        """Number of days in the period."""
        return (self.last - self.first).days + 1

    @property
    def midnight(self) -> dt.datetime:
        """Simulation time 0."""
        return dt.datetime.combine(self.first, dt.time())

    def seconds(self, moment: dt.datetime) -> float:
        """``moment`` in simulation seconds."""
        return (moment - self.midnight).total_seconds()

    def day(self, index: int) -> dt.date:
        """The date of day ``index`` (0: the first)."""
        return self.first + dt.timedelta(days=index)


def queued_calls(calls: Iterable[BankCall], period: Period) -> list[BankCall]:
    """The calls that asked for an agent and started waiting inside the period."""
    return [
        c
        for c in calls
        if c.reached_agents and 0 <= period.seconds(c.queued_at) < period.days * DAY
    ]


def _band(seconds: float) -> int:
    hour = (seconds % DAY) / 3600.0
    for band in range(len(BANDS_HOURS) - 1):
        if hour < BANDS_HOURS[band + 1]:
            return band
    return len(BANDS_HOURS) - 2


# -- the log's own KPIs -------------------------------------------------------------------------------


def log_tallies(calls: Sequence[BankCall], period: Period) -> dict[tuple[int, str], Tally]:
    """Per (day index, call type), the tally ``helpline report`` counts for the imported log (the
    importer's mapping: arrival at ``queued_at``, wait ``q_time``; thresholds 20 s and 5 s)."""
    out: dict[tuple[int, str], Tally] = defaultdict(Tally)
    for number, call in enumerate(queued_calls(calls, period)):
        answered = call.outcome is Outcome.AGENT
        fact = ContactFact(
            contact_id=number,
            arrived_at=call.queued_at,
            is_queued=True,
            wait_seconds=float(call.wait_seconds),
            is_answered=answered,
            is_abandoned=not answered,
        )
        day = int(period.seconds(call.queued_at) // DAY)
        count_arrival(out[(day, call.call_type)], fact, SETTINGS)
    return dict(out)


# -- patience -----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PatienceModel:
    """Fitted patience per (segment, band): the fit used and where it came from (``band``,
    ``segment``, ``type`` or ``pool``)."""

    fits: Mapping[tuple[str, int], PatienceFit]
    sources: Mapping[tuple[str, int], str]
    pooled: PatienceFit

    def fit_for(self, segment_name: str, band: int) -> PatienceFit:
        """The fit used for a caller of a segment arriving in ``band``."""
        return self.fits.get((segment_name, band), self.pooled)


def censored_waits(calls: Sequence[BankCall]) -> tuple[CensoredWaits, npt.NDArray[np.int64]]:
    """Waits of the calls (abandonments are events) and each one's fold (day of month parity)."""
    waits = CensoredWaits.of(
        [float(c.wait_seconds) for c in calls], [c.outcome is not Outcome.AGENT for c in calls]
    )
    folds = np.array([c.queued_at.day % 2 for c in calls], dtype=np.int64)
    return waits, folds


def segment(call: BankCall) -> str:
    """The patience segment of a call: its type, with ``*`` for identified customers (priority 1
    or 2), whose patience differs from unidentified callers' (Brown et al. 2005)."""
    return call.call_type + ("*" if call.priority > 0 else "")


def fit_patience(
    calls: Sequence[BankCall], *, families: Sequence[str] | None = None
) -> PatienceModel:
    """Patience per segment (:func:`segment`) and time band from the calls that queued (fitted on
    ``calls``: give it the days used for fitting, not the ones predicted, to validate out of
    sample). Too few abandonments in a band: the segment's fit, then the call type's, then all."""
    queued = [c for c in calls if c.reached_agents]
    chosen = tuple(families) if families else ("exponential", "weibull", "lognormal")

    def best(group: Sequence[BankCall]) -> PatienceFit | None:
        waits, folds = censored_waits(group)
        if waits.events < MIN_EVENTS:
            return None
        if len(np.unique(folds[waits.abandoned])) < 2:
            return fit_exponential(waits)
        return select_family(waits, folds, chosen).fit

    pooled = best(queued)
    if pooled is None:
        waits, _ = censored_waits(queued)
        pooled = fit_exponential(waits)  # raises ValueError when nobody abandoned
    by_type: dict[str, list[BankCall]] = defaultdict(list)
    by_segment: dict[str, list[BankCall]] = defaultdict(list)
    by_band: dict[tuple[str, int], list[BankCall]] = defaultdict(list)
    for call in queued:
        by_type[call.call_type].append(call)
        by_segment[segment(call)].append(call)
        by_band[(segment(call), _band(call.queued_at.hour * 3600.0))].append(call)
    fits: dict[tuple[str, int], PatienceFit] = {}
    sources: dict[tuple[str, int], str] = {}
    type_fits = {q: best(group) for q, group in by_type.items()}
    segment_fits = {q: best(group) for q, group in by_segment.items()}
    for name, members in by_segment.items():
        for band in range(len(BANDS_HOURS) - 1):
            candidates = (
                (best(by_band.get((name, band), [])), "band"),
                (segment_fits[name], "segment"),
                (type_fits[members[0].call_type], "type"),
                (pooled, "pool"),
            )
            fit, source = next((f, s) for f, s in candidates if f is not None)
            fits[(name, band)] = fit
            sources[(name, band)] = source
    return PatienceModel(fits, sources, pooled)


def patience_distribution(fit: PatienceFit) -> Distribution:
    """The simulator's distribution of a fit."""
    if fit.family == "exponential":
        return Exponential(fit.parameters[0])
    if fit.family == "weibull":
        return Weibull(fit.parameters[0], fit.parameters[1])
    mu, sigma = fit.parameters
    mean = math.exp(mu + sigma**2 / 2)
    return Lognormal(mean, mean * math.sqrt(math.expm1(sigma**2)))


# -- staffing -----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AgentTimeline:
    """One agent's logged-on sessions, not-ready spans inside them and calls served (seconds)."""

    name: str
    queues: tuple[str, ...]
    sessions: tuple[tuple[float, float], ...]
    not_ready: tuple[tuple[float, float], ...]
    talk: tuple[tuple[float, float], ...]


@dataclass(frozen=True, slots=True)
class AgentTimelines:
    """Every agent's timeline, and the after-contact work seen in the log (gaps between an agent's
    consecutive calls while a caller it could serve was waiting, up to the idle threshold)."""

    agents: tuple[AgentTimeline, ...]
    acw_seconds: tuple[float, ...]
    idle_threshold_seconds: float
    session_gap_seconds: float
    pickup_seconds: Mapping[int, tuple[float, ...]] = field(default_factory=dict)
    """Per logged priority (0, 1, 2): waits of answered callers who arrived while an agent who could
    serve them was idle and nobody of their queue waited: the delay before such a caller can be
    answered at all (identified customers wait 20-50 s even then)."""

    def availability(
        self, interval_seconds: float, n_intervals: int
    ) -> dict[str, npt.NDArray[np.float64]]:
        """Per agent, per interval: seconds logged on, talking, not ready, and the share of logged-on
        time available to take calls (logged on - talk - not ready, over logged on; NaN when absent)."""
        edges = np.arange(n_intervals + 1) * interval_seconds

        def spread(spans: Sequence[tuple[float, float]]) -> npt.NDArray[np.float64]:
            total = np.zeros(n_intervals)
            for start, end in spans:
                overlap = np.minimum(edges[1:], end) - np.maximum(edges[:-1], start)
                total += np.maximum(overlap, 0.0)
            return total

        logged = np.zeros((len(self.agents), n_intervals))
        talk = np.zeros_like(logged)
        away = np.zeros_like(logged)
        for a, agent in enumerate(self.agents):
            logged[a] = spread(agent.sessions)
            talk[a] = spread(agent.talk)
            away[a] = spread(agent.not_ready)
        share = np.full_like(logged, np.nan)
        np.divide(logged - talk - away, logged, out=share, where=logged > 0)
        return {
            "logged_seconds": logged,
            "talk_seconds": talk,
            "not_ready_seconds": away,
            "available_share": share,
        }


def _merged(spans: Iterable[tuple[float, float]]) -> list[tuple[float, float]]:
    out: list[tuple[float, float]] = []
    for start, end in sorted(spans):
        if end <= start:
            continue
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out


def _inside(
    spans: list[tuple[float, float]], start: float, end: float
) -> list[tuple[float, float]]:
    """The parts of merged ``spans`` within [start, end)."""
    starts = [s for s, _ in spans]
    i = max(0, int(np.searchsorted(starts, start, side="right")) - 1)
    out = []
    while i < len(spans) and spans[i][0] < end:
        s, e = max(spans[i][0], start), min(spans[i][1], end)
        if e > s:
            out.append((s, e))
        i += 1
    return out


def agent_timelines(
    calls: Sequence[BankCall],
    period: Period,
    *,
    idle_threshold_seconds: float = IDLE_THRESHOLD_SECONDS,
    session_gap_seconds: float = 1800.0,
    min_calls_for_skill: int = 3,
) -> AgentTimelines:
    """Agents' sessions, not-ready spans and after-contact work, from the log's service starts and
    ends alone (see the module docstring). An agent serves the call types it answered at least
    ``min_calls_for_skill`` times in the period (its most frequent one in any case)."""
    queued = queued_calls(calls, period)
    waiting: dict[str, list[tuple[float, float]]] = defaultdict(list)
    served: dict[str, list[BankCall]] = defaultdict(list)
    for call in queued:
        if call.wait_seconds > 0:
            start = period.seconds(call.queued_at)
            waiting[call.call_type].append((start, start + call.wait_seconds))
        if call.outcome is Outcome.AGENT and call.server is not None:
            served[call.server].append(call)
    agents = []
    acw: list[float] = []
    for name in sorted(served):
        own = served[name]
        counts: dict[str, int] = defaultdict(int)
        for call in own:
            counts[call.call_type] += 1
        queues = tuple(sorted(q for q, n in counts.items() if n >= min_calls_for_skill)) or (
            max(counts, key=lambda q: counts[q]),
        )
        waits = _merged(span for q in queues for span in waiting.get(q, ()))
        talk = []
        for call in own:
            start = period.seconds(call.queued_at) + call.wait_seconds
            talk.append((start, start + max(call.service_seconds, 1)))
        talk.sort()
        sessions: list[tuple[float, float]] = []
        not_ready: list[tuple[float, float]] = []
        session_start, previous_end = talk[0][0], talk[0][1]
        for start, end in talk[1:]:
            gap = start - previous_end
            if gap > session_gap_seconds:
                sessions.append((session_start, previous_end))
                session_start = start
            elif gap > 0:
                blocked = _inside(waits, previous_end, start)
                if gap <= idle_threshold_seconds:
                    if blocked and blocked[0][0] <= previous_end:
                        acw.append(gap)  # a caller waited when it ended: wrap-up
                else:
                    not_ready.extend(blocked)
            previous_end = max(previous_end, end)
        sessions.append((session_start, previous_end))
        agents.append(AgentTimeline(name, queues, tuple(sessions), tuple(not_ready), tuple(talk)))
    pickup = _pickup_delays(queued, period, agents, waiting)
    return AgentTimelines(
        tuple(agents), tuple(acw), idle_threshold_seconds, session_gap_seconds, pickup
    )


def _pickup_delays(
    queued: Sequence[BankCall],
    period: Period,
    agents: Sequence[AgentTimeline],
    waiting: Mapping[str, list[tuple[float, float]]],
) -> dict[int, tuple[float, ...]]:
    """See :attr:`AgentTimelines.pickup_seconds` (a per-second grid of the period)."""
    size = int(period.days * DAY) + 1
    idle: dict[str, npt.NDArray[np.int16]] = {}
    for agent in agents:
        free = np.zeros(size, dtype=np.bool_)
        for start, end in agent.sessions:
            free[int(start) : int(end)] = True
        for start, end in (*agent.talk, *agent.not_ready):
            free[int(start) : int(end)] = False
        for q in agent.queues:
            idle.setdefault(q, np.zeros(size, dtype=np.int16))
            idle[q] += free
    busy_queue: dict[str, npt.NDArray[np.bool_]] = {}
    for q, spans in waiting.items():
        grid = np.zeros(size, dtype=np.bool_)
        for start, end in spans:
            grid[int(start) : int(end)] = True
        busy_queue[q] = grid
    out: dict[int, list[float]] = defaultdict(list)
    for call in queued:
        if call.outcome is not Outcome.AGENT:
            continue
        at = int(period.seconds(call.queued_at))
        if at < 1 or call.call_type not in idle or idle[call.call_type][at] == 0:
            continue
        if call.call_type in busy_queue and busy_queue[call.call_type][at - 1]:
            continue
        out[call.priority].append(float(call.wait_seconds))
    return {priority: tuple(waits) for priority, waits in out.items()}


def head_counts(
    timelines: AgentTimelines, interval_seconds: float, n_intervals: int
) -> npt.NDArray[np.int64]:
    """Agents logged on at some time of each interval."""
    edges = np.arange(n_intervals + 1) * interval_seconds
    counts = np.zeros(n_intervals, dtype=np.int64)
    for agent in timelines.agents:
        present = np.zeros(n_intervals, dtype=np.bool_)
        for start, end in agent.sessions:
            present |= (edges[:-1] < end) & (edges[1:] > start)
        counts += present
    return counts


# -- the scenario -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ReplayInputs:
    """What a replay is built from, all estimated from the log."""

    period: Period
    calls: tuple[BankCall, ...]
    """The calls that queued inside the period."""
    patience: PatienceModel | None
    timelines: AgentTimelines
    queue_ids: tuple[str, ...]
    handle_seconds: Mapping[str, tuple[float, ...]]


def replay_inputs(
    calls: Sequence[BankCall],
    period: Period,
    *,
    patience_calls: Sequence[BankCall] | None = None,
    idle_threshold_seconds: float = IDLE_THRESHOLD_SECONDS,
) -> ReplayInputs:
    """Estimate the replay's inputs. Patience is fitted on ``patience_calls`` (default: the calls of
    the period itself)."""
    queued = tuple(queued_calls(calls, period))
    if not queued:
        raise ValueError(f"no call queued between {period.first} and {period.last}")
    fit_on = queued if patience_calls is None else [c for c in patience_calls if c.reached_agents]
    try:
        patience = fit_patience(fit_on)
    except ValueError:
        patience = None
    timelines = agent_timelines(calls, period, idle_threshold_seconds=idle_threshold_seconds)
    handle: dict[str, list[float]] = defaultdict(list)
    for call in queued:
        if call.outcome is Outcome.AGENT:
            handle[call.call_type].append(float(max(call.service_seconds, 1)))
    queue_ids = tuple(sorted({c.call_type for c in queued}))
    return ReplayInputs(
        period,
        queued,
        patience,
        timelines,
        queue_ids,
        {q: tuple(handle.get(q, ())) or (180.0,) for q in queue_ids},
    )


PRE_QUEUE = " pre-queue"
"""Suffix of the queue, served by nobody, where a caller whose patience ends before their pre-queue
delay waits until they hang up (its counts are added to the call type's)."""


def _contacts(
    inputs: ReplayInputs, patience_mode: str, rng: np.random.Generator, pre_queue: bool
) -> tuple[tuple[LoggedContact, ...], npt.NDArray[np.float64]]:
    """The contacts of one replication, in the order of their arrival in the simulation, and each
    one's pre-queue delay (its arrival in the simulation minus its logged arrival)."""
    period = inputs.period
    calls = inputs.calls
    arrivals = np.array([period.seconds(c.queued_at) for c in calls])
    answered = np.array([c.outcome is Outcome.AGENT for c in calls])
    patience = np.full(len(calls), math.inf)
    if patience_mode == "logged":
        patience[~answered] = [
            float(c.wait_seconds) for c, a in zip(calls, answered, strict=True) if not a
        ]
    elif patience_mode in ("fitted", "exponential", "km"):
        model = inputs.patience
        if model is None:
            raise ValueError("nobody abandoned: patience cannot be fitted")
        groups: dict[tuple[str, int], list[int]] = defaultdict(list)
        for i, call in enumerate(calls):
            groups[(segment(call), _band(arrivals[i]))].append(i)
        for (name, band), members in groups.items():
            fit = model.fit_for(name, band)
            if patience_mode == "exponential":
                dist: Distribution = Exponential(fit.mean_seconds)
            elif patience_mode == "km":
                dist = _km_distribution(inputs, name)
            else:
                dist = patience_distribution(fit)
            patience[members] = dist.sample(rng, len(members))
    else:
        raise ValueError(f"patience must be one of {', '.join(PATIENCE_MODES)}")
    delay = np.zeros(len(calls))
    if pre_queue:
        priorities = np.array([c.priority for c in calls])
        for priority, waits in inputs.timelines.pickup_seconds.items():
            chosen = np.flatnonzero(priorities == priority)
            delay[chosen] = Empirical(waits).sample(rng, len(chosen))
    horizon = period.days * DAY
    delay = np.minimum(delay, np.maximum(horizon - arrivals - 1e-3, 0.0))
    lost = patience <= delay  # hangs up before the call can be answered at all
    delay[lost] = 0.0
    queue_ids = [c.call_type + PRE_QUEUE if lost[i] else c.call_type for i, c in enumerate(calls)]
    simulated = arrivals + delay
    order = np.argsort(simulated, kind="stable")
    contacts = tuple(
        LoggedContact(
            arrival_seconds=float(simulated[i]),
            queue_id=queue_ids[i],
            handle_seconds=float(max(calls[i].service_seconds, 1)) if answered[i] else None,
            patience_seconds=float(patience[i] - delay[i]),
            customer_id=calls[i].customer_id,
            priority=1 if calls[i].priority == 2 else 5,
        )
        for i in order.tolist()
    )
    return contacts, delay[order]


def _km_distribution(inputs: ReplayInputs, segment_name: str) -> Distribution:
    from helpline.sim.distributions import SurvivalCurve
    from helpline.wfm.patience import kaplan_meier

    group = [c for c in inputs.calls if segment(c) == segment_name]
    waits, _ = censored_waits(group)
    if waits.events == 0:
        waits, _ = censored_waits(inputs.calls)
    table = kaplan_meier(waits)
    return SurvivalCurve(tuple(table.times.tolist()), tuple(table.survival.tolist()))


def _routing(
    queue_ids: Sequence[str], agents: Sequence[tuple[str, tuple[str, ...]]]
) -> RoutingConfig:
    return RoutingConfig(
        tuple(
            Queue(q, Channel.VOICE, offer_timeout_seconds=4 * 3600.0, acw_timeout_seconds=None)
            for q in queue_ids
        ),
        tuple(
            RoutingProfile(
                f"p-{name}",
                {Channel.VOICE: ChannelSettings(1, auto_accept=True)},
                tuple(ProfileQueue(q) for q in queues),
            )
            for name, queues in agents
        ),
    )


def _shifts(agent: AgentTimeline) -> tuple[Shift, ...]:
    shifts = []
    for start, end in agent.sessions:
        breaks = tuple(
            Break(s, e - s, "not_ready")
            for s, e in agent.not_ready
            if start <= s and e <= end and e - s >= 1
        )
        shifts.append(Shift(start, end, breaks))
    return tuple(shifts)


def replay_scenario(
    inputs: ReplayInputs,
    *,
    staffing: str,
    patience: str,
    rng: np.random.Generator,
    remove_share: float = 0.0,
    interval_seconds: float = 1800.0,
    pickup_delay: bool = True,
) -> tuple[Scenario, npt.NDArray[np.float64]]:
    """The scenario of one replication (patience and delay draws depend on ``rng``) and the
    pre-queue delay of each of its contacts in arrival order. Staffing ``from-log``: one agent per
    server with its own sessions and not-ready spans; ``head-counts``: per interval as many agents as
    were present, always available, serving every queue. ``remove_share`` leaves out that share of
    the agents (the what-if: spread evenly over the agents ranked by calls served; head counts: that
    share of each interval's). ``pickup_delay``: a caller can be answered only after a delay drawn
    from the pickup waits of their priority (:attr:`AgentTimelines.pickup_seconds`); waits are
    still counted from the logged arrival."""
    queue_ids = inputs.queue_ids
    horizon = inputs.period.days * DAY
    n_intervals = math.ceil(horizon / interval_seconds)
    acw = inputs.timelines.acw_seconds
    acw_dist: Distribution = Empirical(acw) if acw else Fixed(0.0)
    agents: list[tuple[str, tuple[str, ...]]]
    groups: list[AgentGroup] = []
    if staffing == "from-log":
        kept = _kept(inputs.timelines.agents, remove_share)
        agents = [(a.name, a.queues) for a in kept]
        groups = [AgentGroup(a.name, 1, f"p-{a.name}", shifts=_shifts(a)) for a in kept]
    elif staffing == "head-counts":
        counts = head_counts(inputs.timelines, interval_seconds, n_intervals)
        counts = np.floor(counts * (1.0 - remove_share) + 0.5).astype(np.int64)
        agents = [("all", tuple(queue_ids))]
        groups = _per_interval_groups(counts, interval_seconds, "p-all")
    else:
        raise ValueError(f"staffing must be one of {', '.join(STAFFING_MODES)}")
    contacts, delays = _contacts(inputs, patience, rng, pickup_delay)
    modelled = (*queue_ids, *(q + PRE_QUEUE for q in queue_ids))
    models = tuple(
        QueueModel(
            q,
            Empirical(inputs.handle_seconds[q.removesuffix(PRE_QUEUE)]),
            None,
            acw_dist,
            SERVICE_LEVEL_SECONDS,
            SHORT_ABANDON_SECONDS,
        )
        for q in modelled
    )
    scenario = Scenario(
        _routing(modelled, agents),
        models,
        tuple(groups),
        (ReplayedArrivals(contacts),),
        horizon_seconds=horizon,
        interval_seconds=DAY,
        drain_seconds=4 * 3600.0,
    )
    return scenario, delays


def _kept(agents: Sequence[AgentTimeline], remove_share: float) -> list[AgentTimeline]:
    if remove_share <= 0:
        return list(agents)
    # Evenly spread over the agents ranked by calls served: busy and occasional agents alike.
    order = sorted(agents, key=lambda a: (len(a.talk), a.name))
    removed = {
        a.name
        for i, a in enumerate(order)
        if math.floor((i + 1) * remove_share) > math.floor(i * remove_share)
    }
    return [a for a in agents if a.name not in removed]


def _per_interval_groups(
    counts: npt.NDArray[np.int64], interval_seconds: float, profile: str
) -> list[AgentGroup]:
    """One-agent groups giving ``counts[i]`` agents in interval i."""
    return [
        AgentGroup(f"seat-{k + 1}", 1, profile, shifts=shifts)
        for k, shifts in enumerate(seat_shifts(counts.tolist(), interval_seconds))
    ]


# -- replay and comparison ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DayComparison:
    """Simulated KPIs (mean and confidence half-width over replications) beside the log's, per day
    and queue (``queue_id`` ``all``: every queue of the day together)."""

    day: dt.date
    queue_id: str
    offered: int
    simulated: dict[str, float]
    half_width: dict[str, float]
    logged: dict[str, float]


@dataclass(frozen=True, slots=True)
class ReplayResult:
    """Per-day comparisons and the mean absolute errors of the days' ``all`` rows."""

    period: Period
    rows: tuple[DayComparison, ...]
    mae: dict[str, float]
    replications: int
    contacts_simulated: int
    extra: dict[str, float] = field(default_factory=dict)


def _values(t: Tally) -> dict[str, float]:
    metrics = Metrics.from_tally(t)
    return {
        k: math.nan if getattr(metrics, k) is None else float(getattr(metrics, k)) for k in KPIS
    }


def _summed(tallies: Iterable[Tally]) -> Tally:
    total = Tally()
    for t in tallies:
        total.add(t)
    return total


def mean_absolute_errors(rows: Sequence[DayComparison]) -> dict[str, float]:
    """MAE over the days' ``all`` rows: service level (fraction), ASA (seconds), abandonment (points)."""
    days = [r for r in rows if r.queue_id == "all"]
    out = {}
    for kpi, scale in (("service_level", 1.0), ("asa_seconds", 1.0), ("abandonment_rate", 100.0)):
        errors = [
            abs(r.simulated[kpi] - r.logged[kpi]) * scale
            for r in days
            if not (math.isnan(r.simulated[kpi]) or math.isnan(r.logged[kpi]))
        ]
        out[kpi] = float(np.mean(errors)) if errors else math.nan
    return out


def replay(
    inputs: ReplayInputs,
    *,
    staffing: str,
    patience: str,
    replications: int,
    seed: int,
    confidence: float = 0.95,
    remove_share: float = 0.0,
    pickup_delay: bool = True,
    on_replication: Callable[[int], None] | None = None,
) -> ReplayResult:
    """Replay the period ``replications`` times; per day and queue the simulated KPIs beside the log's."""
    period = inputs.period
    logged = log_tallies(inputs.calls, period)
    keys = [(d, q) for d in range(period.days) for q in (*inputs.queue_ids, "all")]
    samples = {k: np.full((replications, len(keys)), np.nan) for k in KPIS}
    contacts = 0
    for r, sequence in enumerate(np.random.SeedSequence(seed).spawn(replications)):
        rng = np.random.default_rng(sequence)
        scenario, delays = replay_scenario(
            inputs,
            staffing=staffing,
            patience=patience,
            rng=rng,
            remove_share=remove_share,
            pickup_delay=pickup_delay,
        )
        run = Simulation(scenario, rng).run()
        contacts += run.n_contacts
        # Waits count from the logged arrival, before the pre-queue delay (no retrials: aligned).
        run = dataclasses.replace(run, arrival_seconds=run.arrival_seconds - delays)
        kpis = run_kpis(run)
        for column, (d, q) in enumerate(keys):
            if q == "all":
                tally = _summed(kpis.tallies[d])
            else:
                tally = _summed(
                    kpis.tallies[d][kpis.queue_ids.index(name)] for name in (q, q + PRE_QUEUE)
                )
            for k, v in _values(tally).items():
                samples[k][r, column] = v
        if on_replication is not None:
            on_replication(r + 1)
    estimates = {k: estimate(samples[k], confidence) for k in KPIS}
    rows = []
    for column, (d, q) in enumerate(keys):
        if q == "all":
            tally = _summed(t for (day, _), t in logged.items() if day == d)
        else:
            tally = logged.get((d, q), Tally())
        if tally.offered == 0:
            continue
        rows.append(
            DayComparison(
                period.day(d),
                q,
                tally.offered,
                {k: float(estimates[k].mean[column]) for k in KPIS},
                {k: float(estimates[k].half_width[column]) for k in KPIS},
                _values(tally),
            )
        )
    return ReplayResult(period, tuple(rows), mean_absolute_errors(rows), replications, contacts)


def erlang_a_baseline(
    inputs: ReplayInputs, *, remove_share: float = 0.0, interval_seconds: float = 1800.0
) -> ReplayResult:
    """Erlang A on the same inputs, per half hour: the interval's arrivals, the mean handle time
    plus mean after-contact work, the agents present (head counts) and the fitted exponential
    patience (the pooled fit); aggregated per day weighted by the calls of each interval.
    ``remove_share``: the same agents as :func:`replay_scenario` leaves out are not counted."""
    period = inputs.period
    n_intervals = math.ceil(period.days * DAY / interval_seconds)
    kept = dataclasses.replace(
        inputs.timelines, agents=tuple(_kept(inputs.timelines.agents, remove_share))
    )
    counts = head_counts(kept, interval_seconds, n_intervals).astype(np.float64)
    arrivals = np.zeros(n_intervals)
    for call in inputs.calls:
        arrivals[int(period.seconds(call.queued_at) // interval_seconds)] += 1
    handles = [h for q in inputs.queue_ids for h in inputs.handle_seconds[q]]
    acw = inputs.timelines.acw_seconds
    aht = float(np.mean(handles)) + (float(np.mean(acw)) if acw else 0.0)
    if inputs.patience is None:
        raise ValueError("nobody abandoned: patience cannot be fitted")
    waits, _ = censored_waits(inputs.calls)
    patience = fit_exponential(waits).mean_seconds
    result = erlang.erlang_a(
        arrivals / interval_seconds,
        aht,
        np.maximum(counts, 0.0),
        patience,
        SERVICE_LEVEL_SECONDS,
        SHORT_ABANDON_SECONDS,
    )
    logged = log_tallies(inputs.calls, period)
    per_day = int(DAY // interval_seconds)
    rows = []
    for d in range(period.days):
        window = slice(d * per_day, (d + 1) * per_day)
        weights = arrivals[window]
        tally = _summed(t for (day, _), t in logged.items() if day == d)
        if tally.offered == 0 or weights.sum() == 0:
            continue
        staffed = counts[window] > 0
        # Intervals with calls but nobody present: every caller abandons (Erlang A's limit).
        sl = np.where(staffed, np.nan_to_num(result.service_level_excl_short[window]), 0.0)
        asa = np.where(staffed, np.nan_to_num(result.asa[window]), 0.0)
        ab = np.where(staffed, np.nan_to_num(result.p_abandon[window]), 1.0)
        answered = weights * (1 - ab)
        simulated = {
            "service_level": float(np.sum(weights * sl) / weights.sum()),
            "asa_seconds": float(np.sum(answered * asa) / max(answered.sum(), 1e-9)),
            "abandonment_rate": float(np.sum(weights * ab) / weights.sum()),
        }
        rows.append(
            DayComparison(
                period.day(d),
                "all",
                tally.offered,
                simulated,
                dict.fromkeys(KPIS, math.nan),
                _values(tally),
            )
        )
    return ReplayResult(period, tuple(rows), mean_absolute_errors(rows), 0, 0)
