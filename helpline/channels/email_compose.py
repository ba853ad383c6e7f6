"""Writing Helpline's emails: agent replies and acknowledgements, threaded so that mail clients show
them in the customer's conversation and the customer's answer comes back to the same contact."""

from __future__ import annotations

import contextlib
import email.policy
from email.message import EmailMessage
from email.utils import formataddr, formatdate
from uuid import uuid4

import idna

from helpline.channels.email_threading import reply_subject, subject_token
from helpline.domain.messages import OutboundMessage
from helpline.services.conversations.email import EmailThread
from helpline.services.conversations.email_verification import VerificationNotice

ACKNOWLEDGEMENT = "acknowledgement"
"""``headers["email_kind"]`` of an automatic acknowledgement (sent with Auto-Submitted)."""


def message_id_for(message: OutboundMessage, domain: str) -> str:
    """The Message-ID of a stored outbound message: the same on every delivery attempt, so that an
    attempt that timed out but arrived still threads the customer's answer."""
    return f"<hl-{message.organization_id}-{message.message_id}@{domain}>"


INTERNATIONAL = email.policy.default.clone(utf8=True)
"""The policy of the emails Helpline writes: an address may hold non-ASCII characters (RFC 6532);
``aiosmtplib`` then sends with SMTPUTF8, or the relay's refusal says it cannot (see Mailer.send)."""


def mailbox(address: str) -> str:
    """``address`` as an SMTP mailbox: its domain in IDNA ASCII form (``bücher.de`` ->
    ``xn--bcher-kva.de``), so only a non-ASCII local part needs an SMTPUTF8 relay."""
    local, at, domain = address.strip().rpartition("@")
    if not at or domain.startswith("["):
        return address.strip()
    # Not a domain IDNA can write: sent as given, the relay answers for it.
    with contextlib.suppress(idna.IDNAError):
        domain = idna.encode(domain.rstrip("."), uts46=True).decode("ascii")
    return f"{local}@{domain}"


def domain_of(address: str) -> str:
    """The domain part of an address (``localhost`` when it has none)."""
    return address.rpartition("@")[2] or "localhost"


def acknowledgement_text(reference: str, customer_name: str = "") -> str:
    """The body of the automatic answer to a new contact's first email."""
    greeting = f"Hello {customer_name}," if customer_name else "Hello,"
    return (
        f"{greeting}\n\n"
        "Thank you for writing to us. We have received your message and will answer as soon as we"
        f" can.\n\nYour reference is {subject_token(reference)}. Please keep it in the subject when"
        " you write"
        " again about this matter.\n"
    )


def compose(
    message: OutboundMessage,
    thread: EmailThread,
    *,
    reference: str,
    sender: str,
    sender_name: str = "",
) -> EmailMessage:
    """The email for ``message``: From ``sender``, In-Reply-To the customer's latest email, the
    References chain, and ``Re: <subject> [#reference]``."""
    email = EmailMessage(policy=INTERNATIONAL)
    email["From"] = formataddr((sender_name, mailbox(sender))) if sender_name else mailbox(sender)
    email["To"] = mailbox(message.recipient)
    email["Subject"] = reply_subject(message.subject, reference)
    email["Date"] = formatdate(localtime=False, usegmt=True)
    email["Message-ID"] = message_id_for(message, domain_of(sender))
    if thread.in_reply_to:
        email["In-Reply-To"] = thread.in_reply_to
    if thread.references:
        email["References"] = " ".join(thread.references)
    if message.headers.get("email_kind") == ACKNOWLEDGEMENT:
        email["Auto-Submitted"] = "auto-replied"  # RFC 3834: autoresponders must not answer it
        email["X-Auto-Response-Suppress"] = "All"
    email.set_content(message.body)
    for attachment in message.attachments:
        maintype, _, subtype = attachment.content_type.partition("/")
        email.add_attachment(
            attachment.data,
            maintype=maintype or "application",
            subtype=subtype or "octet-stream",
            filename=attachment.filename,
        )
    return email


def compose_verification(notice: VerificationNotice, link: str, sender: str) -> EmailMessage:
    """The email asking whoever reads ``notice.address`` to confirm (or ignore) an organization's
    claim on it, with the one-time ``link``; marked automatic so that autoresponders stay quiet."""
    email = EmailMessage()
    email["From"] = sender
    email["To"] = mailbox(notice.address)
    email["Subject"] = (
        f"Confirm that {notice.organization_name} may receive mail for {notice.address}"
    )
    email["Date"] = formatdate(localtime=False, usegmt=True)
    email["Message-ID"] = f"<hl-verify-{notice.address_id}-{uuid4().hex}@{domain_of(sender)}>"
    email["Auto-Submitted"] = "auto-generated"
    email["X-Auto-Response-Suppress"] = "All"
    email.set_content(
        f"Hello,\n\nthe Helpline organization {notice.organization_name} asks to receive the mail"
        f" sent to {notice.address}.\n\nIf you manage this address and expect this, confirm here:"
        f"\n\n{link}\n\nIf not, ignore this message: nothing changes until someone confirms.\n"
    )
    return email
