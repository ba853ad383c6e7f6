"""Cases: a customer's issue that groups contacts. Status rules, references and the SLA clock.

The SLA clock counts *working time*: business hours (expanded by the caller into intervals, see
``business_time``) while the case is in a running status (new, open). It stops while the case waits
for the customer (pending_customer) or is solved, and restarts when the case is reopened.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Sequence
from dataclasses import dataclass

from helpline.domain.business_time import Interval, add_working_seconds, intersect, working_seconds


class CaseStatus(enum.StrEnum):
    """Where a case is in its life."""

    NEW = "new"  # created, nobody has worked on it yet
    OPEN = "open"  # being worked on
    PENDING_CUSTOMER = "pending_customer"  # waiting for the customer; SLA clocks paused
    SOLVED = "solved"  # answer given; the customer may still reopen it
    CLOSED = "closed"  # final


class CasePriority(enum.StrEnum):
    """How urgent a case is."""

    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    URGENT = "urgent"


TRANSITIONS: dict[CaseStatus, frozenset[CaseStatus]] = {
    CaseStatus.NEW: frozenset(
        {CaseStatus.OPEN, CaseStatus.PENDING_CUSTOMER, CaseStatus.SOLVED, CaseStatus.CLOSED}
    ),
    CaseStatus.OPEN: frozenset({CaseStatus.PENDING_CUSTOMER, CaseStatus.SOLVED, CaseStatus.CLOSED}),
    CaseStatus.PENDING_CUSTOMER: frozenset({CaseStatus.OPEN, CaseStatus.SOLVED, CaseStatus.CLOSED}),
    CaseStatus.SOLVED: frozenset({CaseStatus.OPEN, CaseStatus.CLOSED}),
    CaseStatus.CLOSED: frozenset(),
}
"""Which status may follow which (a case never goes back to new; closed is final)."""

RUNNING = frozenset({CaseStatus.NEW, CaseStatus.OPEN})
"""Statuses in which the SLA clocks run."""
ACTIVE = frozenset({CaseStatus.NEW, CaseStatus.OPEN, CaseStatus.PENDING_CUSTOMER})
"""Statuses of a case that still needs work (an "open case" to an agent)."""


def may_change(current: CaseStatus, new: CaseStatus) -> bool:
    """Whether a case in ``current`` may move to ``new``."""
    return new in TRANSITIONS[current]


REFERENCE_PREFIX = "C-"


def case_reference(number: int) -> str:
    """The human-friendly reference of the organization's ``number``-th case: 123 -> ``C-000123``."""
    return f"{REFERENCE_PREFIX}{number:06d}"


def running_periods(
    changes: Sequence[tuple[float, CaseStatus]], until: float = math.inf
) -> tuple[Interval, ...]:
    """The periods in which the SLA clock runs, from a case's status history (time, new status),
    oldest first; the last period stays open up to ``until``."""
    periods: list[Interval] = []
    for (at, status), following in zip(changes, [*changes[1:], (until, None)], strict=True):
        if status in RUNNING and at < following[0]:
            if periods and periods[-1][1] == at:
                periods[-1] = (periods[-1][0], following[0])
            else:
                periods.append((at, following[0]))
    return tuple(periods)


class SlaPhase(enum.StrEnum):
    """How an SLA target stands."""

    ON_TRACK = "on_track"  # under the warning threshold
    WARNING = "warning"  # past the warning share of the target
    BREACHED = "breached"  # the target is exceeded
    MET = "met"  # stopped within the target
    MISSED = "missed"  # stopped, but after the target


@dataclass(frozen=True)
class SlaClock:
    """One SLA target of a case at an instant: working seconds used, when it falls due, and phase."""

    target_seconds: float
    elapsed_seconds: float
    due_at: float | None
    """When the target is (or was) exceeded; None when it was met, or will not be while paused."""
    warn_at: float | None
    """When the warning share of the target is (or was) reached, likewise."""
    is_running: bool
    """The clock counts at this instant (False while stopped, paused or outside business hours)."""
    phase: SlaPhase


def sla_clock(
    *,
    target_seconds: float,
    warn_ratio: float,
    hours: Sequence[Interval],
    running: Sequence[Interval],
    stopped_at: float | None,
    now: float,
) -> SlaClock:
    """Where an SLA target stands at ``now``.

    ``hours`` are the open (business) intervals, ``running`` the periods the case's clock runs (see
    ``running_periods``; the last one ends at infinity while it still runs) and ``stopped_at`` the
    instant the target was achieved (first response given, case solved), if it was by ``now``.
    """
    if stopped_at is not None and stopped_at <= now:
        running = intersect(running, ((-math.inf, stopped_at),))
    working = intersect(hours, running)
    elapsed = working_seconds(working, -math.inf, now)
    due_at = add_working_seconds(working, -math.inf, target_seconds)
    warn_at = add_working_seconds(working, -math.inf, warn_ratio * target_seconds)
    is_running = any(start <= now < stop for start, stop in working)
    if stopped_at is not None and stopped_at <= now:
        phase = SlaPhase.MET if elapsed <= target_seconds else SlaPhase.MISSED
    elif elapsed >= target_seconds:
        phase = SlaPhase.BREACHED
    elif elapsed >= warn_ratio * target_seconds:
        phase = SlaPhase.WARNING
    else:
        phase = SlaPhase.ON_TRACK
    return SlaClock(target_seconds, elapsed, due_at, warn_at, is_running, phase)
