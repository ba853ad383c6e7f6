"""Privacy pages: the audit log (managers and admins: filters, table in the organization's time
zone, CSV link) and a customer's page with its subject access export and erasure buttons."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from helpline.domain.privacy import AuditAction
from helpline.errors import InvalidInput
from helpline.http.deps import get_db
from helpline.services.conversations import timeline
from helpline.services.privacy import audit, erasure
from helpline.services.privacy.audit import record_personal_data_read
from helpline.services.privacy.export import EXPORT_ROLES
from helpline.web.render import page
from helpline.web.viewer import CSRF_FIELD, Viewer, check_csrf, current_viewer

router = APIRouter(include_in_schema=False)
PageViewer = Annotated[Viewer, Depends(current_viewer)]
AUDIT_PAGE_SIZE = 100


def _day(value: str, field: str) -> date | None:
    """A local day typed in a filter field (empty: none), or InvalidInput naming the field."""
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(field, f"{value!r} is not a date (YYYY-MM-DD)") from None


def _day_start(day: date | None, viewer: Viewer) -> datetime | None:
    return None if day is None else datetime.combine(day, time(), viewer.zone)


@router.get("/audit", response_class=HTMLResponse)
def audit_log(
    request: Request,
    viewer: PageViewer,
    by: Annotated[str, Query(alias="actor", max_length=64)] = "",
    action: Annotated[str, Query(max_length=64)] = "",
    resource_kind: Annotated[str, Query(max_length=64)] = "",
    resource_id: Annotated[str, Query(max_length=64)] = "",
    first: Annotated[str, Query(alias="from", max_length=10)] = "",
    last: Annotated[str, Query(alias="to", max_length=10)] = "",
    security_only: bool = False,
    before_id: Annotated[int | None, Query(ge=1)] = None,
) -> HTMLResponse:
    """Audit entries, newest first, filtered; days are the organization's local days."""
    viewer.require(*audit.AUDIT_ROLES)
    first_day, last_day = _day(first, "from"), _day(last, "to")
    until = _day_start(last_day + timedelta(days=1) if last_day else None, viewer)
    filters = audit.AuditFilters(
        actor=by or None,
        action=action or None,
        resource_kind=resource_kind or None,
        resource_id=resource_id or None,
        since=_day_start(first_day, viewer),
        until=until,
        security_only=security_only,
    )
    with get_db(request).read() as session:
        rows = audit.search_audit(
            session, viewer.actor, filters, before_id=before_id, limit=AUDIT_PAGE_SIZE + 1
        )
        entries = [audit.represent_entry(r) for r in rows[:AUDIT_PAGE_SIZE]]
    chosen: dict[str, Any] = {
        "actor": by,
        "action": action,
        "resource_kind": resource_kind,
        "resource_id": resource_id,
        "from": first_day.isoformat() if first_day else "",
        "to": last_day.isoformat() if last_day else "",
        "security_only": "true" if security_only else "",
    }
    query = {k: v for k, v in chosen.items() if v}
    api_query = {k: v for k, v in query.items() if k not in ("from", "to")}
    if filters.since is not None:
        api_query["since"] = filters.since.isoformat()
    if until is not None:
        api_query["until"] = until.isoformat()
    older = (
        "/audit?" + urlencode(query | {"before_id": entries[-1]["id"]})
        if len(rows) > AUDIT_PAGE_SIZE
        else None
    )
    return page(
        request,
        "audit.html",
        viewer,
        entries=entries,
        chosen=chosen,
        older=older,
        csv_url="/api/v1/audit/export.csv?" + urlencode(api_query),
        actions=sorted(a.value for a in AuditAction),
    )


@router.get("/customers/{customer_id}", response_class=HTMLResponse)
def customer_page(
    request: Request, viewer: PageViewer, customer_id: Annotated[int, Path(ge=1)]
) -> HTMLResponse:
    """A customer: identities, latest contacts and cases; export and erase for those allowed."""
    db = get_db(request)
    with db.read() as session:
        found = timeline.customer_timeline(
            session, viewer.actor, customer_id, before_id=None, limit=50
        )
    record_personal_data_read(db, viewer.actor, AuditAction.TIMELINE_READ, "Customer", customer_id)
    return page(
        request,
        "customer.html",
        viewer,
        customer=found["customer"],
        contacts=found["items"],
        cases=found["cases"],
        may_export=viewer.may(*EXPORT_ROLES),
        may_erase=viewer.may(*erasure.ERASURE_ROLES),
    )


@router.post("/customers/{customer_id}/erase")
async def erase_customer(
    request: Request, viewer: PageViewer, customer_id: Annotated[int, Path(ge=1)]
) -> Response:
    """Erase the customer (managers; the form must confirm), then show the audit entry."""
    form = await request.form()
    check_csrf(viewer.csrf_token, form.get(CSRF_FIELD))
    viewer.require(*erasure.ERASURE_ROLES)
    if form.get("confirm") != "erase":
        return RedirectResponse(f"/customers/{customer_id}?unconfirmed=1", status_code=303)
    with get_db(request).transaction() as session:
        erasure.erase_customer(session, viewer.actor, customer_id)
    target = urlencode({"resource_kind": "Customer", "resource_id": customer_id})
    return RedirectResponse(f"/audit?{target}", status_code=303)
