"""Understanding an inbound email (stdlib ``email``, ``policy.default``): who wrote, what they wrote
(plain text, or HTML turned into text), what they attached, what it answers, and whether a machine
wrote it (auto-replies, bounces, mailing lists), which must never open a contact.
"""

from __future__ import annotations

import hashlib
import mimetypes
import re
from collections.abc import Iterable
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import getaddresses, parseaddr
from html.parser import HTMLParser
from pathlib import PurePosixPath, PureWindowsPath

from mailparser_reply import EmailReplyParser

from helpline.domain.file_types import is_refused, sniff_media_type
from helpline.domain.messages import Attachment

_MESSAGE_ID = re.compile(r"<[^<>\s]+>")
_BLANK_LINES = re.compile(r"\n[ \t]*\n(?:[ \t]*\n)+")
_SPACES = re.compile(r"[ \t\r\f\v]+")
REPLY_LANGUAGES = ["en", "de", "fr", "es", "it", "nl", "sv", "da", "pl", "cs"]
"""Languages whose "On ... wrote:" lines are recognised when stripping quoted history."""
AUTOMATED_SENDERS = frozenset({"mailer-daemon", "postmaster"})
BULK_PRECEDENCE = frozenset({"bulk", "junk", "list", "auto_reply"})


@dataclass(frozen=True)
class AttachmentPolicy:
    """Which attachments are kept: by size and by content type (a prefix ends with ``/``)."""

    max_bytes: int = 10 * 1024 * 1024
    max_count: int = 20
    allowed_types: tuple[str, ...] = (
        "image/",
        "audio/",
        "video/",
        "text/plain",
        "text/csv",
        "text/calendar",
        "application/pdf",
        "application/msword",
        "application/vnd.ms-excel",
        "application/vnd.openxmlformats-officedocument.",
        "application/vnd.oasis.opendocument.",
        "message/rfc822",
    )
    refused_types: tuple[str, ...] = ()
    """Never kept, whatever ``allowed_types`` says (e.g. ``text/html``, ``image/svg+xml``)."""

    def allows(self, content_type: str) -> bool:
        """Whether files of ``content_type`` may be kept."""
        if is_refused(content_type, self.refused_types):
            return False
        return any(
            content_type.startswith(allowed)
            if allowed.endswith((".", "/"))
            else content_type == allowed
            for allowed in self.allowed_types
        )


@dataclass(frozen=True)
class RejectedAttachment:
    """An attachment that was not kept, and why."""

    filename: str
    content_type: str
    size: int
    reason: str


@dataclass(frozen=True)
class ParsedEmail:
    """An inbound email, as far as Helpline cares."""

    message_id: str
    """``<id@host>``; made from a hash of the raw message when it has none (so a resend matches)."""
    from_address: str
    """The sender's address, lower-case ("" when the message names none)."""
    from_name: str
    to: tuple[str, ...]
    subject: str
    text: str
    """The whole text of the message (the HTML part turned into text when there is no plain one)."""
    reply_text: str
    """``text`` without the quoted history of earlier messages."""
    in_reply_to: tuple[str, ...]
    references: tuple[str, ...]
    """Oldest first, as in the header."""
    date: str
    attachments: tuple[Attachment, ...]
    rejected_attachments: tuple[RejectedAttachment, ...]
    automated_reason: str
    """Why this looks written by a machine (auto-reply, bounce, list mail), "" when it does not."""


def message_ids(value: str | None) -> tuple[str, ...]:
    """The ``<...>`` Message-IDs in a header value, in order (comments and junk skipped)."""
    return tuple(_MESSAGE_ID.findall(value or ""))


class _TextExtractor(HTMLParser):
    """Collects the visible text of an HTML body, with line breaks where blocks end."""

    BLOCKS = frozenset(
        [
            "p",
            "div",
            "br",
            "tr",
            "li",
            "ul",
            "ol",
            "table",
            "h1",
            "h2",
            "h3",
            "h4",
            "h5",
            "h6",
            "blockquote",
            "pre",
            "hr",
            "section",
            "article",
            "header",
            "footer",
            "title",
        ]
    )
    HIDDEN = frozenset({"script", "style", "head", "template"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.HIDDEN:
            self.hidden_depth += 1
        elif tag in self.BLOCKS:
            self.parts.append("\n")
        if tag == "li":
            self.parts.append("- ")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.HIDDEN:
            self.hidden_depth = max(0, self.hidden_depth - 1)
        elif tag in self.BLOCKS and tag != "li":  # the next item starts its own line
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.hidden_depth:
            self.parts.append(_SPACES.sub(" ", data.replace("\n", " ")))


def html_to_text(html: str) -> str:
    """The readable text of an HTML email body: tags dropped, blocks on their own lines."""
    extractor = _TextExtractor()
    extractor.feed(html)
    extractor.close()
    lines = (line.strip() for line in "".join(extractor.parts).split("\n"))
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


def strip_quoted(text: str) -> str:
    """``text`` without the quoted earlier messages and the "On ... wrote:" line (the whole text when
    nothing would be left)."""
    stripped = EmailReplyParser(languages=REPLY_LANGUAGES).parse_reply(text=text)
    reply = str(stripped or "").strip()
    return reply or text.strip()


def _decoded_text(part: EmailMessage) -> str:
    try:
        return str(part.get_content())
    except (LookupError, UnicodeDecodeError):  # unknown or lying charset: keep what decodes
        payload = part.get_payload(decode=True)
        return payload.decode("utf-8", "replace") if isinstance(payload, bytes) else ""


def _body_text(message: EmailMessage) -> str:
    body = message.get_body(preferencelist=("plain", "html"))
    if body is None:
        return ""
    text = _decoded_text(body)  # type: ignore[arg-type]
    if body.get_content_subtype() == "html":
        return html_to_text(text)
    return text.replace("\r\n", "\n").strip()


def _safe_filename(name: str | None, content_type: str) -> str:
    base = PureWindowsPath(PurePosixPath(name or "").name).name.strip()
    if not base:
        base = "attachment" + (mimetypes.guess_extension(content_type) or ".bin")
    return base[-255:]


def _attachment_bytes(part: EmailMessage) -> bytes:
    if part.get_content_maintype() == "message":
        return bytes(part.get_payload(0).as_bytes())  # type: ignore[union-attr]
    payload = part.get_payload(decode=True)
    return payload if isinstance(payload, bytes) else b""


def _attachments(
    message: EmailMessage, limits: AttachmentPolicy
) -> tuple[tuple[Attachment, ...], tuple[RejectedAttachment, ...]]:
    kept: list[Attachment] = []
    rejected: list[RejectedAttachment] = []
    for part in message.iter_attachments():
        content_type = part.get_content_type()
        filename = _safe_filename(part.get_filename(), content_type)
        data = _attachment_bytes(part)
        if content_type != "message/rfc822":  # the sender's type is a claim; the bytes decide
            content_type = sniff_media_type(data, filename, content_type)
        reason = ""
        if not limits.allows(content_type):
            reason = f"type {content_type} is not accepted"
        elif len(data) > limits.max_bytes:
            reason = f"larger than {limits.max_bytes} bytes"
        elif len(kept) >= limits.max_count:
            reason = f"more than {limits.max_count} attachments"
        if reason:
            rejected.append(RejectedAttachment(filename, content_type, len(data), reason))
        else:
            kept.append(Attachment(filename, content_type, data))
    return tuple(kept), tuple(rejected)


def automated_reason(message: EmailMessage, envelope_sender: str | None = None) -> str:
    """Why ``message`` was written by a machine and must not open a contact ("" when a person wrote).

    Auto-Submitted other than "no" (RFC 3834), bulk/junk/list precedence, mailing-list headers,
    Microsoft's X-Auto-Response-Suppress, delivery reports, and mail from mailer-daemon/postmaster
    or with an empty envelope sender (bounces).
    """
    auto_submitted = str(message.get("Auto-Submitted", "")).strip().lower()
    if auto_submitted and auto_submitted != "no":
        return f"Auto-Submitted: {auto_submitted}"
    precedence = str(message.get("Precedence", "")).strip().lower()
    if precedence in BULK_PRECEDENCE:
        return f"Precedence: {precedence}"
    for header in ("List-Id", "List-Unsubscribe", "X-Auto-Response-Suppress", "X-Autoreply"):
        if header in message:
            return f"{header} header"
    if message.get_content_type() == "multipart/report":
        return "delivery report"
    if envelope_sender is not None and envelope_sender.strip() in {"", "<>"}:
        return "empty envelope sender (a bounce)"
    sender = parseaddr(str(message.get("From", "")))[1].lower()
    if sender.split("@", 1)[0] in AUTOMATED_SENDERS:
        return f"sent by {sender}"
    return ""


def _addresses(values: Iterable[object]) -> tuple[str, ...]:
    return tuple(
        address.lower() for _, address in getaddresses([str(v) for v in values]) if address
    )


def parse_email(
    raw: bytes, limits: AttachmentPolicy | None = None, envelope_sender: str | None = None
) -> ParsedEmail:
    """Read a raw RFC 5322 message; ``envelope_sender`` is SMTP's MAIL FROM when known."""
    message = BytesParser(policy=policy.default).parsebytes(raw)
    assert isinstance(message, EmailMessage)  # noqa: S101 - policy.default makes EmailMessage
    own_ids = message_ids(str(message.get("Message-ID", "")))
    message_id = own_ids[0] if own_ids else f"<sha256-{hashlib.sha256(raw).hexdigest()}@helpline>"
    name, address = parseaddr(str(message.get("From", "")))
    text = _body_text(message)
    attachments, rejected = _attachments(message, limits or AttachmentPolicy())
    return ParsedEmail(
        message_id=message_id,
        from_address=address.lower(),
        from_name=name,
        to=_addresses([*message.get_all("To", []), *message.get_all("Cc", [])]),
        subject=str(message.get("Subject", "")).strip(),
        text=text,
        reply_text=strip_quoted(text) if text else "",
        in_reply_to=message_ids(str(message.get("In-Reply-To", ""))),
        references=message_ids(str(message.get("References", ""))),
        date=str(message.get("Date", "")),
        attachments=attachments,
        rejected_attachments=rejected,
        automated_reason=automated_reason(message, envelope_sender),
    )
