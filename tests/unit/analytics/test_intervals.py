"""Intervals are aligned in the organization's zone, across DST changes and half-hour offsets."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpline.analytics import Interval, Window, bucket_start, split_by_interval
from helpline.analytics.aggregate import Grid
from helpline.analytics.intervals import boundaries, split_spans, to_epoch_us


@pytest.mark.parametrize(
    ("text", "interval"),
    [("15m", Interval.MINUTES_15), ("30m", Interval.MINUTES_30), ("1h", Interval.MINUTES_60)],
)
def test_interval_names_parse(text: str, interval: Interval) -> None:
    assert Interval.parse(text) is interval


def test_unknown_interval_is_refused() -> None:
    with pytest.raises(ValueError, match="interval must be one of"):
        Interval.parse("7m")


def test_hours_align_to_local_hours_in_a_half_hour_zone() -> None:
    kolkata = ZoneInfo("Asia/Kolkata")  # UTC+05:30
    start = bucket_start(datetime(2026, 1, 5, 3, 40, tzinfo=UTC), Interval.MINUTES_60, kolkata)
    assert start.isoformat() == "2026-01-05T09:00:00+05:30"


def test_a_span_is_cut_at_local_boundaries() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    pieces = list(
        split_by_interval(
            datetime(2026, 1, 5, 8, 20, tzinfo=UTC),
            datetime(2026, 1, 5, 9, 5, tzinfo=UTC),
            Interval.MINUTES_30,
            berlin,
        )
    )
    assert [(start.strftime("%H:%M"), seconds) for start, seconds in pieces] == [
        ("09:00", 600.0),
        ("09:30", 1800.0),
        ("10:00", 300.0),
    ]


def test_the_day_of_a_dst_change_lasts_23_hours() -> None:
    new_york = ZoneInfo("America/New_York")
    pieces = list(
        split_by_interval(
            datetime(2026, 3, 8, 5, 0, tzinfo=UTC),  # local midnight (EST)
            datetime(2026, 3, 9, 4, 0, tzinfo=UTC),  # next local midnight (EDT)
            Interval.DAY,
            new_york,
        )
    )
    assert [(start.date().isoformat(), seconds) for start, seconds in pieces] == [
        ("2026-03-08", 23 * 3600.0)
    ]


def test_hours_across_the_spring_forward_gap() -> None:
    new_york = ZoneInfo("America/New_York")
    pieces = list(
        split_by_interval(
            datetime(2026, 3, 8, 6, 30, tzinfo=UTC),  # 01:30 EST
            datetime(2026, 3, 8, 8, 0, tzinfo=UTC),  # 04:00 EDT
            Interval.MINUTES_60,
            new_york,
        )
    )
    assert [(start.strftime("%H:%M"), seconds) for start, seconds in pieces] == [
        ("01:00", 1800.0),
        ("03:00", 3600.0),
    ]


SPAN_ZONES = ["UTC", "Europe/London", "Asia/Kathmandu", "Australia/Lord_Howe"]


@settings(max_examples=60, deadline=None)
@given(
    spans=st.lists(
        st.tuples(st.integers(0, 3 * 86_400), st.integers(1, 40 * 3600)), min_size=1, max_size=20
    ),
    interval=st.sampled_from(list(Interval)),
    zone=st.sampled_from(SPAN_ZONES),
)
def test_vectorised_split_equals_split_by_interval(
    spans: list[tuple[int, int]], interval: Interval, zone: str
) -> None:
    origin = datetime(2026, 3, 27, 22, 7, 30, tzinfo=UTC)  # two DST changes ahead in Europe
    local = ZoneInfo(zone)
    instants = [
        (origin + timedelta(seconds=start), origin + timedelta(seconds=start + length))
        for start, length in spans
    ]
    edges = boundaries(origin, max(end for _, end in instants), interval, local)
    edges_us = np.array([to_epoch_us(edge) for edge in edges], dtype=np.int64)
    starts = np.array([to_epoch_us(start) for start, _ in instants], dtype=np.int64)
    ends = np.array([to_epoch_us(end) for _, end in instants], dtype=np.int64)
    span, bucket, seconds = split_spans(starts, ends, edges_us)
    vectorised = sorted(
        (int(s), bucket_start(edges[b], interval, local), round(float(x), 6))
        for s, b, x in zip(span, bucket, seconds, strict=True)
    )
    expected = sorted(
        (index, piece, round(length, 6))
        for index, (start, end) in enumerate(instants)
        for piece, length in split_by_interval(start, end, interval, local)
    )
    assert vectorised == expected


@pytest.mark.parametrize(
    ("zone", "interval", "grain_minutes"),
    [
        ("UTC", Interval.MINUTES_30, 30),
        ("UTC", Interval.DAY, 1440),
        ("Europe/London", Interval.DAY, 60),  # local midnight is 23:00 or 00:00 UTC
        ("Asia/Kolkata", Interval.MINUTES_60, 30),  # UTC+05:30
        ("Asia/Kathmandu", Interval.MINUTES_30, 15),  # UTC+05:45
    ],
)
def test_coarsest_grain_never_straddles_an_interval(
    zone: str, interval: Interval, grain_minutes: int
) -> None:
    start = datetime(2026, 3, 1, tzinfo=UTC)
    window = Window(start, start + timedelta(days=60), interval, ZoneInfo(zone))
    assert Grid.of(window).coarsest_grain_us(interval) == grain_minutes * 60_000_000
