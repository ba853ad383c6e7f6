"""CRUD of every configuration resource through the REST API, with its events."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from helpline.bootstrap import Database
from helpline.domain.enums import Role
from tests.factories import Tenant, create_ok, full_configuration, make_client, make_tenant

pytestmark = pytest.mark.integration


@pytest.fixture
def client(db: Database) -> TestClient:
    return make_client(db)


@pytest.fixture
def tenant(db: Database) -> Tenant:
    return make_tenant(db)


def _events(client: TestClient, tenant: Tenant) -> list[dict[str, Any]]:
    response = client.get("/api/v1/events?limit=1000", headers=tenant.headers())
    assert response.status_code == 200
    events: list[dict[str, Any]] = response.json()["events"]
    return events


# (path, key in full_configuration, a change to PATCH, the field that shows it)
CHANGES = [
    ("teams", "team", {"name": "Green"}, "name"),
    ("skills", "skill", {"description": "Fees and payments"}, "description"),
    ("wrap-up-codes", "wrap_up_code", {"is_active": False}, "is_active"),
    ("queues", "queue", {"service_level_seconds": 30}, "service_level_seconds"),
    (
        "routing-profiles",
        "routing_profile",
        {"voice_blocks_other_channels": False},
        "voice_blocks_other_channels",
    ),
    ("agents", "agent", {"hourly_cost": 31.5}, "hourly_cost"),
]


@pytest.mark.parametrize(("path", "key", "change", "field"), CHANGES)
def test_resource_can_be_created_read_listed_changed_and_deleted(
    client: TestClient, tenant: Tenant, path: str, key: str, change: dict[str, Any], field: str
) -> None:
    created = full_configuration(client, tenant)[key]
    url = f"/api/v1/{path}/{created['id']}"
    assert client.get(url, headers=tenant.headers()).json() == created
    listed = client.get(f"/api/v1/{path}", headers=tenant.headers()).json()
    assert [item["id"] for item in listed] == [created["id"]]

    patched = client.patch(url, json=change, headers=tenant.headers())
    assert patched.status_code == 200, patched.text
    assert patched.json()[field] == change[field]
    assert client.get(url, headers=tenant.headers()).json()[field] == change[field]

    if path == "queues":  # a queue with an open contact is kept
        assert client.delete(url, headers=tenant.headers()).status_code == 409
        return
    assert client.delete(url, headers=tenant.headers()).status_code == 204
    assert client.get(url, headers=tenant.headers()).status_code == 404
    types = [event["type"] for event in _events(client, tenant)]
    prefix = {"wrap-up-codes": "WrapUpCode", "routing-profiles": "RoutingProfile"}.get(
        path, path[:-1].capitalize()
    )
    assert f"{prefix}Created" in types
    assert f"{prefix}Updated" in types
    assert f"{prefix}Deleted" in types


def test_agent_skills_are_replaced_whole_on_patch(client: TestClient, tenant: Tenant) -> None:
    config = full_configuration(client, tenant)
    spanish = create_ok(client, tenant, "skills", {"name": "Spanish"})
    url = f"/api/v1/agents/{config['agent']['id']}"
    response = client.patch(
        url,
        json={"skills": [{"skill_id": spanish["id"], "proficiency": 5}]},
        headers=tenant.headers(),
    )
    assert response.status_code == 200, response.text
    assert response.json()["skills"] == [{"skill_id": spanish["id"], "proficiency": 5}]
    assert response.json()["team_id"] == config["team"]["id"]  # untouched fields stay


def test_duplicate_names_conflict_and_leave_the_first(client: TestClient, tenant: Tenant) -> None:
    create_ok(client, tenant, "teams", {"name": "Red"})
    response = client.post("/api/v1/teams", json={"name": "Red"}, headers=tenant.headers())
    assert response.status_code == 409
    assert "Red" in response.json()["detail"]
    assert len(client.get("/api/v1/teams", headers=tenant.headers()).json()) == 1


def test_agents_read_configuration_but_cannot_change_it(client: TestClient, tenant: Tenant) -> None:
    create_ok(client, tenant, "teams", {"name": "Red"})
    assert client.get("/api/v1/teams", headers=tenant.headers(Role.AGENT)).status_code == 200
    response = client.post(
        "/api/v1/teams", json={"name": "Blue"}, headers=tenant.headers(Role.AGENT)
    )
    assert response.status_code == 403
    assert len(client.get("/api/v1/teams", headers=tenant.headers()).json()) == 1
    manager = client.post(
        "/api/v1/teams", json={"name": "Blue"}, headers=tenant.headers(Role.MANAGER)
    )
    assert manager.status_code == 201


def test_queue_rejects_overflow_to_itself(client: TestClient, tenant: Tenant) -> None:
    queue = create_ok(client, tenant, "queues", {"name": "Q", "channel": "chat"})
    response = client.patch(
        f"/api/v1/queues/{queue['id']}",
        json={"overflow_queue_id": queue["id"]},
        headers=tenant.headers(),
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "overflow_queue_id"]
    assert (
        client.get(f"/api/v1/queues/{queue['id']}", headers=tenant.headers()).json()[
            "overflow_queue_id"
        ]
        is None
    )
