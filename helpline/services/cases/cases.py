"""Cases: create, read, list, change, move through statuses, link contacts, find by reference.

Every change writes its event in the same transaction (``CaseCreated``, ``CaseUpdated``,
``CaseStatusChanged``, ``CaseContactLinked``/``Unlinked``, ``CaseDeleted``); the status history is kept
in ``case_status_changes`` because the SLA clock runs or pauses by it (see ``services.cases.sla``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from helpline.domain.cases import (
    CasePriority,
    CaseStatus,
    case_reference,
    may_change,
)
from helpline.domain.enums import Role
from helpline.errors import Conflict, InvalidInput, NotFound
from helpline.services.access import (
    access_case,
    access_contact,
    any_member,
    owned,
    owned_by,
    referenced,
    requires,
)
from helpline.services.actor import Actor
from helpline.services.cases.sla_policies import default_policy
from helpline.services.identity.customers import get_customer
from helpline.storage.database import session_now
from helpline.storage.events import append_event, json_value
from helpline.storage.locks import lock_name
from helpline.storage.tables import (
    Agent,
    Case,
    CaseContact,
    CaseStatusChange,
    Contact,
    SlaPolicy,
    Team,
    User,
)

CASE_ROLES = (Role.MANAGER, Role.SUPERVISOR, Role.AGENT)
"""Who may create and work cases besides admins."""
DELETE_ROLES = (Role.MANAGER,)
REFERENCES: Mapping[str, type[Agent] | type[User] | type[Team] | type[SlaPolicy]] = {
    "assignee_agent_id": Agent,
    "assignee_user_id": User,
    "team_id": Team,
    "sla_policy_id": SlaPolicy,
}
"""Fields naming rows that must belong to the case's organization."""


@dataclass(frozen=True)
class NewCase:
    """What a caller says about a new case."""

    subject: str
    customer_id: int | None = None
    priority: CasePriority = CasePriority.NORMAL
    assignee_agent_id: int | None = None
    assignee_user_id: int | None = None
    team_id: int | None = None
    sla_policy_id: int | None = None
    """None: the organization's default policy (if any)."""
    contact_ids: tuple[int, ...] = ()


@dataclass(frozen=True)
class CaseFilter:
    """Optional criteria for listing cases; all given ones must hold."""

    statuses: tuple[CaseStatus, ...] = ()
    assignee_agent_id: int | None = None
    assignee_user_id: int | None = None
    team_id: int | None = None
    customer_id: int | None = None
    priority: CasePriority | None = None
    is_breached: bool | None = None
    reference: str | None = None
    contact_ids: tuple[int, ...] = field(default_factory=tuple)


@any_member
def get_case(session: Session, actor: Actor, case_id: int) -> Case:
    """A case of the actor's organization, or NotFound."""
    return access_case(session, actor, case_id)


def find_case_by_reference(session: Session, organization_id: int, reference: str) -> Case | None:
    """The organization's case with ``reference`` (e.g. ``C-000123``, any case), or None.

    Channel adapters thread a message onto a case by the reference in its subject: see
    ``helpline.channels.email_threading.find_reference``.
    """
    return session.scalar(
        owned(organization_id, Case).where(
            Case.reference == reference.strip().upper(),
        )
    )


def _check_references(session: Session, actor: Actor, values: Mapping[str, Any]) -> None:
    for name, table in REFERENCES.items():
        ref = values.get(name)
        if ref is not None:
            referenced(session, actor, table, ref, name)
    if values.get("assignee_agent_id") is not None and values.get("assignee_user_id") is not None:
        raise InvalidInput("assignee_user_id", "assign an agent or a user, not both")


def _next_number(session: Session, organization_id: int) -> int:
    # One writer at a time per organization draws the next number; the unique reference backs it up.
    lock_name(session, f"case-number:{organization_id}")
    last = session.scalar(select(func.max(Case.number)).where(owned_by(organization_id, Case)))
    return (last or 0) + 1


def _record_status(session: Session, case: Case, status: CaseStatus, at: datetime, by: str) -> None:
    session.add(
        CaseStatusChange(
            organization_id=case.organization_id,
            case_id=case.id,
            status=status.value,
            changed_at=at,
            changed_by=by,
        )
    )


@requires(*CASE_ROLES)
def create_case(session: Session, actor: Actor, spec: NewCase, *, now: datetime) -> Case:
    """Open a case (status new) with a fresh reference, linking ``spec.contact_ids``.

    Writes ``CaseCreated`` and a ``CaseContactLinked`` per contact.
    """
    values = {name: getattr(spec, name) for name in REFERENCES}
    _check_references(session, actor, values)
    customer_id = get_customer(session, actor, spec.customer_id).id if spec.customer_id else None
    contacts = [access_contact(session, actor, contact_id) for contact_id in spec.contact_ids]
    if customer_id is None:
        customer_id = next((c.customer_id for c in contacts if c.customer_id), None)
    policy_id = spec.sla_policy_id
    if policy_id is None:
        policy = default_policy(session, actor.organization_id)
        policy_id = policy.id if policy else None
    number = _next_number(session, actor.organization_id)
    case = Case(
        organization_id=actor.organization_id,
        number=number,
        reference=case_reference(number),
        subject=spec.subject,
        customer_id=customer_id,
        status=CaseStatus.NEW.value,
        priority=spec.priority.value,
        assignee_agent_id=spec.assignee_agent_id,
        assignee_user_id=spec.assignee_user_id,
        team_id=spec.team_id,
        sla_policy_id=policy_id,
        created_at=now,
        updated_at=now,
        sla_warnings={},
        sla_breaches={},
        is_breached=False,
        sla_check_at=now,
    )
    session.add(case)
    session.flush()
    _record_status(session, case, CaseStatus.NEW, now, actor.label)
    append_event(
        session,
        actor.organization_id,
        "CaseCreated",
        occurred_at=now,
        actor=actor.label,
        payload={
            "case_id": case.id,
            "reference": case.reference,
            "customer_id": customer_id,
            "priority": case.priority,
            "sla_policy_id": policy_id,
            "assignee_agent_id": case.assignee_agent_id,
        },
    )
    for contact in contacts:
        _link(session, actor, case, contact.id, now)
    return case


@requires(*CASE_ROLES)
def update_case(
    session: Session, actor: Actor, case_id: int, values: Mapping[str, Any], *, now: datetime
) -> Case:
    """Change subject, priority, assignee, team or SLA policy (the fields given). Writes ``CaseUpdated``."""
    case = access_case(session, actor, case_id)
    _check_references(session, actor, values)
    if values.get("customer_id") is not None:
        get_customer(session, actor, values["customer_id"])
    changes = dict(values)
    if changes.get("assignee_agent_id") is not None:
        changes.setdefault("assignee_user_id", None)
    if changes.get("assignee_user_id") is not None:
        changes.setdefault("assignee_agent_id", None)
    for name, value in changes.items():
        setattr(case, name, value.value if isinstance(value, CasePriority) else value)
    case.updated_at = now
    case.sla_check_at = now
    session.flush()
    append_event(
        session,
        actor.organization_id,
        "CaseUpdated",
        occurred_at=now,
        actor=actor.label,
        payload=json_value({"case_id": case.id, "changes": changes}),
    )
    return case


def set_status(
    session: Session,
    case: Case,
    status: CaseStatus,
    *,
    now: datetime,
    actor_label: str,
    reason: str,
) -> None:
    """Move ``case`` to ``status`` (checked against the transitions) and write ``CaseStatusChanged``."""
    current = CaseStatus(case.status)
    if status is current:
        return
    if not may_change(current, status):
        raise Conflict(f"case {case.reference} is {current.value}; it cannot become {status.value}")
    case.status = status.value
    case.updated_at = now
    case.sla_check_at = now
    if status is CaseStatus.SOLVED:
        case.solved_at = now
    elif status is CaseStatus.CLOSED:
        case.closed_at = now
        case.solved_at = case.solved_at or now
    elif status is CaseStatus.OPEN and current is CaseStatus.SOLVED:
        case.solved_at = None  # reopened: the resolution clock runs again
    _record_status(session, case, status, now, actor_label)
    append_event(
        session,
        case.organization_id,
        "CaseStatusChanged",
        occurred_at=now,
        actor=actor_label,
        payload={
            "case_id": case.id,
            "reference": case.reference,
            "from": current.value,
            "to": status.value,
            "reason": reason,
        },
    )


@requires(*CASE_ROLES)
def change_status(
    session: Session,
    actor: Actor,
    case_id: int,
    status: CaseStatus,
    *,
    now: datetime,
    reason: str = "",
) -> Case:
    """An agent moves a case on (e.g. open -> pending_customer); an invalid transition is a Conflict."""
    case = access_case(session, actor, case_id)
    set_status(session, case, status, now=now, actor_label=actor.label, reason=reason)
    return case


def _link(session: Session, actor: Actor, case: Case, contact_id: int, now: datetime) -> None:
    exists = session.get(CaseContact, (case.id, contact_id))
    if exists is not None:
        return
    session.add(
        CaseContact(
            case_id=case.id,
            contact_id=contact_id,
            organization_id=actor.organization_id,
            linked_at=now,
        )
    )
    session.flush()
    append_event(
        session,
        actor.organization_id,
        "CaseContactLinked",
        occurred_at=now,
        actor=actor.label,
        contact_id=contact_id,
        payload={"case_id": case.id, "reference": case.reference},
    )


@requires(*CASE_ROLES)
def link_contact(
    session: Session, actor: Actor, case_id: int, contact_id: int, *, now: datetime
) -> Case:
    """Link a contact to a case (linking twice changes nothing). The case gets the contact's customer
    when it has none."""
    case = access_case(session, actor, case_id)
    contact = access_contact(session, actor, contact_id)
    if case.customer_id is None and contact.customer_id is not None:
        case.customer_id = contact.customer_id
    _link(session, actor, case, contact.id, now)
    case.updated_at = now
    case.sla_check_at = now
    return case


@requires(*CASE_ROLES)
def unlink_contact(
    session: Session, actor: Actor, case_id: int, contact_id: int, *, now: datetime
) -> Case:
    """Remove a contact from a case. Writes ``CaseContactUnlinked``; NotFound when it was not linked."""
    case = access_case(session, actor, case_id)
    link = session.get(CaseContact, (case.id, contact_id))
    if link is None or link.organization_id != actor.organization_id:
        raise NotFound(f"contact {contact_id} is not linked to case {case_id}")
    session.delete(link)
    case.updated_at = now
    append_event(
        session,
        actor.organization_id,
        "CaseContactUnlinked",
        occurred_at=now,
        actor=actor.label,
        contact_id=contact_id,
        payload={"case_id": case.id, "reference": case.reference},
    )
    return case


@requires(*DELETE_ROLES)
def delete_case(session: Session, actor: Actor, case_id: int, *, now: datetime) -> None:
    """Delete a case (its contacts stay). Writes ``CaseDeleted``."""
    case = access_case(session, actor, case_id)
    reference = case.reference
    session.execute(delete(CaseContact).where(CaseContact.case_id == case.id))
    session.delete(case)
    append_event(
        session,
        actor.organization_id,
        "CaseDeleted",
        occurred_at=now,
        actor=actor.label,
        payload={"case_id": case_id, "reference": reference},
    )


@any_member
def list_cases(
    session: Session, actor: Actor, criteria: CaseFilter, *, after_id: int, limit: int
) -> list[Case]:
    """Cases matching ``criteria`` with id > ``after_id`` (keyset pagination), oldest first."""
    query = owned(actor, Case).where(Case.id > after_id)
    if criteria.statuses:
        query = query.where(Case.status.in_([s.value for s in criteria.statuses]))
    for name in ("assignee_agent_id", "assignee_user_id", "team_id", "customer_id"):
        value = getattr(criteria, name)
        if value is not None:
            query = query.where(getattr(Case, name) == value)
    if criteria.priority is not None:
        query = query.where(Case.priority == criteria.priority.value)
    if criteria.is_breached is not None:
        query = query.where(Case.is_breached.is_(criteria.is_breached))
    if criteria.reference is not None:
        query = query.where(Case.reference == criteria.reference.strip().upper())
    if criteria.contact_ids:
        query = query.where(
            Case.id.in_(
                select(CaseContact.case_id).where(
                    owned_by(actor, CaseContact),
                    CaseContact.contact_id.in_(criteria.contact_ids),
                )
            )
        )
    return list(session.scalars(query.order_by(Case.id).limit(limit)))


CONTINUED_STATUSES = (
    CaseStatus.NEW,
    CaseStatus.OPEN,
    CaseStatus.PENDING_CUSTOMER,
    CaseStatus.SOLVED,
)
"""A conversation in a case with one of these statuses continues it (a solved case may be reopened
by the customer); a closed case is final, so the conversation gets a new one."""


def cases_of_contact(session: Session, organization_id: int, contact_id: int) -> list[Case]:
    """The cases ``contact_id`` is linked to, newest first."""
    return list(
        session.scalars(
            select(Case)
            .join(CaseContact, CaseContact.case_id == Case.id)
            .where(
                CaseContact.contact_id == contact_id,
                owned_by(organization_id, Case),
            )
            .order_by(Case.id.desc())
        )
    )


@any_member
def case_for_conversation(session: Session, actor: Actor, contact_id: int) -> Case:
    """The open case a conversation belongs to; a conversation without one opens it (the case
    reference the customer is given and quotes back, e.g. in an email subject)."""
    contact = access_contact(session, actor, contact_id)
    lock_name(session, f"conversation-case:{actor.organization_id}:{contact.id}")
    for case in cases_of_contact(session, actor.organization_id, contact.id):
        if CaseStatus(case.status) in CONTINUED_STATUSES:
            return case
    subject = (contact.subject or f"{contact.channel.capitalize()} conversation")[:500]
    new_case = NewCase(subject=subject, contact_ids=(contact.id,))
    return create_case(session, actor, new_case, now=session_now(session))


def latest_contact_of_case(
    session: Session, organization_id: int, case: Case, channel: str
) -> int | None:
    """The newest contact of ``channel`` linked to ``case`` (where a message quoting it continues)."""
    found = session.scalar(
        select(Contact.id)
        .join(CaseContact, CaseContact.contact_id == Contact.id)
        .where(
            CaseContact.case_id == case.id,
            owned_by(organization_id, Contact),
            Contact.channel == channel,
        )
        .order_by(Contact.id.desc())
        .limit(1)
    )
    return None if found is None else int(found)


@any_member
def link_follow_up(
    session: Session, actor: Actor, previous_contact_id: int, contact_id: int, *, now: datetime
) -> None:
    """Link a follow-up contact to the cases of the finished contact it continues."""
    for case in cases_of_contact(session, actor.organization_id, previous_contact_id):
        _link(session, actor, case, contact_id, now)
        case.updated_at = now
        case.sla_check_at = now
