"""The live chat sockets of this process: visitors by session, agents watching a contact.

Every socket has an outgoing queue that its handler drains; publishing only puts events on queues,
so a slow socket never blocks the publisher. All methods run on the application's event loop.

Scale-out note: the hub is in-process. Messages are stored first and found again by the sockets
(``{"type": "sync"}`` nudges, database notifications and replay on reconnect), so only typing
indicators and presence are lost when a visitor and an agent sit on different nodes.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import anyio
from starlette.websockets import WebSocketDisconnect

Outgoing = asyncio.Queue[dict[str, Any]]
K = TypeVar("K")

QUEUE_LIMIT = 1000
"""Events kept for a socket that does not read; past it, events are dropped (replay recovers
messages; a typing indicator may be lost)."""


class ChatHub:
    """Routes events to the live sockets of chat sessions and of contacts' agents."""

    def __init__(self) -> None:
        self._visitors: dict[str, set[Outgoing]] = {}
        self._agents: dict[tuple[int, int], set[Outgoing]] = {}

    @contextmanager
    def visitor(self, uid: str) -> Iterator[Outgoing]:
        """Register a visitor socket of session ``uid`` for the duration of the block."""
        with _member(self._visitors, uid) as queue:
            yield queue

    @contextmanager
    def agent(self, organization_id: int, contact_id: int) -> Iterator[Outgoing]:
        """Register an agent socket following ``contact_id`` for the duration of the block."""
        with _member(self._agents, (organization_id, contact_id)) as queue:
            yield queue

    def to_visitor(self, uid: str, event: dict[str, Any], *, skip: Outgoing | None = None) -> int:
        """Queue ``event`` for every socket of session ``uid`` (but ``skip``); returns how many."""
        return _publish(self._visitors.get(uid, set()), event, skip)

    def to_agents(self, organization_id: int, contact_id: int, event: dict[str, Any]) -> int:
        """Queue ``event`` for every agent socket following the contact; returns how many."""
        return _publish(self._agents.get((organization_id, contact_id), set()), event, None)

    def visitor_online(self, uid: str) -> bool:
        """Whether session ``uid`` has a live socket in this process."""
        return bool(self._visitors.get(uid))


@contextmanager
def _member(members: dict[K, set[Outgoing]], key: K) -> Iterator[Outgoing]:
    queue: Outgoing = asyncio.Queue(QUEUE_LIMIT)
    members.setdefault(key, set()).add(queue)
    try:
        yield queue
    finally:
        group = members.get(key)
        if group is not None:
            group.discard(queue)
            if not group:
                del members[key]


def _publish(queues: set[Outgoing], event: dict[str, Any], skip: Outgoing | None) -> int:
    sent = 0
    for queue in list(queues):
        if queue is skip or queue.full():
            continue
        queue.put_nowait(event)
        sent += 1
    return sent


CLOSE_GRACE_SECONDS = 5.0
"""How long a socket may take to send its last frames after its reader asked to stop."""


async def serve_socket(
    read: Callable[[], Coroutine[Any, Any, bool]],
    write: Callable[[], Coroutine[Any, Any, None]],
    watch: Callable[[], Coroutine[Any, Any, None]],
) -> None:
    """Run a socket's reader, writer and watcher until the peer leaves or the writer stops.

    ``read`` returns True to end the conversation (the writer then gets a grace period to send what
    is queued before everything stops); a disconnect on either side stops all three at once.
    """
    async with anyio.create_task_group() as group:
        written = anyio.Event()

        async def writer() -> None:
            try:
                await write()
            except (WebSocketDisconnect, RuntimeError):  # the peer left, or the socket closed
                pass
            finally:
                written.set()
                group.cancel_scope.cancel()

        async def reader() -> None:
            try:
                stop = await read()
            except WebSocketDisconnect:
                stop = False
            else:
                if stop:
                    with anyio.move_on_after(CLOSE_GRACE_SECONDS):
                        await written.wait()
            group.cancel_scope.cancel()

        group.start_soon(reader)
        group.start_soon(writer)
        group.start_soon(watch)
