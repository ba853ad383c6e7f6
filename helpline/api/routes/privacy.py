"""The audit log (search, CSV export) and retention policies (docs/privacy.md)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Query, Response

from helpline.api.privacy_schemas import AuditPage, RetentionPoliciesIn, RetentionPolicyOut
from helpline.domain.privacy import RetentionPolicy
from helpline.http.bounds import Id
from helpline.http.deps import DB, CurrentActor
from helpline.services.privacy import audit, retention
from helpline.services.reporting import reports

router = APIRouter(tags=["Privacy"])

CSV_LIMIT = 100_000
"""Most entries one CSV export holds (narrow the filters for more)."""


def _aware(value: datetime | None, zone: ZoneInfo) -> datetime | None:
    """A time without an offset is read in the organization's time zone."""
    return value if value is None or value.tzinfo is not None else value.replace(tzinfo=zone)


ACTOR_Q = Query(None, alias="actor", max_length=64, description="user:<id>, apikey:<id> or system")
ACTION_Q = Query(None, max_length=64, description="e.g. QueueUpdated, customer.read")
KIND_Q = Query(None, max_length=64, description="e.g. Queue, Customer")
ID_Q = Query(None, max_length=64)
SINCE_Q = Query(None, description="From this instant (ISO 8601; no offset: organization's zone)")
UNTIL_Q = Query(None, description="Before this instant")
SECURITY_Q = Query(False, description="Only security events (failed logins, rejected webhooks)")


def _audit_filters(
    by: str | None = ACTOR_Q,
    action: str | None = ACTION_Q,
    resource_kind: str | None = KIND_Q,
    resource_id: str | None = ID_Q,
    since: datetime | None = SINCE_Q,
    until: datetime | None = UNTIL_Q,
    security_only: bool = SECURITY_Q,
) -> audit.AuditFilters:
    """The filters of an audit search or export, as the query string gives them."""
    return audit.AuditFilters(
        actor=by,
        action=action,
        resource_kind=resource_kind,
        resource_id=resource_id,
        since=since,
        until=until,
        security_only=security_only,
    )


AuditQuery = Annotated[audit.AuditFilters, Depends(_audit_filters)]


def _in_zone(filters: audit.AuditFilters, zone: ZoneInfo) -> audit.AuditFilters:
    """``filters`` with times given without an offset read in the organization's time zone."""
    return replace(filters, since=_aware(filters.since, zone), until=_aware(filters.until, zone))


@router.get("/audit", response_model=AuditPage, summary="Search the audit log (newest first)")
def search_audit(
    actor: CurrentActor,
    db: DB,
    filters: AuditQuery,
    before_id: Annotated[
        Id | None, Query(description="next_before_id of the previous page")
    ] = None,
    limit: int = Query(100, ge=1, le=1000),
) -> dict[str, Any]:
    """Managers and admins. Filters combine."""
    with db.read() as session:
        zone = reports.organization_zone(session, actor)
        filters = _in_zone(filters, zone)
        rows = audit.search_audit(session, actor, filters, before_id=before_id, limit=limit + 1)
        entries = [audit.represent_entry(r) for r in rows[:limit]]
    return {
        "entries": entries,
        "next_before_id": entries[-1]["id"] if len(rows) > limit else None,
    }


@router.get(
    "/audit/export.csv",
    summary="The audit log as CSV (same filters)",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}}},
)
def export_audit(
    actor: CurrentActor,
    db: DB,
    filters: AuditQuery,
) -> Response:
    """Managers and admins; at most 100,000 entries, newest first."""
    with db.read() as session:
        zone = reports.organization_zone(session, actor)
        filters = _in_zone(filters, zone)
        text = audit.audit_csv(audit.search_audit(session, actor, filters, limit=CSV_LIMIT))
    return Response(
        content=text,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="audit.csv"'},
    )


@router.get(
    "/retention-policies",
    response_model=list[RetentionPolicyOut],
    summary="The retention policies, by channel",
)
def list_retention_policies(actor: CurrentActor, db: DB) -> list[dict[str, Any]]:
    """Managers and admins."""
    with db.read() as session:
        return [retention.represent_policy(p) for p in retention.list_policies(session, actor)]


@router.put(
    "/retention-policies",
    response_model=list[RetentionPolicyOut],
    summary="Replace the retention policies (how long each channel's contact content is kept)",
)
def replace_retention_policies(
    body: RetentionPoliciesIn, actor: CurrentActor, db: DB
) -> list[dict[str, Any]]:
    """Managers and admins. Contacts older than ``keep_days`` have their content deleted or
    anonymised by the hourly retention run; their figures stay in reports. Audited."""
    policies = [RetentionPolicy(p.channel, p.keep_days, p.mode) for p in body.policies]
    with db.transaction() as session:
        rows = retention.replace_policies(session, actor, policies)
        return [retention.represent_policy(r) for r in rows]
