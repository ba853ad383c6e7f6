"""Personal data rules: which events are administrative changes the audit log records, which event
payload fields carry a customer's personal data (and their tombstones once erased), and retention
policies.

Pure: plain values in, plain values out. The services in ``helpline.services.privacy`` apply them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from helpline.domain.enums import Channel
from helpline.domain.event_catalogue import configuration

ERASED = "[erased]"
"""What a personal text becomes when its customer is erased or its contact anonymised."""


class AuditAction(StrEnum):
    """Audit actions other than administrative changes (those carry their event type as action)."""

    CUSTOMER_READ = "customer.read"
    """A customer's profile was read."""
    TIMELINE_READ = "customer.timeline_read"
    """A customer's timeline (contacts, transcripts, notes, cases) was read."""
    MESSAGES_READ = "contact.messages_read"
    """The messages (transcript) of a customer's contact were read."""
    ATTACHMENT_READ = "attachment.downloaded"
    """An attachment of a customer's message was downloaded."""
    CUSTOMER_EXPORTED = "customer.exported"
    """A subject access export of a customer was downloaded."""
    CUSTOMER_ERASED = "customer.erased"
    """A customer's personal data was erased on every copy."""
    RETENTION_POLICIES_SET = "retention_policies.set"
    """The organization's retention policies were replaced."""
    RETENTION_RUN = "retention.run"
    """The retention scheduler deleted or anonymised old contacts' content."""
    LOGIN_FAILED = "login.failed"
    """Security: a login was refused (the email tried is kept, never the password)."""
    WEBHOOK_REJECTED = "webhook.rejected"
    """Security: a provider webhook failed its signature check."""


SECURITY_ACTIONS = frozenset({AuditAction.LOGIN_FAILED.value, AuditAction.WEBHOOK_REJECTED.value})
"""Actions recorded as security events."""


@dataclass(frozen=True)
class AuditedChange:
    """An administrative change an event stands for: the audit log's action and resource."""

    action: str
    resource_kind: str
    resource_id: str


_CHANGE_EVENTS: dict[str, str] = {
    **{
        f"{prefix}{suffix}": prefix
        for prefix, _noun, _model in configuration.RESOURCES
        for suffix in ("Created", "Updated", "Deleted")
    },
    "HolidaySettingsUpdated": "HolidaySettings",
    "HoursOverrideCreated": "HoursOverride",
    "HoursOverrideUpdated": "HoursOverride",
    "HoursOverrideDeleted": "HoursOverride",
    "OrganizationCreated": "Organization",
    "UserCreated": "User",
    "ApiKeyCreated": "ApiKey",
    "ApiKeyRevoked": "ApiKey",
    "SlaPolicyCreated": "SlaPolicy",
    "SlaPolicyUpdated": "SlaPolicy",
    "SlaPolicyDeleted": "SlaPolicy",
    "SurveySettingsChanged": "SurveySettings",
    "CalendarEventCreated": "CalendarEvent",
    "CalendarEventDeleted": "CalendarEvent",
    "AgentRosteringProfileSet": "AgentRosteringProfile",
    "AgentRosteringProfileRemoved": "AgentRosteringProfile",
    "RedactionSettingsChanged": "RedactionSettings",
    "EmailAddressVerificationRequested": "EmailAddress",
    "EmailAddressVerified": "EmailAddress",
    "UserDeactivated": "User",
    "UserReactivated": "User",
    "UserPasswordChanged": "User",
    "TwoFactorEnabled": "User",
    "TwoFactorDisabled": "User",
    "LoginPolicyChanged": "LoginPolicy",
}
"""Administrative event types and the kind of resource each changes."""

_ID_FIELDS = ("id", "user_id", "api_key_id", "calendar_event_id", "agent_id")


def audited_change(event_type: str, payload: Mapping[str, Any]) -> AuditedChange | None:
    """The administrative change ``event_type`` records, or None for operational events (contacts,
    messages, routing...). Only ids are kept: the audit log holds no names or texts."""
    kind = _CHANGE_EVENTS.get(event_type)
    if kind is None:
        return None
    resource_id = next((payload[f] for f in _ID_FIELDS if isinstance(payload.get(f), int)), "")
    return AuditedChange(action=event_type, resource_kind=kind, resource_id=str(resource_id))


PERSONAL_EVENT_FIELDS: dict[str, dict[str, Any]] = {
    "ContactCreated": {"subject": ERASED},
    "ContactWrappedUp": {"notes": ERASED},
    "ChatTranscriptSent": {"to": ERASED},
    "CallEventReceived": {"call_id": ERASED, "ivr": None, "number": None},
    "CaseUpdated": {"changes": {}},
    "CaseStatusChanged": {"reason": ERASED},
    "CustomerCreated": {"identities": {}},
    "CustomerUpdated": {"display_name": None, "added_identities": {}},
    "MessageDelivered": {"provider_id": None, "error": None},
    "MessageFailed": {"provider_id": None, "error": None},
}
"""Payload fields of events that may carry a customer's personal data, with their tombstones.

The tombstone keeps the payload valid against the catalogue; ids, times, states, channels and
durations stay, so the event sequence and the report facts derived from it are unchanged."""


def tombstoned_payload(event_type: str, payload: Mapping[str, Any]) -> dict[str, Any]:
    """``payload`` with its personal fields replaced by their tombstones (absent ones stay absent)."""
    tombstones = PERSONAL_EVENT_FIELDS.get(event_type, {})
    return {
        key: (tombstones[key] if key in tombstones and value is not None else value)
        for key, value in payload.items()
    }


class RetentionMode(StrEnum):
    """What a retention policy does to contacts older than its limit."""

    DELETE = "delete"
    """Message texts and attachments are deleted; the contact's figures stay for reports."""
    ANONYMISE = "anonymise"
    """Texts are replaced by a tombstone and the customer link removed; figures stay."""


@dataclass(frozen=True)
class RetentionPolicy:
    """Keep the content of ``channel``'s contacts for ``keep_days`` days after they were created."""

    channel: Channel
    keep_days: int
    mode: RetentionMode

    def cutoff(self, now: datetime) -> datetime:
        """Contacts created before this instant are past the policy's limit."""
        return now - timedelta(days=self.keep_days)


MAX_RETENTION_DAYS = 36_500
"""The longest retention a policy may set (a hundred years)."""
