"""Request and response bodies of the routing calendar: holiday settings, closures and special opening
hours (hours overrides), public holidays and a queue's open intervals."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field

# The request bodies are shared with the hours configuration page; the API exposes them here.
from helpline.http.calendar_schemas import HolidaySettingsIn as HolidaySettingsIn
from helpline.http.calendar_schemas import HoursOverrideIn as HoursOverrideIn
from helpline.http.config_schemas import TimeSpan


class HolidaySettingsOut(HolidaySettingsIn):
    pass


class PublicHolidayOut(BaseModel):
    date: date
    name: str
    closes_routing: bool


class HoursOverrideOut(BaseModel):
    id: int
    queue_id: int | None
    name: str
    kind: str
    first_day: date
    last_day: date
    closed_from: str | None
    closed_until: str | None
    spans: list[TimeSpan]


class OpenIntervalOut(BaseModel):
    opens_at: datetime
    closes_at: datetime


class OpenStateOut(BaseModel):
    queue_id: int
    at: datetime
    is_open: bool
    open_until: datetime | None = Field(
        description="When open: end of the open time (14 days' reach)"
    )
    next_open_at: datetime | None = Field(description="When closed: next opening (14 days' reach)")
