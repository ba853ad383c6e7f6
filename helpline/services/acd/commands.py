"""ACD use cases: agents change state; contacts are routed, offered, accepted, held, transferred,
wrapped up and closed. Each is one engine command whose decisions are persisted with their events."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from helpline.domain.enums import Channel, Direction, IdentityKind
from helpline.domain.enums import ContactState as Stored
from helpline.errors import Conflict, InvalidInput
from helpline.routing import AgentStatus, RoutingEngine
from helpline.routing import events as ev
from helpline.services.access import (
    access_contact,
    any_member,
    owned,
    owned_by,
    referenced,
    requires,
)
from helpline.services.acd.engine_config import contact_spec, from_epoch
from helpline.services.acd.routing import (
    AGENT_COMMAND_ROLES,
    RoutingService,
    acting_agent,
    load_agent,
    status_from_request,
)
from helpline.services.actor import Actor
from helpline.storage import tables

TransferMode = Literal["blind", "consult"]


@any_member
def route_contact(routing: RoutingService, actor: Actor, contact_id: int) -> None:
    """Hand a newly created contact with a queue to the ACD (queued, offered, or closed treatment)."""

    def command(engine: RoutingEngine, now: float, session: Session) -> list[ev.Event]:
        contact = access_contact(session, actor, contact_id)
        if contact.state != Stored.CREATED.value or contact.queue_id is None:
            return []
        last_agent_id = _last_agent(session, contact)
        if last_agent_id is not None:
            contact.routing_state = {**contact.routing_state, "last_agent_id": last_agent_id}
        return engine.add_contact(contact_spec(contact), now)

    routing.run(actor, command)


def _last_agent(session: Session, contact: tables.Contact) -> int | None:
    """The agent who last handled this customer, for sticky routing."""
    if contact.customer_id is None:
        return None
    return session.scalar(
        select(tables.Contact.agent_id)
        .where(
            owned_by(contact.organization_id, tables.Contact),
            tables.Contact.customer_id == contact.customer_id,
            tables.Contact.id != contact.id,
            tables.Contact.connected_at.is_not(None),
        )
        .order_by(tables.Contact.connected_at.desc())
        .limit(1)
    )


@requires(*AGENT_COMMAND_ROLES)
def set_agent_state(
    routing: RoutingService, actor: Actor, agent_id: int, state: str, reason: str | None
) -> None:
    """The agent goes available, not-ready with a reason, or offline."""
    status, reason = status_from_request(state, reason)

    def command(engine: RoutingEngine, now: float, session: Session) -> list[ev.Event]:
        agent = load_agent(session, actor, agent_id)
        if status is AgentStatus.AVAILABLE and _user_deactivated(session, agent):
            raise Conflict(f"agent {agent_id}'s user is deactivated; reactivate them first")
        row = session.get(tables.AgentStatus, agent_id)
        moment = from_epoch(now)
        if row is None:
            row = tables.AgentStatus(
                agent_id=agent_id,
                organization_id=actor.organization_id,
                status=status.value,
                reason=reason,
                state="offline",
                state_since=moment,
                idle_since=None,
            )
            session.add(row)
        events = engine.set_agent_status(str(agent_id), status, now, reason)
        row.status = status.value
        row.reason = reason
        view = engine.agent_view(str(agent_id))
        row.idle_since = from_epoch(view.idle_since) if view.idle_since > 0 else None
        return events

    routing.run(actor, command)


def _user_deactivated(session: Session, agent: tables.Agent) -> bool:
    """Whether the agent belongs to a user who was deactivated (routing must offer them nothing)."""
    if agent.user_id is None:
        return False
    user = session.get(tables.User, agent.user_id)
    return user is not None and not user.is_active


def _for_agent(
    routing: RoutingService,
    actor: Actor,
    contact_id: int,
    agent_id: int | None,
    action: Any,
) -> None:
    """Run ``action(engine, contact, agent, now, session)`` for a contact held by or offered to an agent."""

    def command(engine: RoutingEngine, now: float, session: Session) -> list[ev.Event]:
        contact = access_contact(session, actor, contact_id)
        agent = acting_agent(session, actor, agent_id if agent_id is not None else contact.agent_id)
        if contact.agent_id != agent.id:
            raise Conflict(f"contact {contact_id} is not with agent {agent.id}")
        events: list[ev.Event] = action(engine, str(contact_id), str(agent.id), now, session)
        return events

    routing.run(actor, command)


@requires(*AGENT_COMMAND_ROLES)
def accept_offer(
    routing: RoutingService, actor: Actor, contact_id: int, agent_id: int | None
) -> None:
    """The agent accepts the offer; exactly one accept can win (the engine refuses a stale offer)."""
    _for_agent(
        routing,
        actor,
        contact_id,
        agent_id,
        lambda engine, c, a, now, _s: engine.accept_offer(c, a, now),
    )


@requires(*AGENT_COMMAND_ROLES)
def reject_offer(
    routing: RoutingService, actor: Actor, contact_id: int, agent_id: int | None
) -> None:
    """The agent rejects: missed offer, agent not-ready (missed), contact back at the head."""
    _for_agent(
        routing,
        actor,
        contact_id,
        agent_id,
        lambda engine, c, a, now, _s: engine.reject_offer(c, a, now),
    )


@requires(*AGENT_COMMAND_ROLES)
def hold(routing: RoutingService, actor: Actor, contact_id: int) -> None:
    """Put the customer on hold."""
    _for_agent(
        routing, actor, contact_id, None, lambda engine, c, _a, now, _s: engine.hold_contact(c, now)
    )


@requires(*AGENT_COMMAND_ROLES)
def resume(routing: RoutingService, actor: Actor, contact_id: int) -> None:
    """Take the customer off hold."""
    _for_agent(
        routing,
        actor,
        contact_id,
        None,
        lambda engine, c, _a, now, _s: engine.resume_contact(c, now),
    )


@requires(*AGENT_COMMAND_ROLES)
def end(routing: RoutingService, actor: Actor, contact_id: int) -> None:
    """The conversation is over: after-contact work starts (or the contact closes without ACW)."""
    _for_agent(
        routing, actor, contact_id, None, lambda engine, c, _a, now, _s: engine.end_contact(c, now)
    )


@requires(*AGENT_COMMAND_ROLES)
def wrap_up(
    routing: RoutingService, actor: Actor, contact_id: int, wrap_up_code_id: int, notes: str
) -> None:
    """Record the wrap-up code and notes; during after-contact work this also closes the contact."""

    def action(
        engine: RoutingEngine, c: str, _a: str, now: float, session: Session
    ) -> list[ev.Event]:
        code = session.scalar(
            owned(actor, tables.WrapUpCode).where(tables.WrapUpCode.id == wrap_up_code_id)
        )
        if code is None or not code.is_active:
            raise InvalidInput("wrap_up_code_id", f"no active wrap-up code {wrap_up_code_id}")
        return engine.wrap_up(c, str(code.id), notes, now)

    _for_agent(routing, actor, contact_id, None, action)


@requires(*AGENT_COMMAND_ROLES)
def close(routing: RoutingService, actor: Actor, contact_id: int) -> None:
    """Close a handled contact now (ends the conversation and any after-contact work)."""
    _for_agent(
        routing,
        actor,
        contact_id,
        None,
        lambda engine, c, _a, now, _s: engine.close_contact(c, now),
    )


def _target(
    session: Session, actor: Actor, queue_id: int | None, agent_id: int | None
) -> tuple[str | None, str | None]:
    if (queue_id is None) == (agent_id is None):
        raise InvalidInput("queue_id", "transfer to a queue_id or an agent_id, not both or neither")
    if queue_id is not None:
        referenced(session, actor, tables.Queue, queue_id, "queue_id")
        return str(queue_id), None
    if agent_id is not None:
        referenced(session, actor, tables.Agent, agent_id, "agent_id")
    return None, str(agent_id)


@requires(*AGENT_COMMAND_ROLES)
def transfer(
    routing: RoutingService,
    actor: Actor,
    contact_id: int,
    *,
    queue_id: int | None,
    agent_id: int | None,
    mode: TransferMode,
) -> int | None:
    """Blind transfer, or start a consult (warm) transfer; returns the consult leg's contact id."""
    created: list[int] = []

    def action(
        engine: RoutingEngine, c: str, _a: str, now: float, session: Session
    ) -> list[ev.Event]:
        to_queue, to_agent = _target(session, actor, queue_id, agent_id)
        if mode == "blind":
            if to_queue is not None:
                return engine.transfer_to_queue(c, to_queue, now)
            return engine.transfer_to_agent(c, str(to_agent), now)
        original = access_contact(session, actor, contact_id)
        leg = _new_leg(
            session,
            original,
            int(to_queue) if to_queue else original.queue_id,
            attributes={"consult_of": contact_id},
        )
        created.append(leg.id)
        return engine.start_consult(c, str(leg.id), now, queue_id=to_queue, agent_id=to_agent)

    _for_agent(routing, actor, contact_id, None, action)
    return created[0] if created else None


@requires(*AGENT_COMMAND_ROLES)
def complete_consult(routing: RoutingService, actor: Actor, contact_id: int) -> None:
    """The consulted agent takes over the customer; the first agent is freed."""
    _for_agent(
        routing,
        actor,
        contact_id,
        None,
        lambda engine, c, _a, now, _s: engine.complete_consult(c, now),
    )


@requires(*AGENT_COMMAND_ROLES)
def cancel_consult(routing: RoutingService, actor: Actor, contact_id: int) -> None:
    """Abandon the warm transfer; the first agent keeps the customer."""
    _for_agent(
        routing,
        actor,
        contact_id,
        None,
        lambda engine, c, _a, now, _s: engine.cancel_consult(c, now),
    )


def _new_leg(
    session: Session, original: tables.Contact, queue_id: int | None, attributes: dict[str, Any]
) -> tables.Contact:
    leg = tables.Contact(
        organization_id=original.organization_id,
        customer_id=original.customer_id,
        channel=original.channel,
        direction=Direction.OUTBOUND.value,
        queue_id=queue_id,
        agent_id=None,
        priority=original.priority,
        state=Stored.CREATED.value,
        subject=original.subject,
        attributes=attributes,
        idempotency_key=None,
        idempotency_fingerprint=None,
        notes="",
        created_at=original.created_at,
        routing_state={},
    )
    session.add(leg)
    session.flush()
    return leg


@any_member
def request_callback(
    routing: RoutingService, actor: Actor, contact_id: int, phone: str | None
) -> int:
    """A queued voice caller asks to be called back: an outbound callback contact keeps their place.

    Returns the callback contact's id; the call itself is closed.
    """
    created: list[int] = []

    def command(engine: RoutingEngine, now: float, session: Session) -> list[ev.Event]:
        contact = access_contact(session, actor, contact_id)
        if contact.channel != Channel.VOICE.value:
            raise Conflict("callbacks are for voice contacts")
        if contact.state != Stored.QUEUED.value:
            raise Conflict(f"contact {contact_id} is {contact.state}, not queued")
        number = phone or _customer_phone(session, contact)
        if number is None:
            raise InvalidInput("phone", "the customer has no phone number; give one")
        leg = _new_leg(
            session,
            contact,
            contact.queue_id,
            attributes={"callback_for": contact_id, "callback_number": number},
        )
        created.append(leg.id)
        return engine.request_callback(str(contact_id), now, callback_contact_id=str(leg.id))

    routing.run(actor, command)
    return created[0]


def _customer_phone(session: Session, contact: tables.Contact) -> str | None:
    if contact.customer_id is None:
        return None
    return session.scalar(
        select(tables.CustomerIdentity.value).where(
            tables.CustomerIdentity.customer_id == contact.customer_id,
            tables.CustomerIdentity.kind == IdentityKind.PHONE.value,
        )
    )


@any_member
def abandon(routing: RoutingService, actor: Actor, contact_id: int) -> None:
    """The customer left while waiting (hung up, closed the chat)."""

    def command(engine: RoutingEngine, now: float, session: Session) -> list[ev.Event]:
        contact = access_contact(session, actor, contact_id)
        if contact.state not in (Stored.QUEUED.value, Stored.OFFERED.value):
            raise Conflict(f"contact {contact_id} is {contact.state}, not waiting")
        return engine.abandon_contact(str(contact_id), now)

    routing.run(actor, command)


@dataclass(frozen=True)
class Offer:
    """A contact reserved for an agent, waiting for their answer until ``expires_at``."""

    contact: tables.Contact
    expires_at: float


@requires(*AGENT_COMMAND_ROLES)
def pending_offers(session: Session, actor: Actor, agent_id: int) -> list[Offer]:
    """The offers an agent has not answered yet, oldest first."""
    load_agent(session, actor, agent_id)
    rows = session.scalars(
        select(tables.Contact)
        .where(
            owned_by(actor, tables.Contact),
            tables.Contact.agent_id == agent_id,
            tables.Contact.state == Stored.OFFERED.value,
        )
        .order_by(tables.Contact.id)
    ).all()
    return [Offer(row, float(row.routing_state.get("offer_expires_at", 0.0))) for row in rows]
