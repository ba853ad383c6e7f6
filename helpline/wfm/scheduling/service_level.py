"""Service-level curves per interval from Erlang C, for the scheduler's service-level mode."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from helpline.wfm.erlang import erlang_c
from helpline.wfm.scheduling.model import ScheduleInputError, ServiceLevelCurve

_SATURATED = 1.0 - 1e-6


def erlang_c_curve(
    calls: npt.ArrayLike,
    *,
    interval_minutes: int,
    aht_seconds: float,
    answer_time_seconds: float,
) -> ServiceLevelCurve:
    """Erlang C service level ``P(wait <= answer_time)`` of each interval for 0, 1, 2, ... agents.

    ``calls`` are offered calls per interval. The agent axis runs until every interval's service
    level is within 1e-6 of 1, so the scheduler's piecewise-linear model never runs off the curve.
    Intervals without calls get a curve of 1 (nothing to answer late).
    """
    offered = np.asarray(calls, dtype=np.float64)
    if offered.ndim != 1 or not np.all(np.isfinite(offered)) or np.any(offered < 0):
        raise ScheduleInputError("calls: expected a 1-D array of finite, non-negative numbers")
    if aht_seconds <= 0 or answer_time_seconds < 0 or interval_minutes <= 0:
        raise ScheduleInputError("aht_seconds and interval_minutes must be > 0, answer time >= 0")
    rate = offered / (interval_minutes * 60.0)
    load = rate * aht_seconds
    # Erlang C answers nobody in time with N <= A agents, so only N from floor(A) upwards needs the
    # formula: one flat call over each interval's own range (a ragged grid) instead of a rectangle.
    low = np.floor(load).astype(np.int64)
    width = np.ceil(8.0 * np.sqrt(load) + 20.0).astype(np.int64)
    while True:
        high = low + width
        counts = np.where(offered > 0, high - low + 1, 0)
        rows = np.repeat(np.arange(offered.shape[0]), counts)
        agents = np.concatenate(
            [np.arange(a, b + 1) for a, b, n in zip(low, high, counts, strict=True) if n > 0]
            or [np.zeros(0, dtype=np.int64)]
        )
        levels = np.asarray(
            erlang_c(
                rate[rows], aht_seconds, agents.astype(np.float64), answer_time_seconds
            ).service_level,
            dtype=np.float64,
        ).clip(0.0, 1.0)
        last = np.cumsum(counts) - 1
        saturated = np.ones(offered.shape[0], dtype=bool)
        saturated[counts > 0] = levels[last[counts > 0]] >= _SATURATED
        if saturated.all() or width.max() > 4 * float(load.max(initial=0.0)) + 1000:
            break
        width = np.where(saturated, width, 2 * width)
    size = int(high.max(initial=0)) + 1
    curve = np.ones((offered.shape[0], max(size, 2)))
    served = offered > 0
    curve[served] = 0.0
    curve[rows, agents] = levels
    # Past each interval's range the service level stays at its last (saturated) value.
    for t in np.nonzero(served)[0]:
        curve[t, high[t] + 1 :] = curve[t, high[t]]
    return ServiceLevelCurve(calls=offered, service_level=curve)
