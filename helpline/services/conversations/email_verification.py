"""Proof that an organization controls an inbound email address before its mail is routed there.

Configuring an address (or changing it) starts a claim: a one-time token, whose link the outbox
emails to the address itself. Until someone who reads that mailbox opens the link and confirms,
the SMTP listener does not route the address's mail to the organization. Any number of
organizations may claim an address without learning of one another; the first to confirm gets it.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from helpline.domain.enums import Role
from helpline.errors import Conflict, NotFound
from helpline.services.access import access, any_member
from helpline.services.actor import Actor
from helpline.services.identity.security import token_digest
from helpline.storage.database import session_now
from helpline.storage.events import append_event
from helpline.storage.tables import EmailAddress, Organization

INVALID_LINK = "this confirmation link is not valid (already used, or replaced by a newer one)"
BATCH = 50


@dataclass(frozen=True)
class VerificationNotice:
    """A confirmation email due: where it goes, for which organization, and its token."""

    address_id: int
    organization_id: int
    organization_name: str
    address: str
    token: str


@dataclass(frozen=True)
class PendingClaim:
    """What a confirmation link claims, shown before the reader confirms it."""

    address: str
    organization_name: str


def start_claim(row: EmailAddress) -> None:
    """Make ``row`` unverified with a fresh token, to be emailed to its address by the outbox."""
    token = secrets.token_urlsafe(32)
    row.verified_at = None
    row.verification_token = token
    row.verification_token_hash = token_digest(token)
    row.verification_sent_at = None


@any_member
def resend_confirmation(session: Session, actor: Actor, address_id: int) -> EmailAddress:
    """Send a new confirmation link for an unverified address (older links stop working);
    Conflict when the address is already verified. Managers (and admins)."""
    actor.require(Role.MANAGER)
    row = access(session, actor, EmailAddress, address_id, "email address")
    if row.verified_at is not None:
        raise Conflict("this address is already verified")
    start_claim(row)
    append_event(
        session,
        actor.organization_id,
        "EmailAddressVerificationRequested",
        occurred_at=session_now(session),
        actor=actor.label,
        payload={"id": row.id, "address": row.address},
    )
    return row


@any_member
def verify_as_operator(session: Session, actor: Actor, address_id: int) -> None:
    """Mark an address verified without a link: for addresses the server's operator configures
    (the demo organization, from the command line), who controls the mail setup anyway."""
    row = access(session, actor, EmailAddress, address_id, "email address")
    row.verified_at = session_now(session)
    row.verification_token = ""
    row.verification_token_hash = ""


def due_notices(session: Session) -> list[VerificationNotice]:
    """Confirmation emails not sent yet, across organizations (the outbox serves them all)."""
    rows = session.execute(
        select(EmailAddress, Organization.name)
        .join(Organization, Organization.id == EmailAddress.organization_id)
        .where(EmailAddress.verification_token != "", EmailAddress.verification_sent_at.is_(None))
        .order_by(EmailAddress.id)
        .limit(BATCH)
    ).all()
    return [
        VerificationNotice(row.id, row.organization_id, name, row.address, row.verification_token)
        for row, name in rows
    ]


def notice_sent(session: Session, notice: VerificationNotice, now: datetime) -> None:
    """Record that ``notice`` went out; its token is then kept only as a hash."""
    row = session.scalar(
        select(EmailAddress).where(
            EmailAddress.id == notice.address_id,
            EmailAddress.organization_id == notice.organization_id,
        )
    )
    if row is None or row.verification_token != notice.token:
        return  # deleted or replaced meanwhile: the newer claim has its own notice
    row.verification_sent_at = now
    row.verification_token = ""


def _claim(session: Session, token: str) -> EmailAddress:
    row = None
    if token:
        row = session.scalar(
            select(EmailAddress).where(
                EmailAddress.verification_token_hash == token_digest(token),
                EmailAddress.verified_at.is_(None),
            )
        )
    if row is None:
        raise NotFound(INVALID_LINK)
    return row


def pending_claim(session: Session, token: str) -> PendingClaim:
    """The claim a link's ``token`` confirms; NotFound for an unknown or used token."""
    row = _claim(session, token)
    organization = session.get(Organization, row.organization_id)
    return PendingClaim(row.address, organization.name if organization else "")


def confirm_claim(session: Session, token: str) -> PendingClaim:
    """Confirm the claim of ``token``: the address's mail goes to its organization from now on.

    NotFound for an unknown or used token; Conflict when another organization verified the address
    first (only the mailbox's reader, who holds the token, learns that)."""
    row = _claim(session, token)
    taken = session.scalar(
        select(EmailAddress.id).where(
            EmailAddress.address == row.address, EmailAddress.verified_at.is_not(None)
        )
    )
    if taken is not None:
        raise Conflict(
            "this address already receives mail for another organization; remove it there first"
        )
    now = session_now(session)
    row.verified_at = now
    row.verification_token = ""
    row.verification_token_hash = ""
    append_event(
        session,
        row.organization_id,
        "EmailAddressVerified",
        occurred_at=now,
        actor="email-confirmation",
        payload={"id": row.id, "address": row.address},
    )
    organization = session.get(Organization, row.organization_id)
    return PendingClaim(row.address, organization.name if organization else "")
