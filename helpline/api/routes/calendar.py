"""The routing calendar: holiday settings, closures and special opening hours, public holidays, and
whether a queue is open (its open intervals, computed as the routing engine computes them)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response

from helpline.api.calendar_schemas import (
    HolidaySettingsIn,
    HolidaySettingsOut,
    HoursOverrideIn,
    HoursOverrideOut,
    OpenIntervalOut,
    OpenStateOut,
    PublicHolidayOut,
)
from helpline.api.schemas import partial
from helpline.http.bounds import Id, PathId
from helpline.http.deps import DB, CurrentActor
from helpline.services.acd import calendar, opening_hours

router = APIRouter(tags=["Routing calendar"])
HoursOverridePatch: Any = partial(HoursOverrideIn, "HoursOverridePatch")


@router.get(
    "/holiday-settings", response_model=HolidaySettingsOut, summary="Get the holiday settings"
)
def get_holiday_settings(actor: CurrentActor, db: DB) -> dict[str, Any]:
    with db.transaction() as session:
        return calendar.get_holiday_settings(session, actor).as_dict()


@router.put(
    "/holiday-settings", response_model=HolidaySettingsOut, summary="Set the holiday settings"
)
def set_holiday_settings(body: HolidaySettingsIn, actor: CurrentActor, db: DB) -> dict[str, Any]:
    """Which country's public holidays (and subdivision's) close routing; 422 for a country or
    subdivision the holidays package does not know."""
    settings = calendar.HolidaySettings(body.country, body.subdivision, body.close_routing)
    with db.transaction() as session:
        return calendar.set_holiday_settings(session, actor, settings).as_dict()


@router.get(
    "/public-holidays", response_model=list[PublicHolidayOut], summary="List public holidays"
)
def list_public_holidays(
    actor: CurrentActor,
    db: DB,
    first: date = Query(..., alias="from", description="First local date"),
    last: date = Query(..., alias="to", description="Last local date (inclusive)"),
) -> list[dict[str, Any]]:
    """The holiday country's public holidays in the dates, and whether they close routing."""
    with db.transaction() as session:
        closes = calendar.get_holiday_settings(session, actor).close_routing
        return [
            {"date": day, "name": name, "closes_routing": closes}
            for day, name in calendar.list_public_holidays(session, actor, first, last)
        ]


@router.get(
    "/hours-overrides",
    response_model=list[HoursOverrideOut],
    summary="List closures and special opening hours",
)
def list_hours_overrides(
    actor: CurrentActor,
    db: DB,
    queue_id: Annotated[Id | None, Query(description="Those applying to this queue")] = None,
    first: date | None = Query(None, alias="from", description="Touching this date or later"),
    last: date | None = Query(None, alias="to", description="Touching this date or earlier"),
) -> list[dict[str, Any]]:
    with db.transaction() as session:
        return calendar.list_hours_overrides(
            session, actor, queue_id=queue_id, first=first, last=last
        )


@router.post(
    "/hours-overrides",
    response_model=HoursOverrideOut,
    status_code=201,
    summary="Add a closure or special opening hours",
)
def create_hours_override(body: HoursOverrideIn, actor: CurrentActor, db: DB) -> dict[str, Any]:
    """A closure (``kind`` closed: whole days, or from ``closed_from`` on the first day until
    ``closed_until`` on the last) or special opening hours (``kind`` open: ``spans`` replace the
    weekly hours of each date, and open a public holiday). Organization-wide without ``queue_id``."""
    with db.transaction() as session:
        return calendar.create_hours_override(session, actor, body.stored_values())


@router.get(
    "/hours-overrides/{hours_override_id}",
    response_model=HoursOverrideOut,
    summary="Get a closure or special opening hours",
)
def get_hours_override(actor: CurrentActor, db: DB, hours_override_id: PathId) -> dict[str, Any]:
    with db.transaction() as session:
        return calendar.get_hours_override(session, actor, hours_override_id)


@router.patch(
    "/hours-overrides/{hours_override_id}",
    response_model=HoursOverrideOut,
    summary="Change a closure or special opening hours",
)
def update_hours_override(
    body: HoursOverridePatch, actor: CurrentActor, db: DB, hours_override_id: PathId
) -> dict[str, Any]:
    values = body.model_dump(mode="python", exclude_unset=True)
    with db.transaction() as session:
        return calendar.update_hours_override(session, actor, hours_override_id, values)


@router.delete(
    "/hours-overrides/{hours_override_id}",
    status_code=204,
    summary="Delete a closure or special opening hours",
)
def delete_hours_override(actor: CurrentActor, db: DB, hours_override_id: PathId) -> Response:
    with db.transaction() as session:
        calendar.delete_hours_override(session, actor, hours_override_id)
    return Response(status_code=204)


@router.get(
    "/queues/{queue_id}/open-intervals",
    response_model=list[OpenIntervalOut],
    summary="A queue's open intervals",
)
def queue_open_intervals(
    actor: CurrentActor,
    db: DB,
    queue_id: PathId,
    start: datetime | None = Query(None, alias="from", description="With a time zone; default now"),
    end: datetime | None = Query(
        None, alias="to", description="With a time zone; default from + 7 days; at most 62 days on"
    ),
) -> list[dict[str, datetime]]:
    """When the queue is open between ``from`` and ``to`` (UTC), as routing computes it: weekly
    hours, public holidays, closures and special opening hours."""
    with db.transaction() as session:
        intervals = opening_hours.open_intervals_between(session, actor, queue_id, start, end)
    return [{"opens_at": opens, "closes_at": closes} for opens, closes in intervals]


@router.get(
    "/queues/{queue_id}/open-state",
    response_model=OpenStateOut,
    summary="Whether a queue is open",
)
def queue_open_state(
    actor: CurrentActor,
    db: DB,
    queue_id: PathId,
    at: datetime | None = Query(None, description="With a time zone; default now"),
) -> dict[str, Any]:
    """Whether the queue is open at ``at``, until when, or when it opens next."""
    with db.transaction() as session:
        state = opening_hours.open_state(session, actor, queue_id, at)
    return {
        "queue_id": queue_id,
        "at": state.at,
        "is_open": state.is_open,
        "open_until": state.open_until,
        "next_open_at": state.next_open_at,
    }
