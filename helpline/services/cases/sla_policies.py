"""SLA policies: first-response and resolution targets in business time, warning share, escalation.

Business hours are a queue's (``hours_queue_id``) or the policy's own weekly ``hours`` (same shape as
a queue's), read in the organization's time zone, optionally without the public holidays of its
country. One policy may be the default for new cases.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from helpline.domain.cases import ACTIVE
from helpline.domain.enums import Role
from helpline.errors import Conflict
from helpline.services.access import (
    access_sla_policy,
    any_member,
    owned,
    owned_by,
    referenced,
    requires,
)
from helpline.services.actor import Actor
from helpline.storage.events import append_event, json_value
from helpline.storage.tables import Agent, Case, Queue, SlaPolicy, Team

POLICY_ROLES = (Role.MANAGER,)
"""Who may change SLA policies besides admins."""
FIELDS = (
    "name",
    "first_response_seconds",
    "resolution_seconds",
    "warn_ratio",
    "hours",
    "hours_queue_id",
    "escalate_to_agent_id",
    "escalate_to_team_id",
    "is_default",
    "skip_public_holidays",
)
REFERENCES: Mapping[str, type[Agent] | type[Queue] | type[Team]] = {
    "hours_queue_id": Queue,
    "escalate_to_agent_id": Agent,
    "escalate_to_team_id": Team,
}


def represent_policy(policy: SlaPolicy) -> dict[str, Any]:
    """A policy for API responses."""
    return {"id": policy.id} | {name: getattr(policy, name) for name in FIELDS}


@any_member
def get_policy(session: Session, actor: Actor, policy_id: int) -> SlaPolicy:
    """A policy of the actor's organization, or NotFound."""
    return access_sla_policy(session, actor, policy_id)


@any_member
def list_policies(session: Session, actor: Actor) -> list[SlaPolicy]:
    """The organization's policies by name."""
    return list(
        session.scalars(
            select(SlaPolicy)
            .where(owned_by(actor, SlaPolicy))
            .order_by(SlaPolicy.name, SlaPolicy.id)
        )
    )


def default_policy(session: Session, organization_id: int) -> SlaPolicy | None:
    """The policy new cases get when none is named."""
    return session.scalar(owned(organization_id, SlaPolicy).where(SlaPolicy.is_default.is_(True)))


def _check(
    session: Session, actor: Actor, values: Mapping[str, Any], policy_id: int | None
) -> None:
    for name, table in REFERENCES.items():
        ref = values.get(name)
        if ref is not None:
            referenced(session, actor, table, ref, name, table.__name__.lower())
    if "name" in values:
        clash = session.scalar(
            select(SlaPolicy.id).where(
                owned_by(actor, SlaPolicy),
                SlaPolicy.name == values["name"],
            )
        )
        if clash is not None and clash != policy_id:
            raise Conflict(f"an SLA policy named {values['name']!r} exists")


def _make_sole_default(session: Session, actor: Actor, policy: SlaPolicy) -> None:
    if policy.is_default:
        session.execute(
            update(SlaPolicy)
            .where(owned_by(actor, SlaPolicy), SlaPolicy.id != policy.id)
            .values(is_default=False)
        )


@requires(*POLICY_ROLES)
def create_policy(
    session: Session, actor: Actor, values: Mapping[str, Any], *, now: datetime
) -> SlaPolicy:
    """Store a new policy (``values`` as validated by the API). Writes ``SlaPolicyCreated``."""
    _check(session, actor, values, None)
    policy = SlaPolicy(organization_id=actor.organization_id, **dict(values))
    session.add(policy)
    session.flush()
    _make_sole_default(session, actor, policy)
    append_event(
        session,
        actor.organization_id,
        "SlaPolicyCreated",
        occurred_at=now,
        actor=actor.label,
        payload=json_value(represent_policy(policy)),
    )
    return policy


@requires(*POLICY_ROLES)
def update_policy(
    session: Session, actor: Actor, policy_id: int, values: Mapping[str, Any], *, now: datetime
) -> SlaPolicy:
    """Change the fields given in ``values``. Writes ``SlaPolicyUpdated``."""
    policy = access_sla_policy(session, actor, policy_id)
    _check(session, actor, values, policy.id)
    for name, value in values.items():
        setattr(policy, name, value)
    session.flush()
    _make_sole_default(session, actor, policy)
    # Targets or hours may have moved: the policy's active cases are evaluated at the next tick.
    session.execute(
        update(Case)
        .where(
            owned_by(actor, Case),
            Case.sla_policy_id == policy.id,
            Case.status.in_([s.value for s in ACTIVE]),
        )
        .values(sla_check_at=now)
    )
    append_event(
        session,
        actor.organization_id,
        "SlaPolicyUpdated",
        occurred_at=now,
        actor=actor.label,
        payload=json_value({"id": policy.id, "changes": dict(values)}),
    )
    return policy


@requires(*POLICY_ROLES)
def delete_policy(session: Session, actor: Actor, policy_id: int, *, now: datetime) -> None:
    """Delete a policy; its cases keep running without SLA targets. Writes ``SlaPolicyDeleted``."""
    policy = access_sla_policy(session, actor, policy_id)
    session.delete(policy)
    append_event(
        session,
        actor.organization_id,
        "SlaPolicyDeleted",
        occurred_at=now,
        actor=actor.label,
        payload={"id": policy_id},
    )
