"""Request and response bodies for cases, SLA policies, customer merges, timelines and contact context."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field, model_validator

from helpline.api.schemas import (
    Body,
    CustomerOut,
    Hours,
    Id,
    MessageOut,
    Name,
    OfferOut,
    partial,
)
from helpline.api.schemas import ContactOut as ContactOut
from helpline.domain.cases import CasePriority, CaseStatus

# --- SLA policies ------------------------------------------------------------------------------

WEEK_SECONDS = 7 * 24 * 3600


class SlaPolicyIn(Body):
    name: Name
    first_response_seconds: int = Field(
        ge=60, le=52 * WEEK_SECONDS, description="First-response target in business seconds"
    )
    resolution_seconds: int = Field(
        ge=60, le=52 * WEEK_SECONDS, description="Resolution target in business seconds"
    )
    warn_ratio: float = Field(
        default=0.8, gt=0, lt=1, description="Warn when this share of a target has been used"
    )
    hours: Hours = Field(
        default_factory=Hours, description="Business hours (ignored when hours_queue_id is set)"
    )
    hours_queue_id: Id | None = Field(default=None, description="Use this queue's hours")
    escalate_to_agent_id: Id | None = Field(
        default=None, description="On breach, reassign the case to this agent"
    )
    escalate_to_team_id: Id | None = Field(
        default=None, description="On breach, hand the case to this team"
    )
    is_default: bool = Field(default=False, description="New cases without a policy get this one")
    skip_public_holidays: bool = Field(
        default=False,
        description="Public holidays of the organization's country are not business time",
    )


SlaPolicyPatch = partial(SlaPolicyIn, "SlaPolicyPatch")


class SlaPolicyOut(SlaPolicyIn):
    id: int


# --- cases -------------------------------------------------------------------------------------


class CaseIn(Body):
    subject: str = Field(min_length=1, max_length=500)
    customer_id: Id | None = Field(
        default=None, description="Default: the customer of the first linked contact"
    )
    priority: CasePriority = CasePriority.NORMAL
    assignee_agent_id: Id | None = None
    assignee_user_id: Id | None = None
    team_id: Id | None = None
    sla_policy_id: Id | None = Field(default=None, description="Default: the default policy")
    contact_ids: list[Id] = Field(default_factory=list, max_length=100)

    @model_validator(mode="after")
    def _one_assignee(self) -> CaseIn:
        if self.assignee_agent_id is not None and self.assignee_user_id is not None:
            raise ValueError("assign an agent or a user, not both")
        return self


class CasePatch(Body):
    subject: str | None = Field(default=None, min_length=1, max_length=500)
    customer_id: Id | None = None
    priority: CasePriority | None = None
    assignee_agent_id: Id | None = None
    assignee_user_id: Id | None = None
    team_id: Id | None = None
    sla_policy_id: Id | None = None

    @model_validator(mode="after")
    def _no_nulls_for_required(self) -> CasePatch:
        for name in ("subject", "priority"):
            if name in self.model_fields_set and getattr(self, name) is None:
                raise ValueError(f"{name} cannot be null")
        return self


class CaseStatusIn(Body):
    status: CaseStatus
    reason: str = Field(default="", max_length=500)


class CaseLinkIn(Body):
    contact_id: Id


class SlaClockOut(BaseModel):
    target_seconds: float
    elapsed_seconds: float = Field(description="Business seconds used while the clock ran")
    phase: str = Field(description="on_track, warning, breached, met or missed")
    is_running: bool = Field(description="False while paused (pending customer), closed or solved")
    due_at: datetime | None = Field(description="When the target is or was exceeded")
    warn_at: datetime | None


class CaseSummaryOut(BaseModel):
    id: int
    reference: str = Field(description="Unique in the organization, e.g. C-000123")
    subject: str
    status: CaseStatus
    priority: CasePriority
    customer_id: int | None
    assignee_agent_id: int | None
    assignee_user_id: int | None
    created_at: datetime
    is_breached: bool


class CaseOut(CaseSummaryOut):
    team_id: int | None
    sla_policy_id: int | None
    updated_at: datetime
    first_response_at: datetime | None
    solved_at: datetime | None
    closed_at: datetime | None
    contact_ids: list[int]
    sla: dict[str, SlaClockOut] = Field(description="first_response and resolution, when a policy")


class CasePage(BaseModel):
    items: list[CaseOut]
    next_after_id: int | None = Field(description="Pass as after_id for the next page")


# --- one customer ------------------------------------------------------------------------------


class MergeIn(Body):
    merged_customer_id: Id = Field(description="The record merged into the customer in the path")


class MergeOut(BaseModel):
    id: int
    survivor_id: int
    merged_id: int
    moved: dict[str, Any] = Field(description="Ids of identities, contacts and cases that moved")
    merged_by: str
    merged_at: datetime
    unmerged_by: str | None
    unmerged_at: datetime | None


class ReasonOut(BaseModel):
    rule: str
    detail: str
    weight: float


class MergeSuggestionOut(BaseModel):
    customer: CustomerOut
    score: float = Field(description="0..1; independent reasons combine as 1 - prod(1 - weight)")
    reasons: list[ReasonOut]


class TimelineMessageOut(MessageOut):
    channel: str
    subject: str
    attachments: list[str] = Field(description="File names")


class TimelineContactOut(ContactOut):
    messages: list[TimelineMessageOut]
    case_ids: list[int]


class TimelineOut(BaseModel):
    customer: CustomerOut
    cases: list[CaseSummaryOut] = Field(description="The customer's cases, newest first")
    items: list[TimelineContactOut] = Field(description="Contacts, newest first")
    next_before_id: int | None = Field(description="Pass as before_id for older contacts")


class RecentContactOut(BaseModel):
    id: int
    channel: str
    direction: str
    state: str
    subject: str
    agent_id: int | None
    queue_id: int | None
    wrap_up_code: str | None
    notes: str
    created_at: datetime
    ended_at: datetime | None


class ContextCaseOut(CaseSummaryOut):
    is_linked: bool = Field(description="This contact is linked to the case")


class ContactContextOut(BaseModel):
    contact_id: int
    customer: CustomerOut | None
    collected: dict[str, Any] = Field(description="What the IVR or pre-chat form collected")
    recent_contacts: list[RecentContactOut]
    open_cases: list[ContextCaseOut]


class OfferWithContextOut(OfferOut):
    context: ContactContextOut = Field(description="What the agent should know about the customer")
