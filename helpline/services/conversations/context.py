"""Context travels with a contact: what the agent should see the moment it is offered."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from helpline.domain.cases import ACTIVE, CaseStatus
from helpline.services.access import access_contact, any_member, owned_by
from helpline.services.actor import Actor
from helpline.services.cases.views import case_summary, cases_of_customer_or_contacts
from helpline.services.identity.customers import represent_customer
from helpline.storage.tables import Contact, Customer, WrapUpCode

RECENT_CONTACTS = 5
"""Earlier contacts of the customer shown with an offer."""


def _recent_contacts(session: Session, contact: Contact, limit: int) -> list[dict[str, Any]]:
    rows = session.execute(
        select(Contact, WrapUpCode.code)
        .outerjoin(WrapUpCode, WrapUpCode.id == Contact.wrap_up_code_id)
        .where(
            owned_by(contact.organization_id, Contact),
            Contact.customer_id == contact.customer_id,
            Contact.id != contact.id,
        )
        .order_by(Contact.created_at.desc(), Contact.id.desc())
        .limit(limit)
    ).all()
    return [
        {
            "id": row.id,
            "channel": row.channel,
            "direction": row.direction,
            "state": row.state,
            "subject": row.subject,
            "agent_id": row.agent_id,
            "queue_id": row.queue_id,
            "wrap_up_code": code,
            "notes": row.notes,
            "created_at": row.created_at,
            "ended_at": row.ended_at,
        }
        for row, code in rows
    ]


@any_member
def contact_context(
    session: Session, actor: Actor, contact_id: int, *, recent: int = RECENT_CONTACTS
) -> dict[str, Any]:
    """The customer, their recent contacts, their open cases (and any case this contact is linked
    to), and what the IVR or pre-chat form collected (the contact's attributes)."""
    contact = access_contact(session, actor, contact_id)
    return context_of(session, contact, recent=recent)


def context_of(
    session: Session, contact: Contact, *, recent: int = RECENT_CONTACTS
) -> dict[str, Any]:
    """``contact_context`` for a contact already loaded (and checked) by the caller."""
    customer = (
        session.get(Customer, contact.customer_id) if contact.customer_id is not None else None
    )
    cases = cases_of_customer_or_contacts(
        session, contact.organization_id, contact.customer_id, [contact.id]
    )
    active = {status.value for status in ACTIVE}
    linked = {
        case.id
        for case in cases_of_customer_or_contacts(
            session, contact.organization_id, None, [contact.id]
        )
    }
    return {
        "contact_id": contact.id,
        "customer": represent_customer(session, customer) if customer is not None else None,
        "collected": contact.attributes,
        "recent_contacts": _recent_contacts(session, contact, recent) if customer else [],
        "open_cases": [
            case_summary(case) | {"is_linked": case.id in linked}
            for case in cases
            if case.status in active
            or (case.id in linked and case.status != CaseStatus.CLOSED.value)
        ],
    }
