"""Subject access export and erasure: a customer who wrote by chat, email and SMS, with a case, is
exported with everything, then erased so that no table keeps a trace of their personal data, while
the event sequence stays gap-free and the reports show the same figures."""

from __future__ import annotations

import io
import json
import uuid
import zipfile
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from helpline.bootstrap import Database
from helpline.channels.base import ChannelRegistry
from helpline.channels.chat.adapter import ChatAdapter
from helpline.channels.chat.hub import ChatHub
from helpline.channels.mailer import Mailer
from helpline.domain.enums import Channel, IdentityKind, Role
from helpline.domain.messages import Attachment, InboundMessage
from helpline.services.conversations.messaging import receive_message
from helpline.storage import tables
from tests.center import Center, build_center
from tests.factories import create_ok, make_client, make_tenant

pytestmark = pytest.mark.integration

Frame = dict[str, Any]


@pytest.fixture
def center(db: Database) -> Iterator[Center]:
    adapter = ChatAdapter(ChatHub(), Mailer("127.0.0.1", 9), "help@shop.example")
    built = build_center(db, channels=ChannelRegistry({Channel.CHAT: adapter}))
    with built.client:
        yield built


def _frame(ws: Any, wanted: str, **fields: Any) -> Frame:
    for _ in range(50):
        frame: Frame = ws.receive_json()
        if frame.get("type") == wanted and all(frame.get(k) == v for k, v in fields.items()):
            return frame
    raise AssertionError(f"no {wanted} frame")


def _chat(center: Center, mark: str, email: str) -> int:
    """A visitor chats through the widget, an agent answers, replies, and wraps up with notes."""
    widget = create_ok(
        center.client,
        center.tenant,
        "chat-widgets",
        {
            "name": "Shop",
            "queue_id": center.queues["chat"],
            "allowed_origins": ["https://shop.example"],
        },
    )
    with center.client.websocket_connect(f"/chat/ws?key={widget['public_key']}") as ws:
        _frame(ws, "hello")
        start = {"type": "start", "name": f"Zelda {mark}", "email": email, "topic": f"T {mark}"}
        ws.send_json(start | {"visitor_id": f"visitor-{uuid.uuid4().hex[:8]}"})
        contact_id = int(_frame(ws, "message", client_seq=0)["contact_id"])
        ws.send_json({"type": "message", "seq": 1, "body": f"My card {mark} was declined"})
        _frame(ws, "ack", seq=1)
    agent = center.agents[0]
    center.available(agent)
    accepted = center.post(f"contacts/{contact_id}/accept", {"agent_id": agent})
    assert accepted.status_code == 200, accepted.text
    reply = center.post(f"contacts/{contact_id}/messages", {"body": f"Hello Zelda {mark}"})
    assert reply.status_code == 201, reply.text
    center.tick(40)
    assert center.post(f"contacts/{contact_id}/end").status_code == 200
    center.tick(5)
    wrapped = center.post(
        f"contacts/{contact_id}/wrap-up",
        {"wrap_up_code_id": center.wrap_up_code, "notes": f"Called about {mark}"},
    )
    assert wrapped.status_code == 200, wrapped.text
    return contact_id


def _messages(db: Database, center: Center, mark: str, email: str, phone: str) -> None:
    """An email with an attachment and an SMS from the same person."""
    inbound = [
        InboundMessage(
            Channel.EMAIL,
            f"<{mark}@mail.example>",
            f"Please help, {mark}",
            sender=email,
            customer_name=f"Zelda {mark}",
            identities={IdentityKind.EMAIL: email},
            subject=f"Card {mark}",
            headers={"message_id": f"<{mark}@mail.example>"},
            attachments=(Attachment(f"{mark}.txt", "text/plain", f"statement {mark}".encode()),),
        ),
        InboundMessage(
            Channel.SMS,
            f"sms-{mark}",
            f"Texting about {mark}",
            sender=phone,
            identities={IdentityKind.PHONE: phone},
        ),
    ]
    with db.transaction() as session:
        for message in inbound:
            receive_message(session, center.tenant.actor, message)


def _book_callback(center: Center, customer_id: int, phone: str, mark: str) -> dict[str, Any]:
    """A callback the customer booked on the first free slot of the voice queue."""
    queue = center.queues["voice"]
    today = center.clock.now.date()
    slots = center.get(f"queues/{queue}/callback-slots?from={today}&to={today + timedelta(days=2)}")
    body = {
        "queue_id": queue,
        "customer_id": customer_id,
        "phone": phone,
        "subject": f"Call me {mark}",
        "slot_start": slots[0]["start"],
    }
    return create_ok(center.client, center.tenant, "callbacks", body)


def _reports(center: Center) -> list[Any]:
    day = center.clock.now.date()
    window = f"from={day.isoformat()}&to={(day + timedelta(days=1)).isoformat()}"
    answers = []
    for path in (
        f"reports/intervals?{window}&group_by=queue",
        f"reports/intervals?{window}&group_by=agent",
        f"reports/daily?{window}&group_by=channel",
    ):
        response = center.client.get(f"/api/v1/{path}", headers=center.tenant.headers())
        assert response.status_code == 200, response.text
        answers.append(response.json())
    return answers


def _traces(db: Database, mark: str) -> list[str]:
    """Every table and column of the whole database whose text, JSON or bytes contain ``mark``."""
    found = []
    with db.engine.connect() as connection:
        for table in tables.Base.metadata.sorted_tables:
            for row in connection.execute(select(table)):
                for column, value in row._mapping.items():
                    if value is None or isinstance(value, bool | int | float):
                        continue
                    if isinstance(value, bytes | memoryview):
                        text = bytes(value).decode("latin-1")
                    elif isinstance(value, dict | list):
                        text = json.dumps(value, default=str)
                    else:
                        text = str(value)
                    if mark in text:
                        found.append(f"{table.name}.{column}")
    return found


def test_a_customer_is_exported_then_erased_everywhere_with_reports_unchanged(
    db: Database, center: Center
) -> None:
    mark = uuid.uuid4().hex
    email = f"zelda.{mark}@example.com"
    phone = f"+4477009{int(mark[:8], 16) % 100000:05d}"
    contact_id = _chat(center, mark, email)
    customer_id = center.get(f"contacts/{contact_id}")["customer_id"]
    renamed = center.client.patch(
        f"/api/v1/customers/{customer_id}",
        json={"display_name": f"Zelda R {mark}", "identities": {"phone": phone}},
        headers=center.tenant.headers(),
    )
    assert renamed.status_code == 200, renamed.text
    _messages(db, center, mark, email, phone)
    case = create_ok(
        center.client,
        center.tenant,
        "cases",
        {"subject": f"Card {mark}", "customer_id": customer_id, "contact_ids": [contact_id]},
    )
    status = center.post(f"cases/{case['id']}/status", {"status": "open", "reason": f"r {mark}"})
    assert status.status_code == 200, status.text
    callback = _book_callback(center, customer_id, phone, mark)

    exported = center.client.get(
        f"/api/v1/customers/{customer_id}/export", headers=center.tenant.headers(Role.SUPERVISOR)
    )
    assert exported.status_code == 200, exported.text
    archive = zipfile.ZipFile(io.BytesIO(exported.content))
    names = archive.namelist()
    assert {"profile.json", "contacts.json", "cases.json", "notes.json"} <= set(names)
    contacts = json.loads(archive.read("contacts.json"))
    assert {c["channel"] for c in contacts} == {"chat", "email", "sms"}
    bodies = [m["body"] for c in contacts for m in c["messages"]]
    assert f"My card {mark} was declined" in bodies
    assert f"Hello Zelda {mark}" in bodies
    (attachment,) = [n for n in names if n.startswith("attachments/")]
    assert archive.read(attachment) == f"statement {mark}".encode()
    assert json.loads(archive.read("notes.json"))[0]["notes"] == f"Called about {mark}"
    assert json.loads(archive.read("cases.json"))[0]["subject"] == f"Card {mark}"
    context = json.loads(archive.read("context.json"))
    assert context["callbacks"][0]["subject"] == f"Call me {mark}"
    assert context["chat_sessions"][0]["visitor_name"] == f"Zelda {mark}"
    assert _traces(db, mark)  # the data really is there before erasure

    reports_before = _reports(center)
    assert reports_before[0]["rows"][0]["talk_seconds"] == 40.0
    url = f"/api/v1/customers/{customer_id}"
    assert center.client.delete(url, headers=center.tenant.headers(Role.AGENT)).status_code == 403
    stranger = make_tenant(db)
    assert center.client.delete(url, headers=stranger.headers()).status_code == 404
    assert center.client.get(url, headers=center.tenant.headers()).status_code == 200
    erased = center.client.delete(url, headers=center.tenant.headers(Role.MANAGER))
    assert erased.status_code == 204, erased.text

    assert _traces(db, mark) == []
    assert center.client.get(url, headers=center.tenant.headers()).status_code == 404
    assert center.client.delete(url, headers=center.tenant.headers()).status_code == 404
    assert _reports(center) == reports_before
    with db.read() as session:
        sequences = session.scalars(
            select(tables.Event.sequence)
            .where(tables.Event.organization_id == center.tenant.organization_id)
            .order_by(tables.Event.sequence)
        ).all()
    assert list(sequences) == list(range(1, len(sequences) + 1))
    contact = center.get(f"contacts/{contact_id}")
    assert (contact["customer_id"], contact["state"]) == (None, "closed")
    assert center.get(f"callbacks/{callback['id']}")["state"] == "cancelled"

    audit = center.client.get(
        "/api/v1/audit",
        params={"resource_kind": "Customer", "resource_id": str(customer_id)},
        headers=center.tenant.headers(Role.MANAGER),
    )
    assert audit.status_code == 200, audit.text
    actions = [e["action"] for e in audit.json()["entries"]]
    assert actions[0] == "customer.erased"
    assert "customer.exported" in actions
    assert "customer.read" in actions


def test_export_and_erasure_refuse_unknown_foreign_customers_and_agents(db: Database) -> None:
    client = make_client(db)
    tenant = make_tenant(db)
    stranger = make_tenant(db)
    customer = create_ok(client, tenant, "customers", {"display_name": "Ida"})
    for method, suffix in (("GET", "/export"), ("DELETE", "")):
        url = f"/api/v1/customers/{customer['id']}{suffix}"
        unknown = f"/api/v1/customers/999999999{suffix}"
        assert client.request(method, unknown, headers=tenant.headers()).status_code == 404
        assert client.request(method, url, headers=stranger.headers()).status_code == 404
        refused = client.request(method, url, headers=tenant.headers(Role.AGENT))
        assert refused.status_code == 403
        assert "manager" in refused.text
    exported = client.get(
        f"/api/v1/customers/{customer['id']}/export", headers=tenant.headers(Role.SUPERVISOR)
    )
    assert exported.status_code == 200
    assert exported.headers["content-type"] == "application/zip"
    refused = client.delete(
        f"/api/v1/customers/{customer['id']}", headers=tenant.headers(Role.SUPERVISOR)
    )
    assert refused.status_code == 403
    assert (
        client.get(f"/api/v1/customers/{customer['id']}", headers=tenant.headers()).json()[
            "display_name"
        ]
        == "Ida"
    )
