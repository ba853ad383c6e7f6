"""Special days: public holidays of a country and a user calendar of events.

A day is *normal* or of a special kind. The kinds are general on purpose: which weekdays are quiet, and how a
public holiday or its eve behaves, is learned from the history of each series (a bank in Israel closes on
Yom Kippur and half-closes on its eve; a US bank is closed on Labor Day), never hard-coded per country.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import numpy as np
import numpy.typing as npt


class DayKind(enum.IntEnum):
    """What kind of day a calendar day is, for the forecast."""

    NORMAL = 0  # an ordinary weekday of its kind (Monday, Friday...)
    HOLIDAY = 1  # a public holiday of the country (`holidays` category "public")
    EVE = 2  # the day before a public holiday that is not itself one (often a half day)
    OBSERVANCE = 3  # an optional/observance day (`holidays` category "optional"), e.g. Chol HaMoed
    AFTER_HOLIDAY = 4  # the day after a public holiday, when not special itself (catch-up calls)


@dataclass(frozen=True)
class CalendarEvent:
    """A user-entered event (campaign, outage, billing day) over ``[start, end)`` local time.

    ``volume_multiplier`` is its effect on contact volume in the forecast (1.3 = 30 % more contacts,
    0 = closed). History inside an event is left out when models are fitted, so a past outage or
    campaign does not distort the profiles.
    """

    name: str
    start: datetime
    end: datetime
    volume_multiplier: float = 1.0

    def __post_init__(self) -> None:
        if self.end <= self.start:
            raise ValueError(f"event {self.name!r} ends before it starts")
        if self.volume_multiplier < 0:
            raise ValueError(f"event {self.name!r} has a negative volume multiplier")


def day_kinds(
    first_day: date, n_days: int, country: str | None, subdivision: str | None = None
) -> npt.NDArray[np.int8]:
    """Return the `DayKind` of each of ``n_days`` days from ``first_day`` for a country (ISO code).

    Without a country every day is normal. Uses the `holidays` package (public and optional categories).
    Raises ValueError for a country (or subdivision) it does not know.
    """
    kinds = np.zeros(n_days, dtype=np.int8)
    if country is None or n_days == 0:
        return kinds
    import holidays  # imported here: loading every country's calendar costs ~0.2 s

    last_day = first_day + timedelta(days=n_days)
    years = range(first_day.year, last_day.year + 1)
    try:
        public = holidays.country_holidays(country, subdiv=subdivision, years=years)
    except NotImplementedError:
        raise ValueError(
            f"unknown country or subdivision {country!r} {subdivision or ''}".rstrip()
        ) from None
    categories = public.supported_categories
    optional: Iterable[date] = ()
    if "optional" in categories:
        optional = holidays.country_holidays(
            country, subdiv=subdivision, years=years, categories=("optional",)
        ).keys()
    for day in optional:
        index = (day - first_day).days
        if 0 <= index < n_days:
            kinds[index] = DayKind.OBSERVANCE
    for day in public:
        index = (day - first_day).days
        if 0 <= index < n_days:
            kinds[index] = DayKind.HOLIDAY
    for day in public:
        eve = (day - first_day).days - 1
        if 0 <= eve < n_days and kinds[eve] != DayKind.HOLIDAY:
            kinds[eve] = DayKind.EVE
    for day in public:
        after = (day - first_day).days + 1
        if 0 <= after < n_days and kinds[after] == DayKind.NORMAL:
            kinds[after] = DayKind.AFTER_HOLIDAY
    return kinds


def event_multipliers(
    first_slot: datetime, n_slots: int, interval_minutes: int, events: Sequence[CalendarEvent]
) -> npt.NDArray[np.float64]:
    """Return the volume multiplier of each of ``n_slots`` intervals from ``first_slot`` (1 = no event).

    An interval is affected when it overlaps an event; overlapping events multiply.
    """
    multipliers = np.ones(n_slots)
    step = timedelta(minutes=interval_minutes)
    for event in events:
        begin = max(0, int((event.start - first_slot) // step))
        end = min(n_slots, int(-((first_slot - event.end) // step)))
        if begin < end:
            multipliers[begin:end] *= event.volume_multiplier
    return multipliers
