"""Read-side views of cases: the short form, and which cases and contacts are linked."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import Session

from helpline.services.access import owned_by
from helpline.storage.tables import Case, CaseContact


def contact_ids_of(
    session: Session, organization_id: int, case_ids: Iterable[int]
) -> dict[int, list[int]]:
    """The contacts linked to each case, oldest link first."""
    found: dict[int, list[int]] = {case_id: [] for case_id in case_ids}
    if found:
        for link in session.scalars(
            select(CaseContact)
            .where(
                owned_by(organization_id, CaseContact),
                CaseContact.case_id.in_(list(found)),
            )
            .order_by(CaseContact.linked_at, CaseContact.contact_id)
        ):
            found[link.case_id].append(link.contact_id)
    return found


def case_ids_of_contacts(
    session: Session, organization_id: int, contact_ids: Iterable[int]
) -> dict[int, list[int]]:
    """The cases each contact is linked to."""
    found: dict[int, list[int]] = {contact_id: [] for contact_id in contact_ids}
    if found:
        for link in session.scalars(
            select(CaseContact)
            .where(
                owned_by(organization_id, CaseContact),
                CaseContact.contact_id.in_(list(found)),
            )
            .order_by(CaseContact.case_id)
        ):
            found[link.contact_id].append(link.case_id)
    return found


def cases_of_customer_or_contacts(
    session: Session, organization_id: int, customer_id: int | None, contact_ids: Iterable[int]
) -> list[Case]:
    """Cases of a customer or linked to any of ``contact_ids``, newest first."""
    conditions: list[ColumnElement[bool]] = [
        Case.id.in_(
            select(CaseContact.case_id).where(
                owned_by(organization_id, CaseContact),
                CaseContact.contact_id.in_(list(contact_ids)),
            )
        )
    ]
    if customer_id is not None:
        conditions.append(Case.customer_id == customer_id)
    return list(
        session.scalars(
            select(Case)
            .where(owned_by(organization_id, Case), or_(*conditions))
            .order_by(Case.id.desc())
        )
    )


def case_summary(case: Case) -> dict[str, Any]:
    """The short form of a case shown in timelines and offers."""
    return {
        name: getattr(case, name)
        for name in (
            "id",
            "reference",
            "subject",
            "status",
            "priority",
            "customer_id",
            "assignee_agent_id",
            "assignee_user_id",
            "created_at",
            "is_breached",
        )
    }
