"""The chat channel adapter: agents' replies go to the visitor's live sockets; transcripts by email."""

from __future__ import annotations

from collections.abc import Sequence
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from zoneinfo import ZoneInfo

from helpline.channels.base import ChannelAdapter, DeliveryReport, DeliveryStatus, OutboundMessage
from helpline.channels.chat.hub import ChatHub
from helpline.channels.email_compose import INTERNATIONAL, mailbox
from helpline.channels.mailer import Mailer
from helpline.config import Settings
from helpline.domain.enums import Channel
from helpline.services.conversations.chat import TranscriptLine, VisitorSession


class ChatAdapter(ChannelAdapter):
    """Delivers chat replies through the hub and emails transcripts through ``mailer``.

    A reply is stored before it gets here, so a visitor who is offline gets it on reconnect (replay):
    delivery is reported SENT either way, with ``headers.live`` saying whether a socket was open.
    """

    channel = Channel.CHAT

    def __init__(self, hub: ChatHub, mailer: Mailer, mail_from: str) -> None:
        self.hub = hub
        self.mailer = mailer
        self.mail_from = mail_from

    @classmethod
    def from_settings(cls, settings: Settings) -> ChatAdapter:
        """A chat adapter with a fresh hub and the ``HELPLINE_SMTP_*`` relay for transcripts."""
        return cls(ChatHub(), Mailer.from_settings(settings), settings.mail_from)

    async def send(self, message: OutboundMessage) -> DeliveryReport:
        """Nudge the visitor's sockets to fetch the new message (they read it from the database)."""
        sockets = self.hub.to_visitor(message.recipient, {"type": "sync"})
        self.hub.to_agents(message.organization_id, message.contact_id, {"type": "sync"})
        return DeliveryReport(
            DeliveryStatus.SENT,
            provider_id=f"chat-{message.message_id}",
            headers={"live": sockets > 0},
        )

    async def send_transcript(
        self, visitor: VisitorSession, lines: Sequence[TranscriptLine], zone: ZoneInfo
    ) -> None:
        """Email the conversation to the visitor's pre-chat address (raises MailRefused)."""
        await self.mailer.send(transcript_email(visitor, lines, self.mail_from, zone))


def transcript_email(
    visitor: VisitorSession, lines: Sequence[TranscriptLine], sender: str, zone: ZoneInfo
) -> EmailMessage:
    """A plain-text email of the conversation, times in the organization's zone."""
    email = EmailMessage(policy=INTERNATIONAL)
    email["From"] = mailbox(sender)
    email["To"] = mailbox(visitor.visitor_email)
    email["Subject"] = f"Your chat transcript: {visitor.topic}"
    email["Date"] = formatdate(localtime=False)
    email["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    email["Auto-Submitted"] = "auto-generated"
    body = [f"Hello {visitor.visitor_name},", "", "here is the transcript of your chat.", ""]
    for line in lines:
        stamp = line.at.astimezone(zone).strftime("%Y-%m-%d %H:%M")
        body.append(f"[{stamp}] {line.author}: {line.body}")
        body.extend(f"    (attached: {name})" for name in line.attachments)
    email.set_content("\n".join(body) + "\n")
    return email
