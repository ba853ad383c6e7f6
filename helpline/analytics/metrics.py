"""The KPI formulas: additive tallies per bucket, and the ratios derived from them.

Every count and sum is kept in ``Tally`` (so buckets merge by addition: intervals into days, agents into
teams) and every ratio is computed once, in ``Metrics.from_tally``. ``docs/metrics.md`` states each
definition; the golden vectors in ``tests/unit/analytics/`` pin them.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from typing import Any

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
ArrayLike = npt.ArrayLike


class ServiceLevelVariant(enum.StrEnum):
    """The service-level formulas vendors use; T is the queue's ``service_level_seconds``."""

    EXCLUDING_SHORT_ABANDONS = "excluding_short_abandons"
    """answered within T / (answered + abandoned after the short-abandon threshold) (default)."""
    OF_ANSWERED = "of_answered"
    """answered within T / answered."""
    OF_OFFERED = "of_offered"
    """answered within T / offered."""
    REMOVED_OF_OFFERED = "removed_of_offered"
    """contacts that left the queue (answered, abandoned, callback) within T / offered."""


@dataclass(slots=True)
class Tally:
    """Additive counts (contacts) and sums (seconds, money) of one bucket."""

    offered: int = 0
    answered: int = 0
    abandoned: int = 0
    short_abandoned: int = 0
    deflected: int = 0
    callbacks_requested: int = 0
    answered_within_threshold: int = 0
    removed_within_threshold: int = 0
    answered_wait_seconds: float = 0.0
    longest_wait_seconds: float = 0.0
    transferred: int = 0
    handled: int = 0
    talk_seconds: float = 0.0
    hold_seconds: float = 0.0
    acw_seconds: float = 0.0
    fcr_eligible: int = 0
    fcr_resolved: int = 0
    csat_responses: int = 0
    csat_top_two_box: int = 0
    nps_responses: int = 0
    nps_promoters: int = 0
    nps_detractors: int = 0
    ces_responses: int = 0
    ces_score_sum: float = 0.0
    available_seconds: float = 0.0
    reserved_seconds: float = 0.0
    busy_seconds: float = 0.0
    acw_state_seconds: float = 0.0
    not_ready_seconds: float = 0.0
    slot_weighted_handling_seconds: float = 0.0
    staffed_cost: float = 0.0

    def add(self, other: Tally) -> None:
        """Add ``other`` into this tally (``longest_wait_seconds`` takes the maximum)."""
        for name in _SUMMED_FIELDS:
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.longest_wait_seconds = max(self.longest_wait_seconds, other.longest_wait_seconds)


_SUMMED_FIELDS = tuple(item.name for item in fields(Tally) if item.name != "longest_wait_seconds")


TALLY_FIELDS = tuple(item.name for item in fields(Tally))


class TallyColumns:
    """Many tallies as one NumPy column per ``Tally`` field (row i is tally i)."""

    def __init__(self, columns: Mapping[str, FloatArray]) -> None:
        self.columns = dict(columns)

    def __getattr__(self, name: str) -> FloatArray:
        try:
            return self.columns[name]
        except KeyError:
            raise AttributeError(name) from None

    @classmethod
    def of(cls, tallies: Sequence[Tally]) -> TallyColumns:
        """The columns of ``tallies``."""
        return cls(
            {
                name: np.array([getattr(t, name) for t in tallies], dtype=np.float64)
                for name in TALLY_FIELDS
            }
        )

    def tally(self, index: int) -> Tally:
        """The ``Tally`` of row ``index``."""
        values: dict[str, Any] = {
            name: round(float(self.columns[name][index]))
            if name in _INTEGER_FIELDS
            else float(self.columns[name][index])
            for name in TALLY_FIELDS
        }
        return Tally(**values)

    def tallies(self) -> list[Tally]:
        """One ``Tally`` per row (counts as ints)."""
        values = [
            np.rint(self.columns[name]).astype(np.int64).tolist()
            if name in _INTEGER_FIELDS
            else self.columns[name].tolist()
            for name in TALLY_FIELDS
        ]
        return [Tally(*row) for row in zip(*values, strict=True)]


_INTEGER_FIELDS = frozenset(item.name for item in fields(Tally) if item.type == "int")


def _ratio(numerator: ArrayLike, denominator: ArrayLike) -> FloatArray:
    """numerator / denominator, NaN (reported as None) where the denominator is 0."""
    top = np.asarray(numerator, dtype=np.float64)
    bottom = np.asarray(denominator, dtype=np.float64)
    out = np.full(np.broadcast(top, bottom).shape, np.nan)
    np.divide(top, bottom, out=out, where=bottom != 0)
    return out


@dataclass(frozen=True, slots=True)
class Metrics:
    """The KPIs of one bucket: counts as tallied, ratios in 0..1 (None when undefined: 0/0).

    Seconds are seconds; ``cost_per_contact`` is in the currency of the agents' hourly costs.
    """

    offered: int
    answered: int
    abandoned: int
    short_abandoned: int
    deflected: int
    callbacks_requested: int
    handled: int
    service_level: float | None
    service_level_of_answered: float | None
    service_level_of_offered: float | None
    service_level_removed_of_offered: float | None
    asa_seconds: float | None
    longest_wait_seconds: float | None
    abandonment_rate: float | None
    aht_seconds: float | None
    talk_seconds: float | None
    hold_seconds: float | None
    acw_seconds: float | None
    transfer_rate: float | None
    fcr_rate: float | None
    csat: float | None
    nps: float | None
    ces: float | None
    occupancy: float | None
    occupancy_concurrent: float | None
    utilization: float | None
    cost_per_contact: float | None

    @classmethod
    def from_tally(cls, t: Tally) -> Metrics:
        """Derive every KPI of ``docs/metrics.md`` from a tally."""
        return metrics_of(TallyColumns.of([t]))[0]


METRIC_FIELDS = tuple(item.name for item in fields(Metrics))
_COUNT_FIELDS = frozenset(item.name for item in fields(Metrics) if item.type == "int")


def metric_columns(t: TallyColumns) -> dict[str, FloatArray]:
    """Every KPI of ``docs/metrics.md`` for each row of ``t`` (NaN where undefined: 0/0).

    The one place the formulas live: ``Metrics.from_tally`` and every report run it, on one tally
    or on a whole report's cells at once.
    """
    long_abandoned = t.abandoned - t.short_abandoned
    handling = t.busy_seconds + t.acw_state_seconds
    idle = t.available_seconds + t.reserved_seconds
    logged_in = handling + idle + t.not_ready_seconds
    waited = t.answered + t.abandoned
    return {
        "offered": t.offered,
        "answered": t.answered,
        "abandoned": t.abandoned,
        "short_abandoned": t.short_abandoned,
        "deflected": t.deflected,
        "callbacks_requested": t.callbacks_requested,
        "handled": t.handled,
        "service_level": service_level(t, ServiceLevelVariant.EXCLUDING_SHORT_ABANDONS),
        "service_level_of_answered": service_level(t, ServiceLevelVariant.OF_ANSWERED),
        "service_level_of_offered": service_level(t, ServiceLevelVariant.OF_OFFERED),
        "service_level_removed_of_offered": service_level(
            t, ServiceLevelVariant.REMOVED_OF_OFFERED
        ),
        "asa_seconds": _ratio(t.answered_wait_seconds, t.answered),
        "longest_wait_seconds": np.where(waited > 0, t.longest_wait_seconds, np.nan),
        "abandonment_rate": _ratio(long_abandoned, t.offered - t.short_abandoned),
        "aht_seconds": _ratio(t.talk_seconds + t.hold_seconds + t.acw_seconds, t.handled),
        "talk_seconds": _ratio(t.talk_seconds, t.handled),
        "hold_seconds": _ratio(t.hold_seconds, t.handled),
        "acw_seconds": _ratio(t.acw_seconds, t.handled),
        "transfer_rate": _ratio(t.transferred, t.answered),
        "fcr_rate": _ratio(t.fcr_resolved, t.fcr_eligible),
        "csat": _ratio(t.csat_top_two_box, t.csat_responses),
        "nps": _ratio(100.0 * (t.nps_promoters - t.nps_detractors), t.nps_responses),
        "ces": _ratio(t.ces_score_sum, t.ces_responses),
        "occupancy": _ratio(handling, handling + idle),
        "occupancy_concurrent": _ratio(t.slot_weighted_handling_seconds, handling + idle),
        "utilization": _ratio(handling + idle, logged_in),
        "cost_per_contact": np.where(
            t.staffed_cost != 0, _ratio(t.staffed_cost, t.handled), np.nan
        ),
    }


def metrics_of(t: TallyColumns) -> list[Metrics]:
    """The ``Metrics`` of each row of ``t`` (undefined ratios are None)."""
    columns = metric_columns(t)
    values = []
    for name in METRIC_FIELDS:
        column = np.asarray(columns[name], dtype=np.float64)
        if name in _COUNT_FIELDS:
            values.append(np.rint(column).astype(np.int64).tolist())
        else:
            cells = column.astype(object)
            cells[np.isnan(column)] = None
            values.append(cells.tolist())
    return [Metrics(*row) for row in zip(*values, strict=True)]


def service_level(t: Tally | TallyColumns, variant: ServiceLevelVariant) -> FloatArray:
    """The service level of ``t`` by ``variant``: fractions 0..1, NaN where the denominator is 0."""
    if variant is ServiceLevelVariant.EXCLUDING_SHORT_ABANDONS:
        return _ratio(t.answered_within_threshold, t.answered + t.abandoned - t.short_abandoned)
    if variant is ServiceLevelVariant.OF_ANSWERED:
        return _ratio(t.answered_within_threshold, t.answered)
    if variant is ServiceLevelVariant.OF_OFFERED:
        return _ratio(t.answered_within_threshold, t.offered)
    return _ratio(t.removed_within_threshold, t.offered)
