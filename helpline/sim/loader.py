"""Build a :class:`~helpline.sim.scenario.Scenario` from a parsed YAML/JSON document, naming the field.

The CLI reads the file and parses the YAML; this module only walks plain dicts and lists, so every error
is an :class:`~helpline.errors.InvalidInput` whose ``field`` is the dotted path of the offending value
(``agents[1].shifts[0].end``). Call logs named by a scenario (``arrivals[i].replay``) are read by the
caller's ``load_log``: the core does no I/O. See ``docs/simulation.md`` for the format.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from helpline.errors import InvalidInput
from helpline.routing import (
    AgentSelection,
    Channel,
    ChannelSettings,
    ClosedTreatment,
    Overflow,
    ProfileQueue,
    Queue,
    RoutingConfig,
    RoutingCriteria,
    RoutingProfile,
    SkillRequirement,
    Step,
)
from helpline.sim.arrivals import VolumeSeries, forecast_arrivals
from helpline.sim.distributions import Distribution, Empirical, Exponential, Fixed, Lognormal
from helpline.sim.scenario import (
    AgentGroup,
    Arrivals,
    Break,
    LoggedContact,
    PoissonArrivals,
    QueueModel,
    ReplayedArrivals,
    Scenario,
    Shift,
)

# (path as written in the scenario, format, the entry's other options) -> contacts to replay.
LoadLog = Callable[[str, str, Mapping[str, Any]], tuple[LoggedContact, ...]]
# ``forecast: path`` (a str) or ``forecast_id: N`` (an int) -> the forecast's volumes.
LoadForecast = Callable[[str | int], VolumeSeries]


class _Node:
    """A mapping being read, with its path for error messages and a check for unknown keys."""

    def __init__(self, value: object, path: str) -> None:
        if not isinstance(value, Mapping):
            raise InvalidInput(path or "scenario", "must be a mapping")
        self.value: Mapping[str, Any] = value
        self.path = path
        self.used: set[str] = set()

    def at(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path else key

    def get(self, key: str, default: object = None) -> Any:
        self.used.add(key)
        return self.value.get(key, default)

    def require(self, key: str) -> Any:
        self.used.add(key)
        if key not in self.value:
            raise InvalidInput(self.at(key), "is required")
        return self.value[key]

    def child(self, key: str) -> _Node:
        return _Node(self.require(key), self.at(key))

    def number(self, key: str, default: float | None = None, *, minimum: float = 0.0) -> float:
        raw = self.get(key, default) if default is not None else self.require(key)
        return _number(raw, self.at(key), minimum)

    def text(self, key: str, default: str | None = None) -> str:
        raw = self.get(key, default) if default is not None else self.require(key)
        if not isinstance(raw, str) or not raw:
            raise InvalidInput(self.at(key), "must be a non-empty string")
        return raw

    def items(self, key: str) -> list[tuple[str, Any]]:
        raw = self.get(key, [])
        if not isinstance(raw, Sequence) or isinstance(raw, str):
            raise InvalidInput(self.at(key), "must be a list")
        return [(f"{self.at(key)}[{i}]", item) for i, item in enumerate(raw)]

    def done(self) -> None:
        unknown = sorted(set(self.value) - self.used)
        if unknown:
            raise InvalidInput(self.at(str(unknown[0])), "is not a known field")


def _number(raw: object, path: str, minimum: float = 0.0) -> float:
    if isinstance(raw, bool) or not isinstance(raw, int | float):
        raise InvalidInput(path, "must be a number")
    value = float(raw)
    if not math.isfinite(value) or value < minimum:
        raise InvalidInput(path, f"must be a finite number >= {minimum:g}")
    return value


def _seconds_of_day(raw: object, path: str) -> float:
    """Seconds from a number or an "HH:MM[:SS]" clock time (hours may exceed 24 for later days)."""
    if isinstance(raw, str):
        parts = raw.split(":")
        try:
            numbers = [int(p) for p in parts]
        except ValueError:
            raise InvalidInput(path, "must be seconds or HH:MM[:SS]") from None
        if not 2 <= len(numbers) <= 3 or any(n < 0 for n in numbers) or numbers[1] >= 60:
            raise InvalidInput(path, "must be seconds or HH:MM[:SS]")
        return float(numbers[0] * 3600 + numbers[1] * 60 + (numbers[2] if len(numbers) == 3 else 0))
    return _number(raw, path)


# Dataclass fields whose scenario-file key differs (clock times and minutes in shifts and breaks).
_FILE_KEYS = {"start_seconds": "start", "end_seconds": "end", "duration_seconds": "minutes"}


def _wrap(path: str, build: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Call a validating constructor, prefixing the field it names with ``path``."""
    try:
        return build(*args, **kwargs)
    except InvalidInput as error:
        key = _FILE_KEYS.get(error.field, error.field)
        raise InvalidInput(f"{path}.{key}" if path and key else path or key, error.reason) from None
    except ValueError as error:
        raise InvalidInput(path or "scenario", str(error)) from None


def distribution(raw: object, path: str) -> Distribution:
    """``{distribution: exponential|lognormal|empirical|fixed, ...}`` -> a distribution."""
    node = _Node(raw, path)
    kind = node.text("distribution")
    result: Distribution
    if kind == "exponential":
        mean = node.number("mean_seconds")
        result = _wrap(path, Exponential, mean)
    elif kind == "lognormal":
        mean, sd = node.number("mean_seconds"), node.number("sd_seconds")
        result = _wrap(path, Lognormal, mean, sd)
    elif kind == "empirical":
        values = tuple(_number(v, p) for p, v in node.items("values_seconds"))
        result = _wrap(path, Empirical, values)
    elif kind == "fixed":
        seconds = node.number("seconds")
        result = _wrap(path, Fixed, seconds)
    else:
        raise InvalidInput(
            node.at("distribution"), "must be exponential, lognormal, empirical or fixed"
        )
    node.done()
    return result


def _enum(enum_type: Any, raw: object, path: str) -> Any:
    try:
        return enum_type(raw)
    except ValueError:
        allowed = ", ".join(member.value for member in enum_type)
        raise InvalidInput(path, f"must be one of {allowed}") from None


def _skills(raw: object, path: str) -> dict[str, int]:
    if not isinstance(raw, Mapping):
        raise InvalidInput(path, "must map skill names to proficiency 1-5")
    skills = {}
    for name, level in raw.items():
        if isinstance(level, bool) or not isinstance(level, int) or not 1 <= level <= 5:
            raise InvalidInput(f"{path}.{name}", "must be a proficiency from 1 to 5")
        skills[str(name)] = level
    return skills


def _queue(path: str, raw: object) -> Queue:
    node = _Node(raw, path)
    steps = []
    for step_path, step_raw in node.items("criteria"):
        step = _Node(step_raw, step_path)
        skills = _skills(step.get("skills", {}), step.at("skills"))
        agents = step.get("preferred_agents")
        expiry = step.get("expiry_seconds")
        requirements = frozenset(SkillRequirement(s, lvl) for s, lvl in skills.items())
        preferred = None if agents is None else frozenset(str(a) for a in agents)
        expiry_seconds = None if expiry is None else _number(expiry, step.at("expiry_seconds"))
        step.done()
        steps.append(_wrap(step_path, Step, requirements, preferred, expiry_seconds))
    overflow = None
    if node.get("overflow") is not None:
        over = node.child("overflow")
        after = over.number("after_seconds")
        target = over.get("to_queue_id")
        over.done()
        overflow = Overflow(after, None if target is None else str(target))
    acw = node.get("acw_timeout_seconds", 0.0)
    queue_id = node.text("id")
    channel = _enum(Channel, node.require("channel"), node.at("channel"))
    selection = _enum(
        AgentSelection, node.get("agent_selection", "longest_idle"), node.at("agent_selection")
    )
    treatment = _enum(
        ClosedTreatment, node.get("closed_treatment", "message"), node.at("closed_treatment")
    )
    offer_timeout = node.number("offer_timeout_seconds", 20.0)
    acw_timeout = None if acw is None else _number(acw, node.at("acw_timeout_seconds"))
    node.done()
    criteria = _wrap(node.at("criteria"), RoutingCriteria, tuple(steps))
    return _wrap(  # type: ignore[no-any-return]
        path,
        Queue,
        queue_id,
        channel,
        criteria=criteria,
        agent_selection=selection,
        offer_timeout_seconds=offer_timeout,
        acw_timeout_seconds=acw_timeout,
        overflow=overflow,
        closed_treatment=treatment,
    )


def _profile(path: str, raw: object) -> RoutingProfile:
    node = _Node(raw, path)
    channels = {}
    channels_raw = node.require("channels")
    if not isinstance(channels_raw, Mapping):
        raise InvalidInput(node.at("channels"), "must map channels to their settings")
    for name, settings_raw in channels_raw.items():
        channel_path = f"{node.at('channels')}.{name}"
        channel = _enum(Channel, name, channel_path)
        settings = _Node(settings_raw, channel_path)
        concurrency = settings.number("concurrency", 1)
        if concurrency != int(concurrency):
            raise InvalidInput(settings.at("concurrency"), "must be a whole number")
        auto = settings.get("auto_accept", False)
        if not isinstance(auto, bool):
            raise InvalidInput(settings.at("auto_accept"), "must be true or false")
        settings.done()
        channels[channel] = ChannelSettings(int(concurrency), auto)
    queues = []
    for queue_path, entry in node.items("queues"):
        if isinstance(entry, str):
            queues.append(ProfileQueue(entry))
            continue
        pq = _Node(entry, queue_path)
        queue_id = pq.text("queue_id")
        priority = pq.number("priority", 1)
        delay = pq.number("delay_seconds", 0.0)
        pq.done()
        queues.append(ProfileQueue(queue_id, int(priority), delay))
    profile_id = node.text("id")
    blocks = node.get("voice_blocks_other_channels", True)
    node.done()
    return _wrap(path, RoutingProfile, profile_id, channels, tuple(queues), bool(blocks))  # type: ignore[no-any-return]


def _queue_model(path: str, raw: object) -> QueueModel:
    node = _Node(raw, path)
    queue_id = node.text("queue_id")
    handle = distribution(node.require("handle_time"), node.at("handle_time"))
    patience_raw = node.get("patience")
    patience = None if patience_raw is None else distribution(patience_raw, node.at("patience"))
    acw_raw = node.get("acw")
    acw = None if acw_raw is None else distribution(acw_raw, node.at("acw"))
    retrial_probability = 0.0
    retrial_delay = None
    if node.get("retrial") is not None:
        retrial = node.child("retrial")
        retrial_probability = retrial.number("probability")
        retrial_delay = distribution(retrial.require("delay"), retrial.at("delay"))
        retrial.done()
    sl = node.number("service_level_seconds", 20.0)
    short = node.number("short_abandon_seconds", 0.0)
    callback = node.number("callback_acceptance_probability", 0.0)
    node.done()
    return _wrap(  # type: ignore[no-any-return]
        path,
        QueueModel,
        queue_id,
        handle,
        patience,
        acw,
        sl,
        short,
        retrial_probability,
        retrial_delay,
        callback,
    )


def _shift(path: str, raw: object) -> Shift:
    node = _Node(raw, path)
    start = _seconds_of_day(node.require("start"), node.at("start"))
    end = _seconds_of_day(node.require("end"), node.at("end"))
    breaks = []
    for break_path, break_raw in node.items("breaks"):
        brk = _Node(break_raw, break_path)
        brk_start = _seconds_of_day(brk.require("start"), brk.at("start"))
        minutes = brk.number("minutes")
        reason = brk.text("reason", "break")
        brk.done()
        breaks.append(_wrap(break_path, Break, brk_start, minutes * 60, reason))
    node.done()
    return _wrap(path, Shift, start, end, tuple(breaks))  # type: ignore[no-any-return]


def _agent_group(path: str, raw: object) -> AgentGroup:
    node = _Node(raw, path)
    name = node.text("name")
    count = node.number("count")
    if count != int(count):
        raise InvalidInput(node.at("count"), "must be a whole number")
    profile = node.text("profile_id")
    skills = _skills(node.get("skills", {}), node.at("skills"))
    shifts = tuple(_shift(p, s) for p, s in node.items("shifts"))
    answer_raw = node.get("answer_delay")
    answer = None if answer_raw is None else distribution(answer_raw, node.at("answer_delay"))
    miss = node.number("miss_probability", 0.0)
    recovery = node.number("not_ready_after_miss_seconds", 60.0)
    node.done()
    return _wrap(  # type: ignore[no-any-return]
        path, AgentGroup, name, int(count), profile, skills, shifts, answer, miss, recovery
    )


@dataclass(frozen=True, slots=True)
class _Clock:
    """What arrivals need to know of the run: its start (for forecasts), intervals and horizon."""

    start: dt.datetime | None
    interval_seconds: float
    horizon_seconds: float


def _start(raw: object) -> dt.datetime | None:
    if raw is None or isinstance(raw, dt.datetime):
        return raw
    if isinstance(raw, str):
        try:
            return dt.datetime.fromisoformat(raw)
        except ValueError:
            pass
    raise InvalidInput("start", "must be a date and time like 2026-01-05T08:00")


def _forecast(
    path: str, node: _Node, clock: _Clock, load_forecast: LoadForecast | None
) -> Arrivals:
    queue_id = node.text("queue_id")
    key = "forecast" if node.get("forecast") is not None else "forecast_id"
    source: str | int
    if key == "forecast":
        source = node.text("forecast")
    else:
        number = node.get("forecast_id")
        if isinstance(number, bool) or not isinstance(number, int) or number < 1:
            raise InvalidInput(node.at(key), "must be a whole number >= 1")
        source = number
    node.done()
    if load_forecast is None:
        raise InvalidInput(node.at(key), "forecasts cannot be read here")
    series = _wrap(node.at(key), load_forecast, source)
    start = series.start if clock.start is None else clock.start
    if (start.tzinfo is None) != (series.start.tzinfo is None):
        raise InvalidInput(
            "start", "give a UTC offset exactly when the forecast's timestamps have one"
        )
    return _wrap(  # type: ignore[no-any-return]
        path,
        forecast_arrivals,
        queue_id,
        series,
        start,
        clock.interval_seconds,
        clock.horizon_seconds,
    )


def _arrivals(
    path: str,
    raw: object,
    clock: _Clock,
    load_log: LoadLog | None,
    load_forecast: LoadForecast | None,
) -> Arrivals:
    interval_seconds = clock.interval_seconds
    node = _Node(raw, path)
    if node.get("forecast") is not None or node.get("forecast_id") is not None:
        return _forecast(path, node, clock, load_forecast)
    if node.get("replay") is not None:
        source = node.text("replay")
        log_format = node.text("format", "csv")
        options = {k: v for k, v in node.value.items() if k not in ("replay", "format")}
        if load_log is None:
            raise InvalidInput(node.at("replay"), "call logs cannot be read here")
        return _wrap(  # type: ignore[no-any-return]
            path, lambda: ReplayedArrivals(load_log(source, log_format, options))
        )
    queue_id = node.text("queue_id")
    per_interval = node.get("calls_per_interval")
    per_second = node.get("rates_per_second")
    if (per_interval is None) == (per_second is None):
        raise InvalidInput(
            path, "give exactly one of calls_per_interval, rates_per_second, forecast, forecast_id"
        )
    key = "calls_per_interval" if per_interval is not None else "rates_per_second"
    values = [_number(v, p) for p, v in node.items(key)]
    if per_interval is not None:
        values = [v / interval_seconds for v in values]
    node.done()
    return _wrap(path, PoissonArrivals, queue_id, tuple(values))  # type: ignore[no-any-return]


def scenario_from_dict(
    data: object, load_log: LoadLog | None = None, load_forecast: LoadForecast | None = None
) -> Scenario:
    """Validate a parsed scenario document and build the scenario (raises InvalidInput naming the
    field). ``load_log(path, format, options)`` reads the call logs that ``arrivals[i].replay`` names
    (options: the entry's other keys, such as ``first_day``); ``load_forecast(path or id)`` the
    forecasts that ``arrivals[i].forecast``/``forecast_id`` name (read from the scenario's ``start``,
    default the forecast's first interval)."""
    root = _Node(data, "")
    routing_node = root.child("routing")
    queues = tuple(_queue(p, q) for p, q in routing_node.items("queues"))
    profiles = tuple(_profile(p, r) for p, r in routing_node.items("profiles"))
    routing_node.done()
    routing = _wrap("routing", RoutingConfig, queues, profiles)
    interval = root.number("interval_seconds", 1800.0, minimum=1.0)
    models = tuple(_queue_model(p, q) for p, q in root.items("queues"))
    agents = tuple(_agent_group(p, a) for p, a in root.items("agents"))
    horizon = root.number("horizon_seconds")
    clock = _Clock(_start(root.get("start")), interval, horizon)
    arrivals = tuple(
        _arrivals(p, a, clock, load_log, load_forecast) for p, a in root.items("arrivals")
    )
    warmup = root.number("warmup_seconds", 0.0)
    drain = root.number("drain_seconds", 4 * 3600.0)
    root.done()
    return _wrap(  # type: ignore[no-any-return]
        "", Scenario, routing, models, agents, arrivals, horizon, interval, warmup, drain
    )
