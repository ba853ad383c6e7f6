"""Contacts: create inbound contacts (idempotently), read one, list with filters."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Request, Response

from helpline.api.routes.acd import get_routing
from helpline.api.schemas import ContactIn, ContactOut, ContactPage
from helpline.domain.enums import Channel, ContactState
from helpline.errors import InvalidInput
from helpline.http.bounds import Cursor, Id, PathId
from helpline.http.deps import DB, CurrentActor
from helpline.services.acd import commands as acd
from helpline.services.conversations import contacts
from helpline.services.conversations.contacts import ContactFilter, NewContact

router = APIRouter(prefix="/contacts", tags=["Contacts"])


@router.post(
    "",
    response_model=ContactOut,
    status_code=201,
    summary="Create an inbound contact",
    responses={200: {"description": "A retry with the same Idempotency-Key: the original contact"}},
)
def create_contact(
    body: ContactIn,
    request: Request,
    actor: CurrentActor,
    db: DB,
    response: Response,
    idempotency_key: Annotated[
        str | None,
        Header(max_length=200, description="Retries with the same key return the same contact"),
    ] = None,
) -> dict[str, Any]:
    customer = body.customer
    spec = NewContact(
        channel=body.channel,
        direction=body.direction,
        queue_id=body.queue_id,
        customer_id=body.customer_id,
        customer_name=customer.display_name if customer else "",
        identities=customer.identities.as_mapping() if customer else {},
        priority=body.priority,
        subject=body.subject,
        attributes=body.attributes,
        first_message=body.message,
        routing_steps=tuple(step.model_dump(mode="json") for step in body.routing_steps),
        age_adjustment_seconds=body.age_adjustment_seconds,
    )
    result = contacts.create_contact_idempotently(db.transaction, actor, spec, idempotency_key)
    if not result.created:
        response.status_code = 200
    if result.contact.queue_id is not None:
        acd.route_contact(get_routing(request), actor, result.contact.id)
    with db.transaction() as session:
        return contacts.represent_contact(contacts.get_contact(session, actor, result.contact.id))


@router.get("/{contact_id}", response_model=ContactOut, summary="Get a contact")
def get_contact(actor: CurrentActor, db: DB, contact_id: PathId) -> dict[str, Any]:
    with db.read() as session:
        return contacts.represent_contact(contacts.get_contact(session, actor, contact_id))


@router.get("", response_model=ContactPage, summary="List contacts, oldest first")
def list_contacts(
    actor: CurrentActor,
    db: DB,
    state: ContactState | None = None,
    channel: Channel | None = None,
    queue_id: Annotated[Id | None, Query()] = None,
    agent_id: Annotated[Id | None, Query()] = None,
    customer_id: Annotated[Id | None, Query()] = None,
    created_from: datetime | None = Query(None, description="ISO 8601 with time zone"),
    created_to: datetime | None = Query(None, description="ISO 8601 with time zone, exclusive"),
    after_id: Annotated[
        Cursor, Query(description="Return contacts with a larger id (pagination)")
    ] = 0,
    limit: int = Query(100, ge=1, le=1000),
) -> ContactPage:
    for name, value in (("created_from", created_from), ("created_to", created_to)):
        if value is not None and value.tzinfo is None:
            raise InvalidInput(name, "give a time zone, e.g. 2026-01-31T09:00:00Z")
    criteria = ContactFilter(
        state=state,
        channel=channel,
        queue_id=queue_id,
        agent_id=agent_id,
        customer_id=customer_id,
        created_from=created_from,
        created_to=created_to,
    )
    with db.read() as session:
        found = contacts.list_contacts(session, actor, criteria, after_id=after_id, limit=limit)
        items = [ContactOut.model_validate(contacts.represent_contact(c)) for c in found]
    return ContactPage(items=items, next_after_id=items[-1].id if len(items) == limit else None)
