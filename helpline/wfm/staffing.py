"""Interval staffing: calls offered per interval -> agents, scheduled FTE and predicted KPIs.

The bridge between a forecast (calls per 15/30/60-minute interval and AHT) and a schedule: for
each interval, the smallest number of agents on the phones meeting the service targets
(``erlang.required_agents``: Erlang C, or Erlang A when callers' mean patience is given), the
head count to schedule once shrinkage (breaks, meetings, training, absence) is allowed for,
and what the queue model predicts at that staffing. Pure: arrays in, a frozen dataclass out.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from helpline.wfm import erlang

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

# N/(1 - shrinkage) is rounded up, but 7/(1 - 0.3) is 10.000000000000002 in binary floating point:
# a relative slack far below one agent keeps exact quotients exact.
_ROUNDING_SLACK = 1e-9


@dataclass(frozen=True)
class IntervalStaffing:
    """Staffing and predicted performance per interval (arrays of the volumes' shape)."""

    offered_load: FloatArray
    """Offered load A = calls·AHT/interval length, Erlangs."""
    agents: IntArray
    """Agents needed on the phones (productive), the smallest N meeting every target."""
    fte: IntArray
    """Agents to schedule: ceil(agents / (1 - shrinkage))."""
    service_level: FloatArray
    """Predicted fraction of offered calls answered within the target answer time."""
    asa: FloatArray
    """Predicted average speed of answer, seconds (Erlang A: over answered calls)."""
    abandon_rate: FloatArray
    """Predicted fraction of offered calls abandoned (0 under Erlang C, which has no abandons)."""
    occupancy: FloatArray
    """Predicted fraction of the agents' time spent handling calls."""


def staff_intervals(
    volumes: npt.ArrayLike,
    aht: npt.ArrayLike,
    interval_seconds: float,
    target_service_level: float,
    target_answer_time: float,
    *,
    patience: float | None = None,
    shrinkage: float = 0.0,
    max_occupancy: float | None = None,
    max_asa: float | None = None,
    max_abandon: float | None = None,
) -> IntervalStaffing:
    """Agents, FTE and predicted SL/ASA/abandonment/occupancy for calls offered per interval.

    ``volumes``: calls offered in each interval; ``aht``: seconds (scalar or per interval);
    ``interval_seconds``: interval length (e.g. 1800 for half-hours); SL target as a fraction
    within ``target_answer_time`` seconds; ``patience``: callers' mean patience in seconds
    (switches from Erlang C to Erlang A, Mandelbaum & Zeltyn 2007); ``shrinkage`` in [0, 1).
    Raises ValueError naming the bad argument.
    """
    if not (np.isfinite(interval_seconds) and interval_seconds > 0):
        raise ValueError("interval_seconds must be > 0")
    if not (0.0 <= shrinkage < 1.0):
        raise ValueError("shrinkage must be in [0, 1)")
    calls = np.asarray(volumes, dtype=np.float64)
    if not np.all(np.isfinite(calls)) or not np.all(calls >= 0):
        raise ValueError("volumes must be finite and >= 0")
    arrival_rate = calls / interval_seconds
    agents = erlang.required_agents(
        arrival_rate,
        aht,
        target_service_level,
        target_answer_time,
        patience=patience,
        max_occupancy=max_occupancy,
        max_asa=max_asa,
        max_abandon=max_abandon,
    )
    fte = np.ceil(agents / (1.0 - shrinkage) * (1.0 - _ROUNDING_SLACK)).astype(np.int64)
    handle = np.broadcast_to(np.asarray(aht, dtype=np.float64), agents.shape)
    if patience is None:
        c = erlang.erlang_c(arrival_rate, handle, agents, target_answer_time)
        service_level, asa, occupancy = c.service_level, c.asa, c.occupancy
        abandon_rate = np.zeros_like(service_level)
    else:
        a = erlang.erlang_a(arrival_rate, handle, agents, patience, target_answer_time)
        service_level, asa, occupancy = a.service_level, a.asa, a.occupancy
        abandon_rate = a.p_abandon
    return IntervalStaffing(
        offered_load=arrival_rate * handle,
        agents=agents,
        fte=fte,
        service_level=service_level,
        asa=asa,
        abandon_rate=abandon_rate,
        occupancy=occupancy,
    )
