"""Card data never reaches the database: a PAN sent through every intake path (email over SMTP,
chat over the visitor WebSocket, SMS and social webhooks, contacts' collected values, CTI call
attributes, wrap-up notes) is absent from every text column of every table, events included, and the
agent-facing API shows ``•••• 1111``."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Any

import pytest
from sqlalchemy import select, update
from typer.testing import CliRunner

from helpline.bootstrap import Database
from helpline.cli import app
from helpline.domain.enums import Channel, Role
from helpline.services.conversations.contacts import NewContact, create_contact
from helpline.services.identity import redaction_settings
from helpline.storage.tables import Base, Contact, Event
from tests.center import Center
from tests.factories import create_ok, make_tenant
from tests.integration.test_chat_channel import (
    _of,
    _start,
    _until,
    _widget,
    sink,  # noqa: F401
)
from tests.integration.test_chat_channel import center as chat_center  # noqa: F401
from tests.integration.test_email_channel import Mail, mail, wait_for  # noqa: F401
from tests.integration.test_sms_social import Sms, _text, sms  # noqa: F401

pytestmark = pytest.mark.integration

PAN = "4111111111111111"
MASKED = "•••• 1111"
IBAN = "GB82WEST12345698765432"
CHOSEN_AT = datetime(2026, 12, 8, 9, 0, tzinfo=UTC)


def _flat(value: Any) -> str:
    if isinstance(value, bytes):
        value = value.decode("latin-1")
    elif not isinstance(value, str):
        value = json.dumps(value, ensure_ascii=False, default=str)
    return re.sub(r"[\s\-.\u00a0]|\\n", "", value)


def assert_absent_everywhere(db: Database, *secrets: str) -> int:
    """No stored value of any table (text, JSON, bytes) holds a secret, whatever its spacing.
    Returns how many values were looked at."""
    looked = 0
    with db.read() as session:
        for table in Base.metadata.sorted_tables:
            for row in session.execute(select(table)).mappings():
                for column, value in row.items():
                    if isinstance(value, int | float | bool | datetime) or value is None:
                        continue
                    looked += 1
                    flat = _flat(value)
                    for secret in secrets:
                        assert secret not in flat, f"{table.name}.{column} holds {secret}"
    return looked


def _set_patterns(center: Center, *patterns: str) -> None:
    response = center.client.put(
        "/api/v1/redaction-settings",
        json={"patterns": list(patterns)},
        headers=center.tenant.headers(Role.MANAGER),
    )
    assert response.status_code == 200, response.text
    assert response.json()["patterns"] == list(patterns)
    assert center.get("redaction-settings") == {
        "always": ["card"],
        "patterns": list(patterns),
        "available": ["iban", "us_ssn", "uk_nino"],
    }


def test_an_email_with_a_pan_in_subject_body_html_headers_and_attachment(
    mail: Mail,  # noqa: F811
    db: Database,
) -> None:
    customer = mail.customer()
    message = EmailMessage()
    message["From"] = f"Ann <{customer}>"
    message["To"] = mail.address
    message["Subject"] = "Card 4111 1111 1111 1111 declined"
    message["Message-ID"] = make_msgid(domain="example.com")
    message["X-Card-Number"] = "4111-1111-1111-1111"
    message.set_content("Please charge 4111.1111.1111.1111 exp 09/28 cvv 737, order #84512.")
    message.add_alternative("<p>My card: <b>4111 1111 1111 1111</b></p>", subtype="html")
    message.add_attachment(
        b"card 4111111111111111 exp 09/28", maintype="text", subtype="plain", filename="card.txt"
    )
    mail.deliver(message, customer)

    html_only = EmailMessage()
    html_only["From"] = f"Bob <{mail.customer()}>"
    html_only["To"] = mail.address
    html_only["Subject"] = "Refund"
    html_only["Message-ID"] = make_msgid(domain="example.com")
    html_only.set_content("<p>Refund to <b>5555 5555 5555 4444</b> please</p>", subtype="html")
    mail.deliver(html_only, str(html_only["From"].addresses[0].addr_spec))

    contacts = wait_for(lambda: (found := mail.email_contacts()) and len(found) == 2 and found)
    by_subject = {c["subject"]: c for c in contacts}
    card = by_subject[f"Card {MASKED} declined"]
    (stored,) = [m for m in mail.messages(card["id"]) if m["direction"] == "inbound"]
    assert stored["subject"] == f"Card {MASKED} declined"
    assert f"Please charge {MASKED} exp ••/•• cvv •••, order #84512." in stored["body"]
    assert MASKED in stored["headers"]["full_text"]
    (attachment,) = stored["attachments"]
    download = mail.center.client.get(
        f"/api/v1/contacts/{card['id']}/messages/{stored['id']}/attachments/{attachment['id']}",
        headers=mail.center.tenant.headers(Role.SUPERVISOR),
    )
    assert download.content.decode() == f"card {MASKED} exp ••/••"
    (refund,) = [
        m for m in mail.messages(by_subject["Refund"]["id"]) if m["direction"] == "inbound"
    ]
    assert "•••• 4444" in refund["body"]
    assert assert_absent_everywhere(db, PAN, "5555555555554444") > 0


def test_sms_and_social_messages(sms: Sms, db: Database) -> None:  # noqa: F811
    texted = sms.post_generic(_text("pan-1", text="card 4111 1111 1111 1111 please"))
    assert texted.status_code == 200, texted.text
    posted = sms.post_generic(
        _text("pan-2", sender="@ann", text="DM: 4111-1111-1111-1111 exp 01/29"),
        connection=sms.social,
    )
    assert posted.status_code == 200, posted.text
    for response in (texted, posted):
        (message,) = sms.messages(response.json()["contact_id"])
        assert MASKED in message["body"]
    assert_absent_everywhere(db, PAN)


def test_chat_collected_values_cti_attributes_and_wrap_up_notes(
    chat_center: Center,  # noqa: F811
    db: Database,
) -> None:
    center = chat_center
    _set_patterns(center, "iban")
    # Values an IVR or bot collected, on a contact created through the API.
    agent = center.agents[0]
    center.available(agent)
    contact = center.contact(
        subject=f"Caller gave {PAN}",
        attributes={"ivr": {"card": "4111 1111 1111 1111", "cvv": "cvv 737"}, "account": "123"},
    )
    assert contact["attributes"]["ivr"]["card"] == MASKED
    assert contact["attributes"]["account"] == "123"
    assert (contact["state"], contact["agent_id"]) == ("offered", agent)
    assert center.post(f"contacts/{contact['id']}/accept", {"agent_id": agent}).status_code == 200
    assert center.post(f"contacts/{contact['id']}/end").status_code == 200
    done = center.post(
        f"contacts/{contact['id']}/wrap-up",
        {"wrap_up_code_id": center.wrap_up_code, "notes": f"refunded to card {PAN} exp 09/28"},
    )
    assert done.status_code == 200, done.text
    assert done.json()["notes"] == f"refunded to card {MASKED} exp ••/••"

    key = _widget(center)["public_key"]
    seen: list[dict[str, Any]] = []
    with center.client.websocket_connect(f"/chat/ws?key={key}") as ws:
        _start(ws, seen, name="Vera 4111111111111111", topic="Card 4111 1111 1111 1111 blocked")
        topic = _until(ws, _of("message", client_seq=0), seen)
        ws.send_json({"type": "message", "seq": 1, "body": f"It is {PAN}, IBAN {IBAN}"})
        _until(ws, _of("ack", seq=1), seen)
    chat_id = topic["contact_id"]
    reply = center.post(f"contacts/{chat_id}/messages", {"body": f"We noted card {PAN}"})
    assert reply.status_code == 201, reply.text
    assert reply.json()["body"] == f"We noted card {MASKED}"
    bodies = [m["body"] for m in center.get(f"contacts/{chat_id}/messages")]
    assert bodies == [
        f"Card {MASKED} blocked",
        f"It is {MASKED}, IBAN GB•• •••• 5432",
        f"We noted card {MASKED}",
    ]
    assert center.get(f"contacts/{chat_id}")["attributes"]["chat"]["topic"] == (
        f"Card {MASKED} blocked"
    )

    # Attributes a phone system sends with a call.
    create_ok(
        center.client,
        center.tenant,
        "voice-numbers",
        {"number": "+442079460111", "queue_id": center.queues["voice"]},
    )
    call = center.post(
        "cti/calls",
        {
            "call_id": "call-pan",
            "caller_number": "+44 20 7946 0958",
            "dialed_number": "+442079460111",
            "ivr": {"card_number": PAN, "menu": "billing"},
        },
    )
    assert call.status_code in (200, 201), call.text
    assert_absent_everywhere(db, PAN, IBAN)
    events = center.get("events?limit=1000")["events"]
    assert any(MASKED in json.dumps(e["payload"], ensure_ascii=False) for e in events)
    changed = [e["payload"] for e in events if e["type"] == "RedactionSettingsChanged"]
    assert changed == [{"patterns": ["iban"]}]


def test_optional_patterns_apply_from_the_moment_an_organization_chooses_them(
    db: Database,
) -> None:
    chooser, other = make_tenant(db), make_tenant(db)
    text = "SSN 123-45-6789, card 4111 1111 1111 1111"
    with db.transaction() as session:
        before = create_contact(session, chooser.actor, NewContact(Channel.EMAIL, subject=text))
        redaction_settings.save_patterns(session, chooser.actor, ["us_ssn"], CHOSEN_AT)
        after = create_contact(session, chooser.actor, NewContact(Channel.EMAIL, subject=text))
        elsewhere = create_contact(session, other.actor, NewContact(Channel.EMAIL, subject=text))
    assert before.contact.subject == f"SSN 123-45-6789, card {MASKED}"
    assert after.contact.subject == f"SSN •••-••-••••, card {MASKED}"
    assert elsewhere.contact.subject == f"SSN 123-45-6789, card {MASKED}"
    with db.read() as session:
        assert redaction_settings.get_patterns(session, chooser.actor) == ["us_ssn"]
        assert redaction_settings.get_patterns(session, other.actor) == []


def test_text_stored_before_redaction_is_redacted_by_the_cli(db: Database) -> None:
    tenant, bystander = make_tenant(db), make_tenant(db)
    with db.transaction() as session:
        created = create_contact(session, tenant.actor, NewContact(Channel.EMAIL, subject="Hi"))
        # Rows as an earlier version stored them, written past the ORM (and its redaction).
        session.execute(
            update(Contact)
            .where(Contact.id == created.contact.id)
            .values(subject=f"card {PAN}", notes=f"{PAN} exp 09/28", attributes={"ivr": PAN})
        )
        session.execute(
            update(Event)
            .where(Event.organization_id.in_([tenant.organization_id, bystander.organization_id]))
            .values(payload={"legacy": f"card {PAN}"})
        )
    url = db.engine.url.render_as_string(hide_password=False)
    command = ["org", "redact-stored", "--org", tenant.name, "--batch", "1", "--database-url", url]
    result = CliRunner().invoke(app, command)
    assert result.exit_code == 0, result.output
    assert "contacts: 1 rows redacted" in result.output
    with db.read() as session:
        contact = session.get(Contact, created.contact.id)
        assert contact is not None
        assert (contact.subject, contact.notes, contact.attributes) == (
            f"card {MASKED}",
            f"{MASKED} exp ••/••",
            {"ivr": MASKED},
        )
        payloads = dict(
            session.execute(
                select(Event.organization_id, Event.payload).where(
                    Event.organization_id.in_([tenant.organization_id, bystander.organization_id])
                )
            ).all()
        )
    # Only the named organization is rewritten.
    assert payloads == {
        tenant.organization_id: {"legacy": f"card {MASKED}"},
        bystander.organization_id: {"legacy": f"card {PAN}"},
    }
    again = CliRunner().invoke(app, command)
    assert "contacts: 0 rows redacted" in again.output
