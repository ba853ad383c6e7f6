"""Intervals are aligned in the organization's zone, across DST changes and half-hour offsets."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from helpline.analytics import Interval, bucket_start, split_by_interval


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
