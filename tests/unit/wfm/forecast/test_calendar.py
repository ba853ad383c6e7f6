"""Day kinds from the holidays package, and user calendar events."""

from __future__ import annotations

from datetime import date, datetime

import numpy as np
import pytest

from helpline.wfm.forecast import CalendarEvent, DayKind, day_kinds
from helpline.wfm.forecast.calendar import event_multipliers

local = datetime.fromisoformat  # local wall-clock time, as the forecaster takes it


def test_israeli_calendar_marks_yom_kippur_its_eve_and_sukkot_observance() -> None:
    first = date(1999, 9, 1)
    kinds = day_kinds(first, 30, "IL")
    assert kinds[(date(1999, 9, 20) - first).days] == DayKind.HOLIDAY  # Yom Kippur
    assert kinds[(date(1999, 9, 19) - first).days] == DayKind.EVE
    assert kinds[(date(1999, 9, 27) - first).days] == DayKind.OBSERVANCE  # Chol HaMoed Sukkot
    assert kinds[(date(1999, 9, 15) - first).days] == DayKind.NORMAL


def test_us_calendar_marks_labor_day_and_the_day_after_and_without_country_every_day_is_normal() -> (
    None
):
    first = date(2003, 8, 25)
    assert day_kinds(first, 14, "US")[7] == DayKind.HOLIDAY  # 2003-09-01
    assert day_kinds(first, 14, "US")[8] == DayKind.AFTER_HOLIDAY
    assert (day_kinds(first, 14, None) == DayKind.NORMAL).all()


def test_event_multipliers_cover_the_intervals_an_event_overlaps() -> None:
    event = CalendarEvent("billing run", local("2024-01-01T09:15"), local("2024-01-01T10:00"), 1.5)
    multipliers = event_multipliers(local("2024-01-01T00:00"), 48, 30, [event])
    assert multipliers[18] == 1.5  # 09:00-09:30 overlaps from 09:15
    assert multipliers[19] == 1.5
    assert np.count_nonzero(multipliers != 1) == 2


def test_an_event_that_ends_before_it_starts_is_rejected() -> None:
    with pytest.raises(ValueError, match="ends before it starts"):
        CalendarEvent("x", local("2024-01-02T00:00"), local("2024-01-01T00:00"))
