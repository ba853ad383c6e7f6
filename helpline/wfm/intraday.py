"""Intraday re-planning: re-forecast the rest of today from the actuals so far, re-staff it, and
suggest how to close the gap with the scheduled coverage.

Pure: today's forecast, actuals, scheduled coverage and (optionally) the history in; an
:class:`IntradayPlan` out.

1. **Re-forecast.** With a history, :func:`helpline.wfm.forecast.forecast_series` is run with today's
   completed intervals appended and ``start`` at the first interval not yet complete: it refits the
   model and scales the rest of the day towards today's actuals (gamma-Poisson update of the day's
   level). Without enough history, the published forecast's remaining intervals are scaled by the same
   posterior mean, ``(a + actual so far) / (a + forecast so far)`` with a day-level spread of 10 %
   (``a = 1 / 0.1^2``).
2. **Re-staff.** :func:`helpline.wfm.staffing.staff_intervals` gives the agents needed on the phones
   per interval (Erlang C, or Erlang A with patience); the scheduled coverage is agents on duty (not on
   break), so no shrinkage is added.
3. **Suggest.** For each remaining interval short of agents, first move breaks out of it into the
   nearest interval within two hours that has agents to spare, then offer overtime for what is still
   missing; intervals with whole agents to spare get voluntary time off.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
import numpy.typing as npt

from helpline.wfm import erlang
from helpline.wfm.forecast import CalendarEvent, forecast_series
from helpline.wfm.staffing import staff_intervals

FloatArray = npt.NDArray[np.float64]
FALLBACK_DAILY_CV = 0.1
MOVE_WINDOW_MINUTES = 120
_TOLERANCE = 0.05


class ActionKind(enum.StrEnum):
    """What the intraday planner suggests for an interval."""

    MOVE_BREAKS = "move_breaks"  # move agents' breaks out of this interval to ``to_interval``
    OFFER_OVERTIME = "offer_overtime"  # ask agents to work extra in this interval
    OFFER_VOLUNTARY_TIME_OFF = "offer_voluntary_time_off"  # let agents go home (VTO)


@dataclass(frozen=True)
class IntradayDay:
    """Today's intervals: local starts, published forecast, AHT, scheduled coverage and actuals.

    ``scheduled_agents`` are agents on duty per interval and ``on_break`` agents scheduled away on
    breaks or lunch (both fractions of an interval); ``actual_volume`` matters for completed intervals
    only. Arrays have one value per interval of ``timestamps``.
    """

    interval_minutes: int
    timestamps: tuple[datetime, ...]
    forecast_volume: FloatArray
    aht_seconds: FloatArray
    scheduled_agents: FloatArray
    on_break: FloatArray
    actual_volume: FloatArray

    def __post_init__(self) -> None:
        count = len(self.timestamps)
        for name in ("forecast_volume", "aht_seconds", "scheduled_agents", "on_break"):
            if np.asarray(getattr(self, name)).shape != (count,):
                raise ValueError(f"{name} needs one value per interval")
        if np.asarray(self.actual_volume).shape != (count,):
            raise ValueError("actual_volume needs one value per interval")


@dataclass(frozen=True)
class ServiceTarget:
    """Service-level target of the queue, and the AHT to use where none is known."""

    service_level: float
    answer_time_seconds: float
    patience_seconds: float | None = None
    default_aht_seconds: float = 300.0


def _service_level(
    arrival_rate: FloatArray, aht: FloatArray, agents: FloatArray, target: ServiceTarget
) -> FloatArray:
    """Share answered within the target time: Erlang A with the target's patience, else Erlang C."""
    if target.patience_seconds is None:
        return erlang.erlang_c(arrival_rate, aht, agents, target.answer_time_seconds).service_level
    return erlang.erlang_a(
        arrival_rate, aht, agents, target.patience_seconds, target.answer_time_seconds
    ).service_level


@dataclass(frozen=True)
class IntradayAction:
    """A suggestion for interval ``interval``: how many agents, and where breaks move to."""

    kind: ActionKind
    interval: int
    agents: float
    to_interval: int | None = None


@dataclass(frozen=True)
class IntradayPlan:
    """The re-planned day: per interval (the day's ``timestamps``) and the suggested actions.

    ``completed`` intervals are in the past (their ``volume`` is the actual); ``gap`` is scheduled
    minus required agents (negative = short); ``service_level`` is predicted with the scheduled agents
    (by the model of the required agents: Erlang A with the target's patience, else Erlang C).
    """

    timestamps: tuple[datetime, ...]
    completed: int
    volume: FloatArray
    required_agents: FloatArray
    scheduled_agents: FloatArray
    gap: FloatArray
    service_level: FloatArray
    actions: tuple[IntradayAction, ...]
    method: str


def completed_intervals(
    timestamps: Sequence[datetime], interval_minutes: int, now: datetime
) -> int:
    """How many of the intervals starting at ``timestamps`` have ended by ``now``."""
    step = timedelta(minutes=interval_minutes)
    return sum(1 for start in timestamps if start + step <= now)


def reforecast(
    day: IntradayDay,
    completed: int,
    *,
    history_timestamps: Sequence[datetime] = (),
    history_volumes: Sequence[float] = (),
    country: str | None = None,
    events: Sequence[CalendarEvent] = (),
) -> tuple[FloatArray, str]:
    """Volume per interval of the day (actuals for completed ones) and how the rest was made."""
    forecast = np.asarray(day.forecast_volume, dtype=np.float64)
    actual = np.nan_to_num(np.asarray(day.actual_volume, dtype=np.float64)[:completed])
    count = len(day.timestamps)
    if completed == 0 or completed == count:
        return np.concatenate([actual, forecast[completed:]]), "published forecast"
    if history_timestamps:
        times = [*history_timestamps, *day.timestamps[:completed]]
        values = [*history_volumes, *actual]
        try:
            result = forecast_series(
                np.array(times, dtype="datetime64[m]"),
                np.array(values, dtype=np.float64),
                interval_minutes=day.interval_minutes,
                horizon_minutes=(count - completed) * day.interval_minutes,
                start=day.timestamps[completed],
                country=country,
                events=events,
            )
            return np.concatenate([actual, result.volume]), f"re-forecast ({result.model})"
        except ValueError:
            pass  # too little or unusable history: scale the published forecast instead
    prior = 1.0 / FALLBACK_DAILY_CV**2
    ratio = (prior + float(actual.sum())) / (prior + float(forecast[:completed].sum()))
    return np.concatenate([actual, forecast[completed:] * ratio]), "scaled published forecast"


def _suggest(
    required: FloatArray, scheduled: FloatArray, on_break: FloatArray, first: int, window: int
) -> list[IntradayAction]:
    cover = scheduled.copy()
    away = on_break.copy()
    actions = []
    count = len(cover)
    for i in range(first, count):
        short = required[i] - cover[i]
        if short <= _TOLERANCE:
            continue
        nearest = sorted(
            (j for j in range(max(first, i - window), min(count, i + window + 1)) if j != i),
            key=lambda j: (abs(j - i), j),
        )
        for j in nearest:
            movable = min(short, away[i], math.floor(cover[j] - required[j] + 1e-9))
            if movable < 0.5:
                continue
            movable = round(float(movable), 2)
            cover[i] += movable
            cover[j] -= movable
            away[i] -= movable
            away[j] += movable
            short -= movable
            actions.append(IntradayAction(ActionKind.MOVE_BREAKS, i, movable, j))
            if short <= _TOLERANCE:
                break
        if short > _TOLERANCE:
            overtime = math.ceil(short - _TOLERANCE)
            cover[i] += overtime
            actions.append(IntradayAction(ActionKind.OFFER_OVERTIME, i, float(overtime)))
    for i in range(first, count):
        spare = math.floor(cover[i] - required[i] + 1e-9)
        if spare >= 1:
            actions.append(IntradayAction(ActionKind.OFFER_VOLUNTARY_TIME_OFF, i, float(spare)))
    return sorted(actions, key=lambda a: (a.interval, a.kind != ActionKind.MOVE_BREAKS))


def replan_intraday(
    day: IntradayDay,
    now: datetime,
    target: ServiceTarget,
    *,
    history_timestamps: Sequence[datetime] = (),
    history_volumes: Sequence[float] = (),
    country: str | None = None,
    events: Sequence[CalendarEvent] = (),
) -> IntradayPlan:
    """Re-forecast the rest of the day from its actuals, re-staff it, and suggest actions.

    ``now`` and ``timestamps`` are local wall-clock times (naive, like the history). Raises
    ValueError on inconsistent input (see :class:`IntradayDay`).
    """
    completed = completed_intervals(day.timestamps, day.interval_minutes, now)
    volume, method = reforecast(
        day,
        completed,
        history_timestamps=history_timestamps,
        history_volumes=history_volumes,
        country=country,
        events=events,
    )
    aht = np.asarray(day.aht_seconds, dtype=np.float64)
    aht = np.where(np.isfinite(aht) & (aht > 0), aht, target.default_aht_seconds)
    interval_seconds = day.interval_minutes * 60.0
    staffing = staff_intervals(
        volume,
        aht,
        interval_seconds,
        target.service_level,
        target.answer_time_seconds,
        patience=target.patience_seconds,
    )
    required = staffing.agents.astype(np.float64)
    scheduled = np.asarray(day.scheduled_agents, dtype=np.float64)
    levels = _service_level(volume / interval_seconds, aht, np.floor(scheduled + 1e-9), target)
    service_level = np.where(volume > 0, levels, 1.0)
    window = MOVE_WINDOW_MINUTES // day.interval_minutes
    actions = _suggest(
        required, scheduled, np.asarray(day.on_break, dtype=np.float64), completed, window
    )
    return IntradayPlan(
        timestamps=day.timestamps,
        completed=completed,
        volume=volume,
        required_agents=required,
        scheduled_agents=scheduled,
        gap=scheduled - required,
        service_level=np.asarray(service_level, dtype=np.float64),
        actions=tuple(actions),
        method=method,
    )
