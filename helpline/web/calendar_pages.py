"""The hours page: every queue's weekly hours and the routing calendar (holiday settings, public
holidays, closures and special opening hours), which managers and admins change here.

Forms are validated by the REST bodies (``http.calendar_schemas``) and stored by the same services
(``services.acd.calendar``) as ``/api/v1/holiday-settings`` and ``/api/v1/hours-overrides``; a refusal
comes back as the page again (422) with the message next to the field it names.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import timedelta
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, ValidationError

from helpline.errors import InvalidInput
from helpline.http.bounds import PathId
from helpline.http.calendar_schemas import HolidaySettingsIn, HoursOverrideIn
from helpline.http.deps import get_db, get_now
from helpline.services.acd import calendar, directory
from helpline.web.render import page
from helpline.web.viewer import CSRF_FIELD, Viewer, check_csrf, current_viewer

router = APIRouter(include_in_schema=False)
PageViewer = Annotated[Viewer, Depends(current_viewer)]

SETTINGS_FIELDS = ("country", "subdivision", "close_routing")
OVERRIDE_FIELDS = (
    "name",
    "queue_id",
    "kind",
    "first_day",
    "last_day",
    "closed_from",
    "closed_until",
    "spans",
)
SPAN = re.compile(r"^\s*(\d{1,2}:\d{2})\s*[-\u2013]\s*(\d{1,2}:\d{2})\s*$")
"""One opening span as typed: ``09:00-12:00`` (an en dash works too)."""
Errors = dict[str, str]
M = TypeVar("M", bound=BaseModel)


def _hours_page(
    request: Request,
    viewer: Viewer,
    *,
    settings_values: Mapping[str, str] | None = None,
    settings_errors: Errors | None = None,
    override_values: Mapping[str, str] | None = None,
    override_errors: Errors | None = None,
    status: int = 200,
) -> HTMLResponse:
    today = get_now(request).astimezone(viewer.zone).date()
    with get_db(request).read() as session:
        queues = directory.queues(session, viewer.actor)
        settings = calendar.get_holiday_settings(session, viewer.actor)
        holidays = calendar.list_public_holidays(
            session, viewer.actor, today, today + timedelta(days=365)
        )
        overrides = calendar.list_hours_overrides(session, viewer.actor, first=today)
    if settings_values is None:
        settings_values = {
            "country": settings.country or "",
            "subdivision": settings.subdivision or "",
            "close_routing": "on" if settings.close_routing else "",
        }
    return page(
        request,
        "config_hours.html",
        viewer,
        status_code=status,
        queues=queues,
        queue_names={q.id: q.name for q in queues},
        holiday_settings=settings,
        holidays=holidays,
        overrides=overrides,
        may_edit=viewer.may(*calendar.CALENDAR_ROLES),
        settings_values=settings_values,
        settings_errors=settings_errors or {},
        override_values=override_values or {"kind": "closed"},
        override_errors=override_errors or {},
    )


@router.get("/config/hours", response_class=HTMLResponse)
def hours(request: Request, viewer: PageViewer) -> HTMLResponse:
    """Every queue's hours of operation (edited on the queue's form) and the routing calendar: holiday
    settings, the coming year's public holidays, closures and special opening hours. Every member
    may look; managers and admins get the forms that change the calendar."""
    return _hours_page(request, viewer)


async def _submitted(request: Request, viewer: Viewer, names: tuple[str, ...]) -> dict[str, str]:
    form = await request.form()
    check_csrf(viewer.csrf_token, form.get(CSRF_FIELD))
    return {
        name: value.strip() if isinstance(value := form.get(name), str) else "" for name in names
    }


def _validated(model: type[M], values: dict[str, Any]) -> tuple[M | None, Errors]:
    """``values`` as the REST body ``model``, or the messages by form field."""
    try:
        return model.model_validate(values), {}
    except ValidationError as invalid:
        errors: Errors = {}
        for item in invalid.errors():
            location = item["loc"]
            name = str(location[0]) if location else "form"
            errors.setdefault(name, str(item["msg"]).removeprefix("Value error, "))
        return None, errors


def _field_of(invalid: InvalidInput) -> str:
    return invalid.field.split(".")[0]


@router.post("/config/hours/holiday-settings")
async def save_holiday_settings(request: Request, viewer: PageViewer) -> Response:
    """Set which country's (and subdivision's) public holidays apply and whether they close routing."""
    viewer.require(*calendar.CALENDAR_ROLES)
    submitted = await _submitted(request, viewer, SETTINGS_FIELDS)
    body, errors = _validated(
        HolidaySettingsIn,
        {
            "country": submitted["country"] or None,
            "subdivision": submitted["subdivision"] or None,
            "close_routing": submitted["close_routing"] == "on",
        },
    )
    if body is not None:
        settings = calendar.HolidaySettings(body.country, body.subdivision, body.close_routing)
        try:
            with get_db(request).transaction() as session:
                calendar.set_holiday_settings(session, viewer.actor, settings)
            return RedirectResponse("/config/hours?saved=settings#calendar", status_code=303)
        except InvalidInput as invalid:
            errors = {_field_of(invalid): invalid.reason}
    return _hours_page(
        request, viewer, settings_values=submitted, settings_errors=errors, status=422
    )


def _spans(text: str) -> list[dict[str, str]] | None:
    """``09:00-12:00, 13:00-17:00`` as spans; None when a part is not ``HH:MM-HH:MM``."""
    spans = []
    for part in filter(None, (p.strip() for p in text.replace(";", ",").split(","))):
        match = SPAN.match(part)
        if match is None:
            return None
        opens, closes = match.groups()
        spans.append({"open": opens.zfill(5), "close": closes.zfill(5)})
    return spans


@router.post("/config/hours/overrides")
async def add_override(request: Request, viewer: PageViewer) -> Response:
    """Add a closure or special opening hours, organization-wide or for one queue."""
    viewer.require(*calendar.CALENDAR_ROLES)
    submitted = await _submitted(request, viewer, OVERRIDE_FIELDS)
    spans = _spans(submitted["spans"])
    body: HoursOverrideIn | None = None
    if spans is None:
        errors = {"spans": "write each span as HH:MM-HH:MM, separated by commas"}
    else:
        values: dict[str, Any] = {name: submitted[name] or None for name in OVERRIDE_FIELDS}
        values["spans"] = spans
        body, errors = _validated(HoursOverrideIn, values)
    if body is not None:
        try:
            with get_db(request).transaction() as session:
                calendar.create_hours_override(session, viewer.actor, body.stored_values())
            return RedirectResponse("/config/hours?saved=override#overrides", status_code=303)
        except InvalidInput as invalid:
            errors = {_field_of(invalid): invalid.reason}
    return _hours_page(
        request, viewer, override_values=submitted, override_errors=errors, status=422
    )


@router.post("/config/hours/overrides/{override_id}/delete")
async def delete_override(request: Request, viewer: PageViewer, override_id: PathId) -> Response:
    """Remove a closure or special opening hours."""
    viewer.require(*calendar.CALENDAR_ROLES)
    await _submitted(request, viewer, ())
    with get_db(request).transaction() as session:
        calendar.delete_hours_override(session, viewer.actor, override_id)
    return RedirectResponse("/config/hours?saved=deleted#overrides", status_code=303)
