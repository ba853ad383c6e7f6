"""Build a :class:`~helpline.sim.scenario.Scenario` from a parsed YAML/JSON document, naming the field.

:class:`ScenarioDocument` is the pydantic model of the file (see ``docs/simulation.md``); it checks each
value, then the scenario's own constructors check how the values fit together. Every error is an
:class:`~helpline.errors.InvalidInput` whose ``field`` is the path as written
(``agents[1].shifts[0].end``). Call logs (``arrivals[i].replay``) and forecasts (``forecast``,
``forecast_id``) are read by the caller's ``load_log`` and ``load_forecast``: the core does no I/O.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Annotated, Any, Literal, TypeVar

from pydantic import BeforeValidator, ConfigDict, Discriminator, Field, Tag

from helpline import routing
from helpline.documents import (
    Concurrency,
    Count,
    Document,
    Priority,
    Proficiency,
    Seconds,
    validate,
)
from helpline.errors import InvalidInput
from helpline.routing import AgentSelection, Channel, ClosedTreatment
from helpline.sim import distributions, scenario
from helpline.sim.arrivals import VolumeSeries, forecast_arrivals

# (path as written in the scenario, format, the entry's other options) -> contacts to replay.
LoadLog = Callable[[str, str, Mapping[str, Any]], tuple[scenario.LoggedContact, ...]]
# ``forecast: path`` (a str) or ``forecast_id: N`` (an int) -> the forecast's volumes.
LoadForecast = Callable[[str | int], VolumeSeries]

T = TypeVar("T")
Text = Annotated[str, Field(min_length=1)]
Id = Annotated[int, Field(ge=1)]


def _clock_seconds(value: object) -> object:
    """Seconds from a number or an "HH:MM[:SS]" clock time (hours may exceed 24 for later days)."""
    if not isinstance(value, str):
        return value
    try:
        numbers = [int(p) for p in value.split(":")]
    except ValueError:
        numbers = []
    if not 2 <= len(numbers) <= 3 or any(n < 0 for n in numbers) or numbers[1] >= 60:
        raise ValueError("must be seconds or HH:MM[:SS]")
    return numbers[0] * 3600 + numbers[1] * 60 + (numbers[2] if len(numbers) == 3 else 0)


ClockSeconds = Annotated[Seconds, BeforeValidator(_clock_seconds)]
# Dataclass fields whose scenario-file key differs (clock times and minutes in shifts and breaks).
_FILE_KEYS = {"start_seconds": "start", "end_seconds": "end", "duration_seconds": "minutes"}


def _built(path: str, build: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Call a validating constructor, prefixing the field it names with ``path``."""
    try:
        return build(*args, **kwargs)
    except InvalidInput as error:
        key = _FILE_KEYS.get(error.field, error.field)
        raise InvalidInput(f"{path}.{key}" if path and key else path or key, error.reason) from None
    except ValueError as error:
        raise InvalidInput(path or "scenario", str(error)) from None


class DistributionDocument(Document):
    distribution: Literal["exponential", "lognormal", "empirical", "fixed"]
    mean_seconds: Seconds | None = None
    sd_seconds: Seconds | None = None
    values_seconds: list[Seconds] | None = None
    seconds: Seconds | None = None

    def build(self, path: str) -> distributions.Distribution:
        kind, fields = _DISTRIBUTIONS[self.distribution]
        for name in ("mean_seconds", "sd_seconds", "values_seconds", "seconds"):
            if (getattr(self, name) is None) == (name in fields):
                reason = "is required" if name in fields else f"is not used by {self.distribution}"
                raise InvalidInput(f"{path}.{name}", reason)
        values = [getattr(self, name) for name in fields]
        return _built(path, kind, *(tuple(v) if isinstance(v, list) else v for v in values))


_DISTRIBUTIONS: dict[str, tuple[Callable[..., distributions.Distribution], tuple[str, ...]]] = {
    "exponential": (distributions.Exponential, ("mean_seconds",)),
    "lognormal": (distributions.Lognormal, ("mean_seconds", "sd_seconds")),
    "empirical": (distributions.Empirical, ("values_seconds",)),
    "fixed": (distributions.Fixed, ("seconds",)),
}


def _maybe(raw: DistributionDocument | None, path: str) -> distributions.Distribution | None:
    return None if raw is None else raw.build(path)


class StepDocument(Document):
    skills: dict[str, Proficiency] = Field(default_factory=dict)
    preferred_agents: list[str] | None = None
    expiry_seconds: Seconds | None = None

    def build(self, path: str) -> routing.Step:
        requirements = frozenset(
            routing.SkillRequirement(s, level) for s, level in self.skills.items()
        )
        agents = None if self.preferred_agents is None else frozenset(self.preferred_agents)
        return _built(path, routing.Step, requirements, agents, self.expiry_seconds)


class OverflowDocument(Document):
    after_seconds: Seconds
    to_queue_id: str | None = None


class QueueDocument(Document):
    id: Text
    channel: Channel
    criteria: list[StepDocument] = Field(default_factory=list)
    overflow: OverflowDocument | None = None
    acw_timeout_seconds: Seconds | None = 0.0
    agent_selection: AgentSelection = AgentSelection.LONGEST_IDLE
    closed_treatment: ClosedTreatment = ClosedTreatment.MESSAGE
    offer_timeout_seconds: Seconds = 20.0

    def build(self, path: str) -> routing.Queue:
        steps = tuple(s.build(f"{path}.criteria[{i}]") for i, s in enumerate(self.criteria))
        over = self.overflow
        return _built(
            path,
            routing.Queue,
            self.id,
            self.channel,
            criteria=_built(f"{path}.criteria", routing.RoutingCriteria, steps),
            agent_selection=self.agent_selection,
            offer_timeout_seconds=self.offer_timeout_seconds,
            acw_timeout_seconds=self.acw_timeout_seconds,
            overflow=None
            if over is None
            else routing.Overflow(over.after_seconds, over.to_queue_id),
            closed_treatment=self.closed_treatment,
        )


class ChannelDocument(Document):
    concurrency: Concurrency = 1
    auto_accept: bool = False


class ProfileQueueDocument(Document):
    queue_id: Text
    priority: Priority = 1
    delay_seconds: Seconds = 0.0


def _entry_kind(value: object) -> str:
    return "(id)" if isinstance(value, str) else "(entry)"


class ProfileDocument(Document):
    id: Text
    channels: dict[Channel, ChannelDocument]
    queues: list[
        Annotated[
            Annotated[str, Tag("(id)")] | Annotated[ProfileQueueDocument, Tag("(entry)")],
            Discriminator(_entry_kind),
        ]
    ] = Field(default_factory=list)
    voice_blocks_other_channels: bool = True

    def build(self, path: str) -> routing.RoutingProfile:
        channels = {
            c: routing.ChannelSettings(s.concurrency, s.auto_accept)
            for c, s in self.channels.items()
        }
        queues = tuple(
            routing.ProfileQueue(q)
            if isinstance(q, str)
            else routing.ProfileQueue(q.queue_id, q.priority, q.delay_seconds)
            for q in self.queues
        )
        return _built(
            path,
            routing.RoutingProfile,
            self.id,
            channels,
            queues,
            self.voice_blocks_other_channels,
        )


class RoutingDocument(Document):
    queues: list[QueueDocument] = Field(default_factory=list)
    profiles: list[ProfileDocument] = Field(default_factory=list)


class RetrialDocument(Document):
    probability: float
    delay: DistributionDocument


class QueueModelDocument(Document):
    queue_id: Text
    handle_time: DistributionDocument
    patience: DistributionDocument | None = None
    acw: DistributionDocument | None = None
    retrial: RetrialDocument | None = None
    service_level_seconds: Seconds = 20.0
    short_abandon_seconds: Seconds = 0.0
    callback_acceptance_probability: float = 0.0

    def build(self, path: str) -> scenario.QueueModel:
        retrial = self.retrial
        return _built(
            path,
            scenario.QueueModel,
            self.queue_id,
            self.handle_time.build(f"{path}.handle_time"),
            _maybe(self.patience, f"{path}.patience"),
            _maybe(self.acw, f"{path}.acw"),
            self.service_level_seconds,
            self.short_abandon_seconds,
            0.0 if retrial is None else retrial.probability,
            None if retrial is None else retrial.delay.build(f"{path}.retrial.delay"),
            self.callback_acceptance_probability,
        )


class BreakDocument(Document):
    start: ClockSeconds
    minutes: Seconds
    reason: Text = "break"


class ShiftDocument(Document):
    start: ClockSeconds
    end: ClockSeconds
    breaks: list[BreakDocument] = Field(default_factory=list)

    def build(self, path: str) -> scenario.Shift:
        breaks = tuple(
            _built(f"{path}.breaks[{i}]", scenario.Break, b.start, b.minutes * 60, b.reason)
            for i, b in enumerate(self.breaks)
        )
        return _built(path, scenario.Shift, self.start, self.end, breaks)


class AgentGroupDocument(Document):
    name: Text
    count: Annotated[int, Field(ge=0)] | None = None
    count_per_interval: list[Annotated[int, Field(ge=0)]] | None = None
    profile_id: Text
    skills: dict[str, Proficiency] = Field(default_factory=dict)
    shifts: list[ShiftDocument] = Field(default_factory=list)
    answer_delay: DistributionDocument | None = None
    miss_probability: float = 0.0
    not_ready_after_miss_seconds: Seconds = 60.0

    def build(self, path: str, interval_seconds: float) -> tuple[scenario.AgentGroup, ...]:
        """The group, or with ``count_per_interval`` (head counts per scenario interval) one
        one-agent group per seat, named ``name-seat-k``."""
        if (self.count is None) == (self.count_per_interval is None):
            raise InvalidInput(path, "give exactly one of count, count_per_interval")
        if self.count_per_interval is not None and self.shifts:
            raise InvalidInput(f"{path}.shifts", "is not used with count_per_interval")
        delay = _maybe(self.answer_delay, f"{path}.answer_delay")
        if self.count is not None:
            seats: tuple[tuple[str, int, tuple[scenario.Shift, ...]], ...] = (
                (
                    self.name,
                    self.count,
                    tuple(s.build(f"{path}.shifts[{i}]") for i, s in enumerate(self.shifts)),
                ),
            )
        else:
            per_seat = scenario.seat_shifts(self.count_per_interval or [], interval_seconds)
            seats = tuple(
                (f"{self.name}-seat-{k + 1}", 1, shifts) for k, shifts in enumerate(per_seat)
            )
        return tuple(
            _built(
                path,
                scenario.AgentGroup,
                name,
                count,
                self.profile_id,
                self.skills,
                shifts,
                delay,
                self.miss_probability,
                self.not_ready_after_miss_seconds,
            )
            for name, count, shifts in seats
        )


class ArrivalsDocument(Document):
    """Poisson arrivals (``calls_per_interval`` or ``rates_per_second``), a forecast (``forecast``
    or ``forecast_id``), or a call log to replay (``replay``, ``format`` and the log's options)."""

    model_config = ConfigDict(extra="allow")  # a replayed log's options

    queue_id: Text | None = None
    calls_per_interval: list[Count] | None = None
    rates_per_second: list[Seconds] | None = None
    forecast: Text | None = None
    forecast_id: Id | None = None
    replay: Text | None = None
    format: Text = "csv"


class ScenarioDocument(Document):
    routing: RoutingDocument
    queues: list[QueueModelDocument] = Field(default_factory=list)
    agents: list[AgentGroupDocument] = Field(default_factory=list)
    arrivals: list[ArrivalsDocument] = Field(default_factory=list)
    start: dt.datetime | None = None
    interval_seconds: Annotated[float, Field(ge=1, allow_inf_nan=False)] = 1800.0
    horizon_seconds: Seconds
    warmup_seconds: Seconds = 0.0
    drain_seconds: Seconds = 4 * 3600.0


def _arrivals(
    path: str,
    entry: ArrivalsDocument,
    doc: ScenarioDocument,
    load_log: LoadLog | None,
    load_forecast: LoadForecast | None,
) -> scenario.Arrivals:
    if entry.replay is not None:
        if load_log is None:
            raise InvalidInput(f"{path}.replay", "call logs cannot be read here")
        options = entry.model_dump(exclude={"replay", "format"}, exclude_unset=True)
        contacts = _built(path, load_log, entry.replay, entry.format, options)
        return _built(path, scenario.ReplayedArrivals, contacts)
    if entry.model_extra:
        raise InvalidInput(f"{path}.{sorted(entry.model_extra)[0]}", "is not a known field")
    if entry.queue_id is None:
        raise InvalidInput(f"{path}.queue_id", "is required")
    given = [k for k in _SOURCES if getattr(entry, k) is not None]
    if len(given) != 1:
        raise InvalidInput(path, f"give exactly one of {', '.join(_SOURCES)}")
    key = given[0]
    if key in ("calls_per_interval", "rates_per_second"):
        per = doc.interval_seconds if key == "calls_per_interval" else 1.0
        rates = tuple(v / per for v in getattr(entry, key))
        return _built(path, scenario.PoissonArrivals, entry.queue_id, rates)
    if load_forecast is None:
        raise InvalidInput(f"{path}.{key}", "forecasts cannot be read here")
    series = _built(f"{path}.{key}", load_forecast, getattr(entry, key))
    start = series.start if doc.start is None else doc.start
    if (start.tzinfo is None) != (series.start.tzinfo is None):
        raise InvalidInput(
            "start", "give a UTC offset exactly when the forecast's timestamps have one"
        )
    return _built(
        path,
        forecast_arrivals,
        entry.queue_id,
        series,
        start,
        doc.interval_seconds,
        doc.horizon_seconds,
    )


_SOURCES = ("calls_per_interval", "rates_per_second", "forecast", "forecast_id")


def scenario_from_dict(
    data: object, load_log: LoadLog | None = None, load_forecast: LoadForecast | None = None
) -> scenario.Scenario:
    """Validate a parsed scenario document and build the scenario (raises InvalidInput naming the
    field). ``load_log(path, format, options)`` reads the call logs that ``arrivals[i].replay`` names
    (options: the entry's other keys, such as ``first_day``); ``load_forecast(path or id)`` the
    forecasts that ``arrivals[i].forecast``/``forecast_id`` name (read from the scenario's ``start``,
    default the forecast's first interval)."""
    doc = validate(ScenarioDocument, data, "scenario")
    config = _built(
        "routing",
        routing.RoutingConfig,
        tuple(q.build(f"routing.queues[{i}]") for i, q in enumerate(doc.routing.queues)),
        tuple(p.build(f"routing.profiles[{i}]") for i, p in enumerate(doc.routing.profiles)),
    )
    return _built(
        "",
        scenario.Scenario,
        config,
        tuple(q.build(f"queues[{i}]") for i, q in enumerate(doc.queues)),
        tuple(
            group
            for i, a in enumerate(doc.agents)
            for group in a.build(f"agents[{i}]", doc.interval_seconds)
        ),
        tuple(
            _arrivals(f"arrivals[{i}]", a, doc, load_log, load_forecast)
            for i, a in enumerate(doc.arrivals)
        ),
        doc.horizon_seconds,
        doc.interval_seconds,
        doc.warmup_seconds,
        doc.drain_seconds,
    )
