"""Service-level curves per interval from Erlang C, for the scheduler's service-level mode."""

from __future__ import annotations

import importlib
import math
from typing import Any

import numpy as np
import numpy.typing as npt

from helpline.wfm.scheduling.model import ScheduleInputError, ServiceLevelCurve

_SATURATED = 1.0 - 1e-6


def _erlang_module() -> Any:
    # helpline.wfm.erlang (issue 4) is developed on its own branch; importing it by name keeps this
    # module type-checking before and after that branch lands. Switch to a plain import once merged.
    return importlib.import_module("helpline.wfm.erlang")


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
    load = float((rate * aht_seconds).max(initial=0.0))
    agents = max(2, math.ceil(load + 8.0 * math.sqrt(load) + 20.0))
    erlang = _erlang_module()
    while True:
        n = np.arange(agents + 1, dtype=np.float64)
        levels = np.asarray(
            erlang.erlang_c(
                rate[:, None], aht_seconds, n[None, :], answer_time_seconds
            ).service_level,
            dtype=np.float64,
        )
        levels = np.where(offered[:, None] > 0, np.clip(levels, 0.0, 1.0), 1.0)
        if np.all(levels[:, -1] >= _SATURATED) or agents > 4 * load + 1000:
            return ServiceLevelCurve(calls=offered, service_level=levels)
        agents *= 2
