"""Customers and their identities: find-or-create by any identity, search, and the pointer a
merged-away record keeps to its survivor (merges: ``services.identity.customer_merges``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from helpline.domain.enums import IdentityKind, Role
from helpline.domain.identity import InvalidIdentity, normalize_identity
from helpline.errors import Conflict, InvalidInput
from helpline.services.access import access_customer, any_member, owned_by, requires
from helpline.services.actor import Actor
from helpline.storage.database import session_now
from helpline.storage.events import append_event
from helpline.storage.tables import Customer, CustomerIdentity, Organization

CUSTOMER_ROLES = (Role.MANAGER, Role.SUPERVISOR, Role.AGENT)
"""Who may create and change customers besides admins."""


@any_member
def organization_region(session: Session, actor: Actor) -> str:
    """The organization's country, used to read national phone numbers."""
    country = session.scalar(
        select(Organization.country).where(Organization.id == actor.organization_id)
    )
    return country or "US"


def normalize_identities(
    identities: Mapping[IdentityKind, str], region: str, field_prefix: str = "identities"
) -> dict[IdentityKind, str]:
    """Normalised identities, or InvalidInput naming the offending one."""
    normalized: dict[IdentityKind, str] = {}
    for kind, value in identities.items():
        try:
            normalized[kind] = normalize_identity(kind, value, region)
        except InvalidIdentity as error:
            raise InvalidInput(f"{field_prefix}.{kind.value}", str(error)) from None
    return normalized


def represent_customer(session: Session, customer: Customer) -> dict[str, Any]:
    """A customer with its identities grouped by kind."""
    rows = session.scalars(
        select(CustomerIdentity)
        .where(CustomerIdentity.customer_id == customer.id)
        .order_by(CustomerIdentity.id)
    ).all()
    identities: dict[str, list[str]] = {}
    for row in rows:
        identities.setdefault(row.kind, []).append(row.value)
    return {
        "id": customer.id,
        "display_name": customer.display_name,
        "created_at": customer.created_at,
        "identities": identities,
        "merged_into_id": customer.merged_into_id,
    }


class CustomerMerged(Conflict):
    """The customer record was merged into another one; ``survivor_id`` is where it lives on."""

    def __init__(self, customer_id: int, survivor_id: int) -> None:
        super().__init__(f"customer {customer_id} was merged into customer {survivor_id}")
        self.survivor_id = survivor_id


@any_member
def find_customer(session: Session, actor: Actor, customer_id: int) -> Customer:
    """A customer record of the actor's organization, merged-away ones included, or NotFound."""
    return access_customer(session, actor, customer_id)


@any_member
def get_customer(session: Session, actor: Actor, customer_id: int) -> Customer:
    """A current customer of the actor's organization: NotFound, or CustomerMerged (409) naming the
    survivor when the record was merged away."""
    customer = find_customer(session, actor, customer_id)
    if customer.merged_into_id is not None:
        raise CustomerMerged(customer.id, survivor_of(session, customer))
    return customer


def survivor_of(session: Session, customer: Customer) -> int:
    """The customer a merged-away record lives on in now (following merges of merges)."""
    current = customer
    while current.merged_into_id is not None:
        following = session.get(Customer, current.merged_into_id)
        if following is None or following.organization_id != customer.organization_id:
            break
        current = following
    return current.id


def _owners(
    session: Session, actor: Actor, identities: Mapping[IdentityKind, str]
) -> dict[IdentityKind, int]:
    owners: dict[IdentityKind, int] = {}
    for kind, value in identities.items():
        owner = session.scalar(
            select(CustomerIdentity.customer_id).where(
                owned_by(actor, CustomerIdentity),
                CustomerIdentity.kind == kind.value,
                CustomerIdentity.value == value,
            )
        )
        if owner is not None:
            owners[kind] = owner
    return owners


def _attach(
    session: Session, actor: Actor, customer: Customer, identities: Mapping[IdentityKind, str]
) -> None:
    for kind, value in identities.items():
        session.add(
            CustomerIdentity(
                organization_id=actor.organization_id,
                customer_id=customer.id,
                kind=kind.value,
                value=value,
            )
        )
    session.flush()


@requires(*CUSTOMER_ROLES)
def create_customer(
    session: Session, actor: Actor, *, display_name: str, identities: Mapping[IdentityKind, str]
) -> Customer:
    """Create a customer; an identity already owned by another customer is a Conflict."""
    normalized = normalize_identities(identities, organization_region(session, actor))
    taken = _owners(session, actor, normalized)
    if taken:
        kind, owner = next(iter(taken.items()))
        raise Conflict(f"{kind.value} {normalized[kind]} already belongs to customer {owner}")
    now = session_now(session)
    customer = Customer(
        organization_id=actor.organization_id, display_name=display_name, created_at=now
    )
    session.add(customer)
    session.flush()
    _attach(session, actor, customer, normalized)
    append_event(
        session,
        actor.organization_id,
        "CustomerCreated",
        occurred_at=now,
        actor=actor.label,
        payload={
            "customer_id": customer.id,
            "identities": {k.value: v for k, v in normalized.items()},
        },
    )
    return customer


@requires(*CUSTOMER_ROLES)
def update_customer(
    session: Session,
    actor: Actor,
    customer_id: int,
    *,
    display_name: str | None,
    add_identities: Mapping[IdentityKind, str],
) -> Customer:
    """Rename a customer and/or add identities (an identity owned by someone else is a Conflict)."""
    customer = get_customer(session, actor, customer_id)
    normalized = normalize_identities(add_identities, organization_region(session, actor))
    owners = _owners(session, actor, normalized)
    for kind, owner in owners.items():
        if owner != customer.id:
            raise Conflict(f"{kind.value} {normalized[kind]} already belongs to customer {owner}")
    if display_name is not None:
        customer.display_name = display_name
    _attach(session, actor, customer, {k: v for k, v in normalized.items() if k not in owners})
    append_event(
        session,
        actor.organization_id,
        "CustomerUpdated",
        occurred_at=session_now(session),
        actor=actor.label,
        payload={
            "customer_id": customer.id,
            "display_name": display_name,
            "added_identities": {k.value: v for k, v in normalized.items() if k not in owners},
        },
    )
    return customer


@any_member
def find_or_create_customer(
    session: Session, actor: Actor, *, display_name: str, identities: Mapping[IdentityKind, str]
) -> Customer | None:
    """The customer owning any of ``identities`` (new ones attached to them), else a new customer.

    With several owners the oldest customer wins and the others keep their identities: merging is a
    deliberate, audited step, never a side effect of a contact. Returns None without identities.
    """
    if not identities:
        return None
    normalized = normalize_identities(identities, organization_region(session, actor), "customer")
    owners = _owners(session, actor, normalized)
    if not owners:
        return create_customer(session, actor, display_name=display_name, identities=normalized)
    customer = get_customer(session, actor, min(owners.values()))
    new = {k: v for k, v in normalized.items() if k not in owners}
    if new:
        _attach(session, actor, customer, new)
    if display_name and not customer.display_name:
        customer.display_name = display_name
    return customer


@any_member
def search_customers(session: Session, actor: Actor, query: str, *, limit: int) -> list[Customer]:
    """Customers whose identity (any kind, normalised) equals ``query``, or whose name contains it."""
    region = organization_region(session, actor)
    candidates = set()
    for kind in IdentityKind:
        try:
            candidates.add((kind.value, normalize_identity(kind, query, region)))
        except InvalidIdentity:
            continue
    ids: set[int] = set()
    for kind_value, value in candidates:
        ids.update(
            session.scalars(
                select(CustomerIdentity.customer_id).where(
                    owned_by(actor, CustomerIdentity),
                    CustomerIdentity.kind == kind_value,
                    CustomerIdentity.value == value,
                )
            ).all()
        )
    by_name = select(Customer.id).where(
        owned_by(actor, Customer),
        Customer.merged_into_id.is_(None),
        Customer.display_name.ilike(f"%{_escape_like(query.strip())}%", escape="\\"),
    )
    if query.strip():
        ids.update(session.scalars(by_name.limit(limit)).all())
    if not ids:
        return []
    return list(
        session.scalars(
            select(Customer)
            .where(owned_by(actor, Customer), Customer.id.in_(ids))
            .order_by(Customer.id)
            .limit(limit)
        ).all()
    )


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
