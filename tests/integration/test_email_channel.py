"""The email channel end to end: real SMTP in (Helpline's listener, fed by smtplib), real SMTP out
(an aiosmtpd sink), threading both ways, acknowledgements, machine mail and duplicates."""

from __future__ import annotations

import re
import smtplib
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import make_msgid
from pathlib import Path
from typing import Any, TypeVar

import pytest
from sqlalchemy import text

from helpline.bootstrap import Database
from helpline.channels.base import ChannelRegistry
from helpline.channels.email import EmailAdapter
from helpline.config import Settings
from helpline.domain.enums import Channel, Role
from tests.center import Center, build_center
from tests.factories import confirm_email_address, create_ok, make_tenant
from tests.network import SmtpSink, free_port, smtp_sink

pytestmark = pytest.mark.integration

FIXTURES = Path(__file__).resolve().parents[1] / "data" / "email"
T = TypeVar("T")


def wait_for(probe: Callable[[], T | None], seconds: float = 15.0) -> T:
    """The first truthy answer of ``probe``, polled until a deadline."""
    deadline = time.monotonic() + seconds
    while True:
        found = probe()
        if found:
            return found
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting")
        time.sleep(0.05)


@dataclass
class Mail:
    """A contact center with an email address, Helpline's SMTP listener and a sink for replies."""

    center: Center
    adapter: EmailAdapter
    sink: SmtpSink
    listen_port: int
    address: str
    domain: str
    queue_id: int

    def customer(self) -> str:
        return f"ann-{uuid.uuid4().hex[:8]}@example.com"

    def email(self, sender: str, subject: str, body: str, **headers: str) -> EmailMessage:
        message = EmailMessage()
        message["From"] = f"Ann Customer <{sender}>"
        message["To"] = self.address
        message["Subject"] = subject
        message["Message-ID"] = make_msgid(domain="example.com")
        for name, value in headers.items():
            message[name.replace("_", "-")] = value
        message.set_content(body)
        return message

    def deliver(self, message: EmailMessage | bytes, sender: str, *recipients: str) -> None:
        """Hand ``message`` to Helpline's listener the way an MTA would."""
        with smtplib.SMTP("127.0.0.1", self.listen_port, timeout=30) as client:
            if isinstance(message, bytes):
                client.sendmail(sender, list(recipients or [self.address]), message)
            else:
                client.send_message(message, sender, list(recipients or [self.address]))

    def received_by(self, recipient: str, count: int = 1) -> list[EmailMessage]:
        """The emails the relay got for ``recipient``, waiting until there are ``count``."""

        def probe() -> list[EmailMessage] | None:
            found = [
                BytesParser(policy=policy.default).parsebytes(envelope.content)  # type: ignore[arg-type]
                for envelope in list(self.sink.received)
                if recipient in envelope.rcpt_tos
            ]
            return found if len(found) >= count else None

        return [m for m in wait_for(probe) if isinstance(m, EmailMessage)]

    def email_contacts(self) -> list[dict[str, Any]]:
        page = self.center.get(f"contacts?channel=email&queue_id={self.queue_id}")
        items: list[dict[str, Any]] = page["items"]
        return items

    def messages(self, contact_id: int) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = self.center.get(f"contacts/{contact_id}/messages")
        return found


@pytest.fixture
def mail(db: Database) -> Iterator[Mail]:
    with _mail_center(db, confirmed=True) as mail:
        yield mail


@contextmanager
def _mail_center(db: Database, *, confirmed: bool) -> Iterator[Mail]:
    """A center whose email address is ``confirmed`` (by its reader's link) or just claimed."""
    with smtp_sink() as sink:
        port = free_port()
        settings = Settings(
            database_url=db.engine.url.render_as_string(hide_password=False),
            smtp_listen_port=port,
            smtp_host="127.0.0.1",
            smtp_port=sink.port,
        )
        adapter = EmailAdapter(settings)
        center = build_center(db, channels=ChannelRegistry({Channel.EMAIL: adapter}))
        queue = create_ok(
            center.client, center.tenant, "queues", {"name": "Email", "channel": "email"}
        )
        domain = f"bank-{uuid.uuid4().hex[:8]}.example"
        address = f"support@{domain}"
        created = create_ok(
            center.client,
            center.tenant,
            "email-addresses",
            {"address": address, "queue_id": queue["id"], "display_name": "Demo Bank Support"},
        )
        if confirmed:
            confirm_email_address(db, created["id"])
        with center.client:  # runs the lifespan: the listener and the outbox
            yield Mail(center, adapter, sink, port, address, domain, queue["id"])


def _case_of(mail: Mail, contact_id: int) -> dict[str, Any]:
    """The one case the contact is linked to."""
    (case,) = mail.center.get(f"cases?contact_id={contact_id}")["items"]
    assert contact_id in case["contact_ids"]
    return case  # type: ignore[no-any-return]


def test_an_email_round_trip_threads_both_ways(mail: Mail) -> None:
    customer = mail.customer()
    first = mail.email(customer, "Card blocked", "Hello, my card is blocked.")
    mail.deliver(first, customer)

    (contact,) = wait_for(mail.email_contacts)
    assert contact["state"] == "queued"
    assert contact["subject"] == "Card blocked"
    customer_record = mail.center.get(f"customers/{contact['customer_id']}")
    assert customer_record["identities"]["email"] == [customer]
    (inbound,) = mail.messages(contact["id"])[:1]
    assert inbound["external_id"] == first["Message-ID"]
    assert inbound["body"] == "Hello, my card is blocked."

    # The email opened a case; the acknowledgement carries its reference and says it is automatic.
    (ack,) = mail.received_by(customer)
    reference = f"[#{_case_of(mail, contact['id'])['reference']}]"
    assert ack["Subject"] == f"Re: Card blocked {reference}"
    assert ack["Auto-Submitted"] == "auto-replied"
    assert ack["In-Reply-To"] == first["Message-ID"]
    assert reference in ack.get_content()

    # The agent's reply (REST, then the outbox) threads under the customer's email.
    sent = mail.center.post(f"contacts/{contact['id']}/messages", {"body": "Unblocked it."})
    assert sent.status_code == 201, sent.text
    reply = mail.received_by(customer, count=2)[1]
    assert reply["From"] == f"Demo Bank Support <{mail.address}>"
    assert reply["Subject"] == f"Re: Card blocked {reference}"
    assert reply["In-Reply-To"] == first["Message-ID"]
    assert reply["References"] == first["Message-ID"]
    assert reply["Message-ID"].endswith(f"@{mail.domain}>")
    assert "Auto-Submitted" not in reply
    assert reply.get_content().strip() == "Unblocked it."
    stored = wait_for(
        lambda: [
            m
            for m in mail.messages(contact["id"])
            if m["id"] == sent.json()["id"] and m["delivery_status"] == "sent"
        ]
    )[0]
    assert stored["external_id"] == reply["Message-ID"]

    # The customer's answer to the reply comes back to the same contact, stripped of the quote.
    answer = mail.email(
        customer,
        str(reply["Subject"]),
        "Thanks, it works.\n\nOn Tue, Demo Bank Support wrote:\n> Unblocked it.\n",
        In_Reply_To=reply["Message-ID"],
        References=f"{first['Message-ID']} {reply['Message-ID']}",
    )
    mail.deliver(answer, customer)
    wait_for(lambda: len(mail.messages(contact["id"])) == 4)
    assert [c["id"] for c in mail.email_contacts()] == [contact["id"]]
    last = mail.messages(contact["id"])[-1]
    assert last["body"] == "Thanks, it works."
    assert "> Unblocked it." in last["headers"]["full_text"]
    assert len(mail.received_by(customer, count=2)) == 2  # no acknowledgement for a threaded reply


def test_an_unknown_recipient_is_refused_with_550_and_nothing_is_stored(mail: Mail) -> None:
    customer = mail.customer()
    stranger = f"nobody@{mail.domain}"
    with pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
        mail.deliver(mail.email(customer, "Hello", "Anyone?"), customer, stranger)
    assert refused.value.recipients[stranger][0] == 550
    assert mail.email_contacts() == []


def test_the_subject_token_threads_an_email_without_threading_headers(mail: Mail) -> None:
    customer = mail.customer()
    mail.deliver(mail.email(customer, "Loan", "What is my loan status?"), customer)
    (contact,) = wait_for(mail.email_contacts)
    case = _case_of(mail, contact["id"])
    again = mail.email(customer, f"Loan again [#{case['reference']}]", "Any news?")
    mail.deliver(again, customer)
    wait_for(lambda: len(mail.messages(contact["id"])) >= 3)  # first, acknowledgement, again
    assert [c["id"] for c in mail.email_contacts()] == [contact["id"]]
    assert mail.messages(contact["id"])[-1]["body"] == "Any news?"


def test_a_token_of_another_organization_opens_a_new_contact(mail: Mail, db: Database) -> None:
    other = build_center(db)
    foreign = other.contact("chat")
    for _ in range(3):  # the other organization's references run ahead of this one's (none yet)
        case = other.post("cases", {"subject": "Theirs", "contact_ids": [foreign["id"]]}).json()
    customer = mail.customer()
    mail.deliver(mail.email(customer, f"Hi [#{case['reference']}]", "Hello"), customer)
    (contact,) = wait_for(mail.email_contacts)
    assert contact["id"] != foreign["id"]
    assert _case_of(mail, contact["id"])["reference"] != case["reference"]


@pytest.mark.parametrize(
    "headers",
    [
        {"Auto-Submitted": "auto-replied"},
        {"Precedence": "bulk"},
        {"Precedence": "junk"},
        {"List-Id": "<offers.example.com>"},
        {"X-Auto-Response-Suppress": "All"},
    ],
)
def test_auto_replies_and_bulk_mail_do_not_create_contacts(
    mail: Mail, headers: dict[str, str]
) -> None:
    customer = mail.customer()
    message = mail.email(customer, "Out of office", "I am away until Monday.")
    for name, value in headers.items():
        message[name] = value
    mail.deliver(message, customer)
    # A normal email after it is stored: the dropped one was handled (not merely slow).
    mail.deliver(mail.email(customer, "Real question", "Hello?"), customer)
    (contact,) = wait_for(mail.email_contacts)
    assert contact["subject"] == "Real question"


@pytest.mark.parametrize(
    "sender", ["mailer-daemon@mx.example.com", "postmaster@example.com", "own-address"]
)
def test_bounces_and_mail_from_our_own_address_do_not_create_contacts(
    mail: Mail, sender: str
) -> None:
    sender = mail.address if sender == "own-address" else sender
    mail.deliver(mail.email(sender, "Undelivered", "Delivery failed"), sender)
    mail.deliver(mail.email("", "Bounce", "no envelope sender"), "")
    customer = mail.customer()
    mail.deliver(mail.email(customer, "Real question", "Hello?"), customer)
    (contact,) = wait_for(mail.email_contacts)
    assert contact["subject"] == "Real question"


def test_the_same_message_delivered_twice_is_stored_once(mail: Mail) -> None:
    customer = mail.customer()
    message = mail.email(customer, "Fees", "Why this fee?")
    mail.deliver(message, customer)
    mail.deliver(message, customer)
    later = mail.customer()
    mail.deliver(mail.email(later, "Other", "Later"), later)
    contacts = wait_for(lambda: len(mail.email_contacts()) == 2 and mail.email_contacts())
    fees = next(c for c in contacts if c["subject"] == "Fees")
    assert [m["direction"] for m in mail.messages(fees["id"])] == ["inbound", "outbound"]
    assert len(mail.received_by(customer)) == 1


@pytest.mark.parametrize(
    ("fixture", "subject", "body_contains"),
    [
        ("html_only.eml", "Card declined abroad", "my card was declined in Lisbon & Porto."),
        ("latin1_quoted_printable.eml", "Adressänderung", "Müllerstraße 5, Köln"),
        ("rfc2047_subject.eml", "Prêt immobilier \u2013 question urgente", "où en est ma demande"),
        ("base64_attachment.eml", "Statement attached", "the fee on line 3 is wrong"),
    ],
)
def test_mime_fixtures_arrive_as_readable_contacts(
    mail: Mail, fixture: str, subject: str, body_contains: str
) -> None:
    raw = (FIXTURES / fixture).read_bytes()
    # Each run of the fixture is a new message to this test's address.
    raw = raw.replace(b"support@demo-bank.example", mail.address.encode())
    raw = raw.replace(b"Message-ID: <", f"Message-ID: <{uuid.uuid4().hex}.".encode())
    mail.deliver(raw, "customer@example.org")
    (contact,) = wait_for(mail.email_contacts)
    assert contact["subject"] == subject
    (message,) = [m for m in mail.messages(contact["id"]) if m["direction"] == "inbound"]
    assert body_contains in message["body"]
    if fixture == "base64_attachment.eml":
        (attachment,) = message["attachments"]
        assert (attachment["filename"], attachment["content_type"]) == (
            "statement.pdf",
            "application/pdf",
        )
        download = mail.center.client.get(
            f"/api/v1/contacts/{contact['id']}/messages/{message['id']}"
            f"/attachments/{attachment['id']}",
            headers=mail.center.tenant.headers(Role.SUPERVISOR),
        )
        assert download.content.startswith(b"%PDF-1.4")
        (rejected,) = message["headers"]["rejected_attachments"]
        assert rejected["filename"] == "invoice.exe"


def test_a_reply_to_a_closed_contact_opens_a_follow_up_and_acknowledges_it(mail: Mail) -> None:
    customer = mail.customer()
    first = mail.email(customer, "Statement", "Please send my statement.")
    mail.deliver(first, customer)
    (contact,) = wait_for(mail.email_contacts)
    assert mail.center.post(f"contacts/{contact['id']}/abandon").status_code == 200
    again = mail.email(customer, "Re: Statement", "Still waiting.", In_Reply_To=first["Message-ID"])
    mail.deliver(again, customer)
    contacts = wait_for(lambda: len(mail.email_contacts()) == 2 and mail.email_contacts())
    follow = next(c for c in contacts if c["id"] != contact["id"])
    assert follow["attributes"]["follows_contact_id"] == contact["id"]
    acks = mail.received_by(customer, count=2)
    case = _case_of(mail, contact["id"])  # the follow-up continues the conversation's case
    assert _case_of(mail, follow["id"])["id"] == case["id"]
    assert f"[#{case['reference']}]" in str(acks[1]["Subject"])


def _confirmation_token(message: EmailMessage) -> str:
    body = message.get_body(("plain",))
    assert body is not None
    found = re.search(r"/email-verification\?token=([\w-]+)", body.get_content())
    assert found is not None, body.get_content()
    return found.group(1)


def test_mail_reaches_an_organization_only_after_its_reader_confirms(db: Database) -> None:
    with _mail_center(db, confirmed=False) as mail:
        client, tenant = mail.center.client, mail.center.tenant
        (notice,) = mail.received_by(mail.address)  # the outbox emailed the link to the address
        assert "may receive mail for" in str(notice["Subject"])
        assert notice["Auto-Submitted"] == "auto-generated"
        token = _confirmation_token(notice)
        customer = mail.customer()
        with pytest.raises(smtplib.SMTPRecipientsRefused):  # unconfirmed: no one's address yet
            mail.deliver(mail.email(customer, "Early", "Before the confirmation."), customer)

        # Another organization may claim the same address: no 409 says who has it.
        other = make_tenant(db)
        other_queue = create_ok(client, other, "queues", {"name": "Email", "channel": "email"})
        rival = create_ok(
            client,
            other,
            "email-addresses",
            {"address": mail.address, "queue_id": other_queue["id"]},
        )
        assert rival["is_verified"] is False
        rival_token = _confirmation_token(mail.received_by(mail.address, count=2)[1])

        html = {"accept": "text/html"}
        shown = client.get(f"/email-verification?token={token}", headers=html)
        assert shown.status_code == 200
        assert mail.address in shown.text  # opening the link confirms nothing yet
        assert mail.center.get("email-addresses")[0]["is_verified"] is False
        confirmed = client.post("/email-verification", data={"token": token}, headers=html)
        assert confirmed.status_code == 200, confirmed.text
        assert "Address confirmed" in confirmed.text
        again = client.post("/email-verification", data={"token": token}, headers=html)
        assert again.status_code == 404  # one-time link

        mail.deliver(mail.email(customer, "Card blocked", "Hello."), customer)
        (contact,) = wait_for(mail.email_contacts)
        assert contact["subject"] == "Card blocked"

        late = client.post("/email-verification", data={"token": rival_token}, headers=html)
        assert late.status_code == 409  # the rival's link: only its reader learns this
        (ours,) = mail.center.get("email-addresses")
        assert ours["is_verified"] is True
        resend = f"/api/v1/email-addresses/{ours['id']}/verification"
        assert client.post(resend, headers=tenant.headers()).status_code == 409
        rival_resend = f"/api/v1/email-addresses/{rival['id']}/verification"
        assert client.post(rival_resend, headers=other.headers()).status_code == 202
        with db.engine.connect() as connection:
            stored = connection.execute(
                text("SELECT verification_token FROM email_addresses WHERE id = :id"),
                {"id": ours["id"]},
            ).scalar_one()
        assert stored == ""  # a sent link's token is kept only as a hash


def test_a_confirmation_the_relay_refuses_stays_due_and_the_claim_is_kept(
    db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    settings = Settings(
        database_url=db.engine.url.render_as_string(hide_password=False),
        smtp_host="127.0.0.1",
        smtp_port=free_port(),  # nothing listens: every send fails
    )
    center = build_center(db, channels=ChannelRegistry({Channel.EMAIL: EmailAdapter(settings)}))
    queue = create_ok(center.client, center.tenant, "queues", {"name": "Mail", "channel": "email"})
    address = create_ok(
        center.client,
        center.tenant,
        "email-addresses",
        {"address": f"help-{uuid.uuid4().hex[:8]}@example.com", "queue_id": queue["id"]},
    )
    with caplog.at_level("WARNING"), center.client:  # the outbox runs
        wait_for(lambda: f"address {address['id']} not sent" in caplog.text)
    # Still due with its token (sent later), and whoever gets the link can still confirm.
    confirm_email_address(db, address["id"])
    assert center.get(f"email-addresses/{address['id']}")["is_verified"] is True
