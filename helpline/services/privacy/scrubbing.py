"""Removing personal content from contacts and the events about them, shared by erasure and
retention. Rows that reports count (contacts, report facts, events) stay, with their ids, times,
states and durations; only texts, addresses and files go."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from helpline.domain.privacy import ERASED, PERSONAL_EVENT_FIELDS, tombstoned_payload
from helpline.services.access import owned_by
from helpline.storage import tables

CHUNK = 500
"""Ids per ``IN (...)`` list (SQLite allows a limited number of bound parameters)."""


@dataclass(frozen=True)
class ScrubbedContent:
    """What one scrub changed: contacts, messages, attachments and events."""

    contacts: int = 0
    messages: int = 0
    attachments: int = 0
    events: int = 0

    def __add__(self, other: ScrubbedContent) -> ScrubbedContent:
        return ScrubbedContent(
            self.contacts + other.contacts,
            self.messages + other.messages,
            self.attachments + other.attachments,
            self.events + other.events,
        )

    def as_detail(self) -> dict[str, int]:
        """The counts, for an audit entry's detail."""
        return {
            "contacts": self.contacts,
            "messages": self.messages,
            "attachments": self.attachments,
            "events": self.events,
        }


def _count(result: object) -> int:
    """Rows a bulk UPDATE or DELETE changed."""
    count = getattr(result, "rowcount", 0)
    return count if isinstance(count, int) else 0


def _chunks(ids: Collection[int]) -> Iterable[list[int]]:
    ordered = sorted(ids)
    for start in range(0, len(ordered), CHUNK):
        yield ordered[start : start + CHUNK]


def scrub_contacts(
    session: Session,
    organization_id: int,
    contact_ids: Collection[int],
    *,
    delete_messages: bool,
    unlink_customer: bool,
) -> ScrubbedContent:
    """Remove the personal content of ``contact_ids`` (of ``organization_id``): attachments,
    message texts (deleted, or replaced by a tombstone), subjects, notes, collected values, chat
    visitor details, callback numbers and the personal fields of their events."""
    messages = attachments = 0
    for ids in _chunks(contact_ids):
        message_ids = select(tables.Message.id).where(
            owned_by(organization_id, tables.Message), tables.Message.contact_id.in_(ids)
        )
        attachments += _count(
            session.execute(
                delete(tables.MessageAttachment).where(
                    owned_by(organization_id, tables.MessageAttachment),
                    tables.MessageAttachment.message_id.in_(message_ids),
                )
            )
        )
        if delete_messages:
            messages += _count(
                session.execute(
                    delete(tables.Message).where(
                        owned_by(organization_id, tables.Message),
                        tables.Message.contact_id.in_(ids),
                    )
                )
            )
        else:
            messages += _count(
                session.execute(
                    update(tables.Message)
                    .where(
                        owned_by(organization_id, tables.Message),
                        tables.Message.contact_id.in_(ids),
                    )
                    .values(
                        body=ERASED,
                        sender="",
                        subject="",
                        headers={},
                        external_id=None,
                        delivery_error="",
                    )
                )
            )
        contact_values: dict[str, object] = {
            "subject": "",
            "notes": "",
            "attributes": {},
            "idempotency_key": None,
            "idempotency_fingerprint": None,
        }
        if unlink_customer:
            contact_values["customer_id"] = None
        session.execute(
            update(tables.Contact)
            .where(owned_by(organization_id, tables.Contact), tables.Contact.id.in_(ids))
            .values(**contact_values)
        )
        session.execute(
            update(tables.ChatSession)
            .where(
                owned_by(organization_id, tables.ChatSession),
                tables.ChatSession.contact_id.in_(ids),
            )
            .values(visitor_name=ERASED, visitor_email="", topic="")
        )
        session.execute(
            update(tables.Callback)
            .where(owned_by(organization_id, tables.Callback), tables.Callback.contact_id.in_(ids))
            .values(phone="", subject="")
        )
    events = tombstone_events(session, organization_id, contact_ids)
    return ScrubbedContent(len(contact_ids), messages, attachments, events)


def tombstone_events(session: Session, organization_id: int, contact_ids: Collection[int]) -> int:
    """Replace the personal fields of the events of ``contact_ids`` by their tombstones (see
    ``helpline.domain.privacy.PERSONAL_EVENT_FIELDS``); the number of events changed."""
    changed = 0
    for ids in _chunks(contact_ids):
        rows = session.scalars(
            select(tables.Event).where(
                owned_by(organization_id, tables.Event),
                tables.Event.contact_id.in_(ids),
                tables.Event.type.in_(PERSONAL_EVENT_FIELDS),
            )
        ).all()
        changed += tombstone_rows(rows)
    return changed


def tombstone_rows(rows: Iterable[tables.Event]) -> int:
    """Tombstone the personal fields of ``rows`` in place; the number changed."""
    changed = 0
    for event in rows:
        payload = tombstoned_payload(event.type, event.payload)
        if payload != event.payload:
            event.payload = payload
            changed += 1
    return changed
