"""The audit log's use cases: record reads of personal data and security events, search the log.

Administrative changes are recorded by ``storage.events.append_event`` itself (every configuration
change writes an event), so routes need not remember to. Reads of a customer's personal data are
recorded by the routes that serve them, with :func:`record_personal_data_read`; security events by
:func:`record_security_event` (or :func:`record_failed_login`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from helpline.domain.enums import Role
from helpline.domain.privacy import AuditAction
from helpline.services.access import any_member, owned, owned_by, requires
from helpline.services.actor import Actor
from helpline.services.reporting.exports import to_csv
from helpline.storage.audit import append_audit, current_client_ip, request_origin
from helpline.storage.database import Database, session_now
from helpline.storage.tables import AuditEntry, User

__all__ = [
    "AUDIT_ROLES",
    "AuditFilters",
    "audit_csv",
    "current_client_ip",
    "record_failed_login",
    "record_personal_data_read",
    "record_security_event",
    "represent_entry",
    "request_origin",
    "search_audit",
]

READ_REPEAT_WINDOW = timedelta(minutes=10)
"""Repeated reads of one resource by one actor within this window are recorded once."""
AUDIT_ROLES = (Role.MANAGER,)
"""Who may search the audit log besides admins."""
CSV_COLUMNS = (
    "id",
    "occurred_at",
    "actor",
    "action",
    "resource_kind",
    "resource_id",
    "client_ip",
    "is_security",
    "detail",
)


@any_member
def record_personal_data_read(
    db: Database, actor: Actor, action: AuditAction, resource_kind: str, resource_id: int
) -> None:
    """Record that ``actor`` read a customer's personal data, in its own short transaction (the
    read itself ran in a read-only unit of work).

    A read repeated by the same actor within ``READ_REPEAT_WINDOW`` (the desk polls a transcript
    every few seconds) is not recorded again: the log says who read what, to the nearest window,
    without a write per poll."""
    with db.read() as session:
        since = session_now(session) - READ_REPEAT_WINDOW
        recent = session.scalar(
            select(AuditEntry.id)
            .where(
                owned_by(actor, AuditEntry),
                AuditEntry.resource_kind == resource_kind,
                AuditEntry.resource_id == str(resource_id),
                AuditEntry.action == action.value,
                AuditEntry.actor == actor.label,
                AuditEntry.occurred_at > since,
            )
            .limit(1)
        )
    if recent is not None:
        return
    with db.transaction() as session:
        append_audit(
            session,
            actor.organization_id,
            occurred_at=session_now(session),
            actor=actor.label,
            action=action.value,
            resource_kind=resource_kind,
            resource_id=resource_id,
        )


def record_security_event(
    db: Database,
    action: AuditAction,
    *,
    organization_id: int | None,
    actor: str = "",
    resource_kind: str = "",
    resource_id: int | str = "",
    detail: dict[str, Any] | None = None,
) -> None:
    """Record a security event (failed login, rejected webhook, ...) in its own transaction, with
    the client address of the request being served. Never pass a secret or password in ``detail``.

    This is the function other code calls to add a security event to the audit log."""
    with db.transaction() as session:
        append_audit(
            session,
            organization_id,
            occurred_at=session_now(session),
            actor=actor,
            action=action.value,
            resource_kind=resource_kind,
            resource_id=resource_id,
            detail=detail,
        )


def record_failed_login(db: Database, email: str) -> None:
    """Record a refused login: the email tried (trimmed, at most 320 characters) and the address;
    the organization is the user's when the email belongs to one, else none."""
    tried = email.strip().lower()[:320]
    with db.read() as session:
        user = session.scalar(select(User).where(User.email == tried))
        organization_id = user.organization_id if user is not None else None
        user_id = user.id if user is not None else ""
    record_security_event(
        db,
        AuditAction.LOGIN_FAILED,
        organization_id=organization_id,
        resource_kind="User" if user_id else "",
        resource_id=user_id,
        detail={"email": tried},
    )


@dataclass(frozen=True)
class AuditFilters:
    """What an audit search narrows to; None (or False) means no filter."""

    actor: str | None = None
    action: str | None = None
    resource_kind: str | None = None
    resource_id: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    security_only: bool = False


@requires(*AUDIT_ROLES)
def search_audit(
    session: Session,
    actor: Actor,
    filters: AuditFilters,
    *,
    before_id: int | None = None,
    limit: int = 100,
) -> Sequence[AuditEntry]:
    """The organization's audit entries matching ``filters``, newest first; a page ends before
    ``before_id`` (the last id of the previous page)."""
    query = owned(actor, AuditEntry)
    if filters.actor:
        query = query.where(AuditEntry.actor == filters.actor)
    if filters.action:
        query = query.where(AuditEntry.action == filters.action)
    if filters.resource_kind:
        query = query.where(AuditEntry.resource_kind == filters.resource_kind)
    if filters.resource_id:
        query = query.where(AuditEntry.resource_id == filters.resource_id)
    if filters.since is not None:
        query = query.where(AuditEntry.occurred_at >= filters.since)
    if filters.until is not None:
        query = query.where(AuditEntry.occurred_at < filters.until)
    if filters.security_only:
        query = query.where(AuditEntry.is_security.is_(True))
    if before_id is not None:
        query = query.where(AuditEntry.id < before_id)
    return session.scalars(query.order_by(AuditEntry.id.desc()).limit(limit)).all()


def represent_entry(entry: AuditEntry) -> dict[str, Any]:
    """An audit entry as the API shows it."""
    return {
        "id": entry.id,
        "occurred_at": entry.occurred_at,
        "actor": entry.actor,
        "action": entry.action,
        "resource_kind": entry.resource_kind,
        "resource_id": entry.resource_id,
        "client_ip": entry.client_ip,
        "is_security": entry.is_security,
        "detail": entry.detail,
    }


def audit_csv(entries: Iterable[AuditEntry]) -> str:
    """Audit entries as CSV with a header row (times in UTC, ISO 8601; ``detail`` as JSON text,
    so no cell a caller typed starts a spreadsheet formula)."""
    return to_csv([represent_entry(e) for e in entries], CSV_COLUMNS)
