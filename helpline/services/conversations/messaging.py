"""Messages of text-channel contacts: receive inbound ones idempotently, queue replies for delivery.

Channel adapters call :func:`receive_message` with what they parsed; agents reply with
:func:`send_message`, which stores the reply as ``queued``; the outbox (``helpline.channels.outbox``)
hands due messages to the channel's adapter and records the outcome with :func:`record_delivery`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from helpline.domain.enums import Channel, ContactState, Direction, IdentityKind, Role
from helpline.domain.messages import (
    Attachment,
    DeliveryReport,
    DeliveryStatus,
    InboundMessage,
    OutboundMessage,
)
from helpline.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from helpline.services.access import access_contact, any_member, owned, owned_by, requires
from helpline.services.actor import Actor
from helpline.services.cases.cases import link_follow_up
from helpline.services.conversations.contacts import (
    CONTACT_ROLES,
    RACE_ATTEMPTS,
    NewContact,
    create_contact,
)
from helpline.storage.database import session_now
from helpline.storage.events import append_event, json_value
from helpline.storage.locks import lock_name
from helpline.storage.tables import Agent, Contact, CustomerIdentity, Message, MessageAttachment

TEXT_CHANNELS = frozenset({Channel.CHAT, Channel.EMAIL, Channel.SMS, Channel.SOCIAL})
"""Channels whose contacts are conversations of stored messages."""

FINISHED_STATES = frozenset(
    {
        ContactState.CLOSED,
        ContactState.ABANDONED,
        ContactState.SHORT_ABANDONED,
        ContactState.DEFLECTED,
    }
)
"""A message threaded onto a contact in one of these states starts a follow-up contact."""

RECIPIENT_KIND = {
    Channel.EMAIL: IdentityKind.EMAIL,
    Channel.SMS: IdentityKind.PHONE,
    Channel.SOCIAL: IdentityKind.SOCIAL,
    Channel.CHAT: IdentityKind.CHAT,
}

MAX_DELIVERY_ATTEMPTS = 6
FIRST_RETRY_DELAY = timedelta(seconds=5)
"""Retries wait 5 s, 10 s, 20 s... between attempts."""


@dataclass(frozen=True)
class ReceivedMessage:
    """Where an inbound message was stored."""

    contact_id: int
    message_id: int
    contact_created: bool
    """A new contact was opened (the caller routes it after commit)."""
    duplicate: bool
    """The channel's message id was seen before: nothing new was stored."""


def _store_attachments(
    session: Session, organization_id: int, message_id: int, attachments: Sequence[Attachment]
) -> None:
    session.add_all(
        MessageAttachment(
            organization_id=organization_id,
            message_id=message_id,
            filename=item.filename,
            content_type=item.content_type,
            size=len(item.data),
            data=item.data,
        )
        for item in attachments
    )


def _find_by_external_id(
    session: Session, organization_id: int, channel: Channel, external_id: str
) -> Message | None:
    return session.scalar(
        owned(organization_id, Message).where(
            Message.channel == channel.value,
            Message.external_id == external_id,
        )
    )


@requires(*CONTACT_ROLES)
def receive_message(
    session: Session,
    actor: Actor,
    inbound: InboundMessage,
    *,
    queue_id: int | None = None,
    contact_id: int | None = None,
    attributes: Mapping[str, Any] | None = None,
    now: datetime | None = None,
) -> ReceivedMessage:
    """Store ``inbound`` on ``contact_id`` (when the adapter threaded it) or on a new contact.

    A new contact goes to ``queue_id`` and is attached to the customer its identities name. A message
    for a finished contact opens a follow-up contact in the same queue (``follows_contact_id``).
    Writes ``MessageReceived`` (and ``ContactCreated``) in the caller's transaction.
    """
    if not inbound.external_id:
        raise InvalidInput("external_id", "a channel message needs its channel's id")
    lock_name(session, f"message:{actor.organization_id}:{inbound.channel}:{inbound.external_id}")
    found = _find_by_external_id(
        session, actor.organization_id, inbound.channel, inbound.external_id
    )
    if found is not None:
        return ReceivedMessage(found.contact_id, found.id, contact_created=False, duplicate=True)
    now = now or session_now(session)
    contact: Contact | None = None
    extra = dict(attributes or {})
    follows: int | None = None
    if contact_id is not None:
        contact = access_contact(session, actor, contact_id)
        if ContactState(contact.state) in FINISHED_STATES:
            follows = contact.id
            extra.setdefault("follows_contact_id", contact.id)
            queue_id = queue_id if queue_id is not None else contact.queue_id
            customer_id = contact.customer_id
            contact = None
        elif contact.channel != inbound.channel.value:
            raise InvalidInput(
                "contact_id", f"contact {contact_id} is not a {inbound.channel} contact"
            )
    else:
        customer_id = None
    created = contact is None
    if contact is None:
        contact = create_contact(
            session,
            actor,
            NewContact(
                channel=inbound.channel,
                queue_id=queue_id,
                customer_id=customer_id,
                customer_name=inbound.customer_name,
                identities=inbound.identities if customer_id is None else {},
                subject=inbound.subject[:500],
                attributes=extra,
            ),
        ).contact
    if follows is not None:  # the follow-up belongs to the cases of the contact it continues
        link_follow_up(session, actor, follows, contact.id, now=now)
    message = Message(
        organization_id=actor.organization_id,
        contact_id=contact.id,
        channel=inbound.channel.value,
        direction=Direction.INBOUND.value,
        sender=inbound.sender[:320],
        subject=inbound.subject[:500],
        body=inbound.body,
        external_id=inbound.external_id,
        headers=json_value(dict(inbound.headers)),
        created_at=now,
    )
    session.add(message)
    session.flush()
    _store_attachments(session, actor.organization_id, message.id, inbound.attachments)
    append_event(
        session,
        actor.organization_id,
        "MessageReceived",
        occurred_at=now,
        actor=actor.label,
        contact_id=contact.id,
        payload={
            "message_id": message.id,
            "channel": inbound.channel.value,
            "attachments": len(inbound.attachments),
        },
    )
    return ReceivedMessage(contact.id, message.id, contact_created=created, duplicate=False)


@requires(*CONTACT_ROLES)
def receive_message_idempotently(
    transaction: Callable[[], AbstractContextManager[Session]],
    actor: Actor,
    inbound: InboundMessage,
    *,
    queue_id: int | None = None,
    contact_id: int | None = None,
    attributes: Mapping[str, Any] | None = None,
) -> ReceivedMessage:
    """``receive_message`` in its own transaction, retried when a concurrent delivery of the same
    channel message won the insert race (the retry finds the winner's row: a duplicate)."""
    for attempt in range(RACE_ATTEMPTS):
        try:
            with transaction() as session:
                return receive_message(
                    session,
                    actor,
                    inbound,
                    queue_id=queue_id,
                    contact_id=contact_id,
                    attributes=attributes,
                )
        except IntegrityError:
            if attempt == RACE_ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")  # pragma: no cover


def recipient_of(session: Session, contact: Contact) -> str:
    """Where replies on ``contact`` go: the address of its latest inbound message, else the customer's."""
    sender = session.scalar(
        select(Message.sender)
        .where(
            Message.contact_id == contact.id,
            Message.direction == Direction.INBOUND.value,
            Message.sender != "",
        )
        .order_by(Message.created_at.desc(), Message.id.desc())
        .limit(1)
    )
    if sender:
        return sender
    kind = RECIPIENT_KIND.get(Channel(contact.channel))
    if contact.customer_id is not None and kind is not None:
        value = session.scalar(
            select(CustomerIdentity.value).where(
                CustomerIdentity.customer_id == contact.customer_id,
                CustomerIdentity.kind == kind.value,
            )
        )
        if value:
            return value
    return ""


def _check_may_reply(session: Session, actor: Actor, contact: Contact) -> None:
    if actor.role is Role.AGENT:
        agent_id = session.scalar(
            select(Agent.id).where(owned_by(actor, Agent), Agent.user_id == actor.user_id)
        )
        if agent_id is None or agent_id != contact.agent_id:
            raise PermissionDenied("agents may only reply on contacts they handle")


@requires(*CONTACT_ROLES)
def send_message(
    session: Session,
    actor: Actor,
    contact_id: int,
    body: str,
    *,
    subject: str = "",
    attachments: Sequence[Attachment] = (),
    headers: Mapping[str, Any] | None = None,
    sender: str = "",
    now: datetime | None = None,
) -> Message:
    """An agent's (or supervisor's) reply to the customer of ``contact_id``, queued for delivery by
    its channel; agents reply only on contacts they handle. See :func:`queue_message`."""
    contact = access_contact(session, actor, contact_id)
    _check_may_reply(session, actor, contact)
    return queue_message(
        session,
        actor,
        contact,
        body,
        subject=subject,
        attachments=attachments,
        headers=headers,
        sender=sender,
        now=now,
    )


@any_member
def queue_message(
    session: Session,
    actor: Actor,
    contact: Contact,
    body: str,
    *,
    subject: str = "",
    attachments: Sequence[Attachment] = (),
    headers: Mapping[str, Any] | None = None,
    sender: str = "",
    now: datetime | None = None,
) -> Message:
    """Store a message for the customer of ``contact``, queued for delivery by its channel (the
    caller has checked who may send it). Writes ``MessageSent``.

    Raises InvalidInput for an empty body, Conflict for a channel without text or a contact with
    nowhere to send to.
    """
    channel = Channel(contact.channel)
    if channel not in TEXT_CHANNELS:
        raise Conflict(f"contact {contact.id} is a {channel} contact; messages need a text channel")
    if not body.strip() and not attachments:
        raise InvalidInput("body", "write something to send")
    recipient = recipient_of(session, contact)
    if not recipient:
        raise Conflict(f"contact {contact.id} has no {channel} address to send to")
    now = now or session_now(session)
    message = Message(
        organization_id=actor.organization_id,
        contact_id=contact.id,
        channel=channel.value,
        direction=Direction.OUTBOUND.value,
        sender=sender[:320],
        subject=(subject or contact.subject)[:500],
        body=body,
        external_id=None,
        headers=json_value({**(headers or {}), "to": recipient}),
        author_user_id=actor.user_id,
        delivery_status=DeliveryStatus.QUEUED.value,
        delivery_attempts=0,
        next_attempt_at=now,
        created_at=now,
    )
    session.add(message)
    session.flush()
    _store_attachments(session, actor.organization_id, message.id, attachments)
    append_event(
        session,
        actor.organization_id,
        "MessageSent",
        occurred_at=now,
        actor=actor.label,
        contact_id=contact.id,
        agent_id=contact.agent_id,
        payload={"message_id": message.id, "channel": channel.value},
    )
    return message


def attachments_of(session: Session, message_id: int) -> tuple[Attachment, ...]:
    """The files of a message, in the order they were stored."""
    rows = session.scalars(
        select(MessageAttachment)
        .where(MessageAttachment.message_id == message_id)
        .order_by(MessageAttachment.id)
    )
    return tuple(Attachment(row.filename, row.content_type, row.data) for row in rows)


def outbound_of(session: Session, message: Message) -> OutboundMessage:
    """What the channel adapter needs to deliver a stored outbound message."""
    headers = dict(message.headers)
    return OutboundMessage(
        organization_id=message.organization_id,
        contact_id=message.contact_id,
        message_id=message.id,
        channel=Channel(message.channel),
        recipient=str(headers.pop("to", "")),
        body=message.body,
        subject=message.subject,
        headers=headers,
        attachments=attachments_of(session, message.id),
    )


def claim_due(
    session: Session, channels: Sequence[Channel], now: datetime, *, lease: timedelta, limit: int
) -> list[OutboundMessage]:
    """Queued messages of ``channels`` whose next attempt is due, leased for ``lease`` so that
    another worker (or node) does not send them at the same time."""
    if not channels:
        return []
    query = (
        select(Message)
        .where(
            Message.delivery_status == DeliveryStatus.QUEUED.value,
            Message.next_attempt_at <= now,
            Message.channel.in_([c.value for c in channels]),
        )
        .order_by(Message.next_attempt_at, Message.id)
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    messages = list(session.scalars(query))
    for message in messages:
        message.next_attempt_at = now + lease
    return [outbound_of(session, message) for message in messages]


def record_delivery(
    session: Session, organization_id: int, message_id: int, report: DeliveryReport, now: datetime
) -> None:
    """Store an adapter's report: sent/delivered, a retry later, or failed for good (with an event)."""
    message = session.scalar(
        select(Message).where(Message.id == message_id, owned_by(organization_id, Message))
    )
    if message is None:
        return
    message.delivery_attempts += 1
    if report.headers:
        message.headers = json_value({**message.headers, **report.headers})
    if report.provider_id:
        message.external_id = report.provider_id
    status = report.status
    if (
        status is DeliveryStatus.FAILED
        and report.retry
        and message.delivery_attempts < MAX_DELIVERY_ATTEMPTS
    ):
        message.delivery_error = report.error
        message.next_attempt_at = now + FIRST_RETRY_DELAY * 2 ** (message.delivery_attempts - 1)
        return
    message.delivery_status = status.value
    message.delivery_error = report.error
    message.next_attempt_at = None
    append_event(
        session,
        organization_id,
        "MessageDelivered" if status is not DeliveryStatus.FAILED else "MessageFailed",
        occurred_at=now,
        contact_id=message.contact_id,
        payload={
            "message_id": message.id,
            "status": status.value,
            "attempts": message.delivery_attempts,
            "error": report.error,
        },
    )


@any_member
def update_delivery_status(
    session: Session, actor: Actor, channel: Channel, provider_id: str, status: DeliveryStatus
) -> Message | None:
    """A provider's later status report (e.g. an SMS delivery receipt) for a message it sent."""
    message = _find_by_external_id(session, actor.organization_id, channel, provider_id)
    if message is None or message.direction != Direction.OUTBOUND.value:
        return None
    if message.delivery_status != status.value:
        message.delivery_status = status.value
        append_event(
            session,
            actor.organization_id,
            "MessageDelivered" if status is not DeliveryStatus.FAILED else "MessageFailed",
            occurred_at=session_now(session),
            actor=actor.label,
            contact_id=message.contact_id,
            payload={"message_id": message.id, "status": status.value, "provider_id": provider_id},
        )
    return message


def represent_message(message: Message) -> dict[str, Any]:
    """A plain dict of a message for API responses and transcripts (attachments listed separately)."""
    return {
        "id": message.id,
        "contact_id": message.contact_id,
        "channel": message.channel,
        "direction": message.direction,
        "sender": message.sender,
        "subject": message.subject,
        "body": message.body,
        "external_id": message.external_id,
        "headers": message.headers,
        "delivery_status": message.delivery_status,
        "delivery_error": message.delivery_error,
        "created_at": message.created_at,
    }


@any_member
def list_messages(session: Session, actor: Actor, contact_id: int) -> list[dict[str, Any]]:
    """The messages of a contact, oldest first, each with its attachments' names, types and sizes."""
    access_contact(session, actor, contact_id)
    messages = list(
        session.scalars(
            select(Message)
            .where(owned_by(actor, Message), Message.contact_id == contact_id)
            .order_by(Message.created_at, Message.id)
        )
    )
    files = attachment_listing(session, [m.id for m in messages])
    return [represent_message(m) | {"attachments": files[m.id]} for m in messages]


def attachment_listing(
    session: Session, message_ids: Sequence[int]
) -> dict[int, list[dict[str, Any]]]:
    """Per message id, its files' ids, names, types and sizes (not their data), in stored order."""
    files: dict[int, list[dict[str, Any]]] = {message_id: [] for message_id in message_ids}
    if not files:
        return files
    for row in session.execute(
        select(
            MessageAttachment.id,
            MessageAttachment.message_id,
            MessageAttachment.filename,
            MessageAttachment.content_type,
            MessageAttachment.size,
        )
        .where(MessageAttachment.message_id.in_(list(files)))
        .order_by(MessageAttachment.id)
    ):
        files[row.message_id].append(
            {
                "id": row.id,
                "filename": row.filename,
                "content_type": row.content_type,
                "size": row.size,
            }
        )
    return files


@any_member
def get_attachment(
    session: Session, actor: Actor, contact_id: int, message_id: int, attachment_id: int
) -> MessageAttachment:
    """A file of message ``message_id`` of contact ``contact_id`` (NotFound unless the actor's
    organization holds the contact, the message and the file)."""
    access_contact(session, actor, contact_id)
    row = session.scalar(
        select(MessageAttachment)
        .join(Message, Message.id == MessageAttachment.message_id)
        .where(
            MessageAttachment.id == attachment_id,
            MessageAttachment.message_id == message_id,
            Message.contact_id == contact_id,
            owned_by(actor, Message),
        )
    )
    if row is None:
        raise NotFound(f"attachment {attachment_id} not found")
    return row
