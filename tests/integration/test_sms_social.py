"""SMS and social through provider connections: signed webhooks in, replies out to a real HTTP
provider with retries, delivery receipts back."""

from __future__ import annotations

import asyncio
import base64
import json
import logging
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

import pytest
from fastapi.testclient import TestClient

from helpline.bootstrap import Database
from helpline.channels.base import ChannelRegistry
from helpline.channels.outbox import Outbox
from helpline.channels.providers import ProviderAdapter
from helpline.channels.signatures import (
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    TWILIO_HEADER,
    generic_signature,
    twilio_signature,
    verify_generic,
)
from helpline.domain.enums import Channel, Role
from tests.center import Center, build_center
from tests.factories import create_ok
from tests.integration.snapshot import organization_snapshot
from tests.provider_server import FakeProvider, fake_provider

pytestmark = pytest.mark.integration

SECRET = "generic-secret-0123456789"
TWILIO_TOKEN = "twilio-auth-token-0123456789"
ACCOUNT = "AC0123456789abcdef0123456789abcdef"


@dataclass
class Sms:
    """A center with an SMS and a social queue, three connections and a fake provider."""

    center: Center
    provider: FakeProvider
    generic: dict[str, Any]
    twilio: dict[str, Any]
    social: dict[str, Any]
    queues: dict[str, int]

    @property
    def client(self) -> TestClient:
        return self.center.client

    def post_generic(
        self,
        payload: dict[str, Any],
        *,
        path: str = "",
        connection: dict[str, Any] | None = None,
        secret: str = SECRET,
        timestamp: int | None = None,
        headers: dict[str, str] | None = None,
    ) -> Any:
        connection = connection or self.generic
        body = json.dumps(payload).encode()
        sent_at = int(self.center.clock.now.timestamp()) if timestamp is None else timestamp
        signed = {
            "Content-Type": "application/json",
            TIMESTAMP_HEADER: str(sent_at),
            SIGNATURE_HEADER: generic_signature(secret, sent_at, body),
        }
        return self.client.post(
            f"/hooks/generic_json/{connection['id']}{path}",
            content=body,
            headers=signed if headers is None else headers,
        )

    def post_twilio(
        self, form: dict[str, str], *, path: str = "", token: str = TWILIO_TOKEN
    ) -> Any:
        url = f"http://testserver/hooks/twilio/{self.twilio['id']}{path}"
        signature = twilio_signature(token, url, form.items())
        return self.client.post(url, data=form, headers={TWILIO_HEADER: signature})

    def messages(self, contact_id: int) -> list[dict[str, Any]]:
        result: list[dict[str, Any]] = self.center.get(f"contacts/{contact_id}/messages")
        return result

    def deliver(self) -> int:
        outbox: Outbox = self.client.app.state.outbox  # type: ignore[attr-defined]
        return asyncio.run(outbox.deliver_due())


@pytest.fixture
def sms(db: Database) -> Iterator[Sms]:
    adapters = ChannelRegistry(
        {
            Channel.SMS: ProviderAdapter(Channel.SMS, db, timeout_seconds=2.0),
            Channel.SOCIAL: ProviderAdapter(Channel.SOCIAL, db, timeout_seconds=2.0),
        }
    )
    center = build_center(db, channels=adapters)
    client, tenant = center.client, center.tenant
    queues = {
        channel: create_ok(client, tenant, "queues", {"name": channel, "channel": channel})["id"]
        for channel in ("sms", "social")
    }
    with fake_provider() as provider:
        generic = create_ok(
            client,
            tenant,
            "provider-connections",
            {
                "name": "Generic SMS",
                "provider": "generic_json",
                "channel": "sms",
                "address": "020 7946 0999",
                "queue_id": queues["sms"],
                "secret": SECRET,
                "outbound_url": f"{provider.url}/send",
            },
        )
        twilio = create_ok(
            client,
            tenant,
            "provider-connections",
            {
                "name": "Twilio SMS",
                "provider": "twilio",
                "channel": "sms",
                "address": "+447700900001",
                "queue_id": queues["sms"],
                "secret": TWILIO_TOKEN,
                "outbound_url": f"{provider.url}/2010-04-01",
                "outbound_username": ACCOUNT,
            },
        )
        social = create_ok(
            client,
            tenant,
            "provider-connections",
            {
                "name": "Facebook page",
                "provider": "generic_json",
                "channel": "social",
                "network": "facebook",
                "address": "acme-support",
                "queue_id": queues["social"],
                "secret": SECRET,
                "outbound_url": f"{provider.url}/social",
            },
        )
        yield Sms(center, provider, generic, twilio, social, queues)


def _text(
    message_id: str = "prov-m-1", sender: str = "07700 900123", **extra: Any
) -> dict[str, Any]:
    return {"message_id": message_id, "from": sender, "to": "+442079460999", "text": "Hi"} | extra


def test_a_signed_sms_is_stored_once_with_the_sender_in_e164(sms: Sms) -> None:
    first = sms.post_generic(_text(name="Nia"))
    assert first.status_code == 200, first.text
    assert first.json()["status"] == "stored"
    retry = sms.post_generic(_text(name="Nia"))
    assert retry.status_code == 200
    assert retry.json() == first.json() | {"status": "duplicate"}
    contact = sms.center.get(f"contacts/{first.json()['contact_id']}")
    assert (contact["channel"], contact["queue_id"]) == ("sms", sms.queues["sms"])
    assert contact["attributes"]["provider_connection_id"] == sms.generic["id"]
    customer = sms.center.get(f"customers/{contact['customer_id']}")
    assert customer["identities"] == {"phone": ["+447700900123"]}
    assert customer["display_name"] == "Nia"
    (message,) = sms.messages(contact["id"])
    assert (message["sender"], message["body"], message["external_id"]) == (
        "+447700900123",
        "Hi",
        "prov-m-1",
    )
    assert sms.center.event_types(contact["id"]).count("MessageReceived") == 1


def test_a_second_text_threads_onto_the_open_conversation(sms: Sms) -> None:
    first = sms.post_generic(_text("a-1")).json()
    second = sms.post_generic(_text("a-2", sender="+447700900123", text="More")).json()
    assert second["status"] == "stored"
    assert second["contact_id"] == first["contact_id"]
    assert [m["body"] for m in sms.messages(first["contact_id"])] == ["Hi", "More"]


def test_bad_missing_or_stale_signatures_are_rejected_logged_and_store_nothing(
    sms: Sms, caplog: pytest.LogCaptureFixture
) -> None:
    before = organization_snapshot(
        sms.center.client.app.state.db, sms.center.tenant.organization_id
    )  # type: ignore[attr-defined]
    now = int(sms.center.clock.now.timestamp())
    body = json.dumps(_text()).encode()
    attempts = {
        "wrong secret": sms.post_generic(_text(), secret="not-the-secret-at-all"),
        "stale": sms.post_generic(_text(), timestamp=now - 3600),
        "missing": sms.post_generic(_text(), headers={"Content-Type": "application/json"}),
        "tampered": sms.client.post(
            f"/hooks/generic_json/{sms.generic['id']}",
            content=body.replace(b"Hi", b"Yo"),
            headers={
                TIMESTAMP_HEADER: str(now),
                SIGNATURE_HEADER: generic_signature(SECRET, now, body),
            },
        ),
        "twilio wrong token": sms.post_twilio(
            {"MessageSid": "SM1", "From": "+447700900123", "Body": "Hi"}, token="wrong"
        ),
        "twilio unsigned": sms.client.post(
            f"/hooks/twilio/{sms.twilio['id']}",
            data={"MessageSid": "SM1", "From": "+447700900123", "Body": "Hi"},
        ),
        "status wrong secret": sms.post_generic(
            {"message_id": "x", "status": "delivered"}, path="/status", secret="wrong-secret-0000"
        ),
    }
    with caplog.at_level(logging.WARNING, logger="helpline.api.routes.hooks"):
        attempts["logged"] = sms.post_generic(_text(), secret="another-wrong-secret")
    for name, response in attempts.items():
        assert response.status_code == 401, (name, response.text)
    assert any(
        "webhook rejected" in r.getMessage() and f"connection {sms.generic['id']}" in r.getMessage()
        for r in caplog.records
    )
    # A connection that does not exist (or is of another provider) is refused exactly like a bad
    # signature on one that does: the answers do not reveal which connection ids exist.
    unknown_connection = {"id": 999999999}
    for kind, existing, absent in (
        (
            "signed with another secret",
            attempts["wrong secret"],
            sms.post_generic(
                _text(), connection=unknown_connection, secret="not-the-secret-at-all"
            ),
        ),
        (
            "unsigned",
            attempts["missing"],
            sms.client.post("/hooks/generic_json/999999999", content=body),
        ),
        (
            "other provider's id",
            attempts["wrong secret"],
            sms.post_generic(_text(), connection=sms.twilio, secret=TWILIO_TOKEN),
        ),
    ):
        assert (absent.status_code, absent.json()) == (existing.status_code, existing.json()), kind
    after = organization_snapshot(sms.center.client.app.state.db, sms.center.tenant.organization_id)  # type: ignore[attr-defined]
    # Only the audit log grew: each rejection is a security event there.
    earlier = before.pop("audit_log")
    audited = [row for row in after.pop("audit_log") if row not in earlier]
    assert len(audited) == len(attempts)  # unknown connections belong to no organization
    assert all("webhook.rejected" in row for row in audited)
    assert after == before


def test_invalid_payloads_are_refused_naming_the_field(sms: Sms) -> None:
    no_id = sms.post_generic({"from": "+447700900123", "text": "Hi"})
    assert no_id.status_code == 422
    assert no_id.json()["detail"][0]["loc"] == ["body", "message_id"]
    bad_sender = sms.post_generic(_text(sender="not a number"))
    assert bad_sender.status_code == 422
    assert bad_sender.json()["detail"][0]["loc"] == ["body", "from"]


def test_concurrent_retries_of_one_webhook_store_it_once(sms: Sms) -> None:
    def deliver(_: int) -> dict[str, Any]:
        response = sms.post_generic(_text("race-1"))
        assert response.status_code == 200, response.text
        answer: dict[str, Any] = response.json()
        return answer

    with ThreadPoolExecutor(4) as pool:
        answers = list(pool.map(deliver, range(6)))
    assert len({(a["contact_id"], a["message_id"]) for a in answers}) == 1
    assert sorted(a["status"] for a in answers) == ["duplicate"] * 5 + ["stored"]
    assert len(sms.messages(answers[0]["contact_id"])) == 1


def test_a_twilio_form_webhook_is_verified_and_stored(sms: Sms) -> None:
    form = {
        "MessageSid": "SM11111111111111111111111111111111",
        "AccountSid": ACCOUNT,
        "From": "+447700900456",
        "To": "+447700900001",
        "Body": "Where is my parcel?",
        "NumMedia": "0",
    }
    response = sms.post_twilio(form)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/xml")
    assert "<Response>" in response.text
    assert sms.post_twilio(form).status_code == 200  # Twilio's retry
    found = [
        m
        for c in _sms_contacts(sms)
        for m in sms.messages(c)
        if m["external_id"] == form["MessageSid"]
    ]
    assert len(found) == 1
    assert found[0]["sender"] == "+447700900456"


def _sms_contacts(sms: Sms) -> list[int]:
    response = sms.client.get(
        "/api/v1/contacts", params={"channel": "sms"}, headers=sms.center.tenant.headers()
    )
    assert response.status_code == 200, response.text
    return [c["id"] for c in response.json()["items"]]


def test_a_social_handle_becomes_a_network_identity(sms: Sms) -> None:
    response = sms.post_generic(
        {"message_id": "fb-1", "from": "Jane.Doe", "text": "Hello page"}, connection=sms.social
    )
    assert response.status_code == 200, response.text
    contact = sms.center.get(f"contacts/{response.json()['contact_id']}")
    assert contact["channel"] == "social"
    customer = sms.center.get(f"customers/{contact['customer_id']}")
    assert customer["identities"] == {"social": ["facebook:jane.doe"]}


def _reply(sms: Sms, contact_id: int, text: str) -> dict[str, Any]:
    sent = sms.center.post(f"contacts/{contact_id}/messages", {"body": text})
    assert sent.status_code == 201, sent.text
    reply: dict[str, Any] = sent.json()
    return reply


def _stored(sms: Sms, contact_id: int, message_id: int) -> dict[str, Any]:
    (found,) = [m for m in sms.messages(contact_id) if m["id"] == message_id]
    return found


def test_a_reply_is_retried_on_5xx_and_429_then_delivered_and_receipted(sms: Sms) -> None:
    got = sms.post_generic(_text("r-1")).json()
    reply = _reply(sms, got["contact_id"], "We are on it")
    sms.provider.fail_with = [503, 429]
    assert sms.deliver() == 1
    assert _stored(sms, got["contact_id"], reply["id"])["delivery_status"] == "queued"
    sms.center.clock.advance(6)
    assert sms.deliver() == 1
    sms.center.clock.advance(11)
    assert sms.deliver() == 1
    stored = _stored(sms, got["contact_id"], reply["id"])
    assert stored["delivery_status"] == "sent"
    assert len(sms.provider.requests) == 3
    last = sms.provider.requests[-1]
    assert last.path == "/send"
    verify_generic(
        SECRET,
        last.body,
        last.headers[SIGNATURE_HEADER.lower()],
        last.headers[TIMESTAMP_HEADER.lower()],
        float(last.headers[TIMESTAMP_HEADER.lower()]),
    )
    sent = json.loads(last.body)
    assert (sent["to"], sent["from"], sent["text"]) == (
        "+447700900123",
        "+442079460999",
        "We are on it",
    )
    provider_id = stored["external_id"]
    assert provider_id == "prov-3"

    receipt = sms.post_generic({"message_id": provider_id, "status": "delivered"}, path="/status")
    assert receipt.status_code == 200, receipt.text
    assert receipt.json()["updated"] is True
    assert _stored(sms, got["contact_id"], reply["id"])["delivery_status"] == "delivered"
    unknown = sms.post_generic({"message_id": "nope", "status": "delivered"}, path="/status")
    assert unknown.status_code == 404
    assert "MessageDelivered" in sms.center.event_types(got["contact_id"])


def test_a_provider_timeout_is_retried(sms: Sms) -> None:
    adapter = sms.client.app.state.channels.get(Channel.SMS)  # type: ignore[attr-defined]
    adapter.timeout_seconds = 0.2
    got = sms.post_generic(_text("r-3")).json()
    reply = _reply(sms, got["contact_id"], "Still there?")
    sms.provider.stall_seconds = [1.0]
    assert sms.deliver() == 1
    stored = _stored(sms, got["contact_id"], reply["id"])
    assert stored["delivery_status"] == "queued"
    assert "Timeout" in stored["delivery_error"]
    sms.center.clock.advance(6)
    assert sms.deliver() == 1
    assert _stored(sms, got["contact_id"], reply["id"])["delivery_status"] == "sent"


def test_a_4xx_refusal_is_final_and_not_retried(sms: Sms) -> None:
    got = sms.post_generic(_text("r-2")).json()
    reply = _reply(sms, got["contact_id"], "Hello?")
    sms.provider.fail_with = [400]
    assert sms.deliver() == 1
    sms.center.clock.advance(3600)
    assert sms.deliver() == 0
    stored = _stored(sms, got["contact_id"], reply["id"])
    assert stored["delivery_status"] == "failed"
    assert "400" in stored["delivery_error"]
    assert len(sms.provider.requests) == 1


def test_a_twilio_reply_is_a_form_post_with_basic_auth_and_a_receipt_updates_it(sms: Sms) -> None:
    form = {
        "MessageSid": "SM" + "2" * 32,
        "From": "+447700900789",
        "To": "+447700900001",
        "Body": "Hi",
    }
    got = sms.post_twilio(form)
    assert got.status_code == 200, got.text
    (contact_id,) = [
        c
        for c in _sms_contacts(sms)
        if any(m["external_id"] == form["MessageSid"] for m in sms.messages(c))
    ]
    reply = _reply(sms, contact_id, "Your parcel is out for delivery")
    assert sms.deliver() == 1
    (request,) = sms.provider.requests
    assert request.path == f"/2010-04-01/Accounts/{ACCOUNT}/Messages.json"
    expected_auth = base64.b64encode(f"{ACCOUNT}:{TWILIO_TOKEN}".encode()).decode()
    assert request.headers["authorization"] == f"Basic {expected_auth}"
    sent = dict(parse_qsl(request.body.decode()))
    assert sent == {
        "To": "+447700900789",
        "From": "+447700900001",
        "Body": "Your parcel is out for delivery",
    }
    stored = _stored(sms, contact_id, reply["id"])
    assert stored["delivery_status"] == "sent"
    interim = sms.post_twilio(
        {"MessageSid": stored["external_id"], "MessageStatus": "sent"}, path="/status"
    )
    assert interim.status_code == 200, interim.text
    final = sms.post_twilio(
        {"MessageSid": stored["external_id"], "MessageStatus": "undelivered"}, path="/status"
    )
    assert final.status_code == 200, final.text
    assert _stored(sms, contact_id, reply["id"])["delivery_status"] == "failed"


def test_a_social_reply_goes_to_the_handle_without_the_network_prefix(sms: Sms) -> None:
    got = sms.post_generic(
        {"message_id": "fb-2", "from": "jane.doe", "text": "Hi"}, connection=sms.social
    ).json()
    _reply(sms, got["contact_id"], "Hi Jane")
    assert sms.deliver() == 1
    (request,) = sms.provider.requests
    assert request.path == "/social"
    assert json.loads(request.body)["to"] == "jane.doe"


def test_provider_connection_secrets_are_write_only(sms: Sms) -> None:
    headers = sms.center.tenant.headers(Role.ADMIN)
    shown = sms.client.get(f"/api/v1/provider-connections/{sms.generic['id']}", headers=headers)
    assert shown.status_code == 200
    assert SECRET not in shown.text
    assert shown.json()["secret_is_set"] is True
    assert shown.json()["address"] == "+442079460999"
    changed = sms.client.patch(
        f"/api/v1/provider-connections/{sms.generic['id']}",
        json={"secret": "a-brand-new-secret-value"},
        headers=headers,
    )
    assert changed.status_code == 200, changed.text
    events = sms.client.get("/api/v1/events?limit=1000", headers=headers).text
    assert SECRET not in events
    assert "a-brand-new-secret-value" not in events
    assert sms.post_generic(_text("after-rotation")).status_code == 401
    assert (
        sms.post_generic(_text("after-rotation"), secret="a-brand-new-secret-value").status_code
        == 200
    )
