"""The KPI formulas: additive tallies per bucket, and the ratios derived from them.

Every count and sum is kept in ``Tally`` (so buckets merge by addition: intervals into days, agents into
teams) and every ratio is computed once, in ``Metrics.from_tally``. ``docs/metrics.md`` states each
definition; the golden vectors in ``tests/unit/analytics/`` pin them.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, fields


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


def _ratio(numerator: float, denominator: float) -> float | None:
    return numerator / denominator if denominator else None


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
        long_abandoned = t.abandoned - t.short_abandoned
        handling = t.busy_seconds + t.acw_state_seconds
        idle = t.available_seconds + t.reserved_seconds
        logged_in = handling + idle + t.not_ready_seconds
        return cls(
            offered=t.offered,
            answered=t.answered,
            abandoned=t.abandoned,
            short_abandoned=t.short_abandoned,
            deflected=t.deflected,
            callbacks_requested=t.callbacks_requested,
            handled=t.handled,
            service_level=service_level(t, ServiceLevelVariant.EXCLUDING_SHORT_ABANDONS),
            service_level_of_answered=service_level(t, ServiceLevelVariant.OF_ANSWERED),
            service_level_of_offered=service_level(t, ServiceLevelVariant.OF_OFFERED),
            service_level_removed_of_offered=service_level(
                t, ServiceLevelVariant.REMOVED_OF_OFFERED
            ),
            asa_seconds=_ratio(t.answered_wait_seconds, t.answered),
            longest_wait_seconds=t.longest_wait_seconds if t.answered + t.abandoned else None,
            abandonment_rate=_ratio(long_abandoned, t.offered - t.short_abandoned),
            aht_seconds=_ratio(t.talk_seconds + t.hold_seconds + t.acw_seconds, t.handled),
            talk_seconds=_ratio(t.talk_seconds, t.handled),
            hold_seconds=_ratio(t.hold_seconds, t.handled),
            acw_seconds=_ratio(t.acw_seconds, t.handled),
            transfer_rate=_ratio(t.transferred, t.answered),
            fcr_rate=_ratio(t.fcr_resolved, t.fcr_eligible),
            csat=_ratio(t.csat_top_two_box, t.csat_responses),
            nps=_nps(t),
            ces=_ratio(t.ces_score_sum, t.ces_responses),
            occupancy=_ratio(handling, handling + idle),
            occupancy_concurrent=_ratio(t.slot_weighted_handling_seconds, handling + idle),
            utilization=_ratio(handling + idle, logged_in),
            cost_per_contact=_ratio(t.staffed_cost, t.handled) if t.staffed_cost else None,
        )


def _nps(t: Tally) -> float | None:
    if not t.nps_responses:
        return None
    return 100.0 * (t.nps_promoters - t.nps_detractors) / t.nps_responses


def service_level(t: Tally, variant: ServiceLevelVariant) -> float | None:
    """The service level of ``t`` by ``variant`` (a fraction 0..1; None when the denominator is 0)."""
    if variant is ServiceLevelVariant.EXCLUDING_SHORT_ABANDONS:
        return _ratio(t.answered_within_threshold, t.answered + t.abandoned - t.short_abandoned)
    if variant is ServiceLevelVariant.OF_ANSWERED:
        return _ratio(t.answered_within_threshold, t.answered)
    if variant is ServiceLevelVariant.OF_OFFERED:
        return _ratio(t.answered_within_threshold, t.offered)
    return _ratio(t.removed_within_threshold, t.offered)
