"""The routing calendar's expansion: weekly hours, public holidays, closures and special opening
hours as the absolute open intervals the routing engine is given (``engine_config.open_intervals``)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from helpline.domain.calendar import (
    ClosedPeriod,
    HoursOverride,
    OrganizationCalendar,
    OverrideKind,
    QueueCalendar,
)
from helpline.routing import ALWAYS_OPEN, OpenIntervals
from helpline.services.acd.engine_config import open_intervals

LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")
OFFICE: dict[str, Any] = {
    "always_open": False,
    "weekly": {
        d: [{"open": "09:00", "close": "17:00"}] for d in ("mon", "tue", "wed", "thu", "fri")
    },
}
# Monday 21 to Sunday 27 December 2026; Christmas Day is a Friday.
START = datetime(2026, 12, 21, tzinfo=UTC)
END = datetime(2026, 12, 28, tzinfo=UTC)


def at(day: int, clock: str, zone: ZoneInfo = LONDON, month: int = 12) -> float:
    """Engine time of 2026-<month>-<day> at local ``clock``."""
    hours, minutes = map(int, clock.split(":"))
    return datetime(2026, month, day, hours, minutes, tzinfo=zone).timestamp()


def closure(first: date, last: date | None = None, **kwargs: Any) -> HoursOverride:
    return HoursOverride(OverrideKind.CLOSED, first, last or first, **kwargs)


def special(day: date, *spans: tuple[str, str], queue_id: int | None = None) -> HoursOverride:
    return HoursOverride(
        OverrideKind.OPEN,
        day,
        day,
        queue_id=queue_id,
        spans=tuple({"open": o, "close": c} for o, c in spans),
    )


def expand(
    calendar: OrganizationCalendar,
    hours: dict[str, Any] = OFFICE,
    queue_id: int = 1,
    zone: ZoneInfo = LONDON,
    start: datetime = START,
    end: datetime = END,
) -> Any:
    return open_intervals(hours, zone, start, end, calendar.for_queue(queue_id))


def test_a_public_holiday_removes_a_weekdays_hours() -> None:
    hours = expand(OrganizationCalendar(holidays={date(2026, 12, 25): "Christmas Day"}))
    assert hours.is_open(at(24, "12:00"))
    assert not hours.is_open(at(25, "12:00"))
    assert not hours.is_open(at(25, "09:00"))
    assert hours.is_open(at(28, "09:00"))


def test_without_a_calendar_the_weekly_hours_are_unchanged() -> None:
    plain = open_intervals(OFFICE, LONDON, START, END)
    with_empty = expand(OrganizationCalendar())
    assert isinstance(plain, OpenIntervals)
    assert plain == with_empty
    assert plain.is_open(at(25, "12:00"))


def test_a_partial_day_closure_closes_the_afternoon_only() -> None:
    eve = closure(date(2026, 12, 24), name="Christmas Eve afternoon", closed_from=time(12, 0))
    hours = expand(OrganizationCalendar(overrides=(eve,)))
    assert hours.is_open(at(24, "11:59"))
    assert not hours.is_open(at(24, "12:00"))
    assert not hours.is_open(at(24, "16:00"))
    assert hours.is_open(at(23, "16:00"))


def test_a_closure_over_several_days_runs_from_its_start_clock_to_its_end_clock() -> None:
    move = closure(
        date(2026, 12, 22), date(2026, 12, 23), closed_from=time(15, 0), closed_until=time(10, 0)
    )
    hours = expand(OrganizationCalendar(overrides=(move,)))
    assert hours.is_open(at(22, "14:59"))
    assert not hours.is_open(at(22, "15:00"))
    assert not hours.is_open(at(23, "09:30"))
    assert hours.is_open(at(23, "10:00"))


def test_special_hours_replace_the_weekly_spans_of_their_date() -> None:
    hours = expand(
        OrganizationCalendar(
            overrides=(
                special(date(2026, 12, 23), ("10:00", "14:00")),
                special(date(2026, 12, 27), ("10:00", "12:00")),
            )  # a Sunday
        )
    )
    assert not hours.is_open(at(23, "09:30"))
    assert hours.is_open(at(23, "10:00"))
    assert not hours.is_open(at(23, "15:00"))
    assert hours.is_open(at(27, "11:00"))  # open on a Sunday
    assert not hours.is_open(at(26, "11:00"))  # the Saturday stays closed
    assert hours.is_open(at(22, "09:30"))  # other days keep the week


def test_special_hours_on_a_holiday_open_it() -> None:
    hours = expand(
        OrganizationCalendar(
            holidays={date(2026, 12, 25): "Christmas Day"},
            overrides=(special(date(2026, 12, 25), ("10:00", "14:00")),),
        )
    )
    assert hours.is_open(at(25, "10:00"))
    assert not hours.is_open(at(25, "14:00"))


def test_a_closure_wins_over_special_hours() -> None:
    hours = expand(
        OrganizationCalendar(
            overrides=(
                special(date(2026, 12, 26), ("08:00", "18:00")),
                closure(date(2026, 12, 26), closed_from=time(14, 0)),
            )
        )
    )
    assert hours.is_open(at(26, "13:59"))
    assert not hours.is_open(at(26, "14:00"))


def test_a_queues_own_special_hours_replace_organization_wide_ones() -> None:
    calendar = OrganizationCalendar(
        overrides=(
            special(date(2026, 12, 24), ("09:00", "12:00")),
            special(date(2026, 12, 24), ("13:00", "20:00"), queue_id=2),
        )
    )
    shared = expand(calendar, queue_id=1)
    own = expand(calendar, queue_id=2)
    assert shared.is_open(at(24, "10:00"))
    assert not shared.is_open(at(24, "15:00"))
    assert not own.is_open(at(24, "10:00"))
    assert own.is_open(at(24, "19:00"))


def test_a_closure_of_another_queue_does_not_close_this_one() -> None:
    calendar = OrganizationCalendar(overrides=(closure(date(2026, 12, 23), queue_id=2),))
    assert expand(calendar, queue_id=1).is_open(at(23, "12:00"))
    assert not expand(calendar, queue_id=2).is_open(at(23, "12:00"))


def test_an_always_open_queue_stays_always_open_without_calendar_dates() -> None:
    far = OrganizationCalendar(holidays={date(2027, 6, 1): "Later"})
    assert expand(far, hours={"always_open": True}) is ALWAYS_OPEN


def test_an_always_open_queue_closes_on_a_holiday_and_during_a_closed_period() -> None:
    outage = ClosedPeriod(
        datetime(2026, 12, 22, 10, tzinfo=UTC), datetime(2026, 12, 22, 11, tzinfo=UTC)
    )
    calendar = OrganizationCalendar(
        holidays={date(2026, 12, 25): "Christmas Day"}, closed_periods=(outage,)
    )
    hours = expand(calendar, hours={"always_open": True})
    assert hours.is_open(at(24, "23:59"))
    assert not hours.is_open(at(25, "00:00"))
    assert not hours.is_open(at(25, "23:59"))
    assert hours.is_open(at(26, "00:00"))
    assert hours.is_open(at(22, "09:59"))
    assert not hours.is_open(at(22, "10:30"))
    assert hours.is_open(at(22, "11:00"))


def test_holiday_dates_are_local_dates_of_the_organizations_zone() -> None:
    """Christmas in New York starts at 05:00 UTC, not at UTC midnight."""
    calendar = OrganizationCalendar(holidays={date(2026, 12, 25): "Christmas Day"})
    hours = expand(calendar, hours={"always_open": True}, zone=NEW_YORK)
    assert hours.is_open(datetime(2026, 12, 25, 4, 59, tzinfo=UTC).timestamp())
    assert not hours.is_open(datetime(2026, 12, 25, 5, 0, tzinfo=UTC).timestamp())
    assert not hours.is_open(datetime(2026, 12, 26, 4, 59, tzinfo=UTC).timestamp())
    assert hours.is_open(datetime(2026, 12, 26, 5, 0, tzinfo=UTC).timestamp())


@pytest.mark.parametrize(
    ("day", "month", "closed_hours"),
    [
        (29, 3, 23),
        (25, 10, 25),
    ],  # London springs forward on 29 March 2026, falls back on 25 October
)
def test_a_whole_day_closure_on_a_dst_change_day_lasts_that_days_length(
    day: int, month: int, closed_hours: int
) -> None:
    calendar = OrganizationCalendar(overrides=(closure(date(2026, month, day)),))
    hours = open_intervals(
        {"always_open": True},
        LONDON,
        datetime(2026, month, day - 3, tzinfo=UTC),
        datetime(2026, month, day, tzinfo=UTC) + timedelta(days=3),
        calendar.for_queue(1),
    )
    assert isinstance(hours, OpenIntervals)
    gaps = [
        (end, start)
        for (_, end), (start, _) in zip(hours.intervals, hours.intervals[1:], strict=False)
    ]
    assert len(gaps) == 1
    closes, reopens = gaps[0]
    assert closes == at(day, "00:00", month=month)
    assert (
        reopens
        == datetime.combine(date(2026, month, day) + timedelta(days=1), time(0), LONDON).timestamp()
    )
    assert reopens - closes == closed_hours * 3600


def test_special_hours_on_a_dst_change_day_are_local_clock_times() -> None:
    calendar = OrganizationCalendar(overrides=(special(date(2026, 3, 29), ("09:00", "17:00")),))
    hours = expand(
        calendar,
        hours={"always_open": False},
        start=datetime(2026, 3, 27, tzinfo=UTC),
        end=datetime(2026, 3, 31, tzinfo=UTC),
    )
    # 09:00 BST is 08:00 UTC after the change.
    assert not hours.is_open(datetime(2026, 3, 29, 7, 59, tzinfo=UTC).timestamp())
    assert hours.is_open(datetime(2026, 3, 29, 8, 0, tzinfo=UTC).timestamp())
    assert not hours.is_open(datetime(2026, 3, 29, 16, 0, tzinfo=UTC).timestamp())


def test_a_queue_calendar_without_entries_changes_nothing() -> None:
    assert not QueueCalendar().changes_between(date(2026, 1, 1), date(2026, 12, 31))
