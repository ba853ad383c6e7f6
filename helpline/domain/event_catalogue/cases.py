"""Case (ticket) and SLA policy events (``services/cases``). Case events carry the case's id and its
human reference (e.g. ``C-000042``); SLA events are written by the SLA sweep with actor ``system``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import Field

from helpline.domain.cases import CasePriority, CaseStatus
from helpline.domain.event_catalogue.base import EventPayload

SlaTarget = Literal["first_response", "resolution"]


class CaseEvent(EventPayload):
    """Fields every case event carries."""

    case_id: int = Field(description="The case.")
    reference: str = Field(description="The case's human reference.")


class CaseCreated(CaseEvent):
    """A case was opened."""

    customer_id: int | None = Field(description="The customer, if known.")
    priority: CasePriority = Field(strict=False, description="Initial priority.")
    sla_policy_id: int | None = Field(description="The SLA policy applied, if any.")
    assignee_agent_id: int | None = Field(description="The agent assigned, if any.")


class CaseUpdated(EventPayload):
    """Fields of a case were changed (subject, priority, assignment, SLA policy...)."""

    case_id: int = Field(description="The case.")
    changes: dict[str, Any] = Field(description="New values of the changed fields, by name.")


class CaseStatusChanged(CaseEvent):
    """A case moved from one status to another (by a user, or by the system: customer replied)."""

    from_: CaseStatus = Field(strict=False, alias="from", description="The status before.")
    to: CaseStatus = Field(strict=False, description="The status after.")
    reason: str = Field(description="Why; may be empty.")


class CaseContactLinked(CaseEvent):
    """A contact (the event's ``contact_id``) was linked to the case."""


class CaseContactUnlinked(CaseEvent):
    """A contact (the event's ``contact_id``) was unlinked from the case."""


class CaseDeleted(CaseEvent):
    """A case was deleted."""


class CaseFirstResponded(CaseEvent):
    """The first agent response to the case's customer was found (stops the first-response SLA)."""

    first_response_at: datetime = Field(strict=False, description="When the agent responded.")


class CaseSlaWarning(CaseEvent):
    """An SLA target of the case passed its warning ratio."""

    target: SlaTarget = Field(description="Which target.")
    due_at: datetime | None = Field(
        strict=False, description="When the target is due (business time)."
    )
    elapsed_seconds: float = Field(description="Business seconds elapsed so far.")
    target_seconds: int = Field(description="The target, in business seconds.")


class CaseSlaBreached(CaseEvent):
    """An SLA target of the case was missed."""

    target: SlaTarget = Field(description="Which target.")
    due_at: datetime | None = Field(strict=False, description="When the target was due.")
    elapsed_seconds: float = Field(description="Business seconds elapsed so far.")
    target_seconds: int = Field(description="The target, in business seconds.")


class CaseAssignment(EventPayload):
    """Who a case was assigned to."""

    assignee_agent_id: int | None = Field(description="The agent.")
    team_id: int | None = Field(description="The team.")


class CaseEscalated(CaseEvent):
    """A breach escalated the case as its SLA policy says (reassigned, or only notified)."""

    target: SlaTarget = Field(description="The target breached.")
    sla_policy_id: int = Field(description="The policy escalating.")
    previous: CaseAssignment = Field(description="The assignment before.")
    assignee_agent_id: int | None = Field(description="The agent assigned now.")
    team_id: int | None = Field(description="The team assigned now.")
    action: Literal["reassigned", "notified"] = Field(description="Whether the assignment changed.")


class SlaPolicyCreated(EventPayload):
    """An SLA policy was created."""

    id: int = Field(description="The policy.")
    name: str = Field(description="Unique name.")
    first_response_seconds: int = Field(description="First-response target, business seconds.")
    resolution_seconds: int = Field(description="Resolution target, business seconds.")
    warn_ratio: float = Field(description="Fraction of a target after which a warning is raised.")
    hours: dict[str, Any] = Field(description="Business hours the clocks run in.")
    hours_queue_id: int | None = Field(description="Use this queue's hours instead.")
    escalate_to_agent_id: int | None = Field(description="Agent to reassign breached cases to.")
    escalate_to_team_id: int | None = Field(description="Team to reassign breached cases to.")
    is_default: bool = Field(description="Whether new cases get this policy.")
    skip_public_holidays: bool = Field(description="Whether public holidays are not business time.")


class SlaPolicyUpdated(EventPayload):
    """Fields of an SLA policy were changed."""

    id: int = Field(description="The policy.")
    changes: dict[str, Any] = Field(description="New values of the changed fields, by name.")


class SlaPolicyDeleted(EventPayload):
    """An SLA policy was deleted."""

    id: int = Field(description="The policy.")


EVENTS: tuple[type[EventPayload], ...] = (
    CaseCreated,
    CaseUpdated,
    CaseStatusChanged,
    CaseContactLinked,
    CaseContactUnlinked,
    CaseDeleted,
    CaseFirstResponded,
    CaseSlaWarning,
    CaseSlaBreached,
    CaseEscalated,
    SlaPolicyCreated,
    SlaPolicyUpdated,
    SlaPolicyDeleted,
)
