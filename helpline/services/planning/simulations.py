"""What-if runs against the live configuration: the organization's queues, agents, skills and routing
profiles as stored, with changed staffing, handle times, patience and arrivals.

The scenario is built here from the database and handed to the pure simulator (``helpline.sim``), which
runs the real routing engine on a virtual clock and reports through ``helpline.analytics``. A run stores
nothing. It is bounded (replications, horizon, agents and expected contacts) so a request stays a few
seconds of CPU; every bad input is an InvalidInput naming its field.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
from sqlalchemy.orm import Session

from helpline.errors import InvalidInput, NotFound
from helpline.routing import ALWAYS_OPEN, AgentSpec, OpenIntervals, Queue, RoutingConfig
from helpline.services.access import access_forecast, any_member, owned, requires
from helpline.services.acd.engine_config import epoch, load_config, routed_agents
from helpline.services.actor import Actor
from helpline.services.planning.plans import PLANNING_ROLES
from helpline.sim import (
    METRICS,
    AgentGroup,
    Exponential,
    Fixed,
    PoissonArrivals,
    QueueModel,
    Scenario,
    Shift,
    SimulationSummary,
    VolumeSeries,
    calls_per_interval,
    simulate,
)
from helpline.storage import tables

MAX_REPLICATIONS = 20
MAX_HORIZON_MINUTES = 7 * 24 * 60
MAX_AGENTS = 2_000
MAX_CONTACTS = 300_000
"""Expected arrivals times replications: about ten seconds of simulation on one core."""
INTERVAL_MINUTES = (15, 30, 60)
UNUSED_HANDLE_SECONDS = 300.0
"""Handle time of a queue that gets no arrivals in the run (never drawn from)."""


@dataclass(frozen=True, slots=True)
class QueueChange:
    """The customer model of one live queue in the run (every field optional).

    Arrivals: ``calls_per_interval`` (the last value holds to the horizon), else the stored forecast
    ``forecast_id``, else the queue's published forecast, else none. Handle time: exponential with mean
    ``aht_seconds``, default the forecast's mean AHT over the run. ``patience_seconds``: exponential
    patience (None: callers never abandon). ``acw_seconds``: fixed after-contact work (None: the
    queue's ACW timeout).
    """

    queue_id: int
    calls_per_interval: tuple[float, ...] | None = None
    forecast_id: int | None = None
    aht_seconds: float | None = None
    patience_seconds: float | None = None
    acw_seconds: float | None = None


@dataclass(frozen=True, slots=True)
class AddedAgents:
    """``count`` extra agents with the routing profile and skills of live agent ``like_agent_id``."""

    like_agent_id: int
    count: int


@dataclass(frozen=True, slots=True)
class SimulationRequest:
    """A what-if run from ``start`` for ``horizon_minutes``, reported per ``interval_minutes``.

    Staffing: the live routed agents minus ``remove_agent_ids`` plus ``add_agents``, all logged in
    for the whole run, or, with ``agents_per_interval``, the first n of them (live agents in id order,
    then the added ones) in each interval (the last value holds to the horizon).
    """

    start: datetime
    horizon_minutes: int = 480
    interval_minutes: int = 30
    replications: int = 5
    seed: int = 1
    confidence: float = 0.95
    queues: tuple[QueueChange, ...] = ()
    remove_agent_ids: tuple[int, ...] = ()
    add_agents: tuple[AddedAgents, ...] = ()
    agents_per_interval: tuple[int, ...] | None = None
    patience_seconds: float | None = None
    """Default patience of every queue without its own ``patience_seconds``."""


def _check(request: SimulationRequest) -> None:
    if request.start.tzinfo is None:
        raise InvalidInput("start", "must have a UTC offset or Z")
    if request.interval_minutes not in INTERVAL_MINUTES:
        raise InvalidInput("interval_minutes", "must be 15, 30 or 60")
    if not request.interval_minutes <= request.horizon_minutes <= MAX_HORIZON_MINUTES:
        raise InvalidInput(
            "horizon_minutes", f"must be from interval_minutes to {MAX_HORIZON_MINUTES} (7 days)"
        )
    if not 1 <= request.replications <= MAX_REPLICATIONS:
        raise InvalidInput("replications", f"must be from 1 to {MAX_REPLICATIONS}")
    if not 0.5 <= request.confidence < 1:
        raise InvalidInput("confidence", "must be at least 0.5 and below 1")
    for name, value in (("patience_seconds", request.patience_seconds),):
        if value is not None and not 0 < value < math.inf:
            raise InvalidInput(name, "must be a number > 0")
    seen = set()
    for i, change in enumerate(request.queues):
        if change.queue_id in seen:
            raise InvalidInput(f"queues.{i}.queue_id", "is given twice")
        seen.add(change.queue_id)
        if change.calls_per_interval is not None and change.forecast_id is not None:
            raise InvalidInput(f"queues.{i}", "give calls_per_interval or forecast_id, not both")
        if change.calls_per_interval is not None and (
            not change.calls_per_interval
            or any(not 0 <= c < math.inf for c in change.calls_per_interval)
        ):
            raise InvalidInput(f"queues.{i}.calls_per_interval", "numbers >= 0, at least one")
        for name in ("aht_seconds", "patience_seconds"):
            value = getattr(change, name)
            if value is not None and not 0 < value < math.inf:
                raise InvalidInput(f"queues.{i}.{name}", "must be a number > 0")
        if change.acw_seconds is not None and not 0 <= change.acw_seconds < math.inf:
            raise InvalidInput(f"queues.{i}.acw_seconds", "must be a number >= 0")
    for i, added in enumerate(request.add_agents):
        if not 1 <= added.count <= MAX_AGENTS:
            raise InvalidInput(f"add_agents.{i}.count", f"must be from 1 to {MAX_AGENTS}")
    if request.agents_per_interval is not None and (
        not request.agents_per_interval or any(n < 0 for n in request.agents_per_interval)
    ):
        raise InvalidInput("agents_per_interval", "whole numbers >= 0, at least one")


@any_member
def forecast_volumes(session: Session, actor: Actor, forecast_id: int) -> VolumeSeries:
    """A stored forecast's volumes (UTC interval starts) as the simulator reads them."""
    return _series(access_forecast(session, actor, forecast_id))


def _series(forecast: tables.Forecast) -> VolumeSeries:
    volumes = forecast.series.get("volume") or []
    return VolumeSeries(
        forecast.starts_at.replace(tzinfo=UTC)
        if forecast.starts_at.tzinfo is None
        else forecast.starts_at,
        forecast.interval_minutes * 60.0,
        tuple(math.nan if v is None else float(v) for v in volumes),
    )


def _mean_aht(forecast: tables.Forecast, start: datetime, horizon_seconds: float) -> float | None:
    """Volume-weighted mean of the forecast's AHT over the run, None when it has none."""
    series = _series(forecast)
    aht = forecast.series.get("aht_seconds")
    if not aht:
        return None
    n = max(1, math.ceil(horizon_seconds / series.interval_seconds))
    weights = calls_per_interval(series, start, series.interval_seconds, n)
    offset = round((start - series.start).total_seconds() / series.interval_seconds)
    values = np.array(
        [
            aht[k] if 0 <= k < len(aht) and aht[k] is not None else np.nan
            for k in range(offset, offset + n)
        ],
        dtype=np.float64,
    )
    known = ~np.isnan(values) & (weights > 0)
    if not known.any():
        return None
    return float(np.average(values[known], weights=weights[known]))


def _published_forecasts(session: Session, actor: Actor) -> dict[int, tables.Forecast]:
    rows = session.scalars(
        owned(actor, tables.Forecast).where(
            tables.Forecast.status == "published",
        )
    )
    return {row.queue_id: row for row in rows if row.queue_id is not None}


def _shifted(queue: Queue, origin: float) -> Queue:
    """The queue with its opening hours on the simulation clock (0 at ``origin``, engine seconds)."""
    if queue.hours is ALWAYS_OPEN or not isinstance(queue.hours, OpenIntervals):
        return queue
    spans = tuple((a - origin, b - origin) for a, b in queue.hours.intervals)
    return replace(queue, hours=OpenIntervals(spans))


def _queue_models(
    session: Session,
    actor: Actor,
    request: SimulationRequest,
    live: dict[int, tables.Queue],
    interval_seconds: float,
    horizon_seconds: float,
) -> tuple[list[QueueModel], list[PoissonArrivals]]:
    changes: dict[int, tuple[int | None, QueueChange]] = {
        c.queue_id: (i, c) for i, c in enumerate(request.queues)
    }
    for queue_id, (i, _change) in changes.items():
        if queue_id not in live:
            raise InvalidInput(f"queues.{i}.queue_id", f"no queue {queue_id}")
    published = _published_forecasts(session, actor)
    n_intervals = math.ceil(horizon_seconds / interval_seconds)
    models, arrivals = [], []
    for queue_id, row in live.items():
        i, change = changes.get(queue_id, (None, QueueChange(queue_id)))
        where = f"queues.{i}" if i is not None else "queues"
        forecast = published.get(queue_id)
        if change.forecast_id is not None:
            try:
                forecast = access_forecast(session, actor, change.forecast_id)
            except NotFound:
                raise InvalidInput(f"{where}.forecast_id", "no such forecast") from None
            if forecast.queue_id not in (None, queue_id):
                raise InvalidInput(f"{where}.forecast_id", "is a forecast of another queue")
        if change.calls_per_interval is not None:
            counts = np.array(change.calls_per_interval, dtype=np.float64)
        elif forecast is not None:
            counts = calls_per_interval(
                _series(forecast), request.start, interval_seconds, n_intervals
            )
        else:
            counts = np.zeros(1)
        aht = change.aht_seconds
        if aht is None and forecast is not None and change.calls_per_interval is None:
            aht = _mean_aht(forecast, request.start, horizon_seconds)
        if aht is None and counts.sum() > 0:
            raise InvalidInput(f"{where}.aht_seconds", f"is required for queue {queue_id}")
        patience = change.patience_seconds or request.patience_seconds
        models.append(
            QueueModel(
                str(queue_id),
                Exponential(aht or UNUSED_HANDLE_SECONDS),
                patience=None if patience is None else Exponential(patience),
                acw=None if change.acw_seconds is None else Fixed(change.acw_seconds),
                service_level_seconds=float(row.service_level_seconds),
                short_abandon_seconds=float(row.short_abandon_seconds),
            )
        )
        arrivals.append(PoissonArrivals(str(queue_id), tuple((counts / interval_seconds).tolist())))
    return models, arrivals


def _staff(
    request: SimulationRequest, agents: list[AgentSpec], interval_seconds: float, horizon: float
) -> tuple[AgentGroup, ...]:
    by_id = {int(a.agent_id): a for a in agents}
    for i, agent_id in enumerate(request.remove_agent_ids):
        if agent_id not in by_id:
            raise InvalidInput(f"remove_agent_ids.{i}", f"no routed agent {agent_id}")
    kept = [a for a in agents if int(a.agent_id) not in set(request.remove_agent_ids)]
    staff = [(a.agent_id, a) for a in kept]
    for i, added in enumerate(request.add_agents):
        like = by_id.get(added.like_agent_id)
        if like is None:
            raise InvalidInput(
                f"add_agents.{i}.like_agent_id", f"no routed agent {added.like_agent_id}"
            )
        staff += [(f"added-{i}-{k + 1}", like) for k in range(added.count)]
    if len(staff) > MAX_AGENTS:
        raise InvalidInput("add_agents", f"at most {MAX_AGENTS} agents in a run")
    if request.agents_per_interval is None:
        return tuple(
            AgentGroup(name, 1, spec.profile_id, dict(spec.skills)) for name, spec in staff
        )
    if max(request.agents_per_interval) > len(staff):
        raise InvalidInput(
            "agents_per_interval", f"{len(staff)} agents in the run (live - removed + added)"
        )
    shifts = _shifts(request.agents_per_interval, len(staff), interval_seconds, horizon)
    return tuple(
        AgentGroup(name, 1, spec.profile_id, dict(spec.skills), shifts=agent_shifts)
        for (name, spec), agent_shifts in zip(staff, shifts, strict=True)
        if agent_shifts  # never staffed: left out (no shifts would mean the whole run)
    )


def _shifts(
    per_interval: tuple[int, ...], n_agents: int, interval_seconds: float, horizon: float
) -> list[tuple[Shift, ...]]:
    """Agent k works the intervals staffing more than k agents, consecutive ones merged."""
    n = math.ceil(horizon / interval_seconds)
    counts = [per_interval[min(i, len(per_interval) - 1)] for i in range(n)]
    out: list[tuple[Shift, ...]] = []
    for k in range(n_agents):
        spans: list[Shift] = []
        for i, count in enumerate(counts):
            if count <= k:
                continue
            start, end = i * interval_seconds, min((i + 1) * interval_seconds, horizon)
            if spans and spans[-1].end_seconds == start:
                spans[-1] = Shift(spans[-1].start_seconds, end)
            else:
                spans.append(Shift(start, end))
        out.append(tuple(spans))
    return out


@requires(*PLANNING_ROLES)
def build_scenario(session: Session, actor: Actor, request: SimulationRequest) -> Scenario:
    """The live configuration of the actor's organization with the request's changes, as a scenario
    whose time 0 is ``request.start``."""
    _check(request)
    interval_seconds = request.interval_minutes * 60.0
    horizon = request.horizon_minutes * 60.0
    origin = epoch(request.start)
    config = load_config(session, actor.organization_id, request.start)
    routing = RoutingConfig(tuple(_shifted(q, origin) for q in config.queues), config.profiles)
    live = {
        row.id: row for row in session.scalars(owned(actor, tables.Queue).order_by(tables.Queue.id))
    }
    models, arrivals = _queue_models(session, actor, request, live, interval_seconds, horizon)
    agents = _staff(
        request, routed_agents(session, actor.organization_id), interval_seconds, horizon
    )
    n_intervals = math.ceil(horizon / interval_seconds)
    expected = interval_seconds * sum(
        a.rates_per_second[min(i, len(a.rates_per_second) - 1)]
        for a in arrivals
        for i in range(n_intervals)
    )
    if expected * request.replications > MAX_CONTACTS:
        raise InvalidInput(
            "replications",
            f"about {expected:.0f} contacts per replication: at most {MAX_CONTACTS} in all",
        )
    return Scenario(
        routing,
        tuple(models),
        agents,
        tuple(arrivals),
        horizon_seconds=horizon,
        interval_seconds=interval_seconds,
        drain_seconds=3600.0,
    )


def _estimate(summary: SimulationSummary, metric: str, row: int, column: int) -> dict[str, Any]:
    estimate = summary.estimates[metric]

    def value(array: Any) -> float | None:
        number = float(array[row, column])
        return None if math.isnan(number) else number

    return {"mean": value(estimate.mean), "low": value(estimate.low), "high": value(estimate.high)}


def run_simulation(scenario: Scenario, request: SimulationRequest) -> dict[str, Any]:
    """Simulate a scenario of :func:`build_scenario` (no database: call it outside the transaction)
    and return per interval and queue each metric's mean and confidence interval, and the same for
    the whole run per queue (``totals``)."""
    summary = simulate(scenario, request.replications, request.seed, confidence=request.confidence)
    rows = []
    for r, offset in enumerate(summary.interval_starts_seconds.tolist()):
        at = (request.start + timedelta(seconds=offset)).astimezone(UTC)
        for c, queue_id in enumerate(summary.queue_ids):
            rows.append(
                {
                    "interval_start": at,
                    "queue_id": int(queue_id),
                    "metrics": {m: _estimate(summary, m, r, c) for m in METRICS},
                }
            )
    last = len(summary.interval_starts_seconds)
    totals = [
        {"queue_id": int(q), "metrics": {m: _estimate(summary, m, last, c) for m in METRICS}}
        for c, q in enumerate(summary.queue_ids)
    ]
    return {
        "start": request.start.astimezone(UTC),
        "interval_minutes": request.interval_minutes,
        "horizon_minutes": request.horizon_minutes,
        "replications": request.replications,
        "confidence": request.confidence,
        "seed": request.seed,
        "agents": sum(g.count for g in scenario.agents),
        "contacts_simulated": summary.contacts_simulated,
        "intervals": rows,
        "totals": totals,
    }
