"""Rostered shifts become work and break activities; activities become coverage per interval."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from helpline.wfm.activities import (
    PlannedActivity,
    break_kind,
    coverage_per_interval,
    shift_activities,
)
from helpline.wfm.adherence import ActivityKind
from helpline.wfm.scheduling import PlacedBreak, ScheduledShift

WORK, BREAK, LUNCH = ActivityKind.WORK, ActivityKind.BREAK, ActivityKind.LUNCH


def test_a_shift_is_work_between_its_breaks() -> None:
    shift = ScheduledShift(
        template="full",
        group="default",
        day=1,
        start_minutes=8 * 60,
        length_minutes=9 * 60,
        paid_minutes=8 * 60,
        breaks=(PlacedBreak("break", 120, 15, True), PlacedBreak("lunch", 240, 60, False)),
        count=1,
    )
    base = 1440 + 480
    assert shift_activities(shift) == [
        PlannedActivity(WORK, base, base + 120),
        PlannedActivity(BREAK, base + 120, base + 135),
        PlannedActivity(WORK, base + 135, base + 240),
        PlannedActivity(LUNCH, base + 240, base + 300),
        PlannedActivity(WORK, base + 300, base + 540),
    ]


@pytest.mark.parametrize(
    ("name", "is_paid", "kind"),
    [
        ("lunch", False, LUNCH),
        ("Lunch", True, LUNCH),
        ("coffee", True, BREAK),
        ("meal", False, LUNCH),
        ("training", True, ActivityKind.TRAINING),
        ("off", True, BREAK),
    ],
)
def test_break_kinds(name: str, is_paid: bool, kind: ActivityKind) -> None:
    assert break_kind(name, is_paid=is_paid) is kind


def test_coverage_counts_fractions_of_intervals() -> None:
    start = datetime(2026, 12, 1, 9, tzinfo=UTC)
    starts = [start + timedelta(minutes=30 * i) for i in range(4)]
    activities = [
        (WORK, start, start + timedelta(minutes=45)),
        (BREAK, start + timedelta(minutes=45), start + timedelta(minutes=60)),
        (WORK, start + timedelta(minutes=60), start + timedelta(minutes=120)),
        (WORK, start + timedelta(minutes=30), start + timedelta(minutes=90)),
    ]
    on_duty, on_break = coverage_per_interval(activities, starts, 30)
    np.testing.assert_allclose(on_duty, [1.0, 1.5, 2.0, 1.0])
    np.testing.assert_allclose(on_break, [0.0, 0.5, 0.0, 0.0])
