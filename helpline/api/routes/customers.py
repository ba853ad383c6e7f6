"""Customers: create, find by any identity, change, their timeline across channels, suggested
merges, merge and unmerge; export (subject access) and erase (docs/privacy.md). Reads of a
customer's personal data are recorded in the audit log."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response

from helpline.api.case_schemas import MergeIn, MergeOut, MergeSuggestionOut, TimelineOut
from helpline.api.schemas import CustomerIn, CustomerOut, CustomerPatch
from helpline.domain.privacy import AuditAction
from helpline.http.bounds import Id, PathId
from helpline.http.deps import DB, CurrentActor, Now
from helpline.services.conversations import timeline
from helpline.services.identity import customer_merges, customers
from helpline.services.privacy import erasure, export
from helpline.services.privacy.audit import record_personal_data_read

router = APIRouter(prefix="/customers", tags=["Customers"])


@router.get("", response_model=list[CustomerOut], summary="Find customers by any identity or name")
def search_customers(
    actor: CurrentActor,
    db: DB,
    q: str = Query(
        min_length=1, max_length=320, description="A phone (any format), email, handle or name"
    ),
    limit: int = Query(20, ge=1, le=200),
) -> list[dict[str, Any]]:
    with db.read() as session:
        found = customers.search_customers(session, actor, q, limit=limit)
        return [customers.represent_customer(session, c) for c in found]


@router.post("", response_model=CustomerOut, status_code=201, summary="Create a customer")
def create_customer(body: CustomerIn, actor: CurrentActor, db: DB) -> dict[str, Any]:
    with db.transaction() as session:
        customer = customers.create_customer(
            session,
            actor,
            display_name=body.display_name,
            identities=body.identities.as_mapping(),
        )
        return customers.represent_customer(session, customer)


@router.get("/{customer_id}", response_model=CustomerOut, summary="Get a customer")
def get_customer(actor: CurrentActor, db: DB, customer_id: PathId) -> dict[str, Any]:
    """A merged-away record answers with ``merged_into_id``, the customer it now lives on in."""
    with db.read() as session:
        customer = customers.find_customer(session, actor, customer_id)
        represented = customers.represent_customer(session, customer)
        if customer.merged_into_id is not None:
            represented["merged_into_id"] = customers.survivor_of(session, customer)
    record_personal_data_read(db, actor, AuditAction.CUSTOMER_READ, "Customer", customer_id)
    return represented


@router.delete(
    "/{customer_id}",
    status_code=204,
    summary="Erase the customer's personal data everywhere (reports keep their figures)",
)
def erase_customer(actor: CurrentActor, db: DB, customer_id: PathId) -> Response:
    """Managers and admins. The profile, identities and merged-in records are deleted; message
    texts, attachments, notes, collected values, case subjects and the personal fields of events
    are erased; contacts, events and report facts keep their ids, times and durations. Audited."""
    with db.transaction() as session:
        erasure.erase_customer(session, actor, customer_id)
    return Response(status_code=204)


@router.get(
    "/{customer_id}/export",
    summary="Subject access export: a ZIP of JSON files and attachments",
    response_class=Response,
    responses={200: {"content": {"application/zip": {}}}},
)
def export_customer(actor: CurrentActor, db: DB, customer_id: PathId) -> Response:
    """Supervisors, managers and admins: profile, identities, contacts with messages, cases,
    surveys, notes and context (JSON files) plus every attachment (docs/privacy.md). Audited."""
    with db.transaction() as session:
        archive = export.export_customer(session, actor, customer_id)
    return Response(
        content=archive,
        media_type="application/zip",
        headers={
            "Content-Disposition": f'attachment; filename="customer-{customer_id}.zip"',
            "Cache-Control": "no-store",
        },
    )


@router.patch("/{customer_id}", response_model=CustomerOut, summary="Rename or add identities")
def update_customer(
    body: CustomerPatch, actor: CurrentActor, db: DB, customer_id: PathId
) -> dict[str, Any]:
    with db.transaction() as session:
        customer = customers.update_customer(
            session,
            actor,
            customer_id,
            display_name=body.display_name,
            add_identities=body.identities.as_mapping(),
        )
        return customers.represent_customer(session, customer)


@router.get(
    "/{customer_id}/timeline",
    response_model=TimelineOut,
    summary="Every contact of the customer on every channel, newest first, with cases",
)
def customer_timeline(
    actor: CurrentActor,
    db: DB,
    customer_id: PathId,
    before_id: Annotated[
        Id | None, Query(description="next_before_id of the previous page")
    ] = None,
    limit: int = Query(50, ge=1, le=500),
) -> dict[str, Any]:
    """Contacts with their transcripts (messages), notes, wrap-up and linked cases, and every case
    of the customer. A merged-away customer answers 409 naming the survivor."""
    with db.read() as session:
        found = timeline.customer_timeline(
            session, actor, customer_id, before_id=before_id, limit=limit
        )
    record_personal_data_read(db, actor, AuditAction.TIMELINE_READ, "Customer", customer_id)
    return found


@router.get(
    "/{customer_id}/merge-suggestions",
    response_model=list[MergeSuggestionOut],
    summary="Records that may be the same person, with reasons",
)
def merge_suggestions(
    actor: CurrentActor,
    db: DB,
    customer_id: PathId,
    limit: int = Query(20, ge=1, le=100),
) -> list[dict[str, Any]]:
    """Rules: a contact carrying the other's phone or email, look-alike addresses (dots, +tags),
    the same name with a shared company email domain or phone block; see docs/customers.md."""
    with db.read() as session:
        found = customer_merges.merge_suggestions(session, actor, customer_id, limit=limit)
        return [
            {
                "customer": customers.represent_customer(
                    session, customers.find_customer(session, actor, s.customer_id)
                ),
                "score": s.score,
                "reasons": [
                    {"rule": r.rule.value, "detail": r.detail, "weight": r.weight}
                    for r in s.reasons
                ],
            }
            for s in found
        ]


@router.post(
    "/{customer_id}/merge",
    response_model=MergeOut,
    status_code=201,
    summary="Merge another customer record into this one",
)
def merge(
    body: MergeIn, actor: CurrentActor, db: DB, now: Now, customer_id: PathId
) -> dict[str, Any]:
    """Identities, contacts and cases of ``merged_customer_id`` move here (CustomersMerged); the
    merged record then answers with ``merged_into_id``."""
    with db.transaction() as session:
        record = customer_merges.merge_customers(
            session, actor, customer_id, body.merged_customer_id, now=now
        )
        return customer_merges.represent_merge(record)


@router.post(
    "/{customer_id}/unmerge",
    response_model=MergeOut,
    summary="Undo the merge that took this record away",
)
def unmerge(actor: CurrentActor, db: DB, now: Now, customer_id: PathId) -> dict[str, Any]:
    """Exactly what moved in the merge moves back (CustomersUnmerged)."""
    with db.transaction() as session:
        record = customer_merges.unmerge_customer(session, actor, customer_id, now=now)
        return customer_merges.represent_merge(record)


@router.get(
    "/{customer_id}/merges", response_model=list[MergeOut], summary="Merges into or out of it"
)
def merges(actor: CurrentActor, db: DB, customer_id: PathId) -> list[dict[str, Any]]:
    with db.read() as session:
        return [
            customer_merges.represent_merge(m)
            for m in customer_merges.list_merges(session, actor, customer_id)
        ]
