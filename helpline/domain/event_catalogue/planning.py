"""Workforce management events (``services/planning``): forecasts, calendar events, schedules,
rostering inputs (profiles, time off) and adherence exceptions."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import Field

from helpline.domain.event_catalogue.base import EventPayload


class ForecastCreated(EventPayload):
    """A volume/AHT forecast was computed and stored as a draft."""

    forecast_id: int = Field(description="The forecast.")
    queue_id: int | None = Field(description="The queue forecast; null: the whole organization.")
    model: str = Field(description="The forecasting model chosen.")
    accuracy: dict[str, Any] = Field(
        description="Backtest accuracy (WAPE, bias...) and the candidates' scores."
    )


class ForecastPublished(EventPayload):
    """A forecast became its queue's published one (the previous one is superseded)."""

    forecast_id: int = Field(description="The forecast.")
    queue_id: int | None = Field(description="Its queue; null: the whole organization.")


class ForecastDeleted(EventPayload):
    """A draft forecast was deleted."""

    forecast_id: int = Field(description="The forecast.")


class CalendarEventCreated(EventPayload):
    """A calendar event (campaign, holiday...) that scales forecast volume was added."""

    calendar_event_id: int = Field(description="The calendar event.")
    name: str = Field(description="What it is.")
    starts_at: datetime = Field(strict=False, description="Start (UTC).")
    ends_at: datetime = Field(strict=False, description="End (UTC).")
    volume_multiplier: float = Field(description="Factor applied to the forecast volume.")


class CalendarEventDeleted(EventPayload):
    """A calendar event was deleted."""

    calendar_event_id: int = Field(description="The calendar event.")


class ScheduleCreated(EventPayload):
    """A week's schedule was generated and stored as a draft."""

    schedule_id: int = Field(description="The schedule.")
    week_start: date = Field(
        strict=False, description="Monday of the week, in the organization's time zone."
    )
    version: int = Field(description="Version number within the week.")
    paid_hours: float = Field(description="Paid hours scheduled.")
    understaffed_intervals: int = Field(description="Intervals below the requirement.")


class SchedulePublished(EventPayload):
    """A schedule was published to agents (the week's previous version is superseded)."""

    schedule_id: int = Field(description="The schedule.")
    week_start: date = Field(strict=False, description="Monday of the week.")
    version: int = Field(description="Version number within the week.")


class AgentRosteringProfileSet(EventPayload):
    """An agent's rostering profile (contract, availability, wishes) was set."""

    agent_id: int = Field(description="The agent.")
    employment: str = Field(description="Employment type, e.g. full_time, part_time.")


class AgentRosteringProfileRemoved(EventPayload):
    """An agent's rostering profile was removed."""

    agent_id: int = Field(description="The agent.")


class TimeOffEvent(EventPayload):
    """Fields every time-off event carries."""

    time_off_id: int = Field(description="The time-off request.")
    starts_at: datetime = Field(strict=False, description="Start (UTC).")
    ends_at: datetime = Field(strict=False, description="End (UTC).")
    status: Literal["requested", "approved", "rejected"] = Field(description="Status after it.")


class TimeOffRequested(TimeOffEvent):
    """An agent (the event's ``agent_id``) requested time off."""


class TimeOffApproved(TimeOffEvent):
    """Time off was approved (or entered already approved by a planner)."""


class TimeOffRejected(TimeOffEvent):
    """A time-off request was rejected."""


class TimeOffWithdrawn(TimeOffEvent):
    """A time-off request or approved time off was withdrawn."""


class AdherenceExceptionApproved(EventPayload):
    """A planner excused an agent's (the event's ``agent_id``) time from adherence."""

    adherence_exception_id: int = Field(description="The exception.")
    starts_at: datetime = Field(strict=False, description="Start (UTC).")
    ends_at: datetime = Field(strict=False, description="End (UTC).")
    reason: str = Field(description="Why.")


class AdherenceExceptionWithdrawn(EventPayload):
    """An adherence exception was withdrawn."""

    adherence_exception_id: int = Field(description="The exception.")


EVENTS: tuple[type[EventPayload], ...] = (
    ForecastCreated,
    ForecastPublished,
    ForecastDeleted,
    CalendarEventCreated,
    CalendarEventDeleted,
    ScheduleCreated,
    SchedulePublished,
    AgentRosteringProfileSet,
    AgentRosteringProfileRemoved,
    TimeOffRequested,
    TimeOffApproved,
    TimeOffRejected,
    TimeOffWithdrawn,
    AdherenceExceptionApproved,
    AdherenceExceptionWithdrawn,
)
