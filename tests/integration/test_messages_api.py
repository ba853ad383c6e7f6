"""Messages of text contacts: inbound stored once and routed, replies delivered by the outbox."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import unquote

import pytest

from helpline.bootstrap import Database
from helpline.channels.base import Attachment, ChannelRegistry, InboundMessage
from helpline.channels.inbox import Inbox
from helpline.channels.memory import MemoryAdapter
from helpline.channels.outbox import Outbox
from helpline.domain.enums import Channel, IdentityKind, Role
from tests.center import Center, build_center

pytestmark = pytest.mark.integration


@pytest.fixture
def chat() -> MemoryAdapter:
    return MemoryAdapter(Channel.CHAT)


@pytest.fixture
def center(db: Database, chat: MemoryAdapter) -> Center:
    return build_center(db, channels=ChannelRegistry({Channel.CHAT: chat}))


def _inbox(center: Center) -> Inbox:
    inbox: Inbox = center.client.app.state.inbox  # type: ignore[attr-defined]
    return inbox


def _deliver(center: Center) -> int:
    outbox: Outbox = center.client.app.state.outbox  # type: ignore[attr-defined]
    return asyncio.run(outbox.deliver_due())


def _hello(external_id: str = "m-1", **extra: object) -> InboundMessage:
    fields: dict[str, object] = {
        "channel": Channel.CHAT,
        "external_id": external_id,
        "body": "Hello, my card is blocked",
        "sender": "visitor-7",
        "customer_name": "Vera",
        "identities": {IdentityKind.CHAT: "visitor-7"},
        "subject": "Card",
        "attachments": (Attachment("note.txt", "text/plain", b"card ending 42"),),
    }
    return InboundMessage(**(fields | extra))  # type: ignore[arg-type]


def test_an_inbound_message_is_stored_once_and_its_contact_routed(center: Center) -> None:
    center.available(center.agents[0])
    first = _inbox(center).receive_sync(
        center.tenant.actor, _hello(), queue_id=center.queues["chat"]
    )
    again = _inbox(center).receive_sync(
        center.tenant.actor, _hello(), queue_id=center.queues["chat"]
    )
    assert first.contact_created
    assert not first.duplicate
    assert again.duplicate
    assert not again.contact_created
    assert (again.contact_id, again.message_id) == (first.contact_id, first.message_id)
    assert center.state_of(first.contact_id) == "offered"
    messages = center.get(f"contacts/{first.contact_id}/messages")
    assert [m["body"] for m in messages] == ["Hello, my card is blocked"]
    (attachment,) = messages[0]["attachments"]
    assert (attachment["filename"], attachment["size"]) == ("note.txt", 14)
    download = center.client.get(
        f"/api/v1/contacts/{first.contact_id}/messages/{first.message_id}"
        f"/attachments/{attachment['id']}",
        headers=center.tenant.headers(Role.SUPERVISOR),
    )
    assert download.status_code == 200
    assert download.content == b"card ending 42"
    assert center.event_types(first.contact_id).count("MessageReceived") == 1


@pytest.mark.parametrize(
    ("filename", "fallback"),
    [
        ("отчёт.pdf", "download.pdf"),
        ("报告 2026.txt", "__ 2026.txt"),
        ("🎉.png", "download.png"),
        ('Café "menu".txt', "Cafe _menu_.txt"),
    ],
)
def test_an_attachment_named_in_any_script_downloads_under_its_name(
    center: Center, filename: str, fallback: str
) -> None:
    attachment = Attachment(filename, "text/plain", b"scan")
    got = _inbox(center).receive_sync(
        center.tenant.actor,
        _hello(f"named-{filename}", attachments=(attachment,)),
        queue_id=center.queues["chat"],
    )
    (stored,) = center.get(f"contacts/{got.contact_id}/messages")[0]["attachments"]
    download = center.client.get(
        f"/api/v1/contacts/{got.contact_id}/messages/{got.message_id}/attachments/{stored['id']}",
        headers=center.tenant.headers(Role.SUPERVISOR),
    )
    assert download.status_code == 200, download.text
    assert download.content == b"scan"
    disposition = download.headers["content-disposition"]
    assert f'filename="{fallback}"' in disposition
    encoded = disposition.split("filename*=UTF-8''", 1)[1]
    assert unquote(encoded) == filename


def test_concurrent_deliveries_of_one_message_store_it_once(center: Center) -> None:
    def receive(_: int) -> tuple[int, int]:
        got = _inbox(center).receive_sync(
            center.tenant.actor, _hello("race"), queue_id=center.queues["chat"]
        )
        return got.contact_id, got.message_id

    with ThreadPoolExecutor(4) as pool:
        results = set(pool.map(receive, range(4)))
    assert len(results) == 1
    (contact_id, _message_id) = results.pop()
    assert len(center.get(f"contacts/{contact_id}/messages")) == 1


def test_a_message_threaded_onto_a_finished_contact_opens_a_follow_up(center: Center) -> None:
    first = _inbox(center).receive_sync(
        center.tenant.actor, _hello(), queue_id=center.queues["chat"]
    )
    abandoned = center.post(f"contacts/{first.contact_id}/abandon")
    assert abandoned.status_code == 200, abandoned.text
    follow = _inbox(center).receive_sync(
        center.tenant.actor, _hello("m-2", body="Still blocked"), contact_id=first.contact_id
    )
    assert follow.contact_created
    assert follow.contact_id != first.contact_id
    contact = center.get(f"contacts/{follow.contact_id}")
    assert contact["attributes"]["follows_contact_id"] == first.contact_id
    assert contact["queue_id"] == center.queues["chat"]
    assert contact["customer_id"] == center.get(f"contacts/{first.contact_id}")["customer_id"]


def test_a_reply_is_queued_then_delivered_with_retries(center: Center, chat: MemoryAdapter) -> None:
    agent = center.agents[0]
    center.available(agent)
    got = _inbox(center).receive_sync(center.tenant.actor, _hello(), queue_id=center.queues["chat"])
    assert center.post(f"contacts/{got.contact_id}/accept", {"agent_id": agent}).status_code == 200
    sent = center.post(f"contacts/{got.contact_id}/messages", {"body": "Unblocked it for you"})
    assert sent.status_code == 201, sent.text
    reply = sent.json()
    assert reply["delivery_status"] == "queued"
    assert reply["headers"]["to"] == "visitor-7"

    chat.fail_next = 1
    assert _deliver(center) == 1
    (stored,) = [
        m for m in center.get(f"contacts/{got.contact_id}/messages") if m["id"] == reply["id"]
    ]
    assert (stored["delivery_status"], stored["delivery_error"]) == ("queued", "simulated outage")
    assert _deliver(center) == 0  # the retry waits its backoff
    center.clock.advance(6)
    assert _deliver(center) == 1
    (delivered,) = chat.sent
    assert (delivered.recipient, delivered.body) == ("visitor-7", "Unblocked it for you")
    (stored,) = [
        m for m in center.get(f"contacts/{got.contact_id}/messages") if m["id"] == reply["id"]
    ]
    assert stored["delivery_status"] == "sent"
    assert stored["external_id"] == f"memory-{reply['id']}"
    types = center.event_types(got.contact_id)
    assert types.count("MessageSent") == 1
    assert types.count("MessageDelivered") == 1


def test_a_message_that_keeps_failing_is_reported_failed(
    center: Center, chat: MemoryAdapter
) -> None:
    got = _inbox(center).receive_sync(center.tenant.actor, _hello(), queue_id=center.queues["chat"])
    reply = center.post(f"contacts/{got.contact_id}/messages", {"body": "Hello?"}).json()
    chat.fail_next = 100
    for _ in range(10):
        _deliver(center)
        center.clock.advance(3600)
    (stored,) = [
        m for m in center.get(f"contacts/{got.contact_id}/messages") if m["id"] == reply["id"]
    ]
    assert stored["delivery_status"] == "failed"
    assert chat.sent == []
    assert center.event_types(got.contact_id).count("MessageFailed") == 1


def test_bad_replies_are_refused_and_store_nothing(center: Center) -> None:
    got = _inbox(center).receive_sync(center.tenant.actor, _hello(), queue_id=center.queues["chat"])
    empty = center.post(f"contacts/{got.contact_id}/messages", {"body": ""})
    assert empty.status_code == 422
    assert ["body", "body"] in [e["loc"] for e in empty.json()["detail"]]
    unknown_field = center.post(f"contacts/{got.contact_id}/messages", {"body": "x", "cc": "y"})
    assert unknown_field.status_code == 422
    not_handling = center.post(f"contacts/{got.contact_id}/messages", {"body": "x"}, Role.AGENT)
    assert not_handling.status_code == 403
    voice = center.contact("voice")
    on_voice = center.post(f"contacts/{voice['id']}/messages", {"body": "x"})
    assert on_voice.status_code == 409
    assert center.post("contacts/999999999/messages", {"body": "x"}).status_code == 404
    assert len(center.get(f"contacts/{got.contact_id}/messages")) == 1
