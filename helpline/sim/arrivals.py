"""Arrival streams: Poisson with a rate per interval, or a replayed call log, drawn all at once.

The simulator merges one sorted array of arrival times with its event heap, so arrivals cost no heap
operation; everything here is vectorised NumPy.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

import numpy as np
import numpy.typing as npt

from helpline.sim.scenario import PoissonArrivals, ReplayedArrivals, Scenario

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True, slots=True)
class ArrivalPlan:
    """Every scheduled arrival of a run, sorted by time (retrials are added later by the simulation).

    ``handle_seconds`` and ``patience_seconds`` are NaN where the log does not know them.
    """

    times_seconds: FloatArray
    queue_indexes: IntArray
    handle_seconds: FloatArray
    patience_seconds: FloatArray
    customer_ids: tuple[str | None, ...]
    priorities: IntArray


@dataclass(frozen=True, slots=True)
class VolumeSeries:
    """Expected contacts per interval from ``start`` (a forecast: ``helpline forecast``'s CSV or a
    stored one), intervals of ``interval_seconds``; NaN volumes count as 0."""

    start: datetime
    interval_seconds: float
    volumes: tuple[float, ...]


def calls_per_interval(
    series: VolumeSeries, start: datetime, interval_seconds: float, n_intervals: int
) -> FloatArray:
    """Expected calls of ``series`` in each of ``n_intervals`` intervals of ``interval_seconds`` from
    ``start``: a series interval's volume is spread evenly over it, so any two grids (30-min forecast,
    15-min simulation, shifted starts) convert exactly; zero outside the series."""
    volumes = np.nan_to_num(np.array(series.volumes, dtype=np.float64), nan=0.0)
    series_edges = np.arange(len(volumes) + 1) * series.interval_seconds
    cumulative = np.concatenate([[0.0], np.cumsum(np.maximum(volumes, 0.0))])
    offset = (start - series.start).total_seconds()
    edges = offset + np.arange(n_intervals + 1) * interval_seconds
    counts: FloatArray = np.diff(np.interp(edges, series_edges, cumulative))
    return counts


def forecast_arrivals(
    queue_id: str, series: VolumeSeries, start: datetime, interval_seconds: float, horizon: float
) -> PoissonArrivals:
    """Poisson arrivals to ``queue_id`` at the rates of a forecast, for a run starting at ``start``."""
    n_intervals = max(1, math.ceil(horizon / interval_seconds))
    counts = calls_per_interval(series, start, interval_seconds, n_intervals)
    return PoissonArrivals(queue_id, tuple((counts / interval_seconds).tolist()))


def poisson_times(
    rates_per_second: tuple[float, ...],
    interval_seconds: float,
    horizon_seconds: float,
    rng: np.random.Generator,
) -> FloatArray:
    """Arrival times of a Poisson process with a piecewise-constant rate, sorted, in [0, horizon).

    Given the count in an interval, Poisson arrival times are independent uniforms over it.
    """
    chunks = []
    start = 0.0
    i = 0
    while start < horizon_seconds:
        end = min(start + interval_seconds, horizon_seconds)
        rate = rates_per_second[min(i, len(rates_per_second) - 1)]
        count = int(rng.poisson(rate * (end - start)))
        chunks.append(np.sort(rng.uniform(start, end, count)))
        start = end
        i += 1
    return np.concatenate(chunks) if chunks else np.empty(0)


def plan_arrivals(scenario: Scenario, rng: np.random.Generator) -> ArrivalPlan:
    """Draw or collect every arrival of the scenario before the horizon and sort them by time."""
    queue_index = {m.queue_id: i for i, m in enumerate(scenario.queues)}
    times: list[FloatArray] = []
    queues: list[IntArray] = []
    handles: list[FloatArray] = []
    patiences: list[FloatArray] = []
    customers: list[str | None] = []
    priorities: list[IntArray] = []
    for arrivals in scenario.arrivals:
        if isinstance(arrivals, PoissonArrivals):
            t = poisson_times(
                arrivals.rates_per_second,
                scenario.interval_seconds,
                scenario.horizon_seconds,
                rng,
            )
            times.append(t)
            queues.append(np.full(len(t), queue_index[arrivals.queue_id], dtype=np.int64))
            handles.append(np.full(len(t), np.nan))
            patiences.append(np.full(len(t), np.nan))
            customers.extend([None] * len(t))
            priorities.append(np.full(len(t), 5, dtype=np.int64))
        elif isinstance(arrivals, ReplayedArrivals):
            kept = [
                c for c in arrivals.contacts if 0 <= c.arrival_seconds < scenario.horizon_seconds
            ]
            times.append(np.array([c.arrival_seconds for c in kept], dtype=np.float64))
            queues.append(np.array([queue_index[c.queue_id] for c in kept], dtype=np.int64))
            handles.append(
                np.array(
                    [np.nan if c.handle_seconds is None else c.handle_seconds for c in kept],
                    dtype=np.float64,
                )
            )
            patiences.append(
                np.array(
                    [np.nan if c.patience_seconds is None else c.patience_seconds for c in kept],
                    dtype=np.float64,
                )
            )
            customers.extend(c.customer_id for c in kept)
            priorities.append(np.array([c.priority for c in kept], dtype=np.int64))
    if not times:
        empty = np.empty(0)
        none = np.empty(0, dtype=np.int64)
        return ArrivalPlan(empty, none, empty, empty, (), none)
    all_times = np.concatenate(times)
    order = np.argsort(all_times, kind="stable")
    return ArrivalPlan(
        all_times[order],
        np.concatenate(queues)[order],
        np.concatenate(handles)[order],
        np.concatenate(patiences)[order],
        _reordered(customers, order),
        np.concatenate(priorities)[order],
    )


def _reordered(customers: list[str | None], order: IntArray) -> tuple[str | None, ...]:
    """``customers`` in ``order``; without a Python-level step per contact when none is known."""
    if customers.count(None) == len(customers):
        return (None,) * len(customers)
    return tuple([customers[i] for i in order.tolist()])
