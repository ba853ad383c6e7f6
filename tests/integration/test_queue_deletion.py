"""Deleting a queue that configuration still uses is refused (409 naming the users) and changes
nothing; a widget whose queue is gone (data from before the rule) still reads."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update

from helpline.bootstrap import Database
from helpline.storage.tables import ChatWidget
from tests.factories import (
    Tenant,
    callback_objects,
    chat_objects,
    create_ok,
    make_client,
    make_tenant,
)

pytestmark = pytest.mark.integration


@pytest.fixture
def client(db: Database) -> TestClient:
    return make_client(db)


@pytest.fixture
def tenant(db: Database) -> Tenant:
    return make_tenant(db)


def _get(client: TestClient, tenant: Tenant, path: str) -> Any:
    response = client.get(f"/api/v1/{path}", headers=tenant.headers())
    assert response.status_code == 200, response.text
    return response.json()


def _snapshot(client: TestClient, tenant: Tenant) -> dict[str, Any]:
    paths = ("queues", "chat-widgets", "routing-profiles", "email-addresses", "voice-numbers")
    events = _get(client, tenant, "events?limit=1000")["events"]
    return {path: _get(client, tenant, path) for path in paths} | {"events": len(events)}


def test_deleting_a_chat_queue_a_widget_uses_is_refused_and_changes_nothing(
    client: TestClient, tenant: Tenant
) -> None:
    chat = chat_objects(client, tenant)
    queue, widget = chat["chat_queue"], chat["chat_widget"]
    before = _snapshot(client, tenant)

    refused = client.delete(f"/api/v1/queues/{queue['id']}", headers=tenant.headers())

    assert refused.status_code == 409
    assert f"chat widget 'Website' ({widget['id']})" in refused.json()["detail"]
    assert _snapshot(client, tenant) == before
    assert _get(client, tenant, f"chat-widgets/{widget['id']}")["queue_id"] == queue["id"]


def test_every_holder_is_named_and_the_queue_goes_once_they_let_go(
    client: TestClient, tenant: Tenant
) -> None:
    email = create_ok(client, tenant, "queues", {"name": "Mail", "channel": "email"})
    target = email["id"]
    overflowing = create_ok(
        client,
        tenant,
        "queues",
        {
            "name": "Mail closed",
            "channel": "email",
            "closed_treatment": "overflow",
            "overflow_queue_id": target,
        },
    )
    profile = create_ok(
        client,
        tenant,
        "routing-profiles",
        {
            "name": "Mailers",
            "channels": [{"channel": "email", "concurrency": 5}],
            "queues": [{"queue_id": target, "priority": 1, "delay_seconds": 0}],
        },
    )
    address = create_ok(
        client,
        tenant,
        "email-addresses",
        {"address": f"help@{tenant.name[4:]}.example", "queue_id": target},
    )
    before = _snapshot(client, tenant)

    refused = client.delete(f"/api/v1/queues/{target}", headers=tenant.headers())

    assert refused.status_code == 409
    detail = refused.json()["detail"]
    assert f"queue 'Mail closed' ({overflowing['id']})" in detail
    assert f"routing profile 'Mailers' ({profile['id']})" in detail
    assert f"email address {address['address']!r} ({address['id']})" in detail
    assert _snapshot(client, tenant) == before

    for path, item in (
        ("queues", overflowing),
        ("routing-profiles", profile),
        ("email-addresses", address),
    ):
        response = client.delete(f"/api/v1/{path}/{item['id']}", headers=tenant.headers())
        assert response.status_code == 204, response.text
    assert client.delete(f"/api/v1/queues/{target}", headers=tenant.headers()).status_code == 204
    assert client.get(f"/api/v1/queues/{target}", headers=tenant.headers()).status_code == 404


def test_a_voice_number_keeps_its_queue(client: TestClient, tenant: Tenant) -> None:
    voice = create_ok(client, tenant, "queues", {"name": "Phones", "channel": "voice"})
    number = create_ok(
        client, tenant, "voice-numbers", {"number": "+442079460199", "queue_id": voice["id"]}
    )

    refused = client.delete(f"/api/v1/queues/{voice['id']}", headers=tenant.headers())

    assert refused.status_code == 409
    assert f"voice number '+442079460199' ({number['id']})" in refused.json()["detail"]
    assert _get(client, tenant, f"voice-numbers/{number['id']}")["queue_id"] == voice["id"]


def test_another_organizations_widget_does_not_hold_a_queue(
    db: Database, client: TestClient, tenant: Tenant
) -> None:
    other = make_tenant(db)
    chat_objects(client, other)
    queue = create_ok(client, tenant, "queues", {"name": "Web chat", "channel": "chat"})

    deleted = client.delete(f"/api/v1/queues/{queue['id']}", headers=tenant.headers())

    assert deleted.status_code == 204
    assert len(_get(client, other, "chat-widgets")) == 1


def test_a_widget_whose_queue_is_gone_still_reads(
    db: Database, client: TestClient, tenant: Tenant
) -> None:
    widget = chat_objects(client, tenant)["chat_widget"]
    # Before queues were guarded, deleting one set its widgets' queue_id to NULL.
    with db.transaction() as session:
        session.execute(
            update(ChatWidget).where(ChatWidget.id == widget["id"]).values(queue_id=None)
        )

    listed = _get(client, tenant, "chat-widgets")
    one = _get(client, tenant, f"chat-widgets/{widget['id']}")

    assert [item["queue_id"] for item in listed] == [None]
    assert one["queue_id"] is None
    assert one["public_key"] == widget["public_key"]


def test_a_queue_with_promised_callbacks_is_kept_until_they_are_cancelled(
    client: TestClient, tenant: Tenant
) -> None:
    voice = create_ok(client, tenant, "queues", {"name": "Callbacks", "channel": "voice"})
    callback = callback_objects(client, tenant, voice["id"])["callback"]
    refused = client.delete(f"/api/v1/queues/{voice['id']}", headers=tenant.headers())
    assert refused.status_code == 409
    assert "1 scheduled callback(s)" in refused.json()["detail"]
    assert _get(client, tenant, f"callbacks/{callback['id']}")["state"] == "scheduled"
    cancelled = client.post(f"/api/v1/callbacks/{callback['id']}/cancel", headers=tenant.headers())
    assert cancelled.status_code == 200, cancelled.text
    deleted = client.delete(f"/api/v1/queues/{voice['id']}", headers=tenant.headers())
    assert deleted.status_code == 204, deleted.text
