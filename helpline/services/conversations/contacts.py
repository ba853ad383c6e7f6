"""Contacts: create inbound contacts idempotently, read and list them (timelines: ``services.conversations.timeline``)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from helpline.domain.enums import Channel, ContactState, Direction, IdentityKind, Role
from helpline.domain.redaction import redact_value
from helpline.errors import Conflict, InvalidInput
from helpline.services.access import (
    access_contact,
    any_member,
    owned,
    referenced,
    requires,
)
from helpline.services.acd.engine_config import check_routing_steps
from helpline.services.actor import Actor
from helpline.services.identity.customers import find_or_create_customer, get_customer
from helpline.storage.database import session_now
from helpline.storage.events import append_event, json_value
from helpline.storage.locks import lock_name
from helpline.storage.redaction import organization_patterns
from helpline.storage.tables import Contact, Message, Queue

CONTACT_ROLES = (Role.MANAGER, Role.SUPERVISOR, Role.AGENT)
"""Who may create contacts besides admins (integrations use admin or supervisor keys)."""


RACE_ATTEMPTS = 3
"""Transactions tried before a lost race on a unique key is reported."""


class IdempotencyRace(Conflict):
    """Another transaction inserted a contact with the same idempotency key first."""


@dataclass(frozen=True)
class NewContact:
    """What a caller says about a new inbound contact."""

    channel: Channel
    queue_id: int | None = None
    customer_id: int | None = None
    customer_name: str = ""
    identities: Mapping[IdentityKind, str] = field(default_factory=dict)
    direction: Direction = Direction.INBOUND
    priority: int = 5
    subject: str = ""
    attributes: Mapping[str, Any] = field(default_factory=dict)
    first_message: str | None = None
    routing_steps: tuple[Mapping[str, Any], ...] = ()
    """Criteria for this contact only (e.g. set by a flow); empty means the queue's."""
    age_adjustment_seconds: float = 0.0
    """Place the contact in line as if it had waited this much longer (reported waits unchanged)."""


def _routing_request(spec: NewContact) -> dict[str, Any]:
    request: dict[str, Any] = {}
    if spec.routing_steps:
        request["criteria"] = json_value([dict(step) for step in spec.routing_steps])
    if spec.age_adjustment_seconds:
        request["age_adjustment_seconds"] = spec.age_adjustment_seconds
    return request


@dataclass(frozen=True)
class CreatedContact:
    """The contact and whether this call created it (False when an idempotent retry found it)."""

    contact: Contact
    created: bool


def represent_contact(contact: Contact) -> dict[str, Any]:
    """A plain dict of a contact for API responses and timelines."""
    return {
        name: getattr(contact, name)
        for name in (
            "id",
            "customer_id",
            "channel",
            "direction",
            "queue_id",
            "agent_id",
            "priority",
            "state",
            "subject",
            "attributes",
            "wrap_up_code_id",
            "notes",
            "created_at",
            "queued_at",
            "connected_at",
            "ended_at",
            "closed_at",
        )
    }


def fingerprint(spec: NewContact, patterns: Sequence[str] = ()) -> str:
    """A digest of the request, so a reused idempotency key with a different body is refused.

    Taken over the request as stored, redacted with ``patterns`` (and cards): a digest of a raw card
    number could be reversed by trying the numbers that end in its stored last four digits.
    """
    data = json_value(
        {
            "channel": spec.channel,
            "queue_id": spec.queue_id,
            "customer_id": spec.customer_id,
            "customer_name": spec.customer_name,
            "identities": {k.value: v for k, v in sorted(spec.identities.items())},
            "direction": spec.direction,
            "priority": spec.priority,
            "subject": spec.subject,
            "attributes": dict(spec.attributes),
            "first_message": spec.first_message,
            "routing_steps": [dict(step) for step in spec.routing_steps],
            "age_adjustment_seconds": spec.age_adjustment_seconds,
        }
    )
    redacted = redact_value(data, patterns)
    return hashlib.sha256(json.dumps(redacted, sort_keys=True).encode()).hexdigest()


def _existing(session: Session, actor: Actor, key: str, digest: str) -> Contact | None:
    contact = session.scalar(owned(actor, Contact).where(Contact.idempotency_key == key))
    if contact is not None and contact.idempotency_fingerprint != digest:
        raise Conflict(f"Idempotency-Key {key!r} was already used for a different contact")
    return contact


@requires(*CONTACT_ROLES)
def create_contact(
    session: Session, actor: Actor, spec: NewContact, *, idempotency_key: str | None = None
) -> CreatedContact:
    """Record a new contact, its customer and first message, and queue it when a queue is given.

    With ``idempotency_key``, a retry returns the contact the first call created. Writes
    ``ContactCreated`` (and ``ContactQueued``) in the same transaction.
    """
    digest = fingerprint(spec, organization_patterns(session, actor.organization_id))
    if idempotency_key is not None:
        # Retries with one key wait for each other instead of racing to insert.
        lock_name(session, f"contact-idempotency:{actor.organization_id}:{idempotency_key}")
        found = _existing(session, actor, idempotency_key, digest)
        if found is not None:
            return CreatedContact(found, created=False)
    _queue_for(session, actor, spec)
    check_routing_steps(spec.routing_steps)
    if spec.customer_id is not None:
        customer_id: int | None = get_customer(session, actor, spec.customer_id).id
    else:
        customer = find_or_create_customer(
            session, actor, display_name=spec.customer_name, identities=spec.identities
        )
        customer_id = customer.id if customer else None
    now = session_now(session)
    state = ContactState.CREATED  # the routing service queues it (see services.acd.routing)
    contact = Contact(
        organization_id=actor.organization_id,
        customer_id=customer_id,
        channel=spec.channel.value,
        direction=spec.direction.value,
        queue_id=spec.queue_id,
        agent_id=None,
        priority=spec.priority,
        state=state.value,
        subject=spec.subject,
        attributes=json_value(dict(spec.attributes)),
        idempotency_key=idempotency_key,
        idempotency_fingerprint=digest if idempotency_key else None,
        notes="",
        created_at=now,
        queued_at=None,
        routing_state=_routing_request(spec),
    )
    session.add(contact)
    try:
        session.flush()
    except IntegrityError:
        # A concurrent request with the same key committed first; a retry will find its contact.
        raise IdempotencyRace(f"Idempotency-Key {idempotency_key!r} is in use") from None
    if spec.first_message is not None:
        session.add(
            Message(
                organization_id=actor.organization_id,
                contact_id=contact.id,
                channel=spec.channel.value,
                direction=spec.direction.value,
                sender="customer",
                body=spec.first_message,
                external_id=None,
                created_at=now,
            )
        )
    _record_created(session, actor, contact, now)
    return CreatedContact(contact, created=True)


@any_member
def create_contact_idempotently(
    transaction: Callable[[], AbstractContextManager[Session]],
    actor: Actor,
    spec: NewContact,
    idempotency_key: str | None,
) -> CreatedContact:
    """``create_contact`` in its own transaction, retried when a concurrent request created the same
    contact (same idempotency key) or the same new customer first, so every caller gets one answer."""
    for attempt in range(RACE_ATTEMPTS):
        try:
            with transaction() as session:
                return create_contact(session, actor, spec, idempotency_key=idempotency_key)
        except (IdempotencyRace, IntegrityError):
            if attempt == RACE_ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")  # pragma: no cover


def _queue_for(session: Session, actor: Actor, spec: NewContact) -> Queue | None:
    if spec.queue_id is None:
        return None
    queue = referenced(session, actor, Queue, spec.queue_id, "queue_id")
    if queue.channel != spec.channel.value:
        raise InvalidInput(
            "queue_id", f"queue {queue.id} takes {queue.channel} contacts, not {spec.channel.value}"
        )
    return queue


def _record_created(session: Session, actor: Actor, contact: Contact, now: datetime) -> None:
    append_event(
        session,
        actor.organization_id,
        "ContactCreated",
        occurred_at=now,
        actor=actor.label,
        contact_id=contact.id,
        payload={
            "channel": contact.channel,
            "direction": contact.direction,
            "customer_id": contact.customer_id,
            "queue_id": contact.queue_id,
            "priority": contact.priority,
            "subject": contact.subject,
        },
    )
    if contact.state == ContactState.QUEUED.value:
        append_event(
            session,
            actor.organization_id,
            "ContactQueued",
            occurred_at=now,
            actor=actor.label,
            contact_id=contact.id,
            payload={"queue_id": contact.queue_id, "priority": contact.priority},
        )


@any_member
def get_contact(session: Session, actor: Actor, contact_id: int) -> Contact:
    """A contact of the actor's organization, or NotFound."""
    return access_contact(session, actor, contact_id)


@dataclass(frozen=True)
class ContactFilter:
    """Optional criteria for listing contacts; all given ones must hold."""

    state: ContactState | None = None
    channel: Channel | None = None
    queue_id: int | None = None
    agent_id: int | None = None
    customer_id: int | None = None
    created_from: datetime | None = None
    created_to: datetime | None = None


@any_member
def list_contacts(
    session: Session, actor: Actor, criteria: ContactFilter, *, after_id: int, limit: int
) -> list[Contact]:
    """Contacts matching ``criteria`` with id > ``after_id`` (keyset pagination), oldest first."""
    query = owned(actor, Contact).where(Contact.id > after_id)
    if criteria.state is not None:
        query = query.where(Contact.state == criteria.state.value)
    if criteria.channel is not None:
        query = query.where(Contact.channel == criteria.channel.value)
    for name in ("queue_id", "agent_id", "customer_id"):
        value = getattr(criteria, name)
        if value is not None:
            query = query.where(getattr(Contact, name) == value)
    if criteria.created_from is not None:
        query = query.where(Contact.created_at >= criteria.created_from)
    if criteria.created_to is not None:
        query = query.where(Contact.created_at < criteria.created_to)
    return list(session.scalars(query.order_by(Contact.id).limit(limit)).all())


@dataclass(frozen=True)
class PastOutcome:
    """How a contact that happened before Helpline saw it went (imports, demo history)."""

    queued_at: datetime
    state: ContactState  # CLOSED, ABANDONED, SHORT_ABANDONED or DEFLECTED
    ended_at: datetime
    agent_id: int | None = None
    connected_at: datetime | None = None
    wrap_up_code_id: int | None = None


FINAL_STATES = frozenset(
    {
        ContactState.CLOSED,
        ContactState.ABANDONED,
        ContactState.SHORT_ABANDONED,
        ContactState.DEFLECTED,
    }
)


@requires(*CONTACT_ROLES)
def record_past_contact(
    session: Session, actor: Actor, spec: NewContact, outcome: PastOutcome
) -> Contact:
    """Store a finished contact with its lifecycle events at the times they happened."""
    if outcome.state not in FINAL_STATES:
        raise InvalidInput("state", f"a past contact must have ended, not be {outcome.state.value}")
    if (outcome.connected_at is None) != (outcome.agent_id is None):
        raise InvalidInput("agent_id", "give agent_id and connected_at together")
    _queue_for(session, actor, spec)
    customer = find_or_create_customer(
        session, actor, display_name=spec.customer_name, identities=spec.identities
    )
    contact = Contact(
        organization_id=actor.organization_id,
        customer_id=customer.id if customer else None,
        channel=spec.channel.value,
        direction=spec.direction.value,
        queue_id=spec.queue_id,
        agent_id=outcome.agent_id,
        priority=spec.priority,
        state=ContactState.QUEUED.value,
        subject=spec.subject,
        attributes=json_value(dict(spec.attributes)),
        idempotency_key=None,
        idempotency_fingerprint=None,
        notes="",
        created_at=outcome.queued_at,
        queued_at=outcome.queued_at,
        wrap_up_code_id=outcome.wrap_up_code_id,
    )
    session.add(contact)
    session.flush()
    _record_created(session, actor, contact, outcome.queued_at)
    if outcome.connected_at is not None:
        contact.connected_at = outcome.connected_at
        append_event(
            session,
            actor.organization_id,
            "ContactConnected",
            occurred_at=outcome.connected_at,
            actor=actor.label,
            contact_id=contact.id,
            agent_id=outcome.agent_id,
            payload={"queue_id": contact.queue_id},
        )
    contact.state = outcome.state.value
    contact.ended_at = outcome.ended_at
    contact.closed_at = outcome.ended_at
    event_type = {
        ContactState.CLOSED: "ContactClosed",
        ContactState.ABANDONED: "ContactAbandoned",
        ContactState.SHORT_ABANDONED: "ContactAbandoned",
        ContactState.DEFLECTED: "ContactDeflected",
    }[outcome.state]
    append_event(
        session,
        actor.organization_id,
        event_type,
        occurred_at=outcome.ended_at,
        actor=actor.label,
        contact_id=contact.id,
        agent_id=outcome.agent_id,
        payload={"queue_id": contact.queue_id, "state": outcome.state.value},
    )
    return contact
