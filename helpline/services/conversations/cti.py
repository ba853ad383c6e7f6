"""CTI events: an external phone system tells Helpline about its calls and gets the ACD's decisions.

A call is a voice contact whose idempotency key is ``cti:<call id>``: offering the same call twice
finds the first contact. Later events (answered, held, resumed, transferred, ended) go through the
ACD use cases of ``services.acd.commands``. An event that finds the call already where it leads (``held`` on
a held call) is a harmless retry; one that makes no sense in the call's state is a Conflict. Every
accepted event is recorded as ``CallEventReceived`` with what the phone system sent.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from helpline.domain.enums import Channel, ContactState, IdentityKind, Role
from helpline.domain.identity import InvalidIdentity, normalize_phone
from helpline.errors import Conflict, InvalidInput, NotFound
from helpline.services.access import owned, owned_by, requires
from helpline.services.acd import commands as acd
from helpline.services.acd.routing import RoutingService
from helpline.services.actor import Actor
from helpline.services.conversations.contacts import (
    NewContact,
    create_contact_idempotently,
    represent_contact,
)
from helpline.services.conversations.provider_connections import queue_of_number
from helpline.services.identity.customers import organization_region
from helpline.storage.database import Database, session_now
from helpline.storage.events import append_event, json_value
from helpline.storage.tables import Agent, Contact, Queue

CTI_ROLES = (Role.SUPERVISOR,)
"""Who may report calls besides admins: the phone system's integration key."""
KEY_PREFIX = "cti:"
WITHHELD = frozenset(
    {"", "anonymous", "unknown", "private", "restricted", "withheld", "unavailable"}
)
"""Caller numbers phone systems send when the caller hid theirs: the call has no customer identity."""

WAITING = (ContactState.CREATED.value, ContactState.QUEUED.value, ContactState.OFFERED.value)
TALKING = (ContactState.CONNECTED.value, ContactState.ON_HOLD.value)
FINISHED = (
    ContactState.WRAP_UP.value,
    ContactState.CLOSED.value,
    ContactState.ABANDONED.value,
    ContactState.SHORT_ABANDONED.value,
    ContactState.DEFLECTED.value,
)

EndedBy = Literal["customer", "agent", "system"]


@dataclass(frozen=True)
class OfferedCall:
    """A call the phone system has answered in its IVR and wants routed."""

    call_id: str
    caller_number: str
    dialed_number: str
    queue_id: int | None = None
    caller_name: str = ""
    ivr: Mapping[str, Any] = field(default_factory=dict)
    """What the IVR collected (menu choices, account number...), shown to the agent."""


@dataclass(frozen=True)
class CallStatus:
    """A call's contact and the ACD's current decision for it."""

    call_id: str
    contact: dict[str, Any]
    decision: dict[str, Any]
    duplicate: bool = False


def _call(session: Session, actor: Actor, call_id: str) -> Contact:
    contact = session.scalar(
        owned(actor, Contact).where(
            Contact.idempotency_key == KEY_PREFIX + call_id,
        )
    )
    if contact is None:
        raise NotFound(f"call {call_id!r} not found; report it offered first")
    return contact


def _decision(session: Session, contact: Contact) -> dict[str, Any]:
    """What the phone system should do with the call now."""
    state = ContactState(contact.state)
    if state in (ContactState.QUEUED, ContactState.CREATED):
        return {"action": "queue"}
    if contact.agent_id is not None and state in (
        ContactState.OFFERED,
        ContactState.CONNECTED,
        ContactState.ON_HOLD,
    ):
        extension = session.scalar(select(Agent.extension).where(Agent.id == contact.agent_id))
        action = "ring_agent" if state is ContactState.OFFERED else "connected"
        decision: dict[str, Any] = {
            "action": action,
            "agent_id": contact.agent_id,
            "extension": extension,
        }
        if state is ContactState.OFFERED:
            decision["offer_expires_at"] = contact.routing_state.get("offer_expires_at")
        return decision
    if state is ContactState.CLOSED and contact.connected_at is None:
        message = session.scalar(select(Queue.closed_message).where(Queue.id == contact.queue_id))
        return {"action": "closed", "message": message or ""}
    return {"action": "none"}


@requires(*CTI_ROLES)
def call_status(db: Database, actor: Actor, call_id: str, *, duplicate: bool = False) -> CallStatus:
    """The call's contact and decision."""
    with db.transaction() as session:
        contact = _call(session, actor, call_id)
        return CallStatus(
            call_id, represent_contact(contact), _decision(session, contact), duplicate
        )


def _record(
    db: Database, actor: Actor, call_id: str, event: str, details: Mapping[str, Any]
) -> None:
    # Recorded after the ACD's own transaction committed: a crash in between loses this audit line,
    # never the contact's state (the ACD events ContactAnswered, ContactHeld... are in that one).
    with db.transaction() as session:
        contact = _call(session, actor, call_id)
        append_event(
            session,
            actor.organization_id,
            "CallEventReceived",
            occurred_at=session_now(session),
            actor=actor.label,
            contact_id=contact.id,
            agent_id=contact.agent_id,
            payload=json_value({"call_id": call_id, "event": event, **details}),
        )


def _spec(session: Session, actor: Actor, call: OfferedCall) -> NewContact:
    region = organization_region(session, actor)
    try:
        dialed = normalize_phone(call.dialed_number, region)
    except InvalidIdentity as error:
        raise InvalidInput("dialed_number", str(error)) from None
    queue_id = (
        call.queue_id if call.queue_id is not None else queue_of_number(session, actor, dialed)
    )
    if queue_id is None:
        raise InvalidInput(
            "dialed_number",
            f"no queue is mapped to {dialed}; map it (voice-numbers) or give queue_id",
        )
    identities: dict[IdentityKind, str] = {}
    caller = call.caller_number.strip()
    if caller.lower() not in WITHHELD:
        try:
            caller = normalize_phone(caller, region)
        except InvalidIdentity as error:
            raise InvalidInput("caller_number", str(error)) from None
        identities[IdentityKind.PHONE] = caller
    return NewContact(
        channel=Channel.VOICE,
        queue_id=queue_id,
        customer_name=call.caller_name,
        identities=identities,
        subject=f"Call from {caller or 'a withheld number'}"[:500],
        attributes={
            "call_id": call.call_id,
            "caller_number": caller,
            "dialed_number": dialed,
            "ivr": dict(call.ivr),
        },
    )


@requires(*CTI_ROLES)
def offer_call(
    db: Database, routing: RoutingService, actor: Actor, call: OfferedCall
) -> CallStatus:
    """Open a voice contact for the call in the dialed number's queue and route it; a repeat of the
    same offer returns the first one's status (``duplicate``), a different one for the same call id
    is a Conflict."""
    with db.transaction() as session:
        spec = _spec(session, actor, call)
    try:
        result = create_contact_idempotently(db.transaction, actor, spec, KEY_PREFIX + call.call_id)
    except Conflict as error:
        if "Idempotency-Key" not in error.message:
            raise
        raise Conflict(f"call {call.call_id!r} was already offered with other details") from None
    if result.created:
        acd.route_contact(routing, actor, result.contact.id)
        _record(db, actor, call.call_id, "offered", {"ivr": dict(call.ivr)})
    return call_status(db, actor, call.call_id, duplicate=not result.created)


def _state(db: Database, actor: Actor, call_id: str) -> Contact:
    with db.transaction() as session:
        contact = _call(session, actor, call_id)
        session.expunge(contact)
        return contact


def _out_of_order(call_id: str, event: str, contact: Contact, expected: str) -> Conflict:
    return Conflict(f"call {call_id!r} is {contact.state}; {event} needs a call that is {expected}")


def _agent_for(
    db: Database, actor: Actor, agent_id: int | None, extension: str | None
) -> int | None:
    if extension is None:
        return agent_id
    with db.transaction() as session:
        found = session.scalar(
            select(Agent.id).where(owned_by(actor, Agent), Agent.extension == extension)
        )
    if found is None:
        raise InvalidInput("extension", f"no agent has extension {extension!r}")
    if agent_id is not None and agent_id != found:
        raise InvalidInput("extension", f"extension {extension!r} is not agent {agent_id}'s")
    return found


@requires(*CTI_ROLES)
def answer_call(
    db: Database,
    routing: RoutingService,
    actor: Actor,
    call_id: str,
    *,
    agent_id: int | None = None,
    extension: str | None = None,
) -> CallStatus:
    """The offered agent (or the one at ``extension``) picked up: the ACD's offer is accepted."""
    contact = _state(db, actor, call_id)
    agent = _agent_for(db, actor, agent_id, extension)
    if contact.state in TALKING and agent in (None, contact.agent_id):
        return call_status(db, actor, call_id, duplicate=True)
    if contact.state != ContactState.OFFERED.value:
        raise _out_of_order(call_id, "answered", contact, "offered to an agent (ringing)")
    acd.accept_offer(routing, actor, contact.id, agent if agent is not None else contact.agent_id)
    _record(db, actor, call_id, "answered", {"agent_id": agent, "extension": extension})
    return call_status(db, actor, call_id)


@requires(*CTI_ROLES)
def hold_call(db: Database, routing: RoutingService, actor: Actor, call_id: str) -> CallStatus:
    """The agent put the caller on hold."""
    contact = _state(db, actor, call_id)
    if contact.state == ContactState.ON_HOLD.value:
        return call_status(db, actor, call_id, duplicate=True)
    if contact.state != ContactState.CONNECTED.value:
        raise _out_of_order(call_id, "held", contact, "connected")
    acd.hold(routing, actor, contact.id)
    _record(db, actor, call_id, "held", {})
    return call_status(db, actor, call_id)


@requires(*CTI_ROLES)
def resume_call(db: Database, routing: RoutingService, actor: Actor, call_id: str) -> CallStatus:
    """The agent took the caller off hold."""
    contact = _state(db, actor, call_id)
    if contact.state == ContactState.CONNECTED.value:
        return call_status(db, actor, call_id, duplicate=True)
    if contact.state != ContactState.ON_HOLD.value:
        raise _out_of_order(call_id, "resumed", contact, "on hold")
    acd.resume(routing, actor, contact.id)
    _record(db, actor, call_id, "resumed", {})
    return call_status(db, actor, call_id)


@requires(*CTI_ROLES)
def transfer_call(
    db: Database,
    routing: RoutingService,
    actor: Actor,
    call_id: str,
    *,
    queue_id: int | None = None,
    agent_id: int | None = None,
    number: str | None = None,
) -> CallStatus:
    """The agent transferred the call: to a queue or an agent (the ACD routes it again and its new
    decision is returned), or to an external number (the call leaves Helpline; the agent's
    after-contact work starts)."""
    if sum(target is not None for target in (queue_id, agent_id, number)) != 1:
        raise InvalidInput("queue_id", "transfer to exactly one of queue_id, agent_id or number")
    contact = _state(db, actor, call_id)
    if contact.state not in TALKING:
        raise _out_of_order(call_id, "transferred", contact, "connected or on hold")
    if number is not None:
        with db.transaction() as session:
            try:
                external = normalize_phone(number, organization_region(session, actor))
            except InvalidIdentity as error:
                raise InvalidInput("number", str(error)) from None
            row = _call(session, actor, call_id)
            row.attributes = {**row.attributes, "transferred_to_number": external}
        acd.end(routing, actor, contact.id)
        _record(db, actor, call_id, "transferred", {"number": external})
    else:
        acd.transfer(routing, actor, contact.id, queue_id=queue_id, agent_id=agent_id, mode="blind")
        _record(db, actor, call_id, "transferred", {"queue_id": queue_id, "agent_id": agent_id})
    return call_status(db, actor, call_id)


@requires(*CTI_ROLES)
def end_call(
    db: Database, routing: RoutingService, actor: Actor, call_id: str, *, ended_by: EndedBy
) -> CallStatus:
    """The call ended. Before an agent answered, the caller abandoned in queue (abandoned or
    short-abandoned by the queue's threshold); after, the agent's after-contact work starts."""
    contact = _state(db, actor, call_id)
    if contact.state in FINISHED:
        return call_status(db, actor, call_id, duplicate=True)
    if contact.state in WAITING:
        if contact.state == ContactState.CREATED.value:
            raise _out_of_order(call_id, "ended", contact, "queued, offered or connected")
        acd.abandon(routing, actor, contact.id)
    else:
        acd.end(routing, actor, contact.id)
    _record(db, actor, call_id, "ended", {"ended_by": ended_by})
    return call_status(db, actor, call_id)
