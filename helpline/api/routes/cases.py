"""Cases and SLA policies: create, read, list and filter, change, status, link contacts."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response

from helpline.api.case_schemas import (
    CaseIn,
    CaseLinkIn,
    CaseOut,
    CasePage,
    CasePatch,
    CaseStatusIn,
    SlaPolicyIn,
    SlaPolicyOut,
    SlaPolicyPatch,
)
from helpline.domain.cases import CasePriority, CaseStatus
from helpline.http.bounds import Cursor, Id, PathId
from helpline.http.deps import DB, CurrentActor, Now
from helpline.services.cases import cases, sla_policies
from helpline.services.cases import sla as case_sla

router = APIRouter(tags=["Cases"])

CaseId = PathId
PolicyId = PathId


@router.post("/cases", response_model=CaseOut, status_code=201, summary="Open a case")
def create_case(body: CaseIn, actor: CurrentActor, db: DB, now: Now) -> dict[str, Any]:
    """A case starts as ``new`` with the next reference (C-000001, C-000002...) of the organization."""
    spec = cases.NewCase(
        **body.model_dump(exclude={"contact_ids"}), contact_ids=tuple(body.contact_ids)
    )
    with db.transaction() as session:
        case = cases.create_case(session, actor, spec, now=now)
        return case_sla.represent_case(session, case, now)


@router.get("/cases", response_model=CasePage, summary="List and filter cases")
def list_cases(
    actor: CurrentActor,
    db: DB,
    now: Now,
    status: Annotated[list[CaseStatus] | None, Query(description="Any of these statuses")] = None,
    assignee_agent_id: Annotated[Id | None, Query()] = None,
    assignee_user_id: Annotated[Id | None, Query()] = None,
    team_id: Annotated[Id | None, Query()] = None,
    customer_id: Annotated[Id | None, Query()] = None,
    contact_id: Annotated[Id | None, Query(description="Cases linked to it")] = None,
    priority: CasePriority | None = None,
    breached: Annotated[bool | None, Query(description="Cases that breached a target")] = None,
    reference: Annotated[str | None, Query(max_length=32, description="e.g. C-000123")] = None,
    after_id: Annotated[Cursor, Query()] = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> dict[str, Any]:
    criteria = cases.CaseFilter(
        statuses=tuple(status or ()),
        assignee_agent_id=assignee_agent_id,
        assignee_user_id=assignee_user_id,
        team_id=team_id,
        customer_id=customer_id,
        priority=priority,
        is_breached=breached,
        reference=reference,
        contact_ids=(contact_id,) if contact_id is not None else (),
    )
    with db.read() as session:
        found = cases.list_cases(session, actor, criteria, after_id=after_id, limit=limit)
        return {
            "items": [case_sla.represent_case(session, case, now) for case in found],
            "next_after_id": found[-1].id if len(found) == limit else None,
        }


@router.get("/cases/{case_id}", response_model=CaseOut, summary="Get a case with its SLA clocks")
def get_case(case_id: CaseId, actor: CurrentActor, db: DB, now: Now) -> dict[str, Any]:
    with db.read() as session:
        return case_sla.represent_case(session, cases.get_case(session, actor, case_id), now)


@router.patch("/cases/{case_id}", response_model=CaseOut, summary="Change a case")
def update_case(
    case_id: CaseId, body: CasePatch, actor: CurrentActor, db: DB, now: Now
) -> dict[str, Any]:
    """Subject, customer, priority, assignee (agent or user), team or SLA policy."""
    with db.transaction() as session:
        case = cases.update_case(
            session, actor, case_id, body.model_dump(exclude_unset=True), now=now
        )
        return case_sla.represent_case(session, case, now)


@router.delete("/cases/{case_id}", status_code=204, summary="Delete a case (its contacts stay)")
def delete_case(case_id: CaseId, actor: CurrentActor, db: DB, now: Now) -> Response:
    with db.transaction() as session:
        cases.delete_case(session, actor, case_id, now=now)
    return Response(status_code=204)


@router.post("/cases/{case_id}/status", response_model=CaseOut, summary="Change a case's status")
def change_status(
    case_id: CaseId, body: CaseStatusIn, actor: CurrentActor, db: DB, now: Now
) -> dict[str, Any]:
    """new -> open / pending_customer / solved / closed; pending_customer pauses the SLA clocks
    (a customer message on a linked contact resumes the case); solved may reopen; closed is final."""
    with db.transaction() as session:
        case = cases.change_status(
            session, actor, case_id, body.status, now=now, reason=body.reason
        )
        case_sla.refresh_case(session, case, now)
        return case_sla.represent_case(session, case, now)


@router.post("/cases/{case_id}/contacts", response_model=CaseOut, summary="Link a contact")
def link_contact(
    case_id: CaseId, body: CaseLinkIn, actor: CurrentActor, db: DB, now: Now
) -> dict[str, Any]:
    with db.transaction() as session:
        case = cases.link_contact(session, actor, case_id, body.contact_id, now=now)
        case_sla.refresh_case(session, case, now)
        return case_sla.represent_case(session, case, now)


@router.delete(
    "/cases/{case_id}/contacts/{contact_id}", response_model=CaseOut, summary="Unlink a contact"
)
def unlink_contact(
    case_id: CaseId,
    contact_id: PathId,
    actor: CurrentActor,
    db: DB,
    now: Now,
) -> dict[str, Any]:
    with db.transaction() as session:
        case = cases.unlink_contact(session, actor, case_id, contact_id, now=now)
        return case_sla.represent_case(session, case, now)


# --- SLA policies ------------------------------------------------------------------------------


@router.post(
    "/sla-policies", response_model=SlaPolicyOut, status_code=201, summary="Create an SLA policy"
)
def create_policy(body: SlaPolicyIn, actor: CurrentActor, db: DB, now: Now) -> dict[str, Any]:
    with db.transaction() as session:
        policy = sla_policies.create_policy(session, actor, body.model_dump(mode="json"), now=now)
        return sla_policies.represent_policy(policy)


@router.get("/sla-policies", response_model=list[SlaPolicyOut], summary="List SLA policies")
def list_policies(actor: CurrentActor, db: DB) -> list[dict[str, Any]]:
    with db.read() as session:
        return [
            sla_policies.represent_policy(p) for p in sla_policies.list_policies(session, actor)
        ]


@router.get("/sla-policies/{sla_policy_id}", response_model=SlaPolicyOut, summary="Get a policy")
def get_policy(sla_policy_id: PolicyId, actor: CurrentActor, db: DB) -> dict[str, Any]:
    with db.read() as session:
        return sla_policies.represent_policy(sla_policies.get_policy(session, actor, sla_policy_id))


@router.patch(
    "/sla-policies/{sla_policy_id}", response_model=SlaPolicyOut, summary="Change a policy"
)
def update_policy(
    sla_policy_id: PolicyId,
    body: SlaPolicyPatch,  # type: ignore[valid-type]
    actor: CurrentActor,
    db: DB,
    now: Now,
) -> dict[str, Any]:
    values = body.model_dump(mode="json", exclude_unset=True)  # type: ignore[attr-defined]
    with db.transaction() as session:
        policy = sla_policies.update_policy(session, actor, sla_policy_id, values, now=now)
        return sla_policies.represent_policy(policy)


@router.delete("/sla-policies/{sla_policy_id}", status_code=204, summary="Delete a policy")
def delete_policy(sla_policy_id: PolicyId, actor: CurrentActor, db: DB, now: Now) -> Response:
    with db.transaction() as session:
        sla_policies.delete_policy(session, actor, sla_policy_id, now=now)
    return Response(status_code=204)
