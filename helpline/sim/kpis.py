"""Interval KPIs of one simulated run, per queue: offered, answered, abandoned, SL, ASA, AHT, occupancy.

Interim definitions, to be replaced by ``helpline.analytics`` once its metric definitions land (issue 7
asks the simulator to report through them so a simulated SL means what the dashboard's does). They follow
ARCHITECTURE.md's vocabulary:

* offered: contacts that arrived for the queue (retrials included) and were not turned away as closed;
* answered: connected to an agent; abandoned: left while waiting, after more than the queue's
  ``short_abandon_seconds``; short_abandoned: left within it;
* service_level: answered within ``service_level_seconds`` / (offered - short_abandoned);
* asa_seconds: mean wait of answered contacts; aht_seconds: mean handle time (talk + after-contact work)
  of answered contacts that closed;
* p_wait: share of offered contacts not connected on arrival; p_abandon: (abandoned +
  short_abandoned) / offered, as Erlang A counts every abandonment;
* occupancy: busy / (busy + available) time of the agent groups whose routing profile serves the queue.

Contacts count in the interval of their arrival; the row after the last interval is the whole run
(from ``warmup_seconds`` to the horizon).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from helpline.sim.simulation import RunResult

FloatArray = npt.NDArray[np.float64]

COUNT_METRICS = ("offered", "answered", "abandoned", "short_abandoned")
RATIO_METRICS = ("service_level", "asa_seconds", "aht_seconds", "p_wait", "p_abandon", "occupancy")
METRICS = COUNT_METRICS + RATIO_METRICS


@dataclass(frozen=True, slots=True)
class RunKpis:
    """KPIs of one run: ``values[metric]`` has shape (n_intervals + 1, n_queues); the last row is the
    whole run. NaN where a ratio has no denominator (no answered contact, no staffed agent)."""

    interval_starts_seconds: FloatArray
    queue_ids: tuple[str, ...]
    values: dict[str, FloatArray]


def _ratio(numerator: FloatArray, denominator: FloatArray) -> FloatArray:
    out = np.full(numerator.shape, np.nan)
    np.divide(numerator, denominator, out=out, where=denominator > 0)
    return out


def run_kpis(run: RunResult) -> RunKpis:
    """Aggregate a run's contact columns into interval x queue KPIs (vectorised)."""
    scenario = run.scenario
    n_intervals = scenario.n_intervals
    n_queues = len(scenario.queues)
    width = scenario.interval_seconds
    arrival = run.arrival_seconds
    kept = (
        (arrival >= scenario.warmup_seconds)
        & (arrival < scenario.horizon_seconds)
        & ~run.is_closed_unserved
    )
    interval = np.minimum((arrival // width).astype(np.int64), n_intervals - 1)
    queue = run.queue_indexes
    wait_answered = run.answered_seconds - arrival
    wait_abandoned = run.abandoned_seconds - arrival
    short = np.array([m.short_abandon_seconds for m in scenario.queues])[queue]
    target = np.array([m.service_level_seconds for m in scenario.queues])[queue]
    answered = ~np.isnan(run.answered_seconds)
    abandoned_any = ~np.isnan(run.abandoned_seconds)
    is_short = abandoned_any & (wait_abandoned <= short)
    handle = run.closed_seconds - run.answered_seconds
    closed = answered & ~np.isnan(run.closed_seconds)

    def total(weights: npt.NDArray[np.float64] | npt.NDArray[np.bool_]) -> FloatArray:
        table = np.zeros((n_intervals + 1, n_queues))
        w = np.asarray(weights, dtype=np.float64)[kept]
        np.add.at(table, (interval[kept], queue[kept]), w)
        table[n_intervals] = table[:n_intervals].sum(axis=0)
        return table

    ones = np.ones(len(arrival))
    offered = total(ones)
    n_answered = total(answered)
    n_short = total(is_short)
    n_abandoned = total(abandoned_any & ~is_short)
    within = total(answered & (wait_answered <= target))
    waits = total(np.where(answered, wait_answered, 0.0))
    n_closed = total(closed)
    handles = total(np.where(closed, handle, 0.0))
    delayed = total(~(answered & (wait_answered <= 0.0)))

    serves = np.zeros((len(scenario.agents), n_queues))
    profiles = {p.profile_id: p for p in scenario.routing.profiles}
    queue_index = {m.queue_id: q for q, m in enumerate(scenario.queues)}
    for g, group in enumerate(scenario.agents):
        for pq in profiles[group.profile_id].queues:
            serves[g, queue_index[pq.queue_id]] = 1.0
    first = int(scenario.warmup_seconds // width)
    busy = np.vstack([run.busy_seconds, run.busy_seconds[first:].sum(axis=0)]) @ serves
    idle = np.vstack([run.idle_seconds, run.idle_seconds[first:].sum(axis=0)]) @ serves

    values = {
        "offered": offered,
        "answered": n_answered,
        "abandoned": n_abandoned,
        "short_abandoned": n_short,
        "service_level": _ratio(within, offered - n_short),
        "asa_seconds": _ratio(waits, n_answered),
        "aht_seconds": _ratio(handles, n_closed),
        "p_wait": _ratio(delayed, offered),
        "p_abandon": _ratio(n_abandoned + n_short, offered),
        "occupancy": _ratio(busy, busy + idle),
    }
    starts = np.arange(n_intervals, dtype=np.float64) * width
    return RunKpis(starts, tuple(m.queue_id for m in scenario.queues), values)
