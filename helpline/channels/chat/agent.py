"""The agent side of a chat over one WebSocket: the visitor's messages, typing and presence, live.

Messages come from the database (after a ``sync`` nudge from this process, or an event notification
from any node), so an agent on another node than the visitor still sees every message.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from fastapi.concurrency import run_in_threadpool
from starlette.websockets import WebSocket, WebSocketDisconnect

from helpline.channels.chat.hub import Outgoing, serve_socket
from helpline.channels.chat.visitor import STATUS_MIN_INTERVAL_SECONDS, ChatContext
from helpline.services.conversations import chat as chats


class AgentSocket:
    """One agent WebSocket following one chat contact."""

    def __init__(
        self, ctx: ChatContext, websocket: WebSocket, visitor: chats.VisitorSession, after: int
    ) -> None:
        self.ctx = ctx
        self.websocket = websocket
        self.visitor = visitor
        self.last_id = after
        self.sent: set[int] = set()

    async def run(self) -> None:
        """Send the session, replay messages after ``after``, then follow until the agent leaves."""
        visitor = self.visitor
        organization_id = visitor.widget.organization_id
        contact_id = visitor.contact_id or 0
        await self.websocket.accept()
        hub = self.ctx.adapter.hub
        with hub.agent(organization_id, contact_id) as outgoing:
            outgoing.put_nowait(
                {
                    "type": "session",
                    "contact_id": contact_id,
                    "visitor_name": visitor.visitor_name,
                    "visitor_email": visitor.visitor_email,
                    "topic": visitor.topic,
                    "online": hub.visitor_online(visitor.uid),
                    "ended": visitor.ended,
                }
            )
            outgoing.put_nowait({"type": "sync"})
            await serve_socket(
                self._read, lambda: self._write(outgoing), lambda: self._follow(outgoing)
            )
        with contextlib.suppress(RuntimeError, WebSocketDisconnect):  # already closed or gone
            await self.websocket.close()

    async def _read(self) -> bool:
        while True:
            try:
                frame = await self.websocket.receive_json()
            except (ValueError, KeyError):
                continue
            if isinstance(frame, dict) and frame.get("type") == "typing":
                send_agent_typing(self.ctx, self.visitor, bool(frame.get("is_typing")))

    async def _write(self, outgoing: Outgoing) -> None:
        while True:
            event = await outgoing.get()
            if event.get("type") == "sync":
                await self._sync()
            else:
                await self.websocket.send_json(event)

    async def _follow(self, outgoing: Outgoing) -> None:
        organization_id = self.visitor.widget.organization_id
        poll = self.ctx.settings.event_poll_seconds
        while True:
            await self.ctx.db.notifier.wait(organization_id, poll)
            outgoing.put_nowait({"type": "sync"})
            await asyncio.sleep(STATUS_MIN_INTERVAL_SECONDS)

    async def _sync(self) -> None:
        visitor = self.visitor

        def load() -> list[dict[str, Any]]:
            with self.ctx.db.transaction() as session:
                return chats.chat_messages(
                    session, visitor.widget.organization_id, visitor.contact_ids, self.last_id
                )

        for message in await run_in_threadpool(load):
            if message["id"] in self.sent:
                continue
            self.sent.add(message["id"])
            self.last_id = max(self.last_id, message["id"])
            await self.websocket.send_json(message)


def send_agent_typing(ctx: ChatContext, visitor: chats.VisitorSession, is_typing: bool) -> int:
    """Show or hide the agent's typing indicator on the visitor's sockets; returns how many."""
    return ctx.adapter.hub.to_visitor(
        visitor.uid, {"type": "typing", "who": "agent", "is_typing": is_typing}
    )
