"""Web chat end to end: a real WebSocket visitor, the ACD, an agent's live stream, replay after a
reconnect, attachments within limits, and the transcript at a real SMTP server."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from starlette.testclient import WebSocketTestSession
from starlette.websockets import WebSocketDisconnect

from helpline.bootstrap import Database
from helpline.channels.base import ChannelRegistry
from helpline.channels.chat.adapter import ChatAdapter
from helpline.channels.chat.hub import ChatHub
from helpline.channels.mailer import Mailer
from helpline.domain.enums import Channel, Role
from tests.center import Center, build_center
from tests.factories import create_ok
from tests.network import SmtpSink, smtp_sink

pytestmark = pytest.mark.integration

Frame = dict[str, Any]
MAX_FRAMES = 200


@pytest.fixture
def sink() -> Iterator[SmtpSink]:
    with smtp_sink() as server:
        yield server


@pytest.fixture
def center(db: Database, sink: SmtpSink) -> Iterator[Center]:
    adapter = ChatAdapter(ChatHub(), Mailer("127.0.0.1", sink.port), "help@shop.example")
    built = build_center(db, channels=ChannelRegistry({Channel.CHAT: adapter}))
    with built.client:  # runs the lifespan: outbox delivery and routing timers
        yield built


def _widget(center: Center, **extra: Any) -> Frame:
    body = {
        "name": f"Shop {uuid.uuid4().hex[:6]}",
        "title": "Chat with Shop",
        "queue_id": center.queues["chat"],
        "allowed_origins": ["https://shop.example"],
        "max_attachment_bytes": 1000,
        "attachment_types": ["text/plain", "image/png"],
    } | extra
    return create_ok(center.client, center.tenant, "chat-widgets", body)


def _until(ws: WebSocketTestSession, wanted: Callable[[Frame], bool], seen: list[Frame]) -> Frame:
    """The first ``wanted`` frame not returned before: from ``seen``, else read (keeping frames in
    ``seen``) until one arrives. Frames of different kinds may arrive in any order."""
    for frame in seen:
        if wanted(frame) and not frame.get("_taken"):
            frame["_taken"] = True
            return frame
    for _ in range(MAX_FRAMES):
        frame = ws.receive_json()
        seen.append(frame)
        if wanted(frame):
            frame["_taken"] = True
            return frame
    raise AssertionError(f"no wanted frame among {seen[-10:]}")


def _of(kind: str, **fields: Any) -> Callable[[Frame], bool]:
    return lambda f: f.get("type") == kind and all(f.get(k) == v for k, v in fields.items())


def _start(ws: WebSocketTestSession, seen: list[Frame], **form: str) -> Frame:
    hello = ws.receive_json()
    assert hello["type"] == "hello"
    assert hello["max_attachment_bytes"] == 1000
    ws.send_json(
        {
            "type": "start",
            "name": "Vera Visitor",
            "email": "Vera@Example.com",
            "topic": "My card is blocked",
            "visitor_id": "visitor-abcdef12",
        }
        | form
    )
    return _until(ws, _of("session"), seen)


def _accept_chat(center: Center, agent: int) -> int:
    contact = center.contact("chat")
    assert center.state_of(contact["id"]) == "offered"
    accepted = center.post(f"contacts/{contact['id']}/accept", {"agent_id": agent})
    assert accepted.status_code == 200, accepted.text
    return int(contact["id"])


def test_a_visitor_chats_with_an_agent_and_reconnects_without_loss(
    center: Center, sink: SmtpSink
) -> None:
    agent = center.agents[0]
    key = _widget(center)["public_key"]
    center.available(agent)
    # Fill the agent's two chat slots; both waited 10 s, the history the expected wait comes from.
    busy = [center.contact("chat")["id"] for _ in range(2)]
    center.clock.advance(10)
    for contact_id in busy:
        assert center.post(f"contacts/{contact_id}/accept", {"agent_id": agent}).status_code == 200

    seen: list[Frame] = []
    with center.client.websocket_connect(f"/chat/ws?key={key}") as ws:
        session = _start(ws, seen)
        token = session["token"]
        waiting = _until(ws, _of("status", state="waiting"), seen)
        assert (waiting["position"], waiting["waiting"]) == (1, 1)
        assert waiting["expected_wait_seconds"] == 10  # ASA of the queue: no handle times yet
        topic = _until(ws, _of("message", client_seq=0), seen)
        assert topic["body"] == "My card is blocked"
        contact_id = topic["contact_id"]
        contact = center.get(f"contacts/{contact_id}")
        assert contact["state"] == "queued"
        assert contact["attributes"]["chat"]["email"] == "vera@example.com"
        customer = center.get(f"customers/{contact['customer_id']}")
        assert customer["identities"] == {
            "email": ["vera@example.com"],
            "chat": ["visitor-abcdef12"],
        }

        # A slot frees up: the ACD offers the chat, the agent accepts, the visitor sees who joined.
        assert center.post(f"contacts/{busy[0]}/close").status_code == 200
        offers = center.get(f"agents/{agent}/offers")
        assert [o["contact"]["id"] for o in offers] == [contact_id]
        assert center.post(f"contacts/{contact_id}/accept", {"agent_id": agent}).status_code == 200
        joined = _until(ws, _of("status", state="connected"), seen)
        assert joined["agent_name"] == "Agent 0"

        with center.client.websocket_connect(
            f"/api/v1/contacts/{contact_id}/chat/stream",
            headers=center.tenant.headers(Role.SUPERVISOR),
        ) as agent_ws:
            agent_seen: list[Frame] = []
            intro = _until(agent_ws, _of("session"), agent_seen)
            assert (intro["visitor_name"], intro["online"]) == ("Vera Visitor", True)
            _until(agent_ws, _of("message", client_seq=0), agent_seen)

            ws.send_json({"type": "typing", "is_typing": True})
            _until(agent_ws, _of("typing", who="visitor", is_typing=True), agent_seen)
            typing = center.post(f"contacts/{contact_id}/chat/typing", {"is_typing": True})
            assert typing.json() == {"sockets": 1}
            _until(ws, _of("typing", who="agent", is_typing=True), seen)

            ws.send_json({"type": "message", "seq": 1, "body": "It was declined twice"})
            ack = _until(ws, _of("ack", seq=1), seen)
            assert not ack["duplicate"]
            live = _until(agent_ws, _of("message", client_seq=1), agent_seen)
            assert (live["id"], live["direction"]) == (ack["id"], "inbound")

            reply = center.post(f"contacts/{contact_id}/messages", {"body": "Unblocked it"})
            assert reply.status_code == 201, reply.text
            got = _until(ws, _of("message", body="Unblocked it"), seen)
            assert got["direction"] == "outbound"
            _until(agent_ws, _of("message", body="Unblocked it"), agent_seen)

            # Message 2 is stored but its ack is lost with the connection.
            ws.send_json({"type": "message", "seq": 2, "body": "Thanks!"})
            lost_ack = _until(ws, _of("ack", seq=2), seen)
        last_seen = max(f["id"] for f in seen if f.get("type") == "message")

    offline = center.post(f"contacts/{contact_id}/messages", {"body": "Anything else?"})
    assert offline.status_code == 201

    replayed: list[Frame] = []
    with center.client.websocket_connect(f"/chat/ws?key={key}") as ws:
        assert ws.receive_json()["type"] == "hello"
        ws.send_json({"type": "resume", "token": token, "after": last_seen})
        resumed = _until(ws, _of("session"), replayed)
        assert resumed["session_id"] == session["session_id"]
        _until(ws, _of("message", body="Anything else?"), replayed)
        ws.send_json({"type": "message", "seq": 2, "body": "Thanks!"})  # resent: no ack came
        again = _until(ws, _of("ack", seq=2), replayed)
        assert (again["id"], again["duplicate"]) == (lost_ack["id"], True)
        ws.send_json({"type": "message", "seq": 3, "body": "No, that's all"})
        _until(ws, _of("ack", seq=3), replayed)

        ws.send_json({"type": "transcript"})
        sent = _until(ws, _of("transcript_sent"), replayed)
        assert sent["to"] == "vera@example.com"
        ws.send_json({"type": "end"})
        _until(ws, _of("status", state="ended"), replayed)

    bodies = [m["body"] for m in center.get(f"contacts/{contact_id}/messages")]
    assert bodies == [
        "My card is blocked",
        "It was declined twice",
        "Unblocked it",
        "Thanks!",
        "Anything else?",
        "No, that's all",
    ]
    (envelope,) = sink.received
    assert envelope.rcpt_tos == ["vera@example.com"]
    text = envelope.content.decode() if isinstance(envelope.content, bytes) else envelope.content
    assert "Vera Visitor: It was declined twice" in text
    assert "Agent: Unblocked it" in text
    assert "Subject: Your chat transcript: My card is blocked" in text
    types = center.event_types(contact_id)
    assert types.count("MessageReceived") == 4
    assert "ChatEnded" in types
    assert "ChatTranscriptSent" in types


def test_ending_a_chat_while_waiting_abandons_the_contact(center: Center) -> None:
    key = _widget(center)["public_key"]
    seen: list[Frame] = []
    with center.client.websocket_connect(f"/chat/ws?key={key}") as ws:
        _start(ws, seen)
        contact_id = _until(ws, _of("message", client_seq=0), seen)["contact_id"]
        waiting = _until(ws, _of("status", state="waiting"), seen)
        assert waiting["expected_wait_seconds"] is None  # nobody staffed, no history
        ws.send_json({"type": "end"})
        _until(ws, _of("status", state="ended"), seen)
    assert center.state_of(contact_id) in {"abandoned", "short_abandoned"}


def test_bad_pre_chat_forms_are_refused_naming_the_field(center: Center) -> None:
    key = _widget(center)["public_key"]
    with center.client.websocket_connect(f"/chat/ws?key={key}") as ws:
        ws.receive_json()
        for form, field in (
            ({"name": "", "email": "a@b.example", "topic": "x"}, "name"),
            ({"name": "A", "email": "not-an-email", "topic": "x"}, "email"),
            ({"name": "A", "email": "a@b.example", "topic": ""}, "topic"),
            (
                {"name": "A", "email": "a@b.example", "topic": "x", "visitor_id": "a b"},
                "visitor_id",
            ),
        ):
            ws.send_json({"type": "start"} | form)
            error = ws.receive_json()
            assert (error["type"], error["field"]) == ("error", field)
        ws.send_json({"type": "resume", "token": "forged.token", "after": 0})
        assert ws.receive_json()["type"] == "error"
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive_json()
        assert closed.value.code == 4401
    types = {e["type"] for e in center.get("events?limit=1000")["events"]}
    assert "ChatStarted" not in types
    assert "MessageReceived" not in types


def test_unknown_keys_and_foreign_sites_are_turned_away(center: Center) -> None:
    key = _widget(center)["public_key"]
    with (
        pytest.raises(WebSocketDisconnect) as unknown,
        center.client.websocket_connect("/chat/ws?key=hlw_nope") as ws,
    ):
        ws.receive_json()
    assert unknown.value.code == 4404
    with (
        pytest.raises(WebSocketDisconnect) as foreign,
        center.client.websocket_connect(
            f"/chat/ws?key={key}", headers={"origin": "https://evil.example"}
        ) as ws,
    ):
        ws.receive_json()
    assert foreign.value.code == 4403
    with center.client.websocket_connect(
        f"/chat/ws?key={key}", headers={"origin": "https://shop.example"}
    ) as ws:
        assert ws.receive_json()["type"] == "hello"


def test_attachments_respect_the_widget_limits(center: Center) -> None:
    key = _widget(center)["public_key"]
    seen: list[Frame] = []
    with center.client.websocket_connect(f"/chat/ws?key={key}") as ws:
        token = _start(ws, seen)["token"]
        contact_id = _until(ws, _of("message", client_seq=0), seen)["contact_id"]

    def upload(data: bytes, content_type: str, seq: int = 1, **headers: str) -> Any:
        return center.client.post(
            f"/chat/attachments?key={key}&seq={seq}&filename=../notes.txt",
            content=data,
            headers={"Content-Type": content_type, "X-Chat-Token": token} | headers,
        )

    too_big = upload(b"x" * 1001, "text/plain")
    assert too_big.status_code == 422
    assert too_big.json()["detail"][0]["loc"] == ["body", "file"]
    wrong_type = upload(b"PK\x03\x04", "application/zip")
    assert wrong_type.status_code == 422
    assert wrong_type.json()["detail"][0]["loc"] == ["body", "content_type"]
    forged = upload(b"hi", "text/plain", **{"X-Chat-Token": token + "x"})
    assert forged.status_code == 401
    foreign = upload(b"hi", "text/plain", origin="https://evil.example")
    assert foreign.status_code == 403
    disguised = upload(b"<html><script>alert(1)</script></html>", "text/plain")  # bytes decide
    assert disguised.status_code == 422
    assert "text/html" in disguised.json()["detail"][0]["msg"]
    assert len(center.get(f"contacts/{contact_id}/messages")) == 1

    stored = upload(b"card ending 42", "text/plain", origin="https://shop.example")
    assert stored.status_code == 201, stored.text
    assert stored.headers["access-control-allow-origin"] == "https://shop.example"
    assert upload(b"card ending 42", "text/plain").status_code == 200  # a retry: stored once
    messages = center.get(f"contacts/{contact_id}/messages")
    assert len(messages) == 2
    (attachment,) = messages[1]["attachments"]
    assert (attachment["filename"], attachment["size"]) == ("notes.txt", 14)
    preflight = center.client.options(
        f"/chat/attachments?key={key}",
        headers={"Origin": "https://shop.example", "Access-Control-Request-Method": "POST"},
    )
    assert preflight.status_code == 204
    assert "X-Chat-Token" in preflight.headers["access-control-allow-headers"]


def test_widget_configuration_hides_its_secret_and_checks_its_queue(center: Center) -> None:
    widget = _widget(center)
    assert widget["public_key"].startswith("hlw_")
    assert "signing_secret" not in widget
    path = f"/api/v1/chat-widgets/{widget['id']}"
    changed = center.client.patch(
        path, json={"allowed_origins": ["*"]}, headers=center.tenant.headers()
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["allowed_origins"] == ["*"]
    events = center.get("events?limit=1000")["events"]
    assert not any("signing_secret" in str(e["payload"]) for e in events)
    voice = center.client.post(
        "/api/v1/chat-widgets",
        json={"name": "Voice?", "queue_id": center.queues["voice"]},
        headers=center.tenant.headers(),
    )
    assert voice.status_code == 422
    assert voice.json()["detail"][0]["loc"] == ["body", "queue_id"]
    assert center.client.delete(path, headers=center.tenant.headers()).status_code == 204
    with (
        pytest.raises(WebSocketDisconnect) as gone,
        center.client.websocket_connect(f"/chat/ws?key={widget['public_key']}") as ws,
    ):
        ws.receive_json()
    assert gone.value.code == 4404


def test_the_widget_script_and_demo_page_are_served(center: Center) -> None:
    script = center.client.get("/chat/widget.js")
    assert script.status_code == 200
    assert script.headers["content-type"].startswith("text/javascript")
    assert "data-org" in script.text
    demo = center.client.get('/chat/demo?key=hlw_"><x')
    assert demo.status_code == 200
    assert 'data-org="hlw_&quot;&gt;&lt;x"' in demo.text


def test_writing_after_the_agent_closed_the_chat_opens_a_follow_up(center: Center) -> None:
    agent = center.agents[0]
    key = _widget(center)["public_key"]
    center.available(agent)
    seen: list[Frame] = []
    with center.client.websocket_connect(f"/chat/ws?key={key}") as ws:
        _start(ws, seen)
        first = _until(ws, _of("message", client_seq=0), seen)["contact_id"]
        assert center.post(f"contacts/{first}/accept", {"agent_id": agent}).status_code == 200
        _until(ws, _of("status", state="connected"), seen)
        with center.client.websocket_connect(
            f"/api/v1/contacts/{first}/chat/stream", headers=center.tenant.headers(Role.SUPERVISOR)
        ) as agent_ws:
            agent_ws.send_json({"type": "typing", "is_typing": True})
            _until(ws, _of("typing", who="agent", is_typing=True), seen)
        assert center.post(f"contacts/{first}/close").status_code == 200
        _until(ws, _of("status", state="closed"), seen)

        ws.send_json({"type": "message", "seq": 1, "body": "One more thing"})
        _until(ws, _of("ack", seq=1), seen)
        follow_up = _until(ws, _of("message", client_seq=1), seen)["contact_id"]
        assert follow_up != first
        _until(ws, _of("status", state="offered"), seen)
    contact = center.get(f"contacts/{follow_up}")
    assert contact["attributes"]["follows_contact_id"] == first
    assert contact["customer_id"] == center.get(f"contacts/{first}")["customer_id"]
