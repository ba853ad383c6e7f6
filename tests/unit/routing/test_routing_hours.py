"""Hours of operation as open intervals."""

from __future__ import annotations

import pytest

from helpline.routing import ALWAYS_OPEN, OpenIntervals

HOURS = OpenIntervals(((100.0, 200.0), (300.0, 400.0)))


@pytest.mark.parametrize(
    ("at", "is_open"),
    [
        (0.0, False),
        (100.0, True),
        (199.9, True),
        (200.0, False),
        (250.0, False),
        (300.0, True),
        (500.0, False),
    ],
)
def test_open_inside_half_open_intervals(at: float, is_open: bool) -> None:
    assert HOURS.is_open(at) is is_open


def test_always_open_is_open() -> None:
    assert ALWAYS_OPEN.is_open(-1e12)


def test_overlapping_intervals_are_refused() -> None:
    with pytest.raises(ValueError, match="non-overlapping"):
        OpenIntervals(((0.0, 10.0), (5.0, 20.0)))
