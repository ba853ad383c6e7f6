"""Customer survey events (``services/reporting/surveys.py``): CSAT, NPS and CES."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field

from helpline.domain.event_catalogue.base import EventPayload


class SurveySettingsChanged(EventPayload):
    """The organization's survey settings were saved."""

    asks_csat: bool = Field(description="Whether surveys ask CSAT (1-5).")
    asks_nps: bool = Field(description="Whether surveys ask NPS (0-10).")
    asks_ces: bool = Field(description="Whether surveys ask CES.")
    ces_scale_max: int = Field(description="Top of the CES scale.")
    expires_after_hours: int = Field(description="Hours a survey link stays valid.")


class SurveyIssued(EventPayload):
    """A survey was issued for a handled contact (the event's ``contact_id`` and ``agent_id``)."""

    survey_id: int = Field(description="The survey.")
    delivery: Literal["link", "channel"] = Field(
        description="link: the caller passes the link on; channel: sent on the contact's channel."
    )
    expires_at: datetime = Field(strict=False, description="When the link stops working.")


class SurveyAnswered(EventPayload):
    """The customer answered one survey question (one event per question answered)."""

    survey_id: int = Field(description="The survey.")
    question: Literal["csat", "nps", "ces"] = Field(description="The question.")
    score: int = Field(description="The score given.")
    scale_max: int = Field(description="Top of the question's scale.")


EVENTS: tuple[type[EventPayload], ...] = (SurveySettingsChanged, SurveyIssued, SurveyAnswered)
