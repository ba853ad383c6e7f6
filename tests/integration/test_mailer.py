"""The mailer hands messages to a real SMTP server and reports refusals."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from email.message import EmailMessage

import pytest

from helpline.channels.email_compose import compose
from helpline.channels.mailer import Mailer, MailRefused
from helpline.domain.enums import Channel
from helpline.domain.messages import OutboundMessage
from helpline.services.conversations.email import EmailThread
from tests.network import SmtpSink, free_port, smtp_sink

pytestmark = pytest.mark.integration


@pytest.fixture
def sink() -> Iterator[SmtpSink]:
    with smtp_sink() as handler:
        yield handler


def _message() -> EmailMessage:
    message = EmailMessage()
    message["From"] = "support@example.com"
    message["To"] = "cleo@example.net"
    message["Subject"] = "Your card"
    message.set_content("It is unblocked.")
    return message


def test_a_message_reaches_the_smtp_server(sink: SmtpSink) -> None:
    asyncio.run(Mailer("127.0.0.1", sink.port).send(_message()))
    (envelope,) = sink.received
    assert envelope.rcpt_tos == ["cleo@example.net"]
    assert b"It is unblocked." in (envelope.original_content or b"")


@pytest.mark.parametrize(("reply", "retry"), [("451 try later", True), ("554 no", False)])
def test_a_refusal_says_whether_to_retry(sink: SmtpSink, reply: str, retry: bool) -> None:
    sink.refuse = reply
    with pytest.raises(MailRefused) as refused:
        asyncio.run(Mailer("127.0.0.1", sink.port).send(_message()))
    assert refused.value.retry is retry
    assert sink.received == []


def test_an_unreachable_server_is_retried_later() -> None:
    with pytest.raises(MailRefused) as refused:
        asyncio.run(Mailer("127.0.0.1", free_port(), timeout_seconds=2).send(_message()))
    assert refused.value.retry


def _reply_to(recipient: str) -> EmailMessage:
    outbound = OutboundMessage(
        organization_id=1,
        contact_id=2,
        message_id=3,
        channel=Channel.EMAIL,
        recipient=recipient,
        body="Votre carte est débloquée.",
        subject="Carte bloquée",
    )
    thread = EmailThread("support@demo-bank.example", "Support", "", ())
    return compose(outbound, thread, reference="HL-2", sender=thread.from_address)


def test_a_reply_to_an_internationalized_domain_goes_out_in_ascii(sink: SmtpSink) -> None:
    asyncio.run(Mailer("127.0.0.1", sink.port).send(_reply_to("jose@bücher.example")))
    (envelope,) = sink.received
    assert envelope.rcpt_tos == ["jose@xn--bcher-kva.example"]
    assert not envelope.smtp_utf8


def test_a_reply_to_a_non_ascii_mailbox_uses_smtputf8() -> None:
    with smtp_sink(smtputf8=True) as sink:
        asyncio.run(Mailer("127.0.0.1", sink.port).send(_reply_to("josé@bücher.example")))
    (envelope,) = sink.received
    assert envelope.rcpt_tos == ["josé@xn--bcher-kva.example"]
    assert envelope.smtp_utf8
    assert "To: josé@xn--bcher-kva.example" in (envelope.original_content or b"").decode()


def test_a_relay_without_smtputf8_refuses_a_non_ascii_mailbox_for_good(sink: SmtpSink) -> None:
    with pytest.raises(MailRefused) as refused:
        asyncio.run(Mailer("127.0.0.1", sink.port).send(_reply_to("用户@例子.example")))
    assert not refused.value.retry
    assert "SMTPUTF8" in str(refused.value)
    assert sink.received == []
