"""One customer: suggested merges with reasons, merge and unmerge with an audit event.

A merge moves the merged record's identities, contacts and cases to the survivor and remembers their
ids (``customer_merges.moved``), so an unmerge restores exactly that split; what arrived after the
merge stays with the survivor. The merged-away record keeps a pointer to its survivor.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import String, cast, func, or_, select, update
from sqlalchemy.orm import Session

from helpline.domain.enums import IdentityKind, Role
from helpline.domain.identity import InvalidIdentity, normalize_email, normalize_phone
from helpline.domain.merge_rules import CustomerProfile, MergeSuggestion, name_key, suggest_merges
from helpline.errors import Conflict, InvalidInput, NotFound
from helpline.services.access import any_member, owned, owned_by, requires
from helpline.services.actor import Actor
from helpline.services.identity.customers import get_customer, organization_region
from helpline.storage.events import append_event
from helpline.storage.locks import lock_name
from helpline.storage.tables import Case, Contact, Customer, CustomerIdentity, CustomerMerge

MERGE_ROLES = (Role.MANAGER, Role.SUPERVISOR)
"""Who may merge and unmerge customers besides admins (a merge changes what every agent sees)."""
CONTACTS_SCANNED = 200
"""Recent contacts per customer whose attributes are read for phones and emails."""
CANDIDATES = 200
"""Most candidate records fetched per query."""
MIN_PHONE_DIGITS = 7
PHONE_TAIL_DIGITS = 4


def _identities(
    session: Session, organization_id: int, ids: Iterable[int]
) -> dict[int, dict[IdentityKind, list[str]]]:
    found: dict[int, dict[IdentityKind, list[str]]] = {i: {} for i in ids}
    if not found:
        return found
    for row in session.scalars(
        owned(organization_id, CustomerIdentity).where(
            CustomerIdentity.customer_id.in_(list(found)),
        )
    ):
        found[row.customer_id].setdefault(IdentityKind(row.kind), []).append(row.value)
    return found


def _values(attributes: Mapping[str, Any]) -> Iterable[str]:
    for value in attributes.values():
        if isinstance(value, str):
            yield value
        elif isinstance(value, Mapping):
            yield from _values(value)


def contact_data_identities(
    values: Iterable[str], region: str
) -> frozenset[tuple[IdentityKind, str]]:
    """Phones and emails found among free-text values (IVR inputs, pre-chat form fields), normalised."""
    found: set[tuple[IdentityKind, str]] = set()
    for text in values:
        try:
            if "@" in text:
                found.add((IdentityKind.EMAIL, normalize_email(text)))
            elif sum(ch.isdigit() for ch in text) >= MIN_PHONE_DIGITS:
                found.add((IdentityKind.PHONE, normalize_phone(text, region)))
        except InvalidIdentity:
            continue
    return frozenset(found)


def _contact_data(
    session: Session, organization_id: int, customer_id: int, region: str
) -> frozenset[tuple[IdentityKind, str]]:
    rows = session.scalars(
        select(Contact.attributes)
        .where(owned_by(organization_id, Contact), Contact.customer_id == customer_id)
        .order_by(Contact.id.desc())
        .limit(CONTACTS_SCANNED)
    )
    return contact_data_identities((v for row in rows for v in _values(row or {})), region)


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _candidate_ids(
    session: Session, actor: Actor, customer: Customer, profile: CustomerProfile
) -> set[int]:
    org = actor.organization_id
    ids: set[int] = set()
    owners = [value for _kind, value in profile.contact_data_identities]
    if owners:
        ids.update(
            session.scalars(
                select(CustomerIdentity.customer_id).where(
                    owned_by(org, CustomerIdentity), CustomerIdentity.value.in_(owners)
                )
            )
        )
    if name_key(customer.display_name):
        ids.update(
            session.scalars(
                select(Customer.id)
                .where(
                    owned_by(org, Customer),
                    func.lower(func.trim(Customer.display_name))
                    == customer.display_name.strip().lower(),
                )
                .limit(CANDIDATES)
            )
        )
    for email in profile.values(IdentityKind.EMAIL):
        local = email.rpartition("@")[0].split("+", 1)[0].replace(".", "")
        # Every address whose local part holds these characters in order: a superset of the
        # dot/+tag variants and of the same local part at other domains, filtered by the rules.
        pattern = "%".join(_like_escape(ch) for ch in local) + "%@%"
        ids.update(
            session.scalars(
                select(CustomerIdentity.customer_id)
                .where(
                    owned_by(org, CustomerIdentity),
                    CustomerIdentity.kind == IdentityKind.EMAIL.value,
                    CustomerIdentity.value.like(pattern, escape="\\"),
                )
                .limit(CANDIDATES)
            )
        )
    ids.update(_mentioned_in_contacts(session, org, customer.id, profile))
    ids.discard(customer.id)
    return ids


def _mentioned_in_contacts(
    session: Session, organization_id: int, customer_id: int, profile: CustomerProfile
) -> set[int]:
    """Customers whose contacts' attributes may mention one of this customer's phones or emails.

    A coarse text filter (an email's local part, a phone's last digits, which survive most ways of
    writing the number); the rules then normalise the values and keep only real matches.
    """
    needles = [email.rpartition("@")[0] for email in profile.values(IdentityKind.EMAIL)]
    needles += [phone[-PHONE_TAIL_DIGITS:] for phone in profile.values(IdentityKind.PHONE)]
    if not needles:
        return set()
    text = func.lower(cast(Contact.attributes, String))
    found = session.scalars(
        select(Contact.customer_id)
        .where(
            owned_by(organization_id, Contact),
            Contact.customer_id.is_not(None),
            Contact.customer_id != customer_id,
            or_(*(text.like(f"%{_like_escape(n)}%", escape="\\") for n in needles)),
        )
        .order_by(Contact.id.desc())
        .limit(CANDIDATES)
    )
    return {customer for customer in found if customer is not None}


def _profiles(
    session: Session, actor: Actor, customers: list[Customer], region: str
) -> list[CustomerProfile]:
    identities = _identities(session, actor.organization_id, (c.id for c in customers))
    return [
        CustomerProfile(
            c.id,
            c.display_name,
            identities[c.id],
            _contact_data(session, actor.organization_id, c.id, region),
        )
        for c in customers
    ]


@any_member
def merge_suggestions(
    session: Session, actor: Actor, customer_id: int, *, limit: int = 20
) -> list[MergeSuggestion]:
    """Records that may be the same person as ``customer_id``, best first, with their reasons."""
    customer = get_customer(session, actor, customer_id)
    region = organization_region(session, actor)
    (profile,) = _profiles(session, actor, [customer], region)
    ids = _candidate_ids(session, actor, customer, profile)
    if not ids:
        return []
    candidates = list(
        session.scalars(
            owned(actor, Customer).where(
                Customer.id.in_(ids),
                Customer.merged_into_id.is_(None),
            )
        )
    )
    return suggest_merges(profile, _profiles(session, actor, candidates, region))[:limit]


def represent_merge(merge: CustomerMerge) -> dict[str, Any]:
    """A merge record for API responses."""
    return {
        "id": merge.id,
        "survivor_id": merge.survivor_id,
        "merged_id": merge.merged_id,
        "moved": merge.moved,
        "merged_by": merge.merged_by,
        "merged_at": merge.merged_at,
        "unmerged_by": merge.unmerged_by,
        "unmerged_at": merge.unmerged_at,
    }


def _ids(
    session: Session, column: Any, owner: Any, organization_id: int, customer_id: int
) -> list[int]:
    table = column.class_
    return list(
        session.scalars(
            select(column)
            .where(owned_by(organization_id, table), owner == customer_id)
            .order_by(column)
        )
    )


def _move(session: Session, table: Any, ids: list[int], organization_id: int, to: int) -> None:
    if ids:
        session.execute(
            update(table)
            .where(owned_by(organization_id, table), table.id.in_(ids))
            .values(customer_id=to)
        )


@requires(*MERGE_ROLES)
def merge_customers(
    session: Session, actor: Actor, survivor_id: int, merged_id: int, *, now: datetime
) -> CustomerMerge:
    """Merge ``merged_id`` into ``survivor_id``: its identities, contacts and cases move over.

    Writes ``CustomersMerged`` (with the acting user or key). A record cannot merge into itself, and
    a record already merged away answers CustomerMerged (409) naming its survivor.
    """
    lock_name(session, f"customer-merge:{actor.organization_id}")
    survivor = get_customer(session, actor, survivor_id)
    if survivor_id == merged_id:
        raise InvalidInput("merged_customer_id", "a customer cannot be merged into itself")
    merged = get_customer(session, actor, merged_id)
    org = actor.organization_id
    moved: dict[str, Any] = {
        "identities": _ids(
            session, CustomerIdentity.id, CustomerIdentity.customer_id, org, merged.id
        ),
        "contacts": _ids(session, Contact.id, Contact.customer_id, org, merged.id),
        "cases": _ids(session, Case.id, Case.customer_id, org, merged.id),
    }
    _move(session, CustomerIdentity, moved["identities"], org, survivor.id)
    _move(session, Contact, moved["contacts"], org, survivor.id)
    _move(session, Case, moved["cases"], org, survivor.id)
    if not survivor.display_name and merged.display_name:
        moved["survivor_display_name"] = survivor.display_name
        survivor.display_name = merged.display_name
    merged.merged_into_id = survivor.id
    record = CustomerMerge(
        organization_id=org,
        survivor_id=survivor.id,
        merged_id=merged.id,
        moved=moved,
        merged_by=actor.label,
        merged_at=now,
    )
    session.add(record)
    session.flush()
    append_event(
        session,
        org,
        "CustomersMerged",
        occurred_at=now,
        actor=actor.label,
        payload={"merge_id": record.id, "survivor_id": survivor.id, "merged_id": merged.id}
        | {f"{kind}_moved": len(moved[kind]) for kind in ("identities", "contacts", "cases")},
    )
    return record


@requires(*MERGE_ROLES)
def unmerge_customer(
    session: Session, actor: Actor, customer_id: int, *, now: datetime
) -> CustomerMerge:
    """Undo the merge that took ``customer_id`` away: exactly what moved then moves back.

    Writes ``CustomersUnmerged``. Conflict when the record is not merged, or when its survivor was
    itself merged away since (unmerge that first).
    """
    lock_name(session, f"customer-merge:{actor.organization_id}")
    org = actor.organization_id
    merged = session.scalar(
        select(Customer).where(Customer.id == customer_id, owned_by(org, Customer))
    )
    if merged is None:
        raise NotFound(f"customer {customer_id} not found")
    record = session.scalar(
        select(CustomerMerge)
        .where(
            owned_by(org, CustomerMerge),
            CustomerMerge.merged_id == merged.id,
            CustomerMerge.unmerged_at.is_(None),
        )
        .order_by(CustomerMerge.id.desc())
        .limit(1)
    )
    if merged.merged_into_id is None or record is None:
        raise Conflict(f"customer {customer_id} is not merged into another customer")
    survivor = get_customer(session, actor, record.survivor_id)
    moved = record.moved
    for table, key in ((CustomerIdentity, "identities"), (Contact, "contacts"), (Case, "cases")):
        ids = list(moved.get(key, []))
        if ids:
            session.execute(
                update(table)
                .where(
                    owned_by(org, table),
                    table.id.in_(ids),
                    table.customer_id == survivor.id,
                )
                .values(customer_id=merged.id)
            )
    if "survivor_display_name" in moved:
        survivor.display_name = moved["survivor_display_name"]
    merged.merged_into_id = None
    record.unmerged_at = now
    record.unmerged_by = actor.label
    session.flush()
    append_event(
        session,
        org,
        "CustomersUnmerged",
        occurred_at=now,
        actor=actor.label,
        payload={"merge_id": record.id, "survivor_id": survivor.id, "merged_id": merged.id},
    )
    return record


@any_member
def list_merges(session: Session, actor: Actor, customer_id: int) -> list[CustomerMerge]:
    """Every merge into or out of ``customer_id``, newest first."""
    org = actor.organization_id
    if (
        session.scalar(
            select(Customer.id).where(Customer.id == customer_id, owned_by(org, Customer))
        )
        is None
    ):
        raise NotFound(f"customer {customer_id} not found")
    return list(
        session.scalars(
            select(CustomerMerge)
            .where(
                owned_by(org, CustomerMerge),
                (CustomerMerge.survivor_id == customer_id)
                | (CustomerMerge.merged_id == customer_id),
            )
            .order_by(CustomerMerge.id.desc())
        )
    )
