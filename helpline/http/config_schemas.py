"""Configuration bodies (teams, skills, wrap-up codes, queues, routing profiles, agents) that the
REST API and the configuration pages both validate with, so a page stores nothing the API refuses."""

from __future__ import annotations

import re
from copy import copy
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    create_model,
    field_validator,
    model_validator,
)

from helpline.documents import Concurrency, Priority, Proficiency
from helpline.domain.enums import (
    AgentSelection,
    Channel,
    ClosedTreatment,
)
from helpline.domain.hours import WEEKDAYS
from helpline.http.bounds import Id as Id
from helpline.http.bounds import refuse_unstorable_text

Name = Annotated[str, Field(min_length=1, max_length=200)]
CALLBACK_SLOT_MINUTES = (10, 15, 20, 30, 60, 120)
"""Callback slot lengths (each divides an hour or two, so slots line up from midnight)."""


def _slot_minutes(value: int) -> int:
    if value not in CALLBACK_SLOT_MINUTES:
        raise ValueError(f"use one of {', '.join(map(str, CALLBACK_SLOT_MINUTES))} minutes")
    return value


SlotMinutes = Annotated[
    int,
    Field(ge=min(CALLBACK_SLOT_MINUTES), le=max(CALLBACK_SLOT_MINUTES)),
    AfterValidator(_slot_minutes),
]
CLOCK = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$|^24:00$")


class Body(BaseModel):
    """Base of request bodies: unknown fields are an error, not silently dropped; numbers are finite
    (NaN and Infinity are refused) and text holds no NUL character or lone surrogate
    (helpline.http.bounds)."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    @field_validator("*", mode="before")
    @classmethod
    def _storable_text(cls, value: Any) -> Any:
        return refuse_unstorable_text(value)


def partial(model: type[BaseModel], name: str) -> type[BaseModel]:
    """A PATCH body: every field of ``model`` optional, with the same checks when it is sent.

    Only fields actually sent are applied (``exclude_unset``); sending null for a required field is
    still a 422 because the original type is kept.
    """
    fields: dict[str, Any] = {}
    for field_name, info in model.model_fields.items():
        optional = copy(info)
        optional.default = None
        optional.default_factory = None
        fields[field_name] = (info.annotation, optional)
    return create_model(name, __base__=Body, **fields)


# --- teams, skills, wrap-up codes -------------------------------------------------------------


class TeamIn(Body):
    name: Name
    description: str = Field(default="", max_length=2000)


class TeamOut(TeamIn):
    id: int


class SkillIn(Body):
    name: Annotated[str, Field(min_length=1, max_length=100)]
    description: str = Field(default="", max_length=2000)


class SkillOut(SkillIn):
    id: int


class WrapUpCodeIn(Body):
    code: Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")]
    label: Name
    is_active: bool = True


class WrapUpCodeOut(WrapUpCodeIn):
    id: int


class CannedResponseIn(Body):
    title: Name = Field(description="What agents pick it by; unique in the organization")
    text: str = Field(
        min_length=1,
        max_length=5000,
        description="The reply; may use {customer_name}, {agent_name}, {case_reference} and "
        "{organization_name} ({{ and }} for literal braces)",
    )


class CannedResponseOut(CannedResponseIn):
    id: int


class RenderedCannedResponseOut(BaseModel):
    id: int
    title: str
    text: str = Field(description="Filled in for the contact")
    values: dict[str, str] = Field(description="What each placeholder became")


# --- queues ---------------------------------------------------------------------------------


class TimeSpan(Body):
    open: str = Field(max_length=5, description="HH:MM in the organization's time zone")
    close: str = Field(max_length=5, description="HH:MM, after open; 24:00 for midnight")

    @model_validator(mode="after")
    def _ordered(self) -> TimeSpan:
        for name in ("open", "close"):
            if not CLOCK.match(getattr(self, name)):
                raise ValueError(f"{name} must be HH:MM (00:00 to 24:00)")
        if self.close <= self.open:
            raise ValueError("close must be after open")
        return self


class Hours(Body):
    """Weekly opening hours; ``always_open`` ignores ``weekly``."""

    always_open: bool = True
    weekly: dict[str, list[TimeSpan]] = Field(default_factory=dict)

    @field_validator("weekly")
    @classmethod
    def _days(cls, value: dict[str, list[TimeSpan]]) -> dict[str, list[TimeSpan]]:
        unknown = set(value) - set(WEEKDAYS)
        if unknown:
            raise ValueError(f"days are {', '.join(WEEKDAYS)}; not {', '.join(sorted(unknown))}")
        return value


class SkillRequirement(Body):
    skill_id: Id
    min_proficiency: Proficiency = 1


class RoutingStep(Body):
    """One escalation step: who may take the contact until the step expires."""

    requirements: list[SkillRequirement] = Field(default_factory=list)
    preferred_agent_ids: list[Id] = Field(default_factory=list)
    expires_after_seconds: int | None = Field(default=None, ge=1, le=86_400)


class QueueIn(Body):
    name: Name
    channel: Channel
    priority: int = Field(default=1, ge=1, le=100, description="1 is served first")
    service_level_percent: float = Field(default=80.0, gt=0, le=100)
    service_level_seconds: int = Field(default=20, ge=0, le=86_400)
    short_abandon_seconds: int = Field(default=5, ge=0, le=3600)
    after_contact_work_seconds: int = Field(default=60, ge=0, le=86_400)
    offer_timeout_seconds: int = Field(default=20, ge=1, le=3600)
    agent_selection: AgentSelection = AgentSelection.LONGEST_IDLE
    hours: Hours = Field(default_factory=Hours)
    closed_treatment: ClosedTreatment = ClosedTreatment.MESSAGE
    closed_message: str = Field(default="", max_length=2000)
    overflow_queue_id: Id | None = None
    overflow_after_seconds: int | None = Field(
        default=None,
        ge=0,
        le=86_400,
        description="After this wait, move to overflow_queue_id, or offer a callback if none",
    )
    sticky_seconds: int | None = Field(
        default=None,
        ge=1,
        le=3600,
        description="Wait this long for the agent who last served the customer",
    )
    skills: list[SkillRequirement] = Field(default_factory=list)
    routing_steps: list[RoutingStep] = Field(default_factory=list)
    callback_slot_minutes: SlotMinutes = Field(
        default=30,
        description="Length of a scheduled-callback slot from local midnight: 10, 15, "
        "20, 30, 60 or 120 minutes",
    )
    callbacks_per_slot: int = Field(
        default=5, ge=0, le=10_000, description="Scheduled callbacks one slot takes; 0: none"
    )


class QueueOut(QueueIn):
    id: int


# --- routing profiles -------------------------------------------------------------------------


class ProfileChannel(Body):
    channel: Channel
    concurrency: Concurrency
    is_enabled: bool = True
    auto_accept: bool = False


class ProfileQueue(Body):
    queue_id: Id
    priority: Priority = 1
    delay_seconds: int = Field(default=0, ge=0, le=86_400)


class RoutingProfileIn(Body):
    name: Name
    voice_blocks_other_channels: bool = True
    channels: list[ProfileChannel] = Field(min_length=1)
    queues: list[ProfileQueue] = Field(default_factory=list)


class RoutingProfileOut(RoutingProfileIn):
    id: int


# --- agents and users -------------------------------------------------------------------------


class AgentSkillIn(Body):
    skill_id: Id
    proficiency: Proficiency


class AgentIn(Body):
    user_id: Id
    display_name: Name
    team_id: Id | None = None
    routing_profile_id: Id | None = None
    hourly_cost: float | None = Field(default=None, ge=0, le=1_000_000)
    is_active: bool = True
    extension: str | None = Field(
        default=None,
        pattern=r"^[0-9*#+]{1,32}$",
        description="Phone extension returned to the phone system with CTI routing decisions",
    )
    skills: list[AgentSkillIn] = Field(default_factory=list)


class AgentOut(AgentIn):
    id: int
