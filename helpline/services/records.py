"""The stored records that use cases hand back to shells, named for the shells' type hints.

A route returns what a service gave it and lets its response schema pick the fields; it names the
record's type from here, never from storage. Shells read these records; only services change them.
"""

from __future__ import annotations

from helpline.storage.tables import (
    AdherenceException,
    Agent,
    ApiKey,
    CalendarEvent,
    Event,
    Forecast,
    Message,
    MessageAttachment,
    Organization,
    Queue,
    Schedule,
    ScheduleActivity,
    SurveyAnswer,
    TimeOff,
    User,
    UserSession,
)

__all__ = [
    "AdherenceException",
    "Agent",
    "ApiKey",
    "CalendarEvent",
    "Event",
    "Forecast",
    "Message",
    "MessageAttachment",
    "Organization",
    "Queue",
    "Schedule",
    "ScheduleActivity",
    "SurveyAnswer",
    "TimeOff",
    "User",
    "UserSession",
]
