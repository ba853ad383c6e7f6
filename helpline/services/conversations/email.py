"""What the email channel asks of storage: which organization an address belongs to, which contact an
email answers, where a reply is sent from, and how far an IMAP mailbox has been read.

Email addresses themselves are a configuration resource (``configuration.EMAIL_ADDRESS``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from helpline.domain.enums import Channel, Direction
from helpline.services.access import any_member, owned, owned_by
from helpline.services.actor import Actor
from helpline.storage.events import json_value
from helpline.storage.tables import Contact, EmailAddress, Message

MAX_REFERENCES = 20
"""How many Message-IDs a reply's References header keeps (the oldest and the newest ones)."""


@dataclass(frozen=True)
class AddressRoute:
    """Where mail to one of an organization's addresses goes."""

    address_id: int
    organization_id: int
    address: str
    queue_id: int | None
    display_name: str
    acknowledges_new_contacts: bool


@dataclass(frozen=True)
class ImapMailbox:
    """An IMAP mailbox Helpline polls for one address, with how far it has read it."""

    route: AddressRoute
    host: str
    port: int
    security: str  # "ssl", "starttls" or "none"
    username: str
    password: str
    folder: str
    poll_interval_seconds: int
    state: Mapping[str, Any]
    """``{"mailbox": "user@host:port/folder", "uidvalidity": int, "last_uid": int}`` or empty."""

    @property
    def key(self) -> str:
        """Names the mailbox read: progress recorded for another mailbox does not apply."""
        return f"{self.username}@{self.host}:{self.port}/{self.folder}"


@dataclass(frozen=True)
class EmailThread:
    """How a reply on a contact continues the conversation: its sender and threading headers."""

    from_address: str
    """The organization's address the customer wrote to ("" when the contact has none)."""
    from_name: str
    in_reply_to: str
    """The Message-ID of the customer's latest email ("" when none)."""
    references: tuple[str, ...]


def _route(row: EmailAddress) -> AddressRoute:
    return AddressRoute(
        address_id=row.id,
        organization_id=row.organization_id,
        address=row.address,
        queue_id=row.queue_id,
        display_name=row.display_name,
        acknowledges_new_contacts=row.acknowledges_new_contacts,
    )


def find_address(session: Session, address: str) -> AddressRoute | None:
    """The organization and queue of a recipient address, or None when no organization has it.

    The one lookup across organizations, by design: a *verified* address is unique across
    organizations (``email_verification``), and a recipient is all an SMTP server knows of whom
    mail is for. Claims not yet confirmed get no mail.
    """
    row = session.scalar(
        select(EmailAddress).where(
            EmailAddress.address == address.lower(), EmailAddress.verified_at.is_not(None)
        )
    )
    return None if row is None else _route(row)


def is_helpline_address(session: Session, address: str) -> bool:
    """Whether ``address`` is one Helpline receives mail on (mail from it would be a loop)."""
    found = session.scalar(
        select(EmailAddress.id).where(
            EmailAddress.address == address.lower(), EmailAddress.verified_at.is_not(None)
        )
    )
    return found is not None


def mailboxes_to_poll(session: Session) -> list[ImapMailbox]:
    """Every configured IMAP mailbox, of every organization (the poller serves them all)."""
    rows = session.scalars(
        select(EmailAddress).where(EmailAddress.imap_host != "").order_by(EmailAddress.id)
    )
    return [
        ImapMailbox(
            route=_route(row),
            host=row.imap_host,
            port=row.imap_port,
            security=row.imap_security,
            username=row.imap_username,
            password=row.imap_password,
            folder=row.imap_folder,
            poll_interval_seconds=row.poll_interval_seconds,
            state=dict(row.imap_state),
        )
        for row in rows
    ]


def record_imap_progress(
    session: Session, organization_id: int, address_id: int, state: Mapping[str, Any]
) -> None:
    """Remember how far a mailbox was read (its key, UIDVALIDITY and last UID ingested)."""
    row = session.scalar(
        select(EmailAddress).where(
            EmailAddress.id == address_id, owned_by(organization_id, EmailAddress)
        )
    )
    if row is not None:
        row.imap_state = json_value(dict(state))


@any_member
def contact_answered(session: Session, actor: Actor, message_ids: Sequence[str]) -> int | None:
    """The contact of the first of ``message_ids`` that is a stored email (received or sent).

    Pass In-Reply-To first, then References newest first: the closest ancestor wins.
    """
    if not message_ids:
        return None
    rows = session.execute(
        select(Message.external_id, Message.contact_id).where(
            owned_by(actor, Message),
            Message.channel == Channel.EMAIL.value,
            Message.external_id.in_(list(message_ids)),
        )
    ).all()
    found = {row.external_id: row.contact_id for row in rows}
    return next((found[m] for m in message_ids if m in found), None)


@any_member
def email_contact(session: Session, actor: Actor, contact_id: int) -> int | None:
    """``contact_id`` when it is an email contact of the actor's organization, else None."""
    found = session.scalar(
        select(Contact.id).where(
            Contact.id == contact_id,
            owned_by(actor, Contact),
            Contact.channel == Channel.EMAIL.value,
        )
    )
    return None if found is None else int(found)


def _trimmed(references: Sequence[str]) -> tuple[str, ...]:
    if len(references) <= MAX_REFERENCES:
        return tuple(references)
    return (references[0], *references[-(MAX_REFERENCES - 1) :])


def email_thread(session: Session, organization_id: int, contact_id: int) -> EmailThread:
    """Threading headers and sender for a reply on ``contact_id``: answer the customer's latest email,
    from the address it was sent to (else the organization's first address)."""
    latest = session.scalar(
        select(Message)
        .where(
            owned_by(organization_id, Message),
            Message.contact_id == contact_id,
            Message.direction == Direction.INBOUND.value,
            Message.channel == Channel.EMAIL.value,
        )
        .order_by(Message.created_at.desc(), Message.id.desc())
        .limit(1)
    )
    in_reply_to = ""
    references: list[str] = []
    delivered_to = ""
    if latest is not None:
        in_reply_to = latest.external_id or ""
        references = [str(r) for r in latest.headers.get("references", [])]
        if in_reply_to and in_reply_to not in references:
            references.append(in_reply_to)
        delivered_to = str(latest.headers.get("delivered_to", ""))
    query = owned(organization_id, EmailAddress)
    address = None
    if delivered_to:
        address = session.scalar(query.where(EmailAddress.address == delivered_to))
    if address is None:
        address = session.scalar(query.order_by(EmailAddress.id).limit(1))
    return EmailThread(
        from_address=address.address if address is not None else "",
        from_name=address.display_name if address is not None else "",
        in_reply_to=in_reply_to,
        references=_trimmed(references),
    )
