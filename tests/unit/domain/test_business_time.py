"""Business-time arithmetic: working seconds between instants and the instant a target falls due."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from helpline.domain.business_time import (
    ALWAYS,
    add_working_seconds,
    complement,
    intersect,
    normalized,
    working_seconds,
)

HOUR = 3600.0
# Two working days of 09:00-17:00 (day 0 starts at 0).
DAYS = ((9 * HOUR, 17 * HOUR), (33 * HOUR, 41 * HOUR))


@pytest.mark.parametrize(
    ("start", "end", "expected_hours"),
    [
        (0, 24 * HOUR, 8),  # a whole day holds its eight open hours
        (10 * HOUR, 12 * HOUR, 2),  # inside the day
        (16 * HOUR, 34 * HOUR, 2),  # one hour on each side of the night
        (17 * HOUR, 33 * HOUR, 0),  # the night
        (12 * HOUR, 10 * HOUR, 0),  # backwards
    ],
)
def test_working_seconds_count_only_open_time(
    start: float, end: float, expected_hours: float
) -> None:
    assert working_seconds(DAYS, start, end) == expected_hours * HOUR


@pytest.mark.parametrize(
    ("start", "hours", "due_hour"),
    [
        (9 * HOUR, 4, 13),  # same day
        (15 * HOUR, 4, 35),  # two hours today, two tomorrow from 09:00 (33 h)
        (20 * HOUR, 1, 34),  # created at night: the clock starts when hours open
        (9 * HOUR, 8, 17),  # exactly the whole day
    ],
)
def test_targets_fall_due_in_business_time(start: float, hours: float, due_hour: float) -> None:
    assert add_working_seconds(DAYS, start, hours * HOUR) == due_hour * HOUR


def test_a_target_beyond_the_expanded_hours_has_no_due_time() -> None:
    assert add_working_seconds(DAYS, 0, 17 * HOUR) is None


def test_always_open_is_wall_clock_time() -> None:
    assert working_seconds(ALWAYS, 5.0, 65.0) == 60.0
    assert add_working_seconds(ALWAYS, 5.0, 60.0) == 65.0


def test_intersection_keeps_only_shared_time() -> None:
    pauses_removed = ((0.0, 12 * HOUR), (14 * HOUR, math.inf))
    assert intersect(DAYS, pauses_removed) == (
        (9 * HOUR, 12 * HOUR),
        (14 * HOUR, 17 * HOUR),
        (33 * HOUR, 41 * HOUR),
    )


# -- invariants --------------------------------------------------------------------------------

interval_lists = st.lists(st.tuples(st.integers(0, 10_000), st.integers(1, 500)), max_size=12).map(
    lambda pairs: normalized((float(s), float(s + w)) for s, w in pairs)
)
instants = st.integers(-100, 11_000).map(float)


@given(interval_lists, instants, st.integers(0, 3_000).map(float))
def test_due_instant_is_exactly_that_much_working_time_later(
    intervals: tuple[tuple[float, float], ...], start: float, seconds: float
) -> None:
    due = add_working_seconds(intervals, start, seconds)
    if due is None:
        assert working_seconds(intervals, start, math.inf) < seconds
    else:
        assert due >= start
        assert working_seconds(intervals, start, due) == pytest.approx(seconds)


@given(interval_lists, instants, instants, instants)
def test_working_time_adds_up_over_consecutive_spans(
    intervals: tuple[tuple[float, float], ...], a: float, b: float, c: float
) -> None:
    a, b, c = sorted((a, b, c))
    whole = working_seconds(intervals, a, c)
    assert whole == pytest.approx(
        working_seconds(intervals, a, b) + working_seconds(intervals, b, c)
    )
    assert 0 <= whole <= c - a


@given(interval_lists, interval_lists, instants, instants)
def test_intersection_is_symmetric_and_never_more_than_either(
    x: tuple[tuple[float, float], ...], y: tuple[tuple[float, float], ...], a: float, b: float
) -> None:
    a, b = sorted((a, b))
    both = intersect(x, y)
    assert both == intersect(y, x)
    assert working_seconds(both, a, b) <= min(working_seconds(x, a, b), working_seconds(y, a, b))


@given(interval_lists, instants, instants)
def test_an_interval_list_and_its_complement_split_time_between_them(
    x: tuple[tuple[float, float], ...], a: float, b: float
) -> None:
    a, b = sorted((a, b))
    outside = complement(x)
    assert intersect(x, outside) == ()
    assert working_seconds(x, a, b) + working_seconds(outside, a, b) == pytest.approx(b - a)
    assert complement(outside) == (x or ())
