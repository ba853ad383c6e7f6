"""The way out: deliver queued outbound messages through their channel's adapter, with retries."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import timedelta

from helpline.channels.base import ChannelRegistry
from helpline.domain.messages import DeliveryReport, DeliveryStatus, OutboundMessage
from helpline.services.conversations.messaging import claim_due, record_delivery
from helpline.services.unit_of_work import Database

logger = logging.getLogger(__name__)

LEASE = timedelta(minutes=2)
"""How long a claimed message is reserved for the worker that claimed it."""
BATCH = 50
NOTICE_EVENTS = frozenset(
    {"EmailAddressCreated", "EmailAddressUpdated", "EmailAddressVerificationRequested"}
)
"""Events after which an adapter may have a notice to send (a confirmation link to email)."""
WAKING_EVENTS = NOTICE_EVENTS | {"MessageSent"}


class Outbox:
    """Delivers due messages; a failed send is retried with backoff, then reported failed."""

    def __init__(self, db: Database, registry: ChannelRegistry) -> None:
        self.db = db
        self.registry = registry
        self.clock = db.clock
        self._wake = asyncio.Event()
        self._notices_due = True
        self._loop: asyncio.AbstractEventLoop | None = None

    def wake(self) -> None:
        """Look for due messages now; safe to call from any thread (e.g. after a reply commits)."""
        if self._loop is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._wake.set)

    def on_events(self, _organization_id: int, event_types: frozenset[str]) -> None:
        """An ``EventNotifier`` subscriber: wake when a transaction queued a message."""
        if event_types & NOTICE_EVENTS:
            self._notices_due = True
        if event_types & WAKING_EVENTS:
            self.wake()

    def _claim(self) -> list[OutboundMessage]:
        channels = [adapter.channel for adapter in self.registry]
        with self.db.transaction() as session:
            return claim_due(session, channels, self.clock(), lease=LEASE, limit=BATCH)

    def _record(self, message: OutboundMessage, report: DeliveryReport) -> None:
        with self.db.transaction() as session:
            record_delivery(
                session, message.organization_id, message.message_id, report, self.clock()
            )

    async def _send(self, message: OutboundMessage) -> DeliveryReport:
        adapter = self.registry.get(message.channel)
        if adapter is None:  # unregistered since the claim; try again later
            return DeliveryReport(DeliveryStatus.FAILED, error="no adapter", retry=True)
        try:
            return await adapter.send(message)
        except Exception as error:  # an adapter bug or outage must not stop the outbox
            logger.exception("sending message %s failed", message.message_id)
            return DeliveryReport(DeliveryStatus.FAILED, error=str(error)[:500], retry=True)

    async def deliver_due(self) -> int:
        """Send every message due now, then the adapters' due notices; returns how many were
        attempted (a notice that fails is tried again next round)."""
        attempted = 0
        while True:
            # asyncio.to_thread, not anyio's pool: the outbox runs as a plain asyncio task, and
            # anyio shields its thread calls from a plain task's cancellation, which can leave the
            # task waiting forever at shutdown.
            batch = await asyncio.to_thread(self._claim)
            if not batch:
                break
            for message in batch:
                report = await self._send(message)
                await asyncio.to_thread(self._record, message, report)
            attempted += len(batch)
        if self._notices_due:  # only after events that queue notices (and once at start)
            notices = 0
            for adapter in self.registry:
                notices += await adapter.deliver_notices()
            self._notices_due = notices > 0  # look again until a round finds none due
            attempted += notices
        return attempted

    async def run(self, poll_seconds: float) -> None:
        """Deliver due messages until cancelled, waking on :meth:`wake` or every ``poll_seconds``."""
        self._loop = asyncio.get_running_loop()
        task = asyncio.current_task()
        while True:
            try:
                await self.deliver_due()
            except Exception:  # the database may be briefly unavailable; try again next round
                logger.exception("outbox round failed")
            if task is not None and task.cancelling():
                # A transport (e.g. an SMTP client) turned our cancellation into its own error.
                raise asyncio.CancelledError
            # asyncio.timeout, not wait_for: on Python 3.11 wait_for swallows a cancellation that
            # arrives as the wake-up completes, and the outbox would then never stop.
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(poll_seconds):
                    await self._wake.wait()
            self._wake.clear()
