"""A tally table sums cells added in bulk (longest wait: the maximum) and derives their metrics."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pytest

from helpline.analytics import Metrics, Tally, TallyTable

NINE = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
HALF_PAST = datetime(2026, 1, 5, 9, 30, tzinfo=UTC)


def test_cells_added_in_bulk_are_summed_and_rows_are_ordered() -> None:
    table = TallyTable()
    cells = table.cells([(HALF_PAST, 2), (NINE, None), (NINE, 10), (NINE, 2), (HALF_PAST, 2)])
    assert cells.tolist() == [0, 1, 2, 3, 0]
    table.add("offered", cells, [1, 1, 1, 1, 1])
    table.add("answered", cells, [1, 0, 1, 1, 0])
    table.add("longest_wait_seconds", cells, [30.0, 0.0, 12.0, 5.0, 45.0])
    table.add_buckets({(NINE, 10): Tally(offered=2, answered=1, longest_wait_seconds=50.0)})
    rows = table.rows()
    assert [(row.interval_start, row.group) for row in rows] == [
        (NINE, 2),
        (NINE, 10),
        (NINE, None),
        (HALF_PAST, 2),
    ]
    assert [(row.metrics.offered, row.metrics.answered) for row in rows] == [
        (1, 1),
        (3, 2),
        (1, 0),
        (2, 1),
    ]
    assert rows[1].metrics.longest_wait_seconds == 50.0
    assert rows[3].tally == Tally(offered=2, answered=1, longest_wait_seconds=45.0)
    assert rows[3].metrics == Metrics.from_tally(rows[3].tally)


def test_undefined_ratios_are_none_and_counts_are_ints() -> None:
    table = TallyTable()
    table.add("deflected", table.cells([(NINE, None)]), np.array([3.0]))
    (row,) = table.rows()
    assert row.metrics.deflected == 3
    assert isinstance(row.metrics.deflected, int)
    assert row.metrics.service_level is None
    assert row.metrics.longest_wait_seconds is None
    assert row.metrics.asa_seconds is None


def test_from_tally_keeps_the_golden_formulas() -> None:
    metrics = Metrics.from_tally(
        Tally(offered=4, answered=2, abandoned=2, short_abandoned=1, answered_within_threshold=1)
    )
    assert metrics.service_level == pytest.approx(1 / 3)
    assert metrics.abandonment_rate == pytest.approx(1 / 3)
    assert metrics.nps is None
