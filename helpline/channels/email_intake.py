"""Taking in one inbound email for one of an organization's addresses, however it arrived (SMTP
listener or IMAP poller): drop machine mail, thread it, store it through the inbox, acknowledge a new
contact.

What is stored: the message body is the customer's new text with quoted history stripped (what agents
read); ``headers["full_text"]`` keeps the whole text as it arrived. ``headers`` also keep the threading
headers (``message_id``, ``in_reply_to``, ``references``), ``from``, ``to``, ``date``,
``delivered_to`` (the organization's address it came to) and ``rejected_attachments``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from enum import StrEnum

from helpline.channels.email_compose import ACKNOWLEDGEMENT, acknowledgement_text
from helpline.channels.email_parse import AttachmentPolicy, ParsedEmail, parse_email
from helpline.channels.email_threading import ContactReferences, ReferenceScheme, thread_of
from helpline.channels.inbox import Inbox
from helpline.domain.enums import Channel, IdentityKind
from helpline.domain.identity import InvalidIdentity, normalize_identity
from helpline.domain.messages import InboundMessage
from helpline.services.actor import Actor, system_actor
from helpline.services.conversations.email import AddressRoute, is_helpline_address
from helpline.services.conversations.messaging import send_message

logger = logging.getLogger(__name__)


class Outcome(StrEnum):
    """What became of an inbound email."""

    NEW_CONTACT = "new_contact"  # opened a contact (and acknowledged it when the address says so)
    THREADED = "threaded"  # added to the contact it answers
    DUPLICATE = "duplicate"  # its Message-ID was stored before; nothing new
    DROPPED = "dropped"  # machine mail or a loop: logged, nothing stored


@dataclass(frozen=True)
class IntakeResult:
    """The outcome for one address, with the contact it touched (None when dropped)."""

    outcome: Outcome
    contact_id: int | None = None
    reason: str = ""


@dataclass
class EmailIntake:
    """Stores inbound email of any organization through ``inbox``."""

    inbox: Inbox
    own_addresses: frozenset[str] = frozenset()
    """Helpline's own sender addresses besides the organizations' ones (e.g. HELPLINE_MAIL_FROM)."""
    attachments: AttachmentPolicy = field(default_factory=AttachmentPolicy)
    references: ReferenceScheme = field(default_factory=ContactReferences)

    def take(
        self, raw: bytes, route: AddressRoute, envelope_sender: str | None = None
    ) -> IntakeResult:
        """Store ``raw`` (an RFC 5322 message) for ``route``'s organization; blocking (database)."""
        try:
            email = parse_email(raw, self.attachments, envelope_sender)
        except Exception:  # malformed beyond what the parser tolerates: it would never succeed
            logger.exception("dropped unreadable email to %s", route.address)
            return IntakeResult(Outcome.DROPPED, reason="unreadable message")
        reason = email.automated_reason or self._loop_reason(email)
        if reason:
            logger.info("dropped email %s to %s: %s", email.message_id, route.address, reason)
            return IntakeResult(Outcome.DROPPED, reason=reason)
        actor = system_actor(route.organization_id)
        with self.inbox.db.transaction() as session:
            contact_id = thread_of(session, actor, email, self.references)
        received = self.inbox.receive_sync(
            actor,
            self._inbound(email, route),
            queue_id=route.queue_id,
            contact_id=contact_id,
        )
        if received.duplicate:
            return IntakeResult(Outcome.DUPLICATE, received.contact_id)
        if not received.contact_created:
            return IntakeResult(Outcome.THREADED, received.contact_id)
        if route.acknowledges_new_contacts:
            self._acknowledge(actor, received.contact_id, email)
        return IntakeResult(Outcome.NEW_CONTACT, received.contact_id)

    def _loop_reason(self, email: ParsedEmail) -> str:
        if not email.from_address:
            return "no sender address"
        if email.from_address in self.own_addresses:
            return f"sent from Helpline's own address {email.from_address}"
        with self.inbox.db.transaction() as session:
            if is_helpline_address(session, email.from_address):
                return f"sent from Helpline's own address {email.from_address}"
        return ""

    @staticmethod
    def _inbound(email: ParsedEmail, route: AddressRoute) -> InboundMessage:
        identities = {}
        try:
            identities[IdentityKind.EMAIL] = normalize_identity(
                IdentityKind.EMAIL, email.from_address, "US"
            )
        except InvalidIdentity:
            logger.info("email %s: sender %r is no identity", email.message_id, email.from_address)
        return InboundMessage(
            channel=Channel.EMAIL,
            external_id=email.message_id,
            body=email.reply_text,
            sender=email.from_address,
            customer_name=email.from_name,
            identities=identities,
            subject=email.subject,
            headers={
                "message_id": email.message_id,
                "in_reply_to": list(email.in_reply_to),
                "references": list(email.references),
                "from": email.from_address,
                "to": list(email.to),
                "date": email.date,
                "delivered_to": route.address,
                "full_text": email.text,
                "rejected_attachments": [
                    {"filename": r.filename, "content_type": r.content_type, "reason": r.reason}
                    for r in email.rejected_attachments
                ],
            },
            attachments=email.attachments,
        )

    def _acknowledge(self, actor: Actor, contact_id: int, email: ParsedEmail) -> None:
        with self.inbox.db.transaction() as session:
            reference = self.references.reference_of(session, actor, contact_id)
            send_message(
                session,
                actor,
                contact_id,
                acknowledgement_text(reference, email.from_name),
                subject=email.subject,
                headers={"email_kind": ACKNOWLEDGEMENT},
                now=self.inbox.clock(),
            )
