"""Contacts: idempotent creation, customers matched by identity, listing and the timeline."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from fastapi.testclient import TestClient

from helpline.bootstrap import Database
from tests.factories import Tenant, create_ok, make_client, make_tenant

pytestmark = pytest.mark.integration


@pytest.fixture
def client(db: Database) -> TestClient:
    return make_client(db)


@pytest.fixture
def tenant(db: Database) -> Tenant:
    return make_tenant(db)


def _contact_body(queue_id: int, **extra: Any) -> dict[str, Any]:
    return {
        "channel": "chat",
        "queue_id": queue_id,
        "customer": {"display_name": "Jo", "identities": {"email": "Jo@Example.com"}},
        "message": "My card was declined",
    } | extra


def _contacts(client: TestClient, tenant: Tenant, query: str = "") -> list[dict[str, Any]]:
    response = client.get(f"/api/v1/contacts?limit=1000{query}", headers=tenant.headers())
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


def test_same_idempotency_key_returns_the_same_contact(client: TestClient, tenant: Tenant) -> None:
    queue = create_ok(client, tenant, "queues", {"name": "Chat", "channel": "chat"})
    headers = tenant.headers() | {"Idempotency-Key": "order-42"}
    first = client.post("/api/v1/contacts", json=_contact_body(queue["id"]), headers=headers)
    again = client.post("/api/v1/contacts", json=_contact_body(queue["id"]), headers=headers)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    assert first.json()["state"] == "queued"
    assert len(_contacts(client, tenant)) == 1


def test_reused_idempotency_key_with_a_different_body_conflicts(
    client: TestClient, tenant: Tenant
) -> None:
    queue = create_ok(client, tenant, "queues", {"name": "Chat", "channel": "chat"})
    headers = tenant.headers() | {"Idempotency-Key": "k1"}
    assert (
        client.post(
            "/api/v1/contacts", json=_contact_body(queue["id"]), headers=headers
        ).status_code
        == 201
    )
    other = client.post(
        "/api/v1/contacts", json=_contact_body(queue["id"], subject="else"), headers=headers
    )
    assert other.status_code == 409
    assert len(_contacts(client, tenant)) == 1


def test_concurrent_retries_with_one_key_create_one_contact(
    client: TestClient, tenant: Tenant
) -> None:
    queue = create_ok(client, tenant, "queues", {"name": "Chat", "channel": "chat"})
    headers = tenant.headers() | {"Idempotency-Key": "burst"}
    start = threading.Barrier(8)

    def post(_: int) -> tuple[int, int]:
        start.wait()
        response = client.post("/api/v1/contacts", json=_contact_body(queue["id"]), headers=headers)
        return response.status_code, response.json()["id"]

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(post, range(8)))
    assert sorted(code for code, _ in results) == [200] * 7 + [201]
    assert len({contact_id for _, contact_id in results}) == 1
    assert len(_contacts(client, tenant)) == 1


def test_contacts_on_several_channels_join_one_customer_timeline(
    client: TestClient, tenant: Tenant
) -> None:
    chat = create_ok(client, tenant, "queues", {"name": "Chat", "channel": "chat"})
    voice = create_ok(client, tenant, "queues", {"name": "Voice", "channel": "voice"})
    first = create_ok(client, tenant, "contacts", _contact_body(chat["id"]))
    second = create_ok(
        client,
        tenant,
        "contacts",
        {
            "channel": "voice",
            "queue_id": voice["id"],
            "customer": {"identities": {"email": "jo@example.com", "phone": "020 7946 0002"}},
        },
    )
    assert second["customer_id"] == first["customer_id"]
    customer = client.get(
        f"/api/v1/customers/{first['customer_id']}", headers=tenant.headers()
    ).json()
    assert customer["identities"] == {"email": ["jo@example.com"], "phone": ["+442079460002"]}
    found = client.get("/api/v1/customers?q=%2B44 20 7946 0002", headers=tenant.headers()).json()
    assert [c["id"] for c in found] == [customer["id"]]
    timeline = client.get(
        f"/api/v1/customers/{customer['id']}/timeline", headers=tenant.headers()
    ).json()["items"]
    assert [entry["channel"] for entry in timeline] == ["voice", "chat"]
    assert timeline[1]["messages"][0]["body"] == "My card was declined"


def test_contact_in_a_queue_of_another_channel_is_rejected(
    client: TestClient, tenant: Tenant
) -> None:
    voice = create_ok(client, tenant, "queues", {"name": "Voice", "channel": "voice"})
    response = client.post(
        "/api/v1/contacts", json=_contact_body(voice["id"]), headers=tenant.headers()
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "queue_id"]
    assert _contacts(client, tenant) == []


def test_contacts_are_listed_with_filters_and_keyset_pages(
    client: TestClient, tenant: Tenant
) -> None:
    chat = create_ok(client, tenant, "queues", {"name": "Chat", "channel": "chat"})
    ids = [create_ok(client, tenant, "contacts", _contact_body(chat["id"]))["id"] for _ in range(5)]
    create_ok(client, tenant, "contacts", {"channel": "email"})
    page = client.get("/api/v1/contacts?channel=chat&limit=2", headers=tenant.headers()).json()
    assert [c["id"] for c in page["items"]] == ids[:2]
    rest = client.get(
        f"/api/v1/contacts?channel=chat&limit=10&after_id={page['next_after_id']}",
        headers=tenant.headers(),
    ).json()
    assert [c["id"] for c in rest["items"]] == ids[2:]
    assert rest["next_after_id"] is None
    assert [c["channel"] for c in _contacts(client, tenant, "&state=created")] == ["email"]


def test_a_bad_query_parameter_is_named_where_it_was_sent(
    client: TestClient, tenant: Tenant
) -> None:
    response = client.get(
        "/api/v1/contacts",
        params={"created_from": "2026-01-31T09:00:00"},
        headers=tenant.headers(),
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "created_from"]
