"""The visitor side of the chat protocol over one WebSocket (see docs/channels-chat.md).

Three tasks share a socket: the reader turns frames into service calls, the status watcher follows the
contact (position in queue, agent joined, chat closed), and the writer drains the socket's outgoing
queue, turning ``sync`` nudges into the messages the visitor has not been sent yet.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from fastapi.concurrency import run_in_threadpool
from starlette.websockets import WebSocket, WebSocketDisconnect

from helpline.channels.chat.adapter import ChatAdapter
from helpline.channels.chat.hub import Outgoing, serve_socket
from helpline.channels.inbox import Inbox
from helpline.channels.mailer import MailRefused
from helpline.config import Settings
from helpline.domain.enums import ContactState
from helpline.domain.messages import Attachment
from helpline.errors import Conflict, HelplineError, InvalidInput
from helpline.services.acd import commands as acd
from helpline.services.acd.routing import RoutingService
from helpline.services.conversations import chat as chats
from helpline.services.conversations.chat_widgets import WidgetInfo
from helpline.services.reporting.reports import organization_zone
from helpline.services.unit_of_work import Database

logger = logging.getLogger(__name__)

STATUS_MIN_INTERVAL_SECONDS = 0.5
"""Status is recomputed at most this often, however busy the organization's event stream is."""
STATUS_REFRESH_SECONDS = 5.0
"""...and at least this often while waiting, so the expected wait follows the clock."""
CLOSE = "_close"
"""An internal outgoing event: the writer stops after the frames queued before it."""


@dataclass(frozen=True)
class ChatContext:
    """What the chat shell needs from the application."""

    db: Database
    routing: RoutingService
    inbox: Inbox
    adapter: ChatAdapter
    clock: Callable[[], datetime]
    settings: Settings


def _text(frame: dict[str, Any], name: str, limit: int = 10_000) -> str:
    value = frame.get(name, "")
    if not isinstance(value, str) or len(value) > limit:
        raise InvalidInput(name, f"a text of at most {limit} characters")
    return value


def _seq(frame: dict[str, Any]) -> int:
    value = frame.get("seq")
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise InvalidInput("seq", "number your messages 1, 2, 3...")
    return value


async def receive_from_visitor(
    ctx: ChatContext,
    visitor: chats.VisitorSession,
    seq: int,
    body: str,
    attachments: tuple[Attachment, ...] = (),
) -> tuple[chats.VisitorSession, int, bool]:
    """Store a visitor message once (its seq makes a resend harmless) and nudge the other sockets.

    Returns the session (with a follow-up contact when the last one had finished), the message id
    and whether it was a duplicate.
    """
    if visitor.ended:
        raise Conflict("this chat has ended; start a new one")
    message = chats.inbound(visitor, seq, body, attachments)
    received = await ctx.inbox.receive(
        visitor.actor,
        message,
        queue_id=visitor.widget.queue_id,
        contact_id=visitor.contact_id,
        attributes=_prechat_attributes(visitor),
    )
    if received.contact_id != visitor.contact_id:
        visitor = await run_in_threadpool(_attach, ctx.db, visitor, received.contact_id)
    hub = ctx.adapter.hub
    hub.to_visitor(visitor.uid, {"type": "sync"})
    hub.to_agents(visitor.widget.organization_id, received.contact_id, {"type": "sync"})
    return visitor, received.message_id, received.duplicate


def _prechat_attributes(visitor: chats.VisitorSession) -> dict[str, Any]:
    return {
        "chat": {
            "name": visitor.visitor_name,
            "email": visitor.visitor_email,
            "topic": visitor.topic,
            "widget_id": visitor.widget.id,
        }
    }


def _attach(db: Database, visitor: chats.VisitorSession, contact_id: int) -> chats.VisitorSession:
    with db.transaction() as session:
        return chats.attach_contact(session, visitor, contact_id)


class VisitorSocket:
    """One visitor WebSocket from accept to close."""

    def __init__(self, ctx: ChatContext, websocket: WebSocket, widget: WidgetInfo) -> None:
        self.ctx = ctx
        self.websocket = websocket
        self.widget = widget
        self.visitor: chats.VisitorSession | None = None
        self.sent: set[int] = set()
        self.last_id = 0

    @property
    def current(self) -> chats.VisitorSession:
        """The session once started or resumed."""
        if self.visitor is None:
            raise RuntimeError("the visitor has not started or resumed a session yet")
        return self.visitor

    # -- lifecycle -------------------------------------------------------------------------------

    async def run(self) -> None:
        """Greet, wait for ``start`` or ``resume``, then serve the session until either side leaves."""
        await self.websocket.accept()
        await self.websocket.send_json(
            {
                "type": "hello",
                "title": self.widget.title,
                "attachment_types": list(self.widget.attachment_types),
                "max_attachment_bytes": self.widget.max_attachment_bytes,
                "callbacks": self.widget.callback_queue_id is not None,
            }
        )
        try:
            visitor = await self._begin()
        except WebSocketDisconnect:
            return
        if visitor is None:
            return
        self.visitor = visitor
        hub = self.ctx.adapter.hub
        with hub.visitor(visitor.uid) as outgoing:
            outgoing.put_nowait(
                {
                    "type": "session",
                    "token": visitor.token,
                    "session_id": visitor.uid,
                    "name": visitor.visitor_name,
                    "email": visitor.visitor_email,
                    "topic": visitor.topic,
                }
            )
            outgoing.put_nowait({"type": "sync"})
            self._presence(online=True)
            try:
                await serve_socket(
                    lambda: self._read(outgoing),
                    lambda: self._write(outgoing),
                    lambda: self._watch_status(outgoing),
                )
            finally:
                self._presence(online=False)
        with contextlib.suppress(RuntimeError, WebSocketDisconnect):  # already closed or gone
            await self.websocket.close()

    async def _begin(self) -> chats.VisitorSession | None:
        """Read frames until a valid ``start`` (pre-chat form) or ``resume`` (token) arrives."""
        while True:
            frame = await self._frame()
            if frame is None:
                continue
            kind = frame.get("type")
            try:
                if kind == "start":
                    return await self._start(frame)
                if kind == "resume":
                    return await self._resume(frame)
                raise InvalidInput("type", "send start (pre-chat form) or resume (token) first")
            except HelplineError as error:
                await self.websocket.send_json(_error(error))
                if kind == "resume" and not isinstance(error, InvalidInput):
                    await self.websocket.close(code=4401, reason="invalid session token")
                    return None

    async def _start(self, frame: dict[str, Any]) -> chats.VisitorSession:
        prechat = chats.check_prechat(
            chats.PreChat(
                name=_text(frame, "name", 200),
                email=_text(frame, "email", 320),
                topic=_text(frame, "topic", 500),
                visitor_id=_text(frame, "visitor_id", 64),
            )
        )

        def open_session() -> chats.VisitorSession:
            with self.ctx.db.transaction() as session:
                return chats.open_session(session, self.widget, prechat, self.ctx.clock())

        visitor = await run_in_threadpool(open_session)
        visitor, _id, _duplicate = await receive_from_visitor(self.ctx, visitor, 0, prechat.topic)
        return visitor

    async def _resume(self, frame: dict[str, Any]) -> chats.VisitorSession:
        token = _text(frame, "token", 200)
        after = frame.get("after", 0)
        if not isinstance(after, int) or after < 0:
            raise InvalidInput("after", "the last message id you saw, or 0")

        def resume() -> chats.VisitorSession:
            with self.ctx.db.transaction() as session:
                return chats.resume_session(session, self.widget, token)

        visitor = await run_in_threadpool(resume)
        if visitor.contact_id is None and not visitor.ended:
            # The first message was not stored (the server stopped in between): store it now.
            visitor, _id, _dup = await receive_from_visitor(self.ctx, visitor, 0, visitor.topic)
        self.last_id = after
        return visitor

    def _presence(self, *, online: bool) -> None:
        visitor = self.visitor
        if visitor is None or visitor.contact_id is None:
            return
        if not online and self.ctx.adapter.hub.visitor_online(visitor.uid):
            return  # another tab of the same session is still open
        self.ctx.adapter.hub.to_agents(
            visitor.widget.organization_id,
            visitor.contact_id,
            {"type": "presence", "online": online},
        )

    # -- the three tasks -------------------------------------------------------------------------

    async def _frame(self) -> dict[str, Any] | None:
        try:
            frame = await self.websocket.receive_json()
        except (ValueError, KeyError):  # not JSON text
            await self.websocket.send_json(
                {"type": "error", "field": "frame", "message": "send JSON objects"}
            )
            return None
        if not isinstance(frame, dict):
            await self.websocket.send_json(
                {"type": "error", "field": "frame", "message": "send JSON objects"}
            )
            return None
        return frame

    async def _read(self, outgoing: Outgoing) -> bool:
        """Handle the visitor's frames; True once the visitor ended the chat."""
        while True:
            try:
                frame = await self.websocket.receive_json()
            except (ValueError, KeyError):
                outgoing.put_nowait({"type": "error", "field": "frame", "message": "send JSON"})
                continue
            if not isinstance(frame, dict):
                outgoing.put_nowait({"type": "error", "field": "frame", "message": "send objects"})
                continue
            try:
                if await self._handle(frame, outgoing):
                    return True
            except HelplineError as error:
                outgoing.put_nowait(_error(error, frame))

    async def _handle(self, frame: dict[str, Any], outgoing: Outgoing) -> bool:
        """Act on one frame; True when the visitor ended the chat."""
        visitor = self.current
        kind = frame.get("type")
        if kind == "message":
            seq = _seq(frame)
            self.visitor, message_id, duplicate = await receive_from_visitor(
                self.ctx, visitor, seq, _text(frame, "body")
            )
            outgoing.put_nowait(
                {"type": "ack", "seq": seq, "id": message_id, "duplicate": duplicate}
            )
        elif kind == "typing":
            if visitor.contact_id is not None:
                self.ctx.adapter.hub.to_agents(
                    visitor.widget.organization_id,
                    visitor.contact_id,
                    {"type": "typing", "who": "visitor", "is_typing": bool(frame.get("is_typing"))},
                )
        elif kind == "transcript":
            await self._send_transcript()
            outgoing.put_nowait({"type": "transcript_sent", "to": visitor.visitor_email})
        elif kind == "end":
            await self._end()
            outgoing.put_nowait({"type": "status", "state": "ended"})
            outgoing.put_nowait({"type": CLOSE})
            return True
        elif kind == "ping":
            outgoing.put_nowait({"type": "pong"})
        else:
            raise InvalidInput("type", "message, typing, transcript, end or ping")
        return False

    async def _write(self, outgoing: Outgoing) -> None:
        while True:
            event = await outgoing.get()
            if event.get("type") == CLOSE:
                return
            if event.get("type") == "sync":
                await self._sync()
            else:
                await self.websocket.send_json(event)

    async def _sync(self) -> None:
        """Send the session's messages this socket has not sent yet (replay and live alike)."""
        visitor = self.current

        def load() -> tuple[chats.VisitorSession, list[dict[str, Any]]]:
            with self.ctx.db.transaction() as session:
                fresh = chats.reload(session, visitor)
                return fresh, chats.chat_messages(
                    session, visitor.widget.organization_id, fresh.contact_ids, self.last_id
                )

        self.visitor, messages = await run_in_threadpool(load)
        for message in messages:
            if message["id"] in self.sent:
                continue
            self.sent.add(message["id"])
            self.last_id = max(self.last_id, message["id"])
            await self.websocket.send_json(message)

    async def _watch_status(self, outgoing: Outgoing) -> None:
        last: dict[str, Any] | None = None
        organization_id = self.widget.organization_id
        while True:
            status = await run_in_threadpool(self._status)
            if status != last:
                outgoing.put_nowait(status)
                last = status
            await self.ctx.db.notifier.wait(organization_id, STATUS_REFRESH_SECONDS)
            # Replies delivered by another node's outbox reach this socket from the database.
            outgoing.put_nowait({"type": "sync"})
            await asyncio.sleep(STATUS_MIN_INTERVAL_SECONDS)

    def _status(self) -> dict[str, Any]:
        """Where the chat stands: waiting (position, expected wait), offered, connected or over."""
        db = self.ctx.db
        with db.transaction() as session:
            visitor = chats.reload(session, self.current)
            state, queue_id = chats.contact_state(session, visitor)
            agent = chats.agent_name(session, visitor)
        if visitor.ended:
            return {"type": "status", "state": "ended"}
        if state in chats.TALKING_STATES:
            return {"type": "status", "state": "connected", "agent_name": agent}
        if state is ContactState.OFFERED:
            return {"type": "status", "state": "offered"}
        if state in chats.WAITING_STATES and queue_id is not None:
            line = self.ctx.routing.queue_line(visitor.actor, queue_id)
            with db.transaction() as session:
                found = chats.waiting_position(session, visitor, queue_id, line, self.ctx.clock())
            status: dict[str, Any] = {"type": "status", "state": "waiting"}
            if found is not None:
                wait = found.expected_wait_seconds
                status |= {
                    "position": found.position,
                    "waiting": found.waiting,
                    "expected_wait_seconds": None if wait is None else round(wait),
                }
            return status
        return {"type": "status", "state": "closed"}

    # -- actions ---------------------------------------------------------------------------------

    async def _send_transcript(self) -> None:
        visitor = self.current

        def load() -> tuple[list[chats.TranscriptLine], Any]:
            with self.ctx.db.transaction() as session:
                fresh = chats.reload(session, visitor)
                return chats.transcript(session, fresh), organization_zone(session, fresh.actor)

        lines, zone = await run_in_threadpool(load)
        try:
            await self.ctx.adapter.send_transcript(visitor, lines, zone)
        except MailRefused as error:
            raise Conflict(f"the transcript could not be sent: {error}") from None

        def record() -> None:
            with self.ctx.db.transaction() as session:
                chats.record_transcript_sent(session, visitor, self.ctx.clock())

        await run_in_threadpool(record)

    async def _end(self) -> None:
        visitor = self.current

        def end() -> chats.VisitorSession:
            with self.ctx.db.transaction() as session:
                ended = chats.end_session(session, visitor, self.ctx.clock())
                state, _queue = chats.contact_state(session, ended)
            if state in (ContactState.QUEUED, ContactState.OFFERED) and ended.contact_id:
                with contextlib.suppress(Conflict):  # answered a moment ago: the agent sees it
                    acd.abandon(self.ctx.routing, ended.actor, ended.contact_id)
            return ended

        self.visitor = await run_in_threadpool(end)
        if self.visitor.contact_id is not None:
            self.ctx.adapter.hub.to_agents(
                visitor.widget.organization_id, self.visitor.contact_id, {"type": "visitor_left"}
            )


def _error(error: HelplineError, frame: dict[str, Any] | None = None) -> dict[str, Any]:
    event: dict[str, Any] = {"type": "error", "message": error.message}
    if isinstance(error, InvalidInput):
        event |= {"field": error.field, "message": error.reason}
    if frame is not None and isinstance(frame.get("seq"), int):
        event["seq"] = frame["seq"]
    return event
