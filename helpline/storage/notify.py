"""Wake event-stream readers when a transaction that appended events commits.

Readers in this process are woken at once; readers on other nodes notice by polling (see
``Settings.event_poll_seconds``), so no extra broker is needed for correctness.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable

from sqlalchemy import event
from sqlalchemy.orm import Session, sessionmaker

from helpline.storage.events import APPENDED_ORGANIZATIONS


class EventNotifier:
    """Async waiters per organization, woken from any thread when that organization gets events."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._waiters: dict[int, set[tuple[asyncio.AbstractEventLoop, asyncio.Event]]] = {}
        self._subscribers: list[Callable[[int, frozenset[str]], None]] = []

    def subscribe(self, callback: Callable[[int, frozenset[str]], None]) -> None:
        """Call ``callback(organization_id, event_types)`` after each commit that appended events."""
        self._subscribers.append(callback)

    def notify(self, organization_id: int) -> None:
        """Wake every waiter of ``organization_id`` (thread-safe)."""
        with self._lock:
            waiters = list(self._waiters.get(organization_id, ()))
        for loop, flag in waiters:
            if not loop.is_closed():
                loop.call_soon_threadsafe(flag.set)

    async def wait(self, organization_id: int, timeout: float) -> None:
        """Return when ``organization_id`` gets events, or after ``timeout`` seconds."""
        entry = (asyncio.get_running_loop(), asyncio.Event())
        with self._lock:
            self._waiters.setdefault(organization_id, set()).add(entry)
        try:
            await asyncio.wait_for(entry[1].wait(), timeout)
        except TimeoutError:
            pass
        finally:
            with self._lock:
                self._waiters.get(organization_id, set()).discard(entry)

    def watch(self, factory: sessionmaker[Session]) -> None:
        """Notify after every commit of a session from ``factory`` that appended events."""

        @event.listens_for(factory, "after_commit")
        def _after_commit(session: Session) -> None:
            appended: dict[int, set[str]] = session.info.pop(APPENDED_ORGANIZATIONS, {})
            for organization_id, types in appended.items():
                for callback in self._subscribers:
                    callback(organization_id, frozenset(types))
                self.notify(organization_id)

        @event.listens_for(factory, "after_rollback")
        def _after_rollback(session: Session) -> None:
            session.info.pop(APPENDED_ORGANIZATIONS, None)

    def __repr__(self) -> str:
        return f"EventNotifier(organizations={len(self._waiters)})"
