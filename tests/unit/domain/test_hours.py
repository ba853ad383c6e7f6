"""Hours of operation are read in local time, with half-open spans."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from helpline.domain.hours import is_open

LONDON = ZoneInfo("Europe/London")
WEEKDAYS_9_TO_5 = {
    "always_open": False,
    "weekly": {
        day: [{"open": "09:00", "close": "17:00"}] for day in ("mon", "tue", "wed", "thu", "fri")
    },
}


@pytest.mark.parametrize(
    ("local", "expected"),
    [
        (datetime(2026, 11, 23, 8, 59, tzinfo=LONDON), False),  # Monday, before opening
        (datetime(2026, 11, 23, 9, 0, tzinfo=LONDON), True),  # opening minute counts
        (datetime(2026, 11, 23, 16, 59, tzinfo=LONDON), True),
        (datetime(2026, 11, 23, 17, 0, tzinfo=LONDON), False),  # closing minute does not
        (datetime(2026, 11, 28, 12, 0, tzinfo=LONDON), False),  # Saturday
    ],
)
def test_weekly_hours(local: datetime, expected: bool) -> None:
    assert is_open(WEEKDAYS_9_TO_5, local) is expected


def test_always_open_ignores_the_timetable() -> None:
    assert is_open({"always_open": True, "weekly": {}}, datetime(2026, 11, 28, 3, 0, tzinfo=LONDON))


def test_close_at_midnight_covers_the_last_minute() -> None:
    late = {"always_open": False, "weekly": {"sat": [{"open": "20:00", "close": "24:00"}]}}
    assert is_open(late, datetime(2026, 11, 28, 23, 59, 59, tzinfo=LONDON))
