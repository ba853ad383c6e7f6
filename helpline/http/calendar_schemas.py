"""Request bodies of the routing calendar (holiday settings, closures and special opening hours),
shared by the REST API and the hours configuration page, so a page can store nothing the API would
refuse."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from pydantic import Field

from helpline.http.config_schemas import CLOCK, Body, Id, Name, TimeSpan

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

    def stored_values(self) -> dict[str, Any]:
        """The values the calendar service stores (``last_day`` defaults to ``first_day``)."""
        values = self.model_dump(mode="python")
        values["spans"] = [span.model_dump() for span in self.spans]
        values["last_day"] = self.last_day or self.first_day
        return values
