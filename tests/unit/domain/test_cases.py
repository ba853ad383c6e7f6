"""Case rules: status transitions, references, and the SLA clock in business time with pauses."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from helpline.domain.business_time import ALWAYS
from helpline.domain.cases import (
    CaseStatus,
    SlaPhase,
    case_reference,
    may_change,
    running_periods,
    sla_clock,
)

HOUR = 3600.0
S = CaseStatus
# Monday and Tuesday 09:00-17:00, day 0 starting at instant 0.
HOURS = ((9 * HOUR, 17 * HOUR), (33 * HOUR, 41 * HOUR))


@pytest.mark.parametrize(
    ("current", "new", "allowed"),
    [
        (S.NEW, S.OPEN, True),
        (S.OPEN, S.PENDING_CUSTOMER, True),
        (S.PENDING_CUSTOMER, S.OPEN, True),
        (S.OPEN, S.SOLVED, True),
        (S.SOLVED, S.OPEN, True),  # reopened
        (S.SOLVED, S.CLOSED, True),
        (S.OPEN, S.NEW, False),  # never back to new
        (S.CLOSED, S.OPEN, False),  # closed is final
        (S.SOLVED, S.PENDING_CUSTOMER, False),
    ],
)
def test_status_transitions(current: CaseStatus, new: CaseStatus, allowed: bool) -> None:
    assert may_change(current, new) is allowed


def test_references_are_human_friendly() -> None:
    assert case_reference(123) == "C-000123"
    assert case_reference(1_234_567) == "C-1234567"


def test_the_clock_runs_only_while_new_or_open() -> None:
    changes = [
        (0.0, S.NEW),
        (10.0, S.OPEN),
        (20.0, S.PENDING_CUSTOMER),
        (50.0, S.OPEN),
        (60.0, S.SOLVED),
    ]
    assert running_periods(changes) == ((0.0, 20.0), (50.0, 60.0))
    assert running_periods(changes[:4]) == ((0.0, 20.0), (50.0, math.inf))


def test_targets_count_business_hours_only() -> None:
    # Created Monday 16:00 with a 2 h target: 1 h on Monday, due Tuesday 10:00 (34 h).
    clock = sla_clock(
        target_seconds=2 * HOUR,
        warn_ratio=0.8,
        hours=HOURS,
        running=running_periods([(16 * HOUR, S.NEW)]),
        stopped_at=None,
        now=20 * HOUR,
    )
    assert clock.elapsed_seconds == HOUR
    assert clock.due_at == 34 * HOUR
    assert clock.warn_at == pytest.approx(33 * HOUR + 0.6 * HOUR)
    assert clock.phase is SlaPhase.ON_TRACK
    assert clock.is_running is False  # night: outside business hours


def test_pending_the_customer_pauses_the_clock_and_moves_the_due_time() -> None:
    # Created Monday 09:00, 4 h target; pending the customer 10:00-15:00, open again after.
    history = [(9 * HOUR, S.NEW), (10 * HOUR, S.PENDING_CUSTOMER), (15 * HOUR, S.OPEN)]
    paused = sla_clock(
        target_seconds=4 * HOUR,
        warn_ratio=0.8,
        hours=HOURS,
        running=running_periods(history[:2]),
        stopped_at=None,
        now=12 * HOUR,
    )
    assert paused.elapsed_seconds == HOUR
    assert paused.is_running is False
    assert paused.due_at is None  # nobody can say while the customer has not answered
    resumed = sla_clock(
        target_seconds=4 * HOUR,
        warn_ratio=0.8,
        hours=HOURS,
        running=running_periods(history),
        stopped_at=None,
        now=16 * HOUR,
    )
    assert resumed.elapsed_seconds == 2 * HOUR
    assert resumed.due_at == 34 * HOUR  # 2 h left: 15:00-17:00 Monday... then Tuesday 09:00-10:00
    assert resumed.phase is SlaPhase.ON_TRACK


@pytest.mark.parametrize(
    ("now_hour", "phase"),
    [(11.0, SlaPhase.ON_TRACK), (12.3, SlaPhase.WARNING), (13.0, SlaPhase.BREACHED)],
)
def test_warning_at_the_share_then_breach_at_the_target(now_hour: float, phase: SlaPhase) -> None:
    clock = sla_clock(
        target_seconds=4 * HOUR,
        warn_ratio=0.8,
        hours=HOURS,
        running=running_periods([(9 * HOUR, S.NEW)]),
        stopped_at=None,
        now=now_hour * HOUR,
    )
    assert clock.phase is phase
    assert clock.due_at == 13 * HOUR


def test_a_stopped_target_is_met_or_missed() -> None:
    def stopped(at: float) -> SlaPhase:
        return sla_clock(
            target_seconds=60.0,
            warn_ratio=0.8,
            hours=ALWAYS,
            running=running_periods([(0.0, S.NEW)]),
            stopped_at=at,
            now=1000.0,
        ).phase

    assert stopped(30.0) is SlaPhase.MET
    assert stopped(90.0) is SlaPhase.MISSED


@given(
    st.lists(st.tuples(st.integers(1, 5000), st.sampled_from(list(CaseStatus))), max_size=8),
    st.integers(0, 30_000),
)
def test_elapsed_time_never_exceeds_wall_time_nor_decreases(
    steps: list[tuple[int, CaseStatus]], now: int
) -> None:
    changes = [(0.0, S.NEW)]
    for gap, status in steps:
        changes.append((changes[-1][0] + gap, status))
    running = running_periods(changes)
    earlier = sla_clock(
        target_seconds=3600, warn_ratio=0.8, hours=ALWAYS, running=running, stopped_at=None, now=now
    )
    later = sla_clock(
        target_seconds=3600,
        warn_ratio=0.8,
        hours=ALWAYS,
        running=running,
        stopped_at=None,
        now=now + 100,
    )
    assert 0 <= earlier.elapsed_seconds <= max(0, now)
    assert earlier.elapsed_seconds <= later.elapsed_seconds
