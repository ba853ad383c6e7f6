"""Web chat visitor sessions: pre-chat, signed resumable tokens, replay, queue position, transcript.

A session is opened by the pre-chat form; its first message (the topic) opens the chat contact
through the inbox. Every visitor message carries the visitor's own sequence number, stored as the
message's ``external_id`` ``<session uid>:<seq>`` so a message resent after a reconnect is stored
once. The server's sequence is the message id: a reconnecting visitor asks for everything after the
last id it saw. The WebSocket shell is ``helpline.api.routes.chat``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from helpline.analytics.expected_wait import QueuePosition, queue_position
from helpline.domain.enums import Channel, ContactState, Direction, IdentityKind, Role
from helpline.domain.file_types import is_refused, sniff_media_type
from helpline.domain.identity import InvalidIdentity, normalize_identity
from helpline.domain.messages import Attachment, InboundMessage
from helpline.errors import AuthenticationFailed, InvalidInput, NotFound, PermissionDenied
from helpline.services.access import access_contact, any_member, owned, owned_by
from helpline.services.actor import Actor
from helpline.services.conversations.chat_widgets import WidgetInfo, widget_by_id
from helpline.services.conversations.messaging import attachment_listing
from helpline.storage.events import append_event
from helpline.storage.tables import (
    Agent,
    AgentStatus,
    ChatSession,
    Contact,
    Message,
    RoutingProfileChannel,
    RoutingProfileQueue,
    User,
)

MAX_BODY_CHARS = 10_000
HISTORY_WINDOW = timedelta(hours=2)
"""Contacts answered or finished this recently feed the expected-wait estimate."""
HISTORY_LIMIT = 50
REPLAY_OVERLAP = timedelta(seconds=5)
"""Replay also repeats messages this close before the last one seen: ids are taken at insert, so a
message committed a moment after a higher id may be missed otherwise (clients drop ids they have)."""
_VISITOR_ID = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
WAITING_STATES = frozenset({ContactState.CREATED, ContactState.QUEUED, ContactState.OFFERED})
TALKING_STATES = frozenset({ContactState.CONNECTED, ContactState.ON_HOLD})


@dataclass(frozen=True)
class PreChat:
    """What the visitor typed into the pre-chat form, and the browser's persistent visitor id."""

    name: str
    email: str
    topic: str
    visitor_id: str = ""


@dataclass(frozen=True)
class VisitorSession:
    """A visitor's chat session as the shell needs it."""

    uid: str
    widget: WidgetInfo
    visitor_name: str
    visitor_email: str
    topic: str
    visitor_id: str
    contact_id: int | None
    contact_ids: tuple[int, ...]
    ended: bool

    @property
    def actor(self) -> Actor:
        """The actor the visitor's actions run as."""
        return self.widget.actor

    @property
    def token(self) -> str:
        """The resumable session token: the uid and its signature with the widget's secret."""
        return f"{self.uid}.{_signature(self.widget.signing_secret, self.uid)}"


def _signature(secret: str, uid: str) -> str:
    digest = hmac.new(secret.encode(), uid.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def _visitor(row: ChatSession, widget: WidgetInfo) -> VisitorSession:
    return VisitorSession(
        uid=row.uid,
        widget=widget,
        visitor_name=row.visitor_name,
        visitor_email=row.visitor_email,
        topic=row.topic,
        visitor_id=row.visitor_id,
        contact_id=row.contact_id,
        contact_ids=tuple(row.contact_ids),
        ended=row.ended_at is not None,
    )


def _row(session: Session, organization_id: int, uid: str) -> ChatSession:
    row = session.scalar(
        select(ChatSession).where(ChatSession.uid == uid, owned_by(organization_id, ChatSession))
    )
    if row is None:
        raise NotFound("chat session not found")
    return row


def check_prechat(prechat: PreChat) -> PreChat:
    """The pre-chat form cleaned up, or InvalidInput naming the field (name, email, topic)."""
    name = prechat.name.strip()
    if not name or len(name) > 200:
        raise InvalidInput("name", "give a name of 1 to 200 characters")
    try:
        email = normalize_identity(IdentityKind.EMAIL, prechat.email, "US")
    except InvalidIdentity as error:
        raise InvalidInput("email", str(error)) from None
    topic = prechat.topic.strip()
    if not topic or len(topic) > 500:
        raise InvalidInput("topic", "say in 1 to 500 characters what the chat is about")
    visitor_id = prechat.visitor_id.strip()
    if visitor_id and not _VISITOR_ID.match(visitor_id):
        raise InvalidInput("visitor_id", "8 to 64 letters, digits, - or _")
    return PreChat(name, email, topic, visitor_id or secrets.token_urlsafe(16))


def open_session(
    session: Session, widget: WidgetInfo, prechat: PreChat, now: datetime
) -> VisitorSession:
    """Record a new visitor session from a checked pre-chat form (``ChatStarted``)."""
    row = ChatSession(
        organization_id=widget.organization_id,
        widget_id=widget.id,
        uid=secrets.token_urlsafe(18),
        visitor_id=prechat.visitor_id,
        visitor_name=prechat.name,
        visitor_email=prechat.email,
        topic=prechat.topic,
        contact_id=None,
        contact_ids=[],
        created_at=now,
        ended_at=None,
    )
    session.add(row)
    session.flush()
    append_event(
        session,
        widget.organization_id,
        "ChatStarted",
        occurred_at=now,
        actor=f"chat:{row.uid[:8]}",
        payload={"widget_id": widget.id, "session": row.uid[:8]},
    )
    return _visitor(row, widget)


def resume_session(session: Session, widget: WidgetInfo, token: str) -> VisitorSession:
    """The session a token names, if the widget's secret signed it; AuthenticationFailed otherwise."""
    uid, _, signature = token.partition(".")
    if not uid or not hmac.compare_digest(signature, _signature(widget.signing_secret, uid)):
        raise AuthenticationFailed("invalid chat session token")
    row = session.scalar(
        select(ChatSession).where(ChatSession.uid == uid, ChatSession.widget_id == widget.id)
    )
    if row is None:
        raise AuthenticationFailed("invalid chat session token")
    return _visitor(row, widget)


def reload(session: Session, visitor: VisitorSession) -> VisitorSession:
    """The session as stored now (its contact may have changed)."""
    return _visitor(_row(session, visitor.widget.organization_id, visitor.uid), visitor.widget)


def inbound(
    visitor: VisitorSession, seq: int, body: str, attachments: Sequence[Attachment] = ()
) -> InboundMessage:
    """A visitor message numbered ``seq`` by the client (0 is the pre-chat topic)."""
    if seq < 0:
        raise InvalidInput("seq", "message numbers start at 1")
    if len(body) > MAX_BODY_CHARS:
        raise InvalidInput("body", f"at most {MAX_BODY_CHARS} characters")
    if not body.strip() and not attachments:
        raise InvalidInput("body", "write something to send")
    return InboundMessage(
        channel=Channel.CHAT,
        external_id=f"{visitor.uid}:{seq}",
        body=body,
        sender=visitor.uid,
        customer_name=visitor.visitor_name,
        identities={
            IdentityKind.EMAIL: visitor.visitor_email,
            IdentityKind.CHAT: visitor.visitor_id,
        },
        subject=visitor.topic,
        headers={"client_seq": seq},
        attachments=tuple(attachments),
    )


def attach_contact(session: Session, visitor: VisitorSession, contact_id: int) -> VisitorSession:
    """Make ``contact_id`` the session's current contact (the first one, or a follow-up)."""
    row = _row(session, visitor.widget.organization_id, visitor.uid)
    if row.contact_id != contact_id:
        row.contact_id = contact_id
        if contact_id not in row.contact_ids:
            row.contact_ids = [*row.contact_ids, contact_id]
    return _visitor(row, visitor.widget)


def end_session(session: Session, visitor: VisitorSession, now: datetime) -> VisitorSession:
    """The visitor ended the chat (``ChatEnded``); later messages are refused."""
    row = _row(session, visitor.widget.organization_id, visitor.uid)
    if row.ended_at is None:
        row.ended_at = now
        append_event(
            session,
            visitor.widget.organization_id,
            "ChatEnded",
            occurred_at=now,
            actor=f"chat:{row.uid[:8]}",
            contact_id=row.contact_id,
            payload={"widget_id": visitor.widget.id, "session": row.uid[:8]},
        )
    return _visitor(row, visitor.widget)


def contact_state(session: Session, visitor: VisitorSession) -> tuple[ContactState, int | None]:
    """The state of the session's current contact and its queue (CREATED before it exists)."""
    if visitor.contact_id is None:
        return ContactState.CREATED, visitor.widget.queue_id
    row = session.execute(
        select(Contact.state, Contact.queue_id).where(
            Contact.id == visitor.contact_id,
            owned_by(visitor.widget.organization_id, Contact),
        )
    ).one()
    return ContactState(row.state), row.queue_id


def agent_name(session: Session, visitor: VisitorSession) -> str:
    """The display name of the agent handling the current contact ("" when none)."""
    if visitor.contact_id is None:
        return ""
    name = session.scalar(
        select(Agent.display_name)
        .join(Contact, Contact.agent_id == Agent.id)
        .where(
            Contact.id == visitor.contact_id,
            owned_by(visitor.widget.organization_id, Contact),
        )
    )
    return name or ""


def _staffed_slots(session: Session, organization_id: int, queue_id: int) -> int:
    total = session.scalar(
        select(func.coalesce(func.sum(RoutingProfileChannel.concurrency), 0))
        .select_from(Agent)
        .join(AgentStatus, AgentStatus.agent_id == Agent.id)
        .join(
            RoutingProfileQueue,
            RoutingProfileQueue.routing_profile_id == Agent.routing_profile_id,
        )
        .join(
            RoutingProfileChannel,
            RoutingProfileChannel.routing_profile_id == Agent.routing_profile_id,
        )
        .where(
            owned_by(organization_id, Agent),
            Agent.is_active.is_(True),
            AgentStatus.status == "available",
            RoutingProfileQueue.queue_id == queue_id,
            RoutingProfileChannel.channel == Channel.CHAT.value,
            RoutingProfileChannel.is_enabled.is_(True),
        )
    )
    return int(total or 0)


def _recent_times(
    session: Session, organization_id: int, queue_id: int, now: datetime
) -> tuple[list[float], list[float]]:
    """Handle times of recently finished and waits of recently answered contacts of the queue."""
    since = now - HISTORY_WINDOW
    scoped = (owned_by(organization_id, Contact), Contact.queue_id == queue_id)
    handled = session.execute(
        select(Contact.connected_at, Contact.ended_at)
        .where(*scoped, Contact.ended_at >= since, Contact.connected_at.is_not(None))
        .order_by(Contact.ended_at.desc())
        .limit(HISTORY_LIMIT)
    ).all()
    answered = session.execute(
        select(Contact.queued_at, Contact.connected_at)
        .where(*scoped, Contact.connected_at >= since, Contact.queued_at.is_not(None))
        .order_by(Contact.connected_at.desc())
        .limit(HISTORY_LIMIT)
    ).all()
    handle = [(end - start).total_seconds() for start, end in handled if start and end]
    waits = [(end - start).total_seconds() for start, end in answered if start and end]
    return handle, waits


def waiting_position(
    session: Session,
    visitor: VisitorSession,
    queue_id: int,
    line: Sequence[str],
    now: datetime,
) -> QueuePosition | None:
    """Position and expected wait of the session's contact in ``line`` (the engine's queue order)."""
    if visitor.contact_id is None:
        return None
    organization_id = visitor.widget.organization_id
    handle, waits = _recent_times(session, organization_id, queue_id, now)
    return queue_position(
        line,
        str(visitor.contact_id),
        _staffed_slots(session, organization_id, queue_id),
        handle,
        waits,
    )


def chat_messages(
    session: Session, organization_id: int, contact_ids: Sequence[int], after_id: int
) -> list[dict[str, Any]]:
    """Messages of these contacts after message ``after_id`` (plus the replay overlap), oldest
    first, as the chat protocol sends them."""
    if not contact_ids:
        return []
    scoped = (owned_by(organization_id, Message), Message.contact_id.in_(contact_ids))
    query = select(Message, User.display_name).outerjoin(User, User.id == Message.author_user_id)
    if after_id > 0:
        seen_at = session.scalar(select(Message.created_at).where(*scoped, Message.id == after_id))
        since = Message.id > after_id
        if seen_at is not None:
            since = since | (Message.created_at >= seen_at - REPLAY_OVERLAP)
        query = query.where(since)
    rows = session.execute(query.where(*scoped).order_by(Message.id)).all()
    files = attachment_listing(session, [row.Message.id for row in rows])
    return [
        represent_chat_message(row.Message, row.display_name or "", files[row.Message.id])
        for row in rows
    ]


def represent_chat_message(
    message: Message, author: str, attachments: list[dict[str, Any]]
) -> dict[str, Any]:
    """A message as the chat protocol sends it to visitors and agents."""
    client_seq = message.headers.get("client_seq")
    return {
        "type": "message",
        "id": message.id,
        "contact_id": message.contact_id,
        "direction": message.direction,
        "author": author if message.direction == Direction.OUTBOUND.value else "",
        "body": message.body,
        "client_seq": client_seq if isinstance(client_seq, int) else None,
        "delivery_status": message.delivery_status,
        "created_at": message.created_at.isoformat(),
        "attachments": attachments,
    }


@any_member
def session_for_contact(session: Session, actor: Actor, contact_id: int) -> VisitorSession:
    """The chat session whose current contact is ``contact_id``; agents only for their contacts.

    NotFound when the contact is not the actor organization's or has no chat session.
    """
    contact = access_contact(session, actor, contact_id)
    require_handling(session, actor, contact)
    row = session.scalar(
        owned(actor, ChatSession).where(
            ChatSession.contact_id == contact_id,
        )
    )
    if row is None:
        raise NotFound(f"contact {contact_id} has no chat session")
    return _visitor(row, widget_by_id(session, actor.organization_id, row.widget_id))


@any_member
def require_handling(session: Session, actor: Actor, contact: Contact) -> None:
    """Agents act on chats they handle (or are offered); supervisors and managers on any."""
    if actor.role is not Role.AGENT:
        return
    agent_id = session.scalar(
        select(Agent.id).where(owned_by(actor, Agent), Agent.user_id == actor.user_id)
    )
    if agent_id is None or agent_id != contact.agent_id:
        raise PermissionDenied("agents may only follow chats they handle")


@dataclass(frozen=True)
class TranscriptLine:
    """One message of a transcript."""

    at: datetime
    author: str
    body: str
    attachments: tuple[str, ...]


def transcript(session: Session, visitor: VisitorSession) -> list[TranscriptLine]:
    """Every message of the session's contacts, oldest first, with who wrote it."""
    messages = chat_messages(
        session, visitor.widget.organization_id, visitor.contact_ids, after_id=0
    )
    return [
        TranscriptLine(
            at=datetime.fromisoformat(m["created_at"]),
            author=(m["author"] or "Agent")
            if m["direction"] == Direction.OUTBOUND.value
            else visitor.visitor_name,
            body=m["body"],
            attachments=tuple(a["filename"] for a in m["attachments"]),
        )
        for m in messages
    ]


def record_transcript_sent(session: Session, visitor: VisitorSession, now: datetime) -> None:
    """Note that the transcript was emailed to the visitor (``ChatTranscriptSent``)."""
    append_event(
        session,
        visitor.widget.organization_id,
        "ChatTranscriptSent",
        occurred_at=now,
        actor=f"chat:{visitor.uid[:8]}",
        contact_id=visitor.contact_id,
        payload={"widget_id": visitor.widget.id, "to": visitor.visitor_email},
    )


def check_attachment(widget: WidgetInfo, filename: str, content_type: str) -> str:
    """The file's clean name, or InvalidInput naming ``content_type`` or ``filename``."""
    media_type = content_type.split(";", 1)[0].strip().lower()
    if media_type not in widget.attachment_types:
        allowed = ", ".join(widget.attachment_types) or "none"
        raise InvalidInput("content_type", f"{media_type or 'no type'} is not allowed ({allowed})")
    name = filename.replace("\\", "/").rsplit("/", 1)[-1].strip()
    if not name or len(name) > 255 or any(ord(c) < 32 for c in name):
        raise InvalidInput("filename", "give the file's name (at most 255 characters)")
    return name


def stored_media_type(
    widget: WidgetInfo, filename: str, declared: str, data: bytes, refused: tuple[str, ...]
) -> str:
    """The type an uploaded file is stored as: the one its bytes show (the visitor's claim is not
    trusted). InvalidInput naming ``file`` when that type is refused or not allowed by the widget."""
    media_type = sniff_media_type(data, filename, declared)
    if is_refused(media_type, refused) or media_type not in widget.attachment_types:
        raise InvalidInput("file", f"the file's content is {media_type}, which is not accepted")
    return media_type


def file_too_large(widget: WidgetInfo) -> InvalidInput:
    """The error for a file over the widget's size limit."""
    return InvalidInput("file", f"larger than the limit of {widget.max_attachment_bytes} bytes")
