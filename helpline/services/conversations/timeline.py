"""A customer's timeline: every contact on every channel with its transcript, notes and cases."""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from helpline.errors import InvalidInput
from helpline.services.access import any_member, owned, owned_by
from helpline.services.actor import Actor
from helpline.services.cases.views import (
    case_ids_of_contacts,
    case_summary,
    cases_of_customer_or_contacts,
)
from helpline.services.conversations.contacts import represent_contact
from helpline.services.identity.customers import get_customer, represent_customer
from helpline.storage.tables import Contact, Message, MessageAttachment


def _transcripts(
    session: Session, organization_id: int, contact_ids: list[int]
) -> dict[int, list[dict[str, Any]]]:
    transcripts: dict[int, list[dict[str, Any]]] = {c: [] for c in contact_ids}
    if not contact_ids:
        return transcripts
    messages = list(
        session.scalars(
            select(Message)
            .where(owned_by(organization_id, Message), Message.contact_id.in_(contact_ids))
            .order_by(Message.created_at, Message.id)
        )
    )
    files: dict[int, list[str]] = {}
    if messages:
        for message_id, filename in session.execute(
            select(MessageAttachment.message_id, MessageAttachment.filename)
            .where(
                owned_by(organization_id, MessageAttachment),
                MessageAttachment.message_id.in_([m.id for m in messages]),
            )
            .order_by(MessageAttachment.id)
        ):
            files.setdefault(message_id, []).append(filename)
    for message in messages:
        transcripts[message.contact_id].append(
            {
                "id": message.id,
                "channel": message.channel,
                "direction": message.direction,
                "sender": message.sender,
                "subject": message.subject,
                "body": message.body,
                "created_at": message.created_at,
                "attachments": files.get(message.id, []),
            }
        )
    return transcripts


@any_member
def customer_timeline(
    session: Session, actor: Actor, customer_id: int, *, before_id: int | None, limit: int
) -> dict[str, Any]:
    """One page of the customer's contacts, newest first, each with messages, notes and case ids,
    plus every case of the customer. Pass ``next_before_id`` back as ``before_id`` for older ones."""
    customer = get_customer(session, actor, customer_id)
    org = actor.organization_id
    query = owned(org, Contact).where(Contact.customer_id == customer.id)
    if before_id is not None:
        cursor = session.scalar(
            select(Contact).where(
                Contact.id == before_id,
                owned_by(org, Contact),
                Contact.customer_id == customer.id,
            )
        )
        if cursor is None:
            raise InvalidInput("before_id", f"contact {before_id} is not on this timeline")
        query = query.where(
            or_(
                Contact.created_at < cursor.created_at,
                and_(Contact.created_at == cursor.created_at, Contact.id < cursor.id),
            )
        )
    rows = list(
        session.scalars(
            query.order_by(Contact.created_at.desc(), Contact.id.desc()).limit(limit + 1)
        )
    )
    page = rows[:limit]
    ids = [c.id for c in page]
    transcripts = _transcripts(session, org, ids)
    case_ids = case_ids_of_contacts(session, org, ids)
    cases = cases_of_customer_or_contacts(session, org, customer.id, ids)
    return {
        "customer": represent_customer(session, customer),
        "cases": [case_summary(case) for case in cases],
        "items": [
            represent_contact(c) | {"messages": transcripts[c.id], "case_ids": case_ids[c.id]}
            for c in page
        ],
        "next_before_id": page[-1].id if len(rows) > limit else None,
    }
