"""The mailer hands messages to a real SMTP server and reports refusals."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from email.message import EmailMessage

import pytest

from helpline.channels.mailer import Mailer, MailRefused
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
