"""The routing calendar: which dates change a queue's weekly hours (public holidays, dated closures,
special opening hours), as plain values in the organization's local dates.

The service layer turns a day's spans into absolute intervals in the organization's time zone
(``services.acd.engine_config.open_intervals``); this module knows dates and clock times only.

Precedence on one local date, for one queue:

1. special opening hours for the date replace the weekly spans (the queue's own special hours win
   over organization-wide ones; several of the same scope add up), and open a public holiday;
2. otherwise a public holiday that closes routing leaves the date without spans;
3. otherwise the weekly spans apply (an always-open queue: the whole day);
4. then every closure (dated, partial or whole days, and a forecast calendar event that closes the
   center) is cut out of what is left: a closure always wins.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

Span = Mapping[str, str]
"""``{"open": "HH:MM", "close": "HH:MM"}`` (``"24:00"`` is midnight), as in a queue's weekly hours."""


class OverrideKind(enum.StrEnum):
    """What a dated hours override does."""

    CLOSED = "closed"  # closed from first_day (at closed_from) to last_day (until closed_until)
    OPEN = (
        "open"  # open during ``spans`` on each day from first_day to last_day, instead of the week
    )


@dataclass(frozen=True)
class HoursOverride:
    """A dated closure or special opening hours, organization-wide (``queue_id`` None) or per queue.

    A closure runs continuously from ``first_day`` at ``closed_from`` (default 00:00) to
    ``last_day`` at ``closed_until`` (default the end of that day): "Christmas Eve afternoon" is
    ``first_day = last_day = 12-24, closed_from = 12:00``.
    """

    kind: OverrideKind
    first_day: date
    last_day: date
    queue_id: int | None = None
    name: str = ""
    closed_from: time | None = None
    closed_until: time | None = None
    spans: tuple[Span, ...] = ()

    def covers(self, day: date) -> bool:
        """Whether ``day`` lies in ``[first_day, last_day]``."""
        return self.first_day <= day <= self.last_day

    def applies_to(self, queue_id: int) -> bool:
        """Organization-wide, or for this queue."""
        return self.queue_id is None or self.queue_id == queue_id

    def closed_period(self) -> tuple[datetime, datetime]:
        """A closure's local start and end (naive wall-clock times; the caller adds the zone)."""
        start = datetime.combine(self.first_day, self.closed_from or time(0))
        until = self.closed_until
        if until is None or until == time.max:
            end = datetime.combine(self.last_day + timedelta(days=1), time(0))
        else:
            end = datetime.combine(self.last_day, until)
        return start, end


@dataclass(frozen=True)
class ClosedPeriod:
    """An absolute period the center is closed (a forecast calendar event with multiplier 0)."""

    starts_at: datetime  # aware
    ends_at: datetime  # aware
    queue_id: int | None = None
    name: str = ""


@dataclass(frozen=True)
class QueueCalendar:
    """One queue's calendar: resolved holidays, special hours by date, closures (local or absolute)."""

    holidays: Mapping[date, str] = field(default_factory=dict)
    special_hours: Mapping[date, tuple[Span, ...]] = field(default_factory=dict)
    local_closures: tuple[tuple[datetime, datetime], ...] = ()  # naive local wall-clock times
    closed_periods: tuple[tuple[datetime, datetime], ...] = ()  # aware instants

    def day_spans(self, day: date, weekly: Sequence[Span]) -> Sequence[Span]:
        """The spans a date is open for, before closures are cut out (rules 1-3 above)."""
        special = self.special_hours.get(day)
        if special is not None:
            return special
        if day in self.holidays:
            return ()
        return weekly

    def changes_between(self, first: date, last: date) -> bool:
        """Whether anything in the calendar may change hours between ``first`` and ``last``."""
        lower = datetime.combine(first, time(0))
        upper = datetime.combine(last + timedelta(days=1), time(0))
        return (
            any(first <= d <= last for d in self.holidays)
            or any(first <= d <= last for d in self.special_hours)
            or any(s < upper and e > lower for s, e in self.local_closures)
            # aware periods: compare on dates with a day's slack either side for the zone offset
            or any(
                s.date() <= last + timedelta(days=1) and e.date() >= first - timedelta(days=1)
                for s, e in self.closed_periods
            )
        )


@dataclass(frozen=True)
class OrganizationCalendar:
    """Every calendar entry of an organization over a span of dates, before resolving per queue."""

    holidays: Mapping[date, str] = field(default_factory=dict)  # only those that close routing
    overrides: tuple[HoursOverride, ...] = ()
    closed_periods: tuple[ClosedPeriod, ...] = ()

    def for_queue(self, queue_id: int) -> QueueCalendar:
        """The calendar as it applies to ``queue_id`` (queue special hours beat organization ones)."""
        mine = [o for o in self.overrides if o.applies_to(queue_id)]
        shared: dict[date, list[Span]] = {}
        own: dict[date, list[Span]] = {}
        for override in mine:
            if override.kind is OverrideKind.OPEN:
                spans = own if override.queue_id is not None else shared
                for day in _days(override.first_day, override.last_day):
                    spans.setdefault(day, []).extend(override.spans)
        special = shared | own  # the queue's own special hours replace organization-wide ones
        return QueueCalendar(
            holidays=self.holidays,
            special_hours={day: tuple(spans) for day, spans in special.items()},
            local_closures=tuple(o.closed_period() for o in mine if o.kind is OverrideKind.CLOSED),
            closed_periods=tuple(
                (p.starts_at, p.ends_at)
                for p in self.closed_periods
                if p.queue_id is None or p.queue_id == queue_id
            ),
        )


def _days(first: date, last: date) -> Iterable[date]:
    day = first
    while day <= last:
        yield day
        day += timedelta(days=1)


def supported_countries() -> Mapping[str, Sequence[str]]:
    """ISO 3166 country codes the ``holidays`` package knows, with their subdivision codes."""
    import holidays  # imported here: loading every country's calendar costs ~0.2 s

    supported: Mapping[str, Sequence[str]] = holidays.list_supported_countries()
    return supported


def public_holidays(
    country: str, subdivision: str | None, first: date, last: date
) -> dict[date, str]:
    """Public holidays of a country (and subdivision) between ``first`` and ``last`` inclusive, with
    their names (several on one date joined with ``"; "``). Raises ValueError for an unknown country
    or subdivision."""
    import holidays

    try:
        calendar = holidays.country_holidays(
            country, subdiv=subdivision, years=range(first.year, last.year + 1)
        )
    except NotImplementedError:
        raise ValueError(
            f"unknown country or subdivision {country!r} {subdivision or ''}".rstrip()
        ) from None
    return {
        day: "; ".join(calendar.get_list(day))
        for day in sorted(calendar.keys())
        if first <= day <= last
    }
