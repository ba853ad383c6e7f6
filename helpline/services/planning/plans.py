"""Versioned plans (forecasts and schedules): who may make and read them, listing them newest first,
and publishing one version, which supersedes the version published before it in the same scope
(a forecast's queue, a schedule's week).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from helpline.domain.enums import Role
from helpline.services.access import any_member, owned, requires
from helpline.services.actor import Actor
from helpline.storage import tables
from helpline.storage.database import session_now
from helpline.storage.events import append_event

PLANNING_ROLES = (Role.MANAGER, Role.WFM_ANALYST)
"""Who may make and publish forecasts and schedules besides admins."""
READING_ROLES = (*PLANNING_ROLES, Role.SUPERVISOR)
"""Who may read schedules and adherence."""

Plan = TypeVar("Plan", tables.Forecast, tables.Schedule)


@any_member
def list_plans(
    session: Session,
    actor: Actor,
    table: type[Plan],
    *,
    where: Mapping[str, Any],
    status: str | None,
    limit: int,
) -> list[Plan]:
    """The organization's plans, newest first, whose columns equal ``where`` (None: IS NULL)."""
    query = owned(actor, table)
    for column, value in where.items():
        query = query.where(getattr(table, column) == value)
    if status is not None:
        query = query.where(table.status == status)
    return list(session.scalars(query.order_by(table.id.desc()).limit(limit)).all())


@requires(*PLANNING_ROLES)
def publish_plan(
    session: Session,
    actor: Actor,
    plan: Plan,
    *,
    scope: Mapping[str, Any],
    event_type: str,
    payload: Mapping[str, Any],
) -> Plan:
    """Publish ``plan`` and supersede the published plans of its ``scope``; record ``event_type``.

    Publishing the published plan again changes nothing.
    """
    if plan.status == "published":
        return plan
    now = session_now(session)
    table = type(plan)
    for previous in list_plans(session, actor, table, where=scope, status="published", limit=1000):
        previous.status = "superseded"
    plan.status = "published"
    plan.published_at = now
    append_event(
        session,
        actor.organization_id,
        event_type,
        occurred_at=now,
        actor=actor.label,
        payload=dict(payload),
    )
    session.flush()
    return plan
