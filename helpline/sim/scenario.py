"""The declarative what-if scenario: routing configuration, customer model, staffing and arrivals.

A :class:`Scenario` is plain frozen data validated on construction; :mod:`helpline.sim.loader` builds one
from a parsed YAML document, naming the offending field on error. The routing part is a
:class:`helpline.routing.RoutingConfig` exactly as the live engine takes it, so a simulated queue routes
the way the real one does. Times are seconds on the simulation clock, which starts at 0.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from helpline.errors import InvalidInput
from helpline.routing import RoutingConfig
from helpline.sim.distributions import Distribution


def _check(condition: bool, field_name: str, message: str) -> None:
    if not condition:
        raise InvalidInput(field_name, message)


def _probability(value: float, field_name: str) -> None:
    _check(0.0 <= value <= 1.0, field_name, "must be a probability between 0 and 1")


@dataclass(frozen=True, slots=True)
class QueueModel:
    """How customers of one routing queue behave and what counts as good service there.

    ``patience`` None: customers never abandon. ``acw`` None: after-contact work lasts until the routing
    queue's own ACW timeout (then it must have one); otherwise the agent wraps up after the drawn time or at
    the timeout, whichever is first. ``retrial_probability``: an abandoning customer calls again after
    ``retrial_delay``. ``callback_acceptance_probability``: a customer proposed a callback (queue overflow
    without a target queue) accepts it, keeps their place and stops abandoning.
    """

    queue_id: str
    handle_time: Distribution
    patience: Distribution | None = None
    acw: Distribution | None = None
    service_level_seconds: float = 20.0
    short_abandon_seconds: float = 0.0
    retrial_probability: float = 0.0
    retrial_delay: Distribution | None = None
    callback_acceptance_probability: float = 0.0

    def __post_init__(self) -> None:
        _check(self.service_level_seconds >= 0, "service_level_seconds", "must be >= 0")
        _check(self.short_abandon_seconds >= 0, "short_abandon_seconds", "must be >= 0")
        _probability(self.retrial_probability, "retrial_probability")
        _probability(self.callback_acceptance_probability, "callback_acceptance_probability")
        _check(
            self.retrial_probability == 0 or self.retrial_delay is not None,
            "retrial_delay",
            "is required when retrial_probability > 0",
        )


@dataclass(frozen=True, slots=True)
class Break:
    """Not-ready time inside a shift (``reason`` as the agent desktop would give it)."""

    start_seconds: float
    duration_seconds: float
    reason: str = "break"

    def __post_init__(self) -> None:
        _check(self.duration_seconds > 0, "duration_seconds", "must be > 0")


@dataclass(frozen=True, slots=True)
class Shift:
    """A logged-in period. At its end the agent takes no new offers and logs out once free."""

    start_seconds: float
    end_seconds: float
    breaks: tuple[Break, ...] = ()

    def __post_init__(self) -> None:
        _check(self.start_seconds >= 0, "start_seconds", "must be >= 0")
        _check(self.end_seconds > self.start_seconds, "end_seconds", "must be after start_seconds")
        previous_end = self.start_seconds
        for i, brk in enumerate(sorted(self.breaks, key=lambda b: b.start_seconds)):
            _check(
                brk.start_seconds >= previous_end
                and brk.start_seconds + brk.duration_seconds <= self.end_seconds,
                f"breaks[{i}]",
                "must lie inside the shift without overlapping another break",
            )
            previous_end = brk.start_seconds + brk.duration_seconds


@dataclass(frozen=True, slots=True)
class AgentGroup:
    """``count`` identical agents: the skills and routing profile the engine takes, their shifts, and how
    they answer offers on channels without auto-accept.

    ``shifts`` empty: logged in for the whole horizon. ``answer_delay`` None: answer at once.
    ``miss_probability``: an offer is left to time out (RONA); the engine then sets the agent not-ready
    (missed) and the agent becomes available again after ``not_ready_after_miss_seconds``.
    """

    name: str
    count: int
    profile_id: str
    skills: Mapping[str, int] = field(default_factory=dict)
    shifts: tuple[Shift, ...] = ()
    answer_delay: Distribution | None = None
    miss_probability: float = 0.0
    not_ready_after_miss_seconds: float = 60.0

    def __post_init__(self) -> None:
        _check(self.count >= 0, "count", "must be >= 0")
        _probability(self.miss_probability, "miss_probability")
        _check(
            self.not_ready_after_miss_seconds >= 0, "not_ready_after_miss_seconds", "must be >= 0"
        )
        for i, shift in enumerate(sorted(self.shifts, key=lambda s: s.start_seconds)[1:]):
            earlier = sorted(self.shifts, key=lambda s: s.start_seconds)[i]
            _check(shift.start_seconds >= earlier.end_seconds, "shifts", "must not overlap")


def seat_shifts(counts: Sequence[int], interval_seconds: float) -> tuple[tuple[Shift, ...], ...]:
    """Shifts giving ``counts[i]`` agents logged in during interval ``i`` (a head count per
    interval): seat k works the runs of consecutive intervals where more than k are present."""
    out = []
    for k in range(max(counts, default=0)):
        shifts = []
        i = 0
        while i < len(counts):
            if counts[i] > k:
                j = i
                while j < len(counts) and counts[j] > k:
                    j += 1
                shifts.append(Shift(i * interval_seconds, j * interval_seconds))
                i = j
            else:
                i += 1
        out.append(tuple(shifts))
    return tuple(out)


@dataclass(frozen=True, slots=True)
class PoissonArrivals:
    """Poisson arrivals to one queue with a constant rate within each interval of the scenario.

    ``rates_per_second[i]`` applies during interval ``i``; the last rate holds until the horizon.
    """

    queue_id: str
    rates_per_second: tuple[float, ...]

    def __post_init__(self) -> None:
        _check(len(self.rates_per_second) > 0, "rates_per_second", "needs at least one rate")
        _check(
            all(r >= 0 and math.isfinite(r) for r in self.rates_per_second),
            "rates_per_second",
            "every rate must be a finite number >= 0",
        )


@dataclass(frozen=True, slots=True)
class LoggedContact:
    """One contact of a call log to replay: when it arrived (simulation seconds), for which queue, and
    its handle time and patience where the log knows them (None: drawn from the queue's model;
    ``math.inf`` patience: never abandons). ``priority`` as :class:`helpline.routing.ContactSpec`'s."""

    arrival_seconds: float
    queue_id: str
    handle_seconds: float | None = None
    patience_seconds: float | None = None
    customer_id: str | None = None
    priority: int = 5


@dataclass(frozen=True, slots=True)
class ReplayedArrivals:
    """Arrivals replayed from a call log, in any order (sorted by the simulation)."""

    contacts: tuple[LoggedContact, ...]


Arrivals = PoissonArrivals | ReplayedArrivals


@dataclass(frozen=True, slots=True)
class Scenario:
    """A complete what-if run: routing, customer model per queue, staffing and arrivals.

    KPIs count contacts by arrival time in ``[warmup_seconds, horizon_seconds)``, per interval of
    ``interval_seconds``. After the horizon no contact arrives; the run continues until every contact
    has left or ``drain_seconds`` more have passed.
    """

    routing: RoutingConfig
    queues: tuple[QueueModel, ...]
    agents: tuple[AgentGroup, ...]
    arrivals: tuple[Arrivals, ...]
    horizon_seconds: float
    interval_seconds: float = 1800.0
    warmup_seconds: float = 0.0
    drain_seconds: float = 4 * 3600.0

    def __post_init__(self) -> None:
        _check(
            self.horizon_seconds > 0 and math.isfinite(self.horizon_seconds),
            "horizon_seconds",
            "must be a finite number > 0",
        )
        _check(self.interval_seconds > 0, "interval_seconds", "must be > 0")
        _check(
            0 <= self.warmup_seconds < self.horizon_seconds,
            "warmup_seconds",
            "must be >= 0 and before horizon_seconds",
        )
        _check(self.drain_seconds >= 0, "drain_seconds", "must be >= 0")
        routed = {q.queue_id: q for q in self.routing.queues}
        modelled = [m.queue_id for m in self.queues]
        _check(len(modelled) == len(set(modelled)), "queues", "a queue is modelled twice")
        for i, model in enumerate(self.queues):
            queue = routed.get(model.queue_id)
            _check(queue is not None, f"queues[{i}].queue_id", f"unknown queue {model.queue_id!r}")
            assert queue is not None  # noqa: S101 -- checked above; narrows the type
            _check(
                model.acw is not None or queue.acw_timeout_seconds is not None,
                f"queues[{i}].acw",
                "is required: the routing queue's after-contact work has no timeout",
            )
        missing = set(routed) - set(modelled)
        _check(not missing, "queues", f"no customer model for queue(s) {sorted(missing)}")
        profiles = {p.profile_id for p in self.routing.profiles}
        names = [g.name for g in self.agents]
        _check(len(names) == len(set(names)), "agents", "agent group names must be unique")
        for i, group in enumerate(self.agents):
            _check(
                group.profile_id in profiles,
                f"agents[{i}].profile_id",
                f"unknown routing profile {group.profile_id!r}",
            )
        for i, arrivals in enumerate(self.arrivals):
            if isinstance(arrivals, PoissonArrivals):
                _check(
                    arrivals.queue_id in routed,
                    f"arrivals[{i}].queue_id",
                    f"unknown queue {arrivals.queue_id!r}",
                )
            else:
                for j, contact in enumerate(arrivals.contacts):
                    _check(
                        contact.queue_id in routed,
                        f"arrivals[{i}].contacts[{j}].queue_id",
                        f"unknown queue {contact.queue_id!r}",
                    )

    @property
    def n_intervals(self) -> int:
        """Number of reporting intervals from 0 to the horizon."""
        return math.ceil(self.horizon_seconds / self.interval_seconds)
