"""Bodies of the audit log and retention policy endpoints."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from helpline.domain.enums import Channel
from helpline.domain.privacy import MAX_RETENTION_DAYS, RetentionMode


class AuditEntryOut(BaseModel):
    """One audit log entry: who, when, what and from where."""

    id: int
    occurred_at: datetime
    actor: str = Field(description="user:<id>, apikey:<id>, system, or empty (anonymous).")
    action: str = Field(description="An event type (configuration change) or e.g. customer.read.")
    resource_kind: str
    resource_id: str
    client_ip: str
    is_security: bool
    detail: dict[str, Any]


class AuditPage(BaseModel):
    """A page of audit entries, newest first."""

    entries: list[AuditEntryOut]
    next_before_id: int | None = Field(description="Pass as before_id for the next (older) page.")


class RetentionPolicyIn(BaseModel):
    """How long the content of a channel's contacts is kept."""

    model_config = ConfigDict(extra="forbid")

    channel: Channel
    keep_days: int = Field(ge=1, le=MAX_RETENTION_DAYS, description="Days after creation.")
    mode: RetentionMode = Field(description="delete or anonymise the content after that.")


class RetentionPoliciesIn(BaseModel):
    """The organization's whole set of retention policies (a channel left out is kept forever)."""

    model_config = ConfigDict(extra="forbid")

    policies: list[RetentionPolicyIn] = Field(max_length=len(Channel))


class RetentionPolicyOut(BaseModel):
    """A retention policy."""

    channel: str
    keep_days: int
    mode: str
    applied_until: datetime | None = Field(description="Contacts created before it are processed.")
