"""Erasure: a customer's personal data removed from every copy, reports left as they were.

The customer record, its identities and every record merged into it are deleted. Its contacts,
cases, report facts and events stay (reports count them) without their personal content: message
texts become a tombstone, attachments are deleted, subjects, notes and collected values are
emptied, and the personal fields of events are rewritten in place to tombstones, so the event
sequence keeps every number and each event its type, time, ids and durations.
"""

from __future__ import annotations

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from helpline.domain.callbacks import CallbackState
from helpline.domain.enums import Role
from helpline.domain.privacy import ERASED, AuditAction
from helpline.services.access import access_customer, owned, owned_by, requires
from helpline.services.acd.callbacks import change_state, record_callback_event
from helpline.services.actor import Actor
from helpline.services.privacy.scrubbing import CHUNK, scrub_contacts, tombstone_rows
from helpline.storage import tables
from helpline.storage.audit import append_audit
from helpline.storage.database import session_now

ERASURE_ROLES = (Role.MANAGER,)
"""Who may erase a customer besides admins."""
CUSTOMER_EVENTS = ("CustomerCreated", "CustomerUpdated")
CASE_TEXT_EVENTS = ("CaseUpdated", "CaseStatusChanged")


def customer_records(session: Session, organization_id: int, customer_id: int) -> list[int]:
    """``customer_id`` and every record merged into it, directly or through another merge."""
    found = [customer_id]
    frontier = [customer_id]
    while frontier:
        merged = session.scalars(
            select(tables.Customer.id).where(
                owned_by(organization_id, tables.Customer),
                tables.Customer.merged_into_id.in_(frontier),
            )
        ).all()
        frontier = [m for m in merged if m not in found]
        found.extend(frontier)
    return found


@requires(*ERASURE_ROLES)
def erase_customer(session: Session, actor: Actor, customer_id: int) -> dict[str, int]:
    """Erase customer ``customer_id`` (NotFound for another organization's) on every copy, and
    record the erasure in the audit log (ids and counts only). Returns the counts."""
    access_customer(session, actor, customer_id)
    organization_id = actor.organization_id
    customers = customer_records(session, organization_id, customer_id)
    contact_ids = set(
        session.scalars(
            select(tables.Contact.id).where(
                owned_by(organization_id, tables.Contact), tables.Contact.customer_id.in_(customers)
            )
        ).all()
    )
    scrubbed = scrub_contacts(
        session, organization_id, contact_ids, delete_messages=False, unlink_customer=True
    )
    case_ids = set(
        session.scalars(
            select(tables.Case.id).where(
                owned_by(organization_id, tables.Case), tables.Case.customer_id.in_(customers)
            )
        ).all()
    )
    if case_ids:
        session.execute(
            update(tables.Case)
            .where(owned_by(organization_id, tables.Case), tables.Case.id.in_(case_ids))
            .values(subject=ERASED, customer_id=None)
        )
    _cancel_scheduled_callbacks(session, actor, customers)
    session.execute(
        update(tables.Callback)
        .where(
            owned_by(organization_id, tables.Callback), tables.Callback.customer_id.in_(customers)
        )
        .values(phone="", subject="", customer_id=None)
    )
    events = scrubbed.events + _tombstone_customer_and_case_events(
        session, organization_id, set(customers), case_ids
    )
    session.execute(
        delete(tables.CustomerIdentity).where(
            owned_by(organization_id, tables.CustomerIdentity),
            tables.CustomerIdentity.customer_id.in_(customers),
        )
    )
    session.execute(
        update(tables.Customer)
        .where(owned_by(organization_id, tables.Customer), tables.Customer.id.in_(customers))
        .values(merged_into_id=None)
    )
    session.execute(
        delete(tables.Customer).where(
            owned_by(organization_id, tables.Customer), tables.Customer.id.in_(customers)
        )
    )
    counts = {
        "customer_records": len(customers),
        "contacts": scrubbed.contacts,
        "messages": scrubbed.messages,
        "attachments": scrubbed.attachments,
        "cases": len(case_ids),
        "events": events,
    }
    append_audit(
        session,
        organization_id,
        occurred_at=session_now(session),
        actor=actor.label,
        action=AuditAction.CUSTOMER_ERASED.value,
        resource_kind="Customer",
        resource_id=customer_id,
        detail=counts,
    )
    return counts


def _cancel_scheduled_callbacks(session: Session, actor: Actor, customers: list[int]) -> None:
    """Callbacks still waiting for their slot are cancelled (``CallbackCancelled``): nobody can
    be called back on a number that is erased. Routed ones already have their contact."""
    now = session_now(session)
    waiting = session.scalars(
        owned(actor, tables.Callback).where(
            tables.Callback.customer_id.in_(customers),
            tables.Callback.state == CallbackState.SCHEDULED.value,
        )
    ).all()
    for row in waiting:
        if change_state(session, row, CallbackState.SCHEDULED, CallbackState.CANCELLED, now):
            record_callback_event(
                session,
                row,
                "CallbackCancelled",
                now,
                actor.label,
                previous_state=CallbackState.SCHEDULED,
            )


def _tombstone_customer_and_case_events(
    session: Session, organization_id: int, customers: set[int], case_ids: set[int]
) -> int:
    """Events about the customers or their cases that carry no contact id (their payloads name
    the customer or case): read by type, matched by payload, tombstoned."""
    changed = 0
    wanted = dict.fromkeys(CUSTOMER_EVENTS, customers) | dict.fromkeys(CASE_TEXT_EVENTS, case_ids)
    key = dict.fromkeys(CUSTOMER_EVENTS, "customer_id") | dict.fromkeys(CASE_TEXT_EVENTS, "case_id")
    last_id = 0
    while True:
        rows = session.scalars(
            select(tables.Event)
            .where(
                owned_by(organization_id, tables.Event),
                tables.Event.type.in_(list(wanted)),
                tables.Event.id > last_id,
            )
            .order_by(tables.Event.id)
            .limit(CHUNK)
        ).all()
        if not rows:
            return changed
        last_id = rows[-1].id
        changed += tombstone_rows(r for r in rows if r.payload.get(key[r.type]) in wanted[r.type])
