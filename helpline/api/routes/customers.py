"""Customers: create, find by any identity, change, and their timeline across channels."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Path, Query

from helpline.api.deps import DB, CurrentActor
from helpline.api.schemas import CustomerIn, CustomerOut, CustomerPatch, TimelineEntry
from helpline.services import contacts, customers

router = APIRouter(prefix="/customers", tags=["Customers"])


@router.get("", response_model=list[CustomerOut], summary="Find customers by any identity or name")
def search_customers(
    actor: CurrentActor,
    db: DB,
    q: str = Query(
        min_length=1, max_length=320, description="A phone (any format), email, handle or name"
    ),
    limit: int = Query(20, ge=1, le=200),
) -> list[dict[str, Any]]:
    with db.transaction() as session:
        found = customers.search_customers(session, actor, q, limit=limit)
        return [customers.represent_customer(session, c) for c in found]


@router.post("", response_model=CustomerOut, status_code=201, summary="Create a customer")
def create_customer(body: CustomerIn, actor: CurrentActor, db: DB) -> dict[str, Any]:
    with db.transaction() as session:
        customer = customers.create_customer(
            session,
            actor,
            display_name=body.display_name,
            identities=body.identities.as_mapping(),
        )
        return customers.represent_customer(session, customer)


@router.get("/{customer_id}", response_model=CustomerOut, summary="Get a customer")
def get_customer(actor: CurrentActor, db: DB, customer_id: int = Path()) -> dict[str, Any]:
    with db.transaction() as session:
        return customers.represent_customer(
            session, customers.get_customer(session, actor, customer_id)
        )


@router.patch("/{customer_id}", response_model=CustomerOut, summary="Rename or add identities")
def update_customer(
    body: CustomerPatch, actor: CurrentActor, db: DB, customer_id: int = Path()
) -> dict[str, Any]:
    with db.transaction() as session:
        customer = customers.update_customer(
            session,
            actor,
            customer_id,
            display_name=body.display_name,
            add_identities=body.identities.as_mapping(),
        )
        return customers.represent_customer(session, customer)


@router.get(
    "/{customer_id}/timeline",
    response_model=list[TimelineEntry],
    summary="Every contact of the customer on every channel, newest first",
)
def customer_timeline(
    actor: CurrentActor,
    db: DB,
    customer_id: int = Path(),
    limit: int = Query(50, ge=1, le=500),
) -> list[dict[str, Any]]:
    with db.transaction() as session:
        return contacts.timeline(session, actor, customer_id, limit=limit)
