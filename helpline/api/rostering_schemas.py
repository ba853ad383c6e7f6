"""Request and response bodies of per-agent rostering inputs: profiles and time off."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field, model_validator

from helpline.api.schemas import CLOCK, Body, Id
from helpline.wfm.rostering.profiles import RosteringPreferences, Weekday


class AvailabilityWindowIn(Body):
    day: Weekday
    start: str = Field(max_length=5, description="HH:MM in the organization's time zone")
    end: str = Field(max_length=5, description="HH:MM, after start; 24:00 for midnight")

    @model_validator(mode="after")
    def _ordered(self) -> AvailabilityWindowIn:
        for name in ("start", "end"):
            if not CLOCK.match(getattr(self, name)):
                raise ValueError(f"{name} must be HH:MM (00:00 to 24:00)")
        if self.end <= self.start:
            raise ValueError("end must be after start")
        return self


class RosteringProfileIn(RosteringPreferences):
    """What rostering needs to know about one agent besides the skills they have."""

    availability: list[AvailabilityWindowIn] | None = Field(
        default=None,
        max_length=7 * 24,
        description="Weekly windows the agent may work in (a night shift needs the windows on "
        "both sides of midnight); null: any time",
    )


class RosteringProfileOut(RosteringProfileIn):
    min_hours_per_week: float  # stored profiles always have both
    max_hours_per_week: float
    agent_id: int
    skills: list[str] = Field(
        description="The agent's skills: they decide the groups they may work"
    )
    is_default: bool = Field(
        description="No profile stored: the schedule request's contract applies"
    )
    updated_by: str | None
    updated_at: datetime | None


class TimeOffIn(Body):
    agent_id: Id
    starts_at: datetime
    ends_at: datetime
    reason: str = Field(min_length=1, max_length=500)
    status: Literal["requested", "approved"] = Field(
        default="requested", description="Planners may record approved time off at once"
    )


class TimeOffOut(BaseModel):
    id: int
    agent_id: int
    starts_at: datetime
    ends_at: datetime
    reason: str
    status: str = Field(description="requested, approved or rejected")
    decided_by: str | None
    created_by: str
    created_at: datetime
