"""Writing replies: the subject token, "Re:" subjects and threading headers."""

from __future__ import annotations

import pytest

from helpline.channels.email_compose import ACKNOWLEDGEMENT, compose, message_id_for
from helpline.channels.email_threading import find_reference, reply_subject, subject_token
from helpline.domain.enums import Channel
from helpline.domain.messages import Attachment, OutboundMessage
from helpline.services.conversations.email import EmailThread


def _outbound(**extra: object) -> OutboundMessage:
    fields: dict[str, object] = {
        "organization_id": 3,
        "contact_id": 41,
        "message_id": 77,
        "channel": Channel.EMAIL,
        "recipient": "ann@example.com",
        "body": "We unblocked your card.",
        "subject": "Card blocked",
    }
    return OutboundMessage(**(fields | extra))  # type: ignore[arg-type]


THREAD = EmailThread(
    from_address="support@demo-bank.example",
    from_name="Demo Bank Support",
    in_reply_to="<second@example.com>",
    references=("<first@example.com>", "<second@example.com>"),
)


def test_the_subject_token_round_trips() -> None:
    assert subject_token("HL-1234") == "[#HL-1234]"
    assert find_reference("Re: Card [#HL-1234]") == "HL-1234"
    assert find_reference("Fwd: [#hl-7] then [#C-99]") == "C-99"  # the newest token wins
    assert find_reference("Card [HL-1234] #HL-5") is None


@pytest.mark.parametrize(
    ("subject", "expected"),
    [
        ("Card blocked", "Re: Card blocked [#HL-41]"),
        ("Re: Card blocked", "Re: Card blocked [#HL-41]"),
        ("RE: AW: Card blocked [#HL-41]", "Re: Card blocked [#HL-41]"),
        ("", "Re: [#HL-41]"),
    ],
)
def test_reply_subjects_have_one_prefix_and_one_token(subject: str, expected: str) -> None:
    assert reply_subject(subject, "HL-41") == expected


def test_a_reply_threads_under_the_customers_latest_email() -> None:
    email = compose(_outbound(), THREAD, reference="HL-41", sender=THREAD.from_address)
    assert email["Message-ID"] == "<hl-3-77@demo-bank.example>"
    assert email["In-Reply-To"] == "<second@example.com>"
    assert email["References"] == "<first@example.com> <second@example.com>"
    assert email["Subject"] == "Re: Card blocked [#HL-41]"
    assert email["To"] == "ann@example.com"
    assert "Auto-Submitted" not in email
    assert email.get_content().strip() == "We unblocked your card."


def test_the_message_id_is_the_same_on_every_attempt() -> None:
    assert message_id_for(_outbound(), "x.example") == message_id_for(_outbound(), "x.example")
    assert message_id_for(_outbound(message_id=78), "x.example") != message_id_for(
        _outbound(), "x.example"
    )


def test_an_acknowledgement_says_it_is_automatic_and_attachments_travel() -> None:
    email = compose(
        _outbound(
            headers={"email_kind": ACKNOWLEDGEMENT},
            attachments=(Attachment("terms.pdf", "application/pdf", b"%PDF-1.4"),),
        ),
        EmailThread("support@demo-bank.example", "", "", ()),
        reference="HL-41",
        sender="support@demo-bank.example",
    )
    assert email["Auto-Submitted"] == "auto-replied"
    assert "In-Reply-To" not in email
    (attachment,) = email.iter_attachments()
    assert attachment.get_filename() == "terms.pdf"
    assert attachment.get_content() == b"%PDF-1.4"
