"""The email channel: inbound through a built-in SMTP listener (aiosmtpd) and IMAP polling, outbound
replies through the SMTP relay (:class:`~helpline.channels.mailer.Mailer`) with threading headers.

See docs/channels-email.md for pointing an MTA or a mailbox at Helpline.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta
from typing import Any

from aiosmtpd.smtp import SMTP, Envelope, Session

from helpline.channels.base import ChannelAdapter, DeliveryReport, DeliveryStatus, OutboundMessage
from helpline.channels.email_compose import compose, compose_verification
from helpline.channels.email_imap import ImapPoller
from helpline.channels.email_intake import EmailIntake, IntakeResult
from helpline.channels.email_parse import AttachmentPolicy
from helpline.channels.email_threading import CaseReferences, ReferenceScheme
from helpline.channels.inbox import Inbox
from helpline.channels.mailer import Mailer, MailRefused
from helpline.config import Settings
from helpline.domain.enums import Channel
from helpline.services.actor import system_actor
from helpline.services.conversations.email import (
    AddressRoute,
    EmailThread,
    ImapMailbox,
    email_thread,
    find_address,
)
from helpline.services.conversations.email_verification import (
    VerificationNotice,
    due_notices,
    notice_sent,
)
from helpline.services.unit_of_work import Database

logger = logging.getLogger(__name__)
NOTICE_RETRY = timedelta(minutes=1)
"""Pause before a confirmation email the relay refused is tried again."""


class _SmtpHandler:
    """aiosmtpd handler: accepts recipients that are organizations' addresses, stores each message
    once per recipient organization."""

    def __init__(self, adapter: EmailAdapter) -> None:
        self.adapter = adapter

    async def handle_RCPT(  # noqa: N802 - aiosmtpd's hook name
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        try:
            route = await asyncio.to_thread(self.adapter.route_of, address)
        except Exception:  # a database outage: ask the sending MTA to retry, do not bounce
            logger.exception("looking up recipient %s failed", address)
            return "451 4.3.0 Temporary failure, please try again later"
        if route is None:
            return f"550 5.1.1 <{address}>: no such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(  # noqa: N802 - aiosmtpd's hook name
        self, server: SMTP, session: Session, envelope: Envelope
    ) -> str:
        content = envelope.original_content or envelope.content or b""
        raw = content if isinstance(content, bytes) else content.encode()
        sender = envelope.mail_from or ""
        try:
            results = await asyncio.to_thread(
                self.adapter.take_for_recipients, raw, envelope.rcpt_tos, sender
            )
        except Exception:  # a database outage: the sending MTA keeps the message and retries
            logger.exception("storing email from %s failed", sender)
            return "451 4.3.0 Temporary failure, please try again later"
        logger.info("email from %s: %s", sender, ", ".join(r.outcome for r in results))
        return "250 2.0.0 OK"


class EmailAdapter(ChannelAdapter):
    """Email in (SMTP listener, IMAP polling) and out (the relay), for every organization."""

    channel = Channel.EMAIL

    def __init__(
        self,
        settings: Settings,
        *,
        database: Database | None = None,
        mailer: Mailer | None = None,
        references: ReferenceScheme | None = None,
    ) -> None:
        self.settings = settings
        self.database = database
        self.mailer = mailer or Mailer.from_settings(settings)
        self.references: ReferenceScheme = references or CaseReferences()
        self.intake: EmailIntake | None = None
        self._server: asyncio.AbstractServer | None = None
        self._poller_task: asyncio.Task[None] | None = None
        self.poller: ImapPoller | None = None
        self._notice_retry_at: dict[int, datetime] = {}
        """Address id -> when its failed confirmation email may be tried again."""

    # --- inbound -------------------------------------------------------------------------------

    def _db(self) -> Database:
        if self.database is None:
            raise RuntimeError("the email adapter is not started")
        return self.database

    def bind(self, inbox: Inbox) -> EmailIntake:
        """Take inbound email through ``inbox`` (done by :meth:`start`; tests may call it alone)."""
        self.database = self.database or inbox.db
        self.intake = EmailIntake(
            inbox,
            own_addresses=frozenset({self.settings.mail_from.lower()}),
            attachments=AttachmentPolicy(
                max_bytes=self.settings.email_attachment_max_bytes,
                refused_types=self.settings.refused_attachment_types,
            ),
            references=self.references,
        )
        self.poller = ImapPoller(self._db(), self.take_from_mailbox)
        return self.intake

    def route_of(self, address: str) -> AddressRoute | None:
        """The organization's address ``address`` names, if any (blocking)."""
        with self._db().transaction() as session:
            return find_address(session, address)

    def take_for_recipients(
        self, raw: bytes, recipients: list[str], envelope_sender: str | None = None
    ) -> list[IntakeResult]:
        """Store ``raw`` once for each organization among ``recipients`` (blocking)."""
        if self.intake is None:
            raise RuntimeError("the email adapter is not started")
        results = []
        seen: set[int] = set()
        for recipient in recipients:
            route = self.route_of(recipient)
            if route is None or route.organization_id in seen:
                continue
            seen.add(route.organization_id)
            results.append(self.intake.take(raw, route, envelope_sender))
        return results

    def take_from_mailbox(self, raw: bytes, mailbox: ImapMailbox) -> IntakeResult:
        """Store a message read from an organization's IMAP mailbox (blocking)."""
        if self.intake is None:
            raise RuntimeError("the email adapter is not started")
        return self.intake.take(raw, mailbox.route)

    async def start(self, inbox: Inbox) -> None:
        """Listen for SMTP when ``smtp_listen_port`` is set; poll IMAP mailboxes when enabled."""
        self.bind(inbox)
        settings = self.settings
        if settings.smtp_listen_port:
            handler = _SmtpHandler(self)
            self._server = await asyncio.get_running_loop().create_server(
                lambda: SMTP(
                    handler,
                    data_size_limit=settings.email_max_message_bytes,
                    hostname=settings.smtp_listen_hostname or None,
                    ident="Helpline ESMTP",
                ),
                settings.smtp_listen_host,
                settings.smtp_listen_port,
            )
            logger.info(
                "email: SMTP listener on %s:%s",
                settings.smtp_listen_host,
                settings.smtp_listen_port,
            )
        if settings.email_imap_polling and self.poller is not None:
            self._poller_task = asyncio.create_task(self.poller.run())

    async def stop(self) -> None:
        """Close the listener and stop polling."""
        if self._poller_task is not None:
            self._poller_task.cancel()
            self._poller_task = None
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None

    # --- outbound ------------------------------------------------------------------------------

    def verification_link(self, token: str) -> str:
        """The confirmation page of ``token``, at the server's public address."""
        base = self.settings.public_url or f"http://{self.settings.host}:{self.settings.port}"
        return f"{base.rstrip('/')}/email-verification?token={token}"

    def _due_notices(self) -> list[VerificationNotice]:
        with self._db().transaction() as session:
            return due_notices(session)

    def _notice_sent(self, notice: VerificationNotice) -> None:
        db = self._db()
        with db.transaction() as session:
            notice_sent(session, notice, db.clock())

    async def deliver_notices(self) -> int:
        """Email the due confirmation links of claimed addresses through the relay; one that fails
        is tried again after ``NOTICE_RETRY``. Returns how many are due (sent or not)."""
        if self.database is None:
            return 0
        notices = await asyncio.to_thread(self._due_notices)
        for notice in notices:
            retry_at = self._notice_retry_at.get(notice.address_id)
            if retry_at is not None and retry_at > self.database.clock():
                continue  # failed recently: the relay gets a pause, the log no flood
            email = compose_verification(
                notice, self.verification_link(notice.token), self.settings.mail_from
            )
            try:
                await self.mailer.send(email)
            except Exception:  # the relay is down or refused: retried after a pause
                logger.warning("confirmation email for address %s not sent", notice.address_id)
                self._notice_retry_at[notice.address_id] = self.database.clock() + NOTICE_RETRY
                continue
            self._notice_retry_at.pop(notice.address_id, None)
            await asyncio.to_thread(self._notice_sent, notice)
        return len(notices)

    def _thread(self, message: OutboundMessage) -> tuple[EmailThread, str]:
        with self._db().transaction() as session:
            thread = email_thread(session, message.organization_id, message.contact_id)
            reference = self.references.reference_of(
                session, system_actor(message.organization_id), message.contact_id
            )
        return thread, reference

    async def send(self, message: OutboundMessage) -> DeliveryReport:
        """Email ``message`` to the customer as a reply in their thread, through the relay."""
        if not message.recipient:
            return DeliveryReport(DeliveryStatus.FAILED, error="no recipient address")
        thread, reference = await asyncio.to_thread(self._thread, message)
        sender = thread.from_address or self.settings.mail_from
        email = compose(
            message, thread, reference=reference, sender=sender, sender_name=thread.from_name
        )
        try:
            await self.mailer.send(email)
        except MailRefused as refused:
            return DeliveryReport(DeliveryStatus.FAILED, error=str(refused), retry=refused.retry)
        message_id = str(email["Message-ID"])
        headers: dict[str, Any] = {
            "message_id": message_id,
            "from": sender,
            "subject": str(email["Subject"]),
            "in_reply_to": thread.in_reply_to,
            "references": list(thread.references),
        }
        return DeliveryReport(DeliveryStatus.SENT, provider_id=message_id, headers=headers)
