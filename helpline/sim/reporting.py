"""A run's KPIs per interval and queue, by the definitions of :mod:`helpline.analytics`.

The simulator defines no metric of its own: each simulated contact is read into an analytics
:class:`~helpline.analytics.ContactFact` and counted by :func:`~helpline.analytics.tally_arrival` and
:func:`~helpline.analytics.tally_handling` into the :class:`~helpline.analytics.Tally` of its interval
and queue; agent time goes into the same tallies; every ratio is
:meth:`~helpline.analytics.Metrics.from_tally`. A simulated service level therefore means exactly what the
dashboard's does (``docs/metrics.md``), attribution rule included: counts and waits in the interval of
arrival, handle time in the interval where handling ended.

What the simulation adds to the dashboard's reading:

* intervals are ``scenario.interval_seconds`` long from the simulation's time 0 (any length), and the
  window is ``[warmup_seconds, horizon_seconds)``;
* occupancy per queue: the agent time of the agent groups whose routing profile serves the queue (the
  dashboard has no per-queue occupancy because a live agent's time is not attributable to one queue);
* ``p_wait``, Erlang's probability of delay, which the dashboard does not show: one minus the service
  level ``of_offered`` at a threshold of 0 s (contacts answered without waiting / offered).

The row after the last interval is the whole window.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

import numpy as np
import numpy.typing as npt

from helpline.analytics import ContactFact, Metrics, QueueSettings, Tally
from helpline.analytics import tally_arrival as count_arrival
from helpline.analytics import tally_handling as count_handling
from helpline.sim.simulation import RunResult

FloatArray = npt.NDArray[np.float64]

COUNT_METRICS = ("offered", "answered", "abandoned", "short_abandoned", "handled")
RATIO_METRICS = (
    "service_level",
    "asa_seconds",
    "aht_seconds",
    "abandonment_rate",
    "occupancy",
    "p_wait",
)
METRICS = COUNT_METRICS + RATIO_METRICS
"""The metrics of a run, each an attribute of :class:`~helpline.analytics.Metrics` but ``p_wait``."""

EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
"""The instant of simulation time 0 in the facts handed to analytics (only differences matter)."""


@dataclass(frozen=True, slots=True)
class RunKpis:
    """KPIs of one run: ``values[metric]`` has shape (n_intervals + 1, n_queues), the last row the
    whole window; NaN where analytics leaves a ratio undefined (no denominator). ``tallies[row][queue]``
    are the additive tallies they come from."""

    interval_starts_seconds: FloatArray
    queue_ids: tuple[str, ...]
    tallies: tuple[tuple[Tally, ...], ...]
    values: dict[str, FloatArray]


def _nan_if_none(value: float | None) -> float:
    return math.nan if value is None else float(value)


def _serving_matrix(run: RunResult) -> FloatArray:
    """1 where agent group g's routing profile serves queue q; shape (n_groups, n_queues)."""
    scenario = run.scenario
    profiles = {p.profile_id: p for p in scenario.routing.profiles}
    queue_index = {m.queue_id: q for q, m in enumerate(scenario.queues)}
    serves = np.zeros((len(scenario.agents), len(scenario.queues)))
    for g, group in enumerate(scenario.agents):
        for pq in profiles[group.profile_id].queues:
            serves[g, queue_index[pq.queue_id]] = 1.0
    return serves


def run_kpis(run: RunResult) -> RunKpis:
    """Count every contact and agent span of ``run`` through analytics into interval x queue KPIs."""
    scenario = run.scenario
    n_intervals, n_queues = scenario.n_intervals, len(scenario.queues)
    width = scenario.interval_seconds
    start, end = scenario.warmup_seconds, scenario.horizon_seconds
    settings = [
        QueueSettings("", m.service_level_seconds, m.short_abandon_seconds) for m in scenario.queues
    ]
    at_once = [replace(s, service_level_seconds=0.0) for s in settings]
    grid = [[Tally() for _ in range(n_queues)] for _ in range(n_intervals)]
    delays = [[Tally() for _ in range(n_queues)] for _ in range(n_intervals)]
    last = n_intervals - 1
    columns = zip(
        run.arrival_seconds.tolist(),
        run.queue_indexes.tolist(),
        run.answered_seconds.tolist(),
        run.abandoned_seconds.tolist(),
        run.service_end_seconds.tolist(),
        run.closed_seconds.tolist(),
        run.is_closed_unserved.tolist(),
        run.is_callback.tolist(),
        strict=True,
    )
    for number, (
        arrival,
        q,
        answered,
        abandoned,
        service_end,
        closed,
        unserved,
        callback,
    ) in enumerate(columns):
        is_answered = answered == answered  # not NaN
        ended = is_answered and closed == closed
        fact = ContactFact(
            contact_id=number,
            arrived_at=EPOCH + timedelta(seconds=arrival),
            queue_id=q,
            is_queued=not unserved,
            wait_seconds=(
                answered - arrival
                if is_answered
                else abandoned - arrival
                if abandoned == abandoned
                else None
            ),
            is_answered=is_answered,
            is_abandoned=not is_answered and abandoned == abandoned,
            is_callback_requested=callback,
            talk_seconds=service_end - answered if ended else 0.0,
            acw_seconds=closed - service_end if ended else 0.0,
        )
        if start <= arrival < end:
            row = min(int(arrival // width), last)
            count_arrival(grid[row][q], fact, settings[q])
            count_arrival(delays[row][q], fact, at_once[q])
        if ended and start <= closed < end:
            count_handling(grid[min(int(closed // width), last)][q], fact)
    _add_agent_time(run, grid)
    first = min(int(start // width), last)
    whole = [Tally() for _ in range(n_queues)]
    whole_delays = [Tally() for _ in range(n_queues)]
    for row in range(first, n_intervals):
        for q in range(n_queues):
            whole[q].add(grid[row][q])
            whole_delays[q].add(delays[row][q])
    tallies = (*(tuple(row) for row in grid), tuple(whole))
    delay_rows = [*delays, whole_delays]
    values = {metric: np.full((n_intervals + 1, n_queues), np.nan) for metric in METRICS}
    for row, tallies_row in enumerate(tallies):
        for q, t in enumerate(tallies_row):
            metrics = Metrics.from_tally(t)
            for metric in METRICS[:-1]:
                values[metric][row, q] = _nan_if_none(getattr(metrics, metric))
            at_once_level = Metrics.from_tally(delay_rows[row][q]).service_level_of_offered
            values["p_wait"][row, q] = 1.0 - _nan_if_none(at_once_level)
    starts = np.arange(n_intervals, dtype=np.float64) * width
    return RunKpis(starts, tuple(m.queue_id for m in scenario.queues), tallies, values)


def _add_agent_time(run: RunResult, grid: list[list[Tally]]) -> None:
    """Agent time per interval into the tallies of every queue the agents' groups serve."""
    serves = _serving_matrix(run)
    busy = run.busy_seconds @ serves
    reserved = run.reserved_seconds @ serves
    idle = run.idle_seconds @ serves
    for row, tallies in enumerate(grid):
        for q, t in enumerate(tallies):
            t.busy_seconds += float(busy[row, q])
            t.reserved_seconds += float(reserved[row, q])
            t.available_seconds += float(idle[row, q])
