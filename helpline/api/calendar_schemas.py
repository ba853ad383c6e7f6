"""Request and response bodies of the routing calendar: holiday settings, closures and special opening
hours (hours overrides), public holidays and a queue's open intervals."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field

from helpline.api.schemas import CLOCK, Body, Id, Name
from helpline.http.config_schemas import TimeSpan

Clock = Annotated[str, Field(pattern=CLOCK.pattern, description="HH:MM, organization's time zone")]


class HolidaySettingsIn(Body):
    country: str | None = Field(
        default=None,
        min_length=2,
        max_length=2,
        description="ISO 3166 code whose public holidays apply (the holidays package's list); "
        "null: none",
    )
    subdivision: str | None = Field(
        default=None, min_length=1, max_length=16, description="State or region code, e.g. BY"
    )
    close_routing: bool = Field(
        default=True, description="Public holidays close every queue (special hours reopen one)"
    )


class HolidaySettingsOut(HolidaySettingsIn):
    pass


class PublicHolidayOut(BaseModel):
    date: date
    name: str
    closes_routing: bool


class HoursOverrideIn(Body):
    queue_id: Id | None = Field(default=None, description="Null: every queue of the organization")
    name: Name
    kind: Literal["closed", "open"] = Field(
        description="closed: a closure; open: special opening hours replacing the weekly hours"
    )
    first_day: date = Field(description="Local date in the organization's time zone")
    last_day: date | None = Field(default=None, description="Inclusive; default first_day")
    closed_from: Clock | None = Field(
        default=None, description="A closure starts then on first_day"
    )
    closed_until: Clock | None = Field(default=None, description="A closure ends then on last_day")
    spans: list[TimeSpan] = Field(
        default_factory=list, max_length=12, description="Special opening hours on each date"
    )


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
