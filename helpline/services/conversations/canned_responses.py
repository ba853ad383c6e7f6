"""Canned responses: each organization's reply templates, managed with the generic configuration CRUD
(managers and supervisors write, every member reads) and rendered for one contact.

A text may hold placeholders, checked when it is saved (an unknown one is a 422 naming ``text``) and
filled in by :func:`render_canned_response`; ``{{`` and ``}}`` write literal braces. What each
placeholder becomes, and when the value is missing:

- ``{customer_name}``: the contact's customer's display name; ``there`` when the contact has no
  customer or the customer no name ("Hello there," still reads well);
- ``{agent_name}``: the acting user's agent display name, else the user's display name; empty for
  an API key (no person behind it);
- ``{case_reference}``: the reference (``C-000123``) of the contact's case: the open one linked most
  recently, else the closed one linked most recently; empty when the contact has no case;
- ``{organization_name}``: the organization's name.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from string import Formatter
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from helpline.errors import InvalidInput
from helpline.services.access import access_contact, any_member, owned
from helpline.services.acd.configuration import CONTENT_ROLES, ResourceKind, get_row
from helpline.services.actor import Actor
from helpline.storage.tables import (
    Agent,
    CannedResponse,
    Case,
    CaseContact,
    Customer,
    Organization,
    User,
)

PLACEHOLDERS: Mapping[str, str] = {
    "customer_name": "the contact's customer's name (there when unknown)",
    "agent_name": "the agent's name (empty for an API key)",
    "case_reference": "the contact's case reference, e.g. C-000123 (empty without a case)",
    "organization_name": "the organization's name",
}
"""Every placeholder a text may use, with what it becomes."""
CUSTOMER_FALLBACK = "there"


def placeholders_in(text: str) -> list[str]:
    """The placeholders ``text`` uses, in order; ValueError naming the first one not allowed (or a
    stray brace)."""
    used: list[str] = []
    try:
        parts = list(Formatter().parse(text))
    except ValueError as error:
        raise ValueError(f"{error}; write {{{{ and }}}} for literal braces") from None
    for _literal, name, spec, conversion in parts:
        if name is None:
            continue
        if name not in PLACEHOLDERS:
            known = ", ".join(f"{{{p}}}" for p in PLACEHOLDERS)
            raise ValueError(f"unknown placeholder {{{name}}}; use {known}")
        if spec or conversion:
            raise ValueError(f"placeholders take no format or conversion: {{{name}}}")
        used.append(name)
    return used


def render_text(text: str, values: Mapping[str, str]) -> str:
    """``text`` with each placeholder replaced by its value (empty if ``values`` lacks it)."""
    out: list[str] = []
    for literal, name, _spec, _conversion in Formatter().parse(text):
        out.append(literal)
        if name is not None:
            out.append(values.get(name, ""))
    return "".join(out)


def _check_canned_response(_session: Session, _actor: Actor, row: CannedResponse) -> None:
    try:
        placeholders_in(row.text)
    except ValueError as error:
        raise InvalidInput("text", str(error)) from None


CANNED_RESPONSE = ResourceKind(
    "canned response",
    "CannedResponse",
    CannedResponse,
    unique_fields=("title",),
    check=_check_canned_response,
    writers=CONTENT_ROLES,
)


@any_member
def list_canned_responses(session: Session, actor: Actor) -> list[CannedResponse]:
    """The organization's canned responses by title (what the desk offers)."""
    return list(session.scalars(owned(actor, CannedResponse).order_by(CannedResponse.title)))


@dataclass(frozen=True)
class RenderedResponse:
    """A canned response filled in for one contact, and the values it was filled with."""

    id: int
    title: str
    text: str
    values: dict[str, str]


def _agent_name(session: Session, actor: Actor) -> str:
    if actor.user_id is None:
        return ""
    agent = session.scalar(owned(actor, Agent).where(Agent.user_id == actor.user_id))
    if agent is not None and agent.display_name:
        return agent.display_name
    user = session.scalar(owned(actor, User).where(User.id == actor.user_id))
    return user.display_name if user is not None else ""


def _case_reference(session: Session, actor: Actor, contact_id: int) -> str:
    reference = session.scalar(
        select(Case.reference)
        .join(CaseContact, CaseContact.case_id == Case.id)
        .where(
            Case.organization_id == actor.organization_id,
            CaseContact.contact_id == contact_id,
        )
        .order_by(Case.closed_at.is_(None).desc(), CaseContact.linked_at.desc(), Case.id.desc())
        .limit(1)
    )
    return reference or ""


@any_member
def placeholder_values(session: Session, actor: Actor, contact_id: int | None) -> dict[str, str]:
    """What each placeholder becomes for ``contact_id`` acted on by ``actor`` (see the module);
    without a contact (a preview), as for a contact with no customer and no case."""
    customer_name, case_reference = "", ""
    if contact_id is not None:
        contact = access_contact(session, actor, contact_id)
        if contact.customer_id is not None:
            customer = session.scalar(
                owned(actor, Customer).where(Customer.id == contact.customer_id)
            )
            customer_name = customer.display_name if customer is not None else ""
        case_reference = _case_reference(session, actor, contact.id)
    organization = session.get(Organization, actor.organization_id)
    return {
        "customer_name": customer_name or CUSTOMER_FALLBACK,
        "agent_name": _agent_name(session, actor),
        "case_reference": case_reference,
        "organization_name": organization.name if organization is not None else "",
    }


@any_member
def render_canned_response(
    session: Session, actor: Actor, canned_response_id: int, contact_id: int | None
) -> RenderedResponse:
    """The canned response filled in for the contact, or without one (NotFound for either of
    another organization)."""
    row: Any = get_row(session, actor, CANNED_RESPONSE, canned_response_id)
    values = placeholder_values(session, actor, contact_id)
    return RenderedResponse(row.id, row.title, render_text(row.text, values), values)
