"""Reading inbound email: bodies, encodings, attachments, machine mail (committed .eml fixtures)."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpline.channels.email_parse import (
    AttachmentPolicy,
    html_to_text,
    message_ids,
    parse_email,
    strip_quoted,
)

FIXTURES = Path(__file__).resolve().parents[2] / "data" / "email"


def _fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def test_an_html_only_email_becomes_readable_text() -> None:
    email = parse_email(_fixture("html_only.eml"))
    assert email.text == (
        "Hello,\n\nmy card was declined in Lisbon & Porto.\n\n"
        "- Card ending 4242\n- Yesterday evening\n\nThanks,\nHanna"
    )
    assert "alert" not in email.text
    assert "color" not in email.text
    assert "ignored title" not in email.text
    assert email.from_address == "hanna.schmidt@example.org"  # normalised to lower case
    assert email.from_name == "Hanna Schmidt"
    assert email.message_id == "<html-only-1@mail.example.org>"


def test_a_latin1_quoted_printable_email_decodes_body_and_headers() -> None:
    email = parse_email(_fixture("latin1_quoted_printable.eml"))
    assert email.subject == "Adressänderung"
    assert email.from_name == "Jürgen Müller"
    assert "ich möchte meine Adresse ändern: Müllerstraße 5, Köln." in email.text
    # The quoted-printable soft line break is joined again.
    assert "Änderung der Anschrift ist leider nicht verfügbar, bitte helfen" in email.text


def test_rfc2047_encoded_words_in_subject_and_sender_are_decoded() -> None:
    email = parse_email(_fixture("rfc2047_subject.eml"))
    assert email.subject == "Prêt immobilier \u2013 question urgente"
    assert email.from_name == "Élodie Dupont"
    assert email.text == "Bonjour, où en est ma demande de prêt ?"


def test_a_base64_attachment_is_kept_and_a_forbidden_type_is_listed_not_kept() -> None:
    email = parse_email(_fixture("base64_attachment.eml"))
    assert email.text == "Please check the attached statement, the fee on line 3 is wrong."
    (kept,) = email.attachments
    # Typed by its bytes (%PDF-), not by the sender's application/octet-stream.
    assert (kept.filename, kept.content_type) == ("statement.pdf", "application/pdf")
    assert kept.data.startswith(b"%PDF-1.4")
    (rejected,) = email.rejected_attachments
    assert rejected.filename == "invoice.exe"  # the path in the name is dropped
    assert "not accepted" in rejected.reason


def test_attachments_over_the_size_limit_are_not_kept() -> None:
    email = parse_email(_fixture("base64_attachment.eml"), AttachmentPolicy(max_bytes=10))
    assert email.attachments == ()
    assert [r.filename for r in email.rejected_attachments] == ["statement.pdf", "invoice.exe"]
    assert "larger than 10 bytes" in email.rejected_attachments[0].reason


def test_a_page_disguised_as_a_picture_is_typed_by_its_bytes_and_refused() -> None:
    raw = (
        b"From: a@example.org\r\nTo: help@example.com\r\nSubject: pic\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/mixed; boundary="b"\r\n\r\n--b\r\n'
        b"Content-Type: text/plain\r\n\r\nsee photo\r\n--b\r\n"
        b'Content-Type: image/png; name="photo.png"\r\nContent-Disposition: attachment; '
        b'filename="photo.png"\r\n\r\n<html><script>steal()</script></html>\r\n--b--\r\n'
    )
    policy = AttachmentPolicy(allowed_types=("image/", "text/"), refused_types=("text/html",))
    email = parse_email(raw, policy)
    assert email.attachments == ()
    (rejected,) = email.rejected_attachments
    assert (rejected.filename, rejected.content_type) == ("photo.png", "text/html")
    assert "not accepted" in rejected.reason


def test_multipart_alternative_prefers_plain_text_and_strips_quoted_history() -> None:
    email = parse_email(_fixture("alternative_with_quote.eml"))
    assert email.reply_text == "Thanks, it works again."
    assert "> we unblocked your card." in email.text  # the whole text is kept too
    assert email.in_reply_to == ("<hl-1-5@demo-bank.example>",)
    assert email.references == ("<first-1@example.com>", "<hl-1-5@demo-bank.example>")
    assert email.automated_reason == ""


def test_a_message_without_message_id_gets_a_stable_one_from_its_content() -> None:
    raw = b"From: a@example.com\r\nSubject: x\r\n\r\nbody\r\n"
    first, again = parse_email(raw), parse_email(raw)
    assert first.message_id == again.message_id
    assert first.message_id.startswith("<sha256-")
    assert parse_email(raw + b"more").message_id != first.message_id


@pytest.mark.parametrize(
    ("headers", "envelope_sender", "reason"),
    [
        ("Auto-Submitted: auto-replied\r\n", None, "Auto-Submitted"),
        ("Auto-Submitted: auto-generated\r\n", None, "Auto-Submitted"),
        ("Precedence: bulk\r\n", None, "Precedence"),
        ("Precedence: junk\r\n", None, "Precedence"),
        ("Precedence: list\r\n", None, "Precedence"),
        ("List-Id: <news.example.com>\r\n", None, "List-Id"),
        ("X-Auto-Response-Suppress: All\r\n", None, "X-Auto-Response-Suppress"),
        ("", "", "bounce"),
        ("", "<>", "bounce"),
    ],
)
def test_machine_mail_is_recognised(headers: str, envelope_sender: str | None, reason: str) -> None:
    raw = f"From: ann@example.com\r\n{headers}Subject: Out of office\r\n\r\nAway\r\n".encode()
    assert reason in parse_email(raw, envelope_sender=envelope_sender).automated_reason


@pytest.mark.parametrize("sender", ["MAILER-DAEMON@mx.example.com", "postmaster@example.com"])
def test_mail_from_mailer_daemon_or_postmaster_is_machine_mail(sender: str) -> None:
    raw = f"From: {sender}\r\nSubject: Undelivered\r\n\r\nsorry\r\n".encode()
    assert "sent by" in parse_email(raw).automated_reason


def test_a_person_writing_is_not_machine_mail() -> None:
    raw = b"From: ann@example.com\r\nAuto-Submitted: no\r\nSubject: Hi\r\n\r\nHello\r\n"
    assert parse_email(raw, envelope_sender="ann@example.com").automated_reason == ""


def test_message_ids_are_found_among_comments_and_folding() -> None:
    assert message_ids(" <a@x> (comment)\r\n <b@y>junk") == ("<a@x>", "<b@y>")
    assert message_ids(None) == ()


def test_html_to_text_keeps_line_breaks_and_entities() -> None:
    assert html_to_text("<p>a&nbsp;b</p><p>c<br>d</p>") == "a\xa0b\n\nc\nd"


def test_strip_quoted_keeps_the_whole_text_when_everything_is_quoted() -> None:
    assert strip_quoted("> only a quote") == "> only a quote"
    assert strip_quoted("New text\n\n-----Original Message-----\nFrom: x\nold") == "New text"
