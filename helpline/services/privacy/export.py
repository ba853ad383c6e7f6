"""Subject access export: everything Helpline holds about one customer, as a ZIP of JSON files
plus the attachment files (docs/privacy.md lists what each file holds)."""

from __future__ import annotations

import io
import json
import re
import zipfile
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from helpline.domain.enums import Role
from helpline.domain.privacy import AuditAction
from helpline.services.access import access_customer, owned, owned_by, requires
from helpline.services.actor import Actor
from helpline.services.cases.views import case_summary
from helpline.services.conversations.contacts import represent_contact
from helpline.services.identity.customers import represent_customer
from helpline.services.privacy.erasure import customer_records
from helpline.storage import tables
from helpline.storage.audit import append_audit
from helpline.storage.database import session_now

EXPORT_ROLES = (Role.MANAGER, Role.SUPERVISOR)
"""Who may export a customer's data besides admins (supervisors answer customers' requests)."""
FILES = (
    "profile.json",
    "identities.json",
    "contacts.json",
    "cases.json",
    "surveys.json",
    "notes.json",
    "context.json",
)
"""The JSON files of every export (attachments follow under ``attachments/``)."""
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def _json(value: Any) -> bytes:
    def default(item: Any) -> Any:
        if isinstance(item, datetime | date):
            return item.isoformat()
        raise TypeError(f"cannot export {type(item).__name__}")

    return json.dumps(value, indent=2, sort_keys=True, default=default).encode()


def _attachment_path(attachment: tables.MessageAttachment) -> str:
    name = _UNSAFE.sub("_", attachment.filename).strip("._") or "file"
    return f"attachments/{attachment.message_id}/{attachment.id}-{name}"


@requires(*EXPORT_ROLES)
def export_customer(session: Session, actor: Actor, customer_id: int) -> bytes:
    """The ZIP of customer ``customer_id`` (NotFound for another organization's), recorded in the
    audit log in the caller's transaction."""
    customer = access_customer(session, actor, customer_id)
    org = actor.organization_id
    records = customer_records(session, org, customer.id)
    customers = session.scalars(
        owned(org, tables.Customer).where(tables.Customer.id.in_(records))
    ).all()
    identities = session.scalars(
        owned(org, tables.CustomerIdentity)
        .where(tables.CustomerIdentity.customer_id.in_(records))
        .order_by(tables.CustomerIdentity.id)
    ).all()
    contacts = session.scalars(
        owned(org, tables.Contact)
        .where(tables.Contact.customer_id.in_(records))
        .order_by(tables.Contact.created_at, tables.Contact.id)
    ).all()
    contact_ids = [c.id for c in contacts]
    messages = _messages(session, org, contact_ids)
    attachments = session.scalars(
        owned(org, tables.MessageAttachment)
        .where(tables.MessageAttachment.message_id.in_([m.id for m in messages]))
        .order_by(tables.MessageAttachment.id)
    ).all()
    cases = session.scalars(
        owned(org, tables.Case).where(tables.Case.customer_id.in_(records)).order_by(tables.Case.id)
    ).all()
    files: dict[str, Any] = {
        "profile.json": {
            "customer": represent_customer(session, customer),
            "merged_records": [
                represent_customer(session, c) for c in customers if c.id != customer.id
            ],
        },
        "identities.json": [
            {"id": i.id, "customer_id": i.customer_id, "kind": i.kind, "value": i.value}
            for i in identities
        ],
        "contacts.json": _contacts(contacts, messages, attachments),
        "cases.json": [case_summary(c) for c in cases],
        "surveys.json": _surveys(session, org, contact_ids),
        "notes.json": [
            {"contact_id": c.id, "notes": c.notes, "wrap_up_code_id": c.wrap_up_code_id}
            for c in contacts
            if c.notes
        ],
        "context.json": _context(session, org, contact_ids, records, contacts),
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in FILES:
            archive.writestr(name, _json(files[name]))
        for attachment in attachments:
            archive.writestr(_attachment_path(attachment), attachment.data)
    append_audit(
        session,
        org,
        occurred_at=session_now(session),
        actor=actor.label,
        action=AuditAction.CUSTOMER_EXPORTED.value,
        resource_kind="Customer",
        resource_id=customer.id,
        detail={"contacts": len(contacts), "attachments": len(attachments)},
    )
    return buffer.getvalue()


def _messages(session: Session, org: int, contact_ids: list[int]) -> Sequence[tables.Message]:
    return session.scalars(
        owned(org, tables.Message)
        .where(tables.Message.contact_id.in_(contact_ids))
        .order_by(tables.Message.created_at, tables.Message.id)
    ).all()


def _contacts(
    contacts: Sequence[tables.Contact],
    messages: Sequence[tables.Message],
    attachments: Sequence[tables.MessageAttachment],
) -> list[dict[str, Any]]:
    files: dict[int, list[dict[str, Any]]] = {}
    for a in attachments:
        files.setdefault(a.message_id, []).append(
            {"filename": a.filename, "content_type": a.content_type, "size": a.size}
            | {"path": _attachment_path(a)}
        )
    by_contact: dict[int, list[dict[str, Any]]] = {}
    for m in messages:
        by_contact.setdefault(m.contact_id, []).append(
            {
                "id": m.id,
                "channel": m.channel,
                "direction": m.direction,
                "sender": m.sender,
                "subject": m.subject,
                "body": m.body,
                "created_at": m.created_at,
                "attachments": files.get(m.id, []),
            }
        )
    return [represent_contact(c) | {"messages": by_contact.get(c.id, [])} for c in contacts]


def _surveys(session: Session, org: int, contact_ids: list[int]) -> list[dict[str, Any]]:
    surveys = session.scalars(
        owned(org, tables.Survey)
        .where(tables.Survey.contact_id.in_(contact_ids))
        .order_by(tables.Survey.id)
    ).all()
    answers = session.scalars(
        owned(org, tables.SurveyAnswer)
        .where(tables.SurveyAnswer.survey_id.in_([s.id for s in surveys]))
        .order_by(tables.SurveyAnswer.id)
    ).all()
    return [
        {
            "id": s.id,
            "contact_id": s.contact_id,
            "created_at": s.created_at,
            "answered_at": s.answered_at,
            "answers": [
                {"question": a.question, "score": a.score, "scale_max": a.scale_max}
                for a in answers
                if a.survey_id == s.id
            ],
        }
        for s in surveys
    ]


def _context(
    session: Session,
    org: int,
    contact_ids: list[int],
    customers: list[int],
    contacts: Sequence[tables.Contact],
) -> dict[str, Any]:
    chats = session.scalars(
        select(tables.ChatSession)
        .where(owned_by(org, tables.ChatSession), tables.ChatSession.contact_id.in_(contact_ids))
        .order_by(tables.ChatSession.id)
    ).all()
    callbacks = session.scalars(
        owned(org, tables.Callback)
        .where(tables.Callback.customer_id.in_(customers))
        .order_by(tables.Callback.id)
    ).all()
    return {
        "collected_values": {str(c.id): c.attributes for c in contacts if c.attributes},
        "chat_sessions": [
            {
                "contact_ids": s.contact_ids,
                "visitor_name": s.visitor_name,
                "visitor_email": s.visitor_email,
                "topic": s.topic,
                "created_at": s.created_at,
                "ended_at": s.ended_at,
            }
            for s in chats
        ],
        "callbacks": [
            {
                "id": cb.id,
                "phone": cb.phone,
                "subject": cb.subject,
                "slot_start": cb.slot_start,
                "slot_end": cb.slot_end,
                "state": cb.state,
            }
            for cb in callbacks
        ],
    }
