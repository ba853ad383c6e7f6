"""The routing calendar's use cases: the organization's holiday settings (which country's public
holidays close routing), dated closures and special opening hours (``hours overrides``), and the
loader that hands them to the hours expansion (``engine_config.open_intervals``).

Every change records an event (``HolidaySettingsUpdated``, ``HoursOverrideCreated/Updated/Deleted``)
whose type makes the routing service rebuild the organization's engine, so a new closure applies to
the next contact.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from helpline.domain.calendar import (
    ClosedPeriod,
    HoursOverride,
    OrganizationCalendar,
    OverrideKind,
    public_holidays,
    supported_countries,
)
from helpline.domain.enums import Role
from helpline.domain.hours import parse_clock
from helpline.errors import InvalidInput
from helpline.services.access import access, any_member, owned, owned_by, referenced, requires
from helpline.services.actor import Actor
from helpline.storage import tables
from helpline.storage.database import session_now
from helpline.storage.events import append_event

CALENDAR_ROLES = (Role.MANAGER,)
"""Who may change the routing calendar besides admins (as for queues)."""
MAX_OVERRIDE_DAYS = 366
"""Longest closure or run of special hours, in days."""
MAX_HOLIDAY_LIST_DAYS = 3 * 366
"""Longest span of public holidays listed at once."""

# --- holiday settings ------------------------------------------------------------------------------


@dataclass(frozen=True)
class HolidaySettings:
    """Which public holidays close the organization's routing; no country: none do."""

    country: str | None = None
    subdivision: str | None = None
    close_routing: bool = True

    def as_dict(self) -> dict[str, Any]:
        """The API's and the event's representation."""
        return {
            "country": self.country,
            "subdivision": self.subdivision,
            "close_routing": self.close_routing,
        }


def _settings(session: Session, organization_id: int) -> HolidaySettings:
    row = session.get(tables.HolidaySettings, organization_id)
    if row is None:
        return HolidaySettings()
    return HolidaySettings(row.country, row.subdivision, row.close_routing)


@any_member
def get_holiday_settings(session: Session, actor: Actor) -> HolidaySettings:
    """The organization's holiday settings (no country until one is set)."""
    return _settings(session, actor.organization_id)


def _checked_settings(settings: HolidaySettings) -> HolidaySettings:
    """``settings`` with codes in the ``holidays`` package's spelling, or InvalidInput."""
    if settings.country is None:
        if settings.subdivision is not None:
            raise InvalidInput("subdivision", "set a country first")
        return settings
    country = settings.country.strip().upper()
    known = supported_countries()
    if country not in known:
        raise InvalidInput(
            "country", f"no public holidays known for {settings.country!r} (use an ISO 3166 code)"
        )
    subdivision = settings.subdivision
    if subdivision is not None:
        by_upper = {code.upper(): code for code in known[country]}
        found = by_upper.get(subdivision.strip().upper())
        if found is None:
            sample = ", ".join(list(known[country])[:8]) or "none"
            raise InvalidInput(
                "subdivision", f"{country} has no subdivision {subdivision!r} (known: {sample})"
            )
        subdivision = found
    return HolidaySettings(country, subdivision, settings.close_routing)


@requires(*CALENDAR_ROLES)
def set_holiday_settings(
    session: Session, actor: Actor, settings: HolidaySettings
) -> HolidaySettings:
    """Replace the holiday settings (a country code known to the ``holidays`` package, an optional
    subdivision of it) and record ``HolidaySettingsUpdated``."""
    checked = _checked_settings(settings)
    row = session.get(tables.HolidaySettings, actor.organization_id)
    if row is None:
        row = tables.HolidaySettings(organization_id=actor.organization_id)
        session.add(row)
    row.country, row.subdivision = checked.country, checked.subdivision
    row.close_routing = checked.close_routing
    session.flush()
    append_event(
        session,
        actor.organization_id,
        "HolidaySettingsUpdated",
        occurred_at=session_now(session),
        actor=actor.label,
        payload=checked.as_dict(),
    )
    return checked


@any_member
def list_public_holidays(
    session: Session, actor: Actor, first: date, last: date
) -> list[tuple[date, str]]:
    """The public holidays of the organization's holiday country from ``first`` to ``last``
    (whether or not they close routing; none without a country)."""
    if last < first:
        raise InvalidInput("to", "must not be before from")
    if (last - first).days > MAX_HOLIDAY_LIST_DAYS:
        raise InvalidInput("to", f"list at most {MAX_HOLIDAY_LIST_DAYS} days at once")
    settings = _settings(session, actor.organization_id)
    if settings.country is None:
        return []
    return sorted(public_holidays(settings.country, settings.subdivision, first, last).items())


# --- hours overrides -------------------------------------------------------------------------------

OVERRIDE_FIELDS = (
    "queue_id",
    "name",
    "kind",
    "first_day",
    "last_day",
    "closed_from",
    "closed_until",
    "spans",
)


def represent_override(row: tables.HoursOverride) -> dict[str, Any]:
    """The API's and the created event's representation of an override."""
    return {"id": row.id, **{name: getattr(row, name) for name in OVERRIDE_FIELDS}}


def _check_override(session: Session, actor: Actor, row: tables.HoursOverride) -> None:
    """Rules across fields, on the row as it will be stored (after a PATCH too)."""
    try:
        kind = OverrideKind(row.kind)
    except ValueError:
        raise InvalidInput("kind", "closed or open") from None
    if row.last_day < row.first_day:
        raise InvalidInput("last_day", "must not be before first_day")
    if (row.last_day - row.first_day).days >= MAX_OVERRIDE_DAYS:
        raise InvalidInput("last_day", f"an override covers at most {MAX_OVERRIDE_DAYS} days")
    if kind is OverrideKind.CLOSED:
        if row.closed_from == "24:00":
            raise InvalidInput("closed_from", "a closure starts before 24:00")
        if row.spans:
            raise InvalidInput("spans", "a closure has no opening spans (use kind open)")
        if (
            row.first_day == row.last_day
            and row.closed_from is not None
            and row.closed_until is not None
            and parse_clock(row.closed_until) <= parse_clock(row.closed_from)
        ):
            raise InvalidInput("closed_until", "must be after closed_from on a one-day closure")
    else:
        if not row.spans:
            raise InvalidInput("spans", "special opening hours need at least one span")
        for name in ("closed_from", "closed_until"):
            if getattr(row, name) is not None:
                raise InvalidInput(name, "only a closure (kind closed) has one")
    if row.queue_id is not None:
        referenced(session, actor, tables.Queue, row.queue_id, "queue_id")


@any_member
def list_hours_overrides(
    session: Session,
    actor: Actor,
    *,
    queue_id: int | None = None,
    first: date | None = None,
    last: date | None = None,
) -> list[dict[str, Any]]:
    """Closures and special opening hours by first day; with ``queue_id`` those that apply to the
    queue (its own and organization-wide ones); with ``first``/``last`` those touching the dates."""
    query = owned(actor, tables.HoursOverride)
    if queue_id is not None:
        query = query.where(
            (tables.HoursOverride.queue_id == queue_id) | tables.HoursOverride.queue_id.is_(None)
        )
    if first is not None:
        query = query.where(tables.HoursOverride.last_day >= first)
    if last is not None:
        query = query.where(tables.HoursOverride.first_day <= last)
    rows = session.scalars(
        query.order_by(tables.HoursOverride.first_day, tables.HoursOverride.id)
    ).all()
    return [represent_override(row) for row in rows]


@any_member
def get_hours_override(session: Session, actor: Actor, override_id: int) -> dict[str, Any]:
    """One override of the organization, or NotFound."""
    return represent_override(
        access(session, actor, tables.HoursOverride, override_id, "hours override")
    )


@requires(*CALENDAR_ROLES)
def create_hours_override(
    session: Session, actor: Actor, values: Mapping[str, Any]
) -> dict[str, Any]:
    """Add a closure or special opening hours (``values``: the fields of ``OVERRIDE_FIELDS``, dates
    as ``date``) and record ``HoursOverrideCreated``."""
    row = tables.HoursOverride(organization_id=actor.organization_id, **values)
    row.spans = list(values.get("spans") or [])
    _check_override(session, actor, row)
    session.add(row)
    session.flush()
    data = represent_override(row)
    _override_event(session, actor, "HoursOverrideCreated", data)
    return data


@requires(*CALENDAR_ROLES)
def update_hours_override(
    session: Session, actor: Actor, override_id: int, values: Mapping[str, Any]
) -> dict[str, Any]:
    """Change the given fields and record ``HoursOverrideUpdated``; checked as a whole afterwards."""
    row = access(session, actor, tables.HoursOverride, override_id, "hours override")
    for name, value in values.items():
        setattr(row, name, list(value or []) if name == "spans" else value)
    if row.last_day is None:  # PATCH with last_day null: a one-day override
        row.last_day = row.first_day
    _check_override(session, actor, row)
    session.flush()
    _override_event(
        session, actor, "HoursOverrideUpdated", {"id": override_id, "changed": dict(values)}
    )
    return represent_override(row)


@requires(*CALENDAR_ROLES)
def delete_hours_override(session: Session, actor: Actor, override_id: int) -> None:
    """Remove a closure or special opening hours and record ``HoursOverrideDeleted``."""
    row = access(session, actor, tables.HoursOverride, override_id, "hours override")
    session.delete(row)
    session.flush()
    _override_event(session, actor, "HoursOverrideDeleted", {"id": override_id})


def _override_event(
    session: Session, actor: Actor, event_type: str, payload: dict[str, Any]
) -> None:
    append_event(
        session,
        actor.organization_id,
        event_type,
        occurred_at=session_now(session),
        actor=actor.label,
        payload=payload,
    )


# --- the calendar the hours expansion reads --------------------------------------------------------


def _override(row: tables.HoursOverride) -> HoursOverride:
    return HoursOverride(
        kind=OverrideKind(row.kind),
        first_day=row.first_day,
        last_day=row.last_day,
        queue_id=row.queue_id,
        name=row.name,
        closed_from=parse_clock(row.closed_from) if row.closed_from else None,
        closed_until=parse_clock(row.closed_until) if row.closed_until else None,
        spans=tuple(row.spans),
    )


def organization_calendar(
    session: Session, organization_id: int, first: date, last: date
) -> OrganizationCalendar:
    """Everything that changes the organization's queue hours between the local dates ``first`` and
    ``last``: public holidays that close routing, hours overrides, and forecast calendar events with
    a volume multiplier of 0 (the center is closed)."""
    settings = _settings(session, organization_id)
    holidays: dict[date, str] = {}
    if settings.country is not None and settings.close_routing:
        try:
            holidays = public_holidays(settings.country, settings.subdivision, first, last)
        except ValueError:  # checked when set; a holidays release that dropped it: none
            holidays = {}
    overrides = session.scalars(
        select(tables.HoursOverride).where(
            owned_by(organization_id, tables.HoursOverride),
            tables.HoursOverride.last_day >= first,
            tables.HoursOverride.first_day <= last,
        )
    ).all()
    # A day's slack either side: the events' instants are UTC, the dates local.
    lower = datetime.combine(first - timedelta(days=1), time(0), UTC)
    upper = datetime.combine(last + timedelta(days=2), time(0), UTC)
    closed_events = session.scalars(
        select(tables.CalendarEvent).where(
            owned_by(organization_id, tables.CalendarEvent),
            tables.CalendarEvent.volume_multiplier == 0,
            tables.CalendarEvent.ends_at > lower,
            tables.CalendarEvent.starts_at < upper,
        )
    ).all()
    return OrganizationCalendar(
        holidays=holidays,
        overrides=tuple(_override(row) for row in overrides),
        closed_periods=tuple(
            ClosedPeriod(row.starts_at, row.ends_at, row.queue_id, row.name)
            for row in closed_events
        ),
    )
