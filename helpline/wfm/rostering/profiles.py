"""The rules and preferences of an agent's rostering, validated: one model for the API's rostering
profiles and contracts and for the agents file of ``helpline schedule`` (one row per agent)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BeforeValidator, ConfigDict, Field, model_validator

from helpline.documents import Document, core_checked
from helpline.domain.hours import WEEKDAYS
from helpline.wfm.rostering.model import Agent, Contract, employment_hours

FULL_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def _weekday_name(value: object) -> object:
    """``0``..``6``, ``"5"`` or ``"saturday"`` -> ``"sat"``; anything else is left to the Literal."""
    text = str(value).strip().lower() if isinstance(value, int | str) else value
    if isinstance(text, str) and text.isdigit() and int(text) < 7:
        return WEEKDAYS[int(text)]
    return WEEKDAYS[FULL_NAMES.index(text)] if text in FULL_NAMES else text


Weekday = Annotated[
    Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"], BeforeValidator(_weekday_name)
]
TemplateName = Annotated[str, Field(min_length=1, max_length=200)]


class ContractRules(Document):
    """Working-time rules: weekly paid hours, days in a row, a block of days off, rest between shifts."""

    max_hours_per_week: float = Field(default=40.0, gt=0, le=168)
    min_hours_per_week: float = Field(default=0.0, ge=0, le=168)
    max_days_in_a_row: int = Field(default=5, ge=1, le=7)
    min_consecutive_days_off: int = Field(
        default=2, ge=0, le=6, description="A block of days off each week"
    )
    min_rest_hours: float = Field(default=11.0, ge=0, le=48, description="Between two shifts")


class RosteringPreferences(ContractRules):
    """An agent's contract (hours may come from the employment) and rostering preferences."""

    employment: Literal["full_time", "part_time"] = Field(
        default="full_time",
        description="Gives the weekly hours not stated: full_time at least 35 h and at most 40 h, "
        "part_time at most 30 h; the stored hours are the rules",
    )
    min_hours_per_week: float | None = Field(  # type: ignore[assignment]
        default=None, ge=0, le=168, description="null: the employment's default"
    )
    max_hours_per_week: float | None = Field(  # type: ignore[assignment]
        default=None, gt=0, le=168, description="null: the employment's default"
    )
    preferred_templates: list[TemplateName] = Field(
        default_factory=list,
        max_length=50,
        description="Shift templates the agent would rather work",
    )
    preferred_days_off: list[Weekday] = Field(default_factory=list, max_length=7)
    avoids_nights: bool = Field(
        default=False,
        description="Each night shift (3 h or more between 22:00 and 06:00 local time) is a cost",
    )


def _horizon_day(value: object) -> object:
    """A horizon day: its number, or a weekday name for that day of the first week."""
    name = _weekday_name(value)
    return WEEKDAYS.index(name) if name in WEEKDAYS and not str(value).isdigit() else value


class AgentRow(RosteringPreferences):
    """One agent of the agents file: a name and the preferences, plus skills and days off.

    Without ``employment`` the hours default to 0-40 (the file's format before employments).
    """

    model_config = ConfigDict(extra="ignore")  # other columns of the file are not ours

    name: Annotated[str, Field(min_length=1)]
    contract: str | None = None
    employment: Literal["full_time", "part_time"] | None = None  # type: ignore[assignment]
    skills: list[str] = Field(default_factory=lambda: ["default"])
    days_off: list[Annotated[int, Field(ge=0), BeforeValidator(_horizon_day)]] = Field(
        default_factory=list
    )

    @model_validator(mode="after")
    def _core_checks(self) -> AgentRow:
        core_checked(self.agent)
        return self

    def agent(self) -> Agent:
        """The core's agent (its contract checks the hours)."""
        low, high = (
            employment_hours(self.employment, self.min_hours_per_week, self.max_hours_per_week)
            if self.employment
            else (self.min_hours_per_week or 0.0, self.max_hours_per_week or 40.0)
        )
        contract = Contract(
            name=self.contract or self.employment or "contract",
            max_hours_per_week=high,
            min_hours_per_week=low,
            max_days_in_a_row=self.max_days_in_a_row,
            min_consecutive_days_off=self.min_consecutive_days_off,
            min_rest_minutes=round(self.min_rest_hours * 60),
        )
        return Agent(
            name=self.name,
            contract=contract,
            skills=frozenset(self.skills),
            days_off=frozenset(self.days_off),
            preferred_templates=frozenset(self.preferred_templates),
            preferred_days_off=frozenset(WEEKDAYS.index(d) for d in self.preferred_days_off),
            avoids_nights=self.avoids_nights,
        )
