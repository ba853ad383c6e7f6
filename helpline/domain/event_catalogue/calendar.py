"""Routing calendar events: the organization's holiday settings, and dated closures and special
opening hours (``services/acd/calendar.py``). Each makes the routing service rebuild the
organization's engine, so the change applies to the next contact."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import Field

from helpline.domain.event_catalogue.base import EventPayload


class HolidaySettingsUpdated(EventPayload):
    """The organization's holiday settings were replaced."""

    country: str | None = Field(description="ISO 3166 code whose public holidays apply, or none.")
    subdivision: str | None = Field(description="Subdivision (state, region) code, or none.")
    close_routing: bool = Field(description="Whether public holidays close the queues.")


class OpeningSpan(EventPayload):
    """A span of special opening hours."""

    open: str = Field(description="HH:MM, organization's time zone.")
    close: str = Field(description="HH:MM, after open; 24:00 for midnight.")


class HoursOverrideCreated(EventPayload):
    """A dated closure (``kind`` closed) or special opening hours (``kind`` open) was added."""

    id: int = Field(description="The override.")
    queue_id: int | None = Field(description="The queue, or none for every queue.")
    name: str = Field(description="What it is, e.g. Christmas Eve afternoon.")
    kind: str = Field(description="closed or open.")
    first_day: date = Field(strict=False, description="First local date.")
    last_day: date = Field(strict=False, description="Last local date (inclusive).")
    closed_from: str | None = Field(description="A closure's start on first_day (HH:MM), or none.")
    closed_until: str | None = Field(description="A closure's end on last_day (HH:MM), or none.")
    spans: list[OpeningSpan] = Field(description="Special hours on each date (kind open).")


class HoursOverrideUpdated(EventPayload):
    """Fields of a closure or special opening hours were changed (PATCH)."""

    id: int = Field(description="The override.")
    changed: dict[str, Any] = Field(description="New values of the changed fields, by name.")


class HoursOverrideDeleted(EventPayload):
    """A closure or special opening hours was deleted."""

    id: int = Field(description="The override.")


EVENTS: tuple[type[EventPayload], ...] = (
    HolidaySettingsUpdated,
    HoursOverrideCreated,
    HoursOverrideUpdated,
    HoursOverrideDeleted,
)
