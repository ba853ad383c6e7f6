"""Retention policies: per organization and channel, the content of contacts older than a number of
days is deleted or anonymised by a scheduler loop (``RetentionScheduler``), each run audited."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from helpline.domain.enums import Channel, Role
from helpline.domain.privacy import (
    MAX_RETENTION_DAYS,
    AuditAction,
    RetentionMode,
)
from helpline.domain.privacy import RetentionPolicy as Policy
from helpline.errors import InvalidInput
from helpline.services.access import owned, owned_by, requires
from helpline.services.actor import Actor
from helpline.services.privacy.scrubbing import ScrubbedContent, scrub_contacts
from helpline.storage import tables
from helpline.storage.audit import append_audit
from helpline.storage.database import Database, session_now

RETENTION_ROLES = (Role.MANAGER,)
"""Who may set retention policies besides admins."""
BATCH = 1000
"""Most contacts one policy processes in one run (the next run carries on)."""
SYSTEM = "system"
logger = logging.getLogger(__name__)


def represent_policy(row: tables.RetentionPolicy) -> dict[str, Any]:
    """A retention policy as the API shows it."""
    return {
        "channel": row.channel,
        "keep_days": row.keep_days,
        "mode": row.mode,
        "applied_until": row.applied_until,
    }


@requires(*RETENTION_ROLES)
def list_policies(session: Session, actor: Actor) -> Sequence[tables.RetentionPolicy]:
    """The organization's retention policies, by channel."""
    return session.scalars(
        owned(actor, tables.RetentionPolicy).order_by(tables.RetentionPolicy.channel)
    ).all()


@requires(*RETENTION_ROLES)
def replace_policies(
    session: Session, actor: Actor, policies: Sequence[Policy]
) -> Sequence[tables.RetentionPolicy]:
    """Make ``policies`` the organization's whole set (a channel left out keeps its content
    forever); InvalidInput naming ``policies.<i>.<field>`` for a bad one. Audited."""
    seen: set[Channel] = set()
    for index, policy in enumerate(policies):
        if not 1 <= policy.keep_days <= MAX_RETENTION_DAYS:
            raise InvalidInput(
                f"policies.{index}.keep_days", f"must be between 1 and {MAX_RETENTION_DAYS} days"
            )
        if policy.channel in seen:
            raise InvalidInput(f"policies.{index}.channel", f"{policy.channel.value} twice")
        seen.add(policy.channel)
    existing = {row.channel: row for row in list_policies(session, actor)}
    for channel, stale in existing.items():
        if Channel(channel) not in seen:
            session.delete(stale)
    for policy in policies:
        row = existing.get(policy.channel.value)
        if row is None:
            row = tables.RetentionPolicy(
                organization_id=actor.organization_id,
                channel=policy.channel.value,
                applied_until=None,
            )
            session.add(row)
        row.keep_days = policy.keep_days
        row.mode = policy.mode.value
    session.flush()
    append_audit(
        session,
        actor.organization_id,
        occurred_at=session_now(session),
        actor=actor.label,
        action=AuditAction.RETENTION_POLICIES_SET.value,
        resource_kind="RetentionPolicy",
        detail={
            p.channel.value: {"keep_days": p.keep_days, "mode": p.mode.value} for p in policies
        },
    )
    return list_policies(session, actor)


def apply_policies(session: Session, organization_id: int) -> dict[str, dict[str, int]] | None:
    """One retention run of an organization at the session's time, in the caller's transaction:
    the counts per channel (audited), or None when it has no policy."""
    now = session_now(session)
    rows = session.scalars(
        owned(organization_id, tables.RetentionPolicy).order_by(tables.RetentionPolicy.channel)
    ).all()
    if not rows:
        return None
    counts: dict[str, dict[str, int]] = {}
    for row in rows:
        policy = Policy(Channel(row.channel), row.keep_days, RetentionMode(row.mode))
        counts[row.channel] = _apply(session, organization_id, row, policy, now).as_detail()
    append_audit(
        session,
        organization_id,
        occurred_at=now,
        actor=SYSTEM,
        action=AuditAction.RETENTION_RUN.value,
        resource_kind="RetentionPolicy",
        detail=counts,
    )
    return counts


def _apply(
    session: Session,
    organization_id: int,
    row: tables.RetentionPolicy,
    policy: Policy,
    now: Any,
) -> ScrubbedContent:
    cutoff = policy.cutoff(now)
    query = select(tables.Contact.id, tables.Contact.created_at).where(
        owned_by(organization_id, tables.Contact),
        tables.Contact.channel == policy.channel.value,
        tables.Contact.created_at < cutoff,
    )
    if row.applied_until is not None:
        query = query.where(tables.Contact.created_at >= row.applied_until)
    found = session.execute(
        query.order_by(tables.Contact.created_at, tables.Contact.id).limit(BATCH)
    ).all()
    scrubbed = scrub_contacts(
        session,
        organization_id,
        {contact_id for contact_id, _ in found},
        delete_messages=policy.mode is RetentionMode.DELETE,
        unlink_customer=policy.mode is RetentionMode.ANONYMISE,
    )
    row.applied_until = cutoff if len(found) < BATCH else found[-1][1]
    return scrubbed


def organizations_with_policies(session: Session) -> list[int]:
    """The organizations that have at least one retention policy (of every organization: the
    scheduler's one cross-organization query)."""
    return list(
        session.scalars(
            select(tables.RetentionPolicy.organization_id)
            .distinct()
            .order_by(tables.RetentionPolicy.organization_id)
        ).all()
    )


class RetentionScheduler:
    """Applies every organization's retention policies on the database's clock."""

    def __init__(self, db: Database) -> None:
        """Retention over ``db``; its clock says what is old."""
        self._db = db

    def run_once(self) -> dict[int, dict[str, dict[str, int]]]:
        """One run over every organization with policies, each in its own transaction."""
        with self._db.read() as session:
            organization_ids = organizations_with_policies(session)
        results: dict[int, dict[str, dict[str, int]]] = {}
        for organization_id in organization_ids:
            with self._db.transaction() as session:
                counts = apply_policies(session, organization_id)
            if counts is not None:
                results[organization_id] = counts
        return results
