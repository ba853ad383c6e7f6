"""Organizations are isolated: every route, tried with another organization's key and this one's ids,
answers 404 (the ids do not exist for the caller: not 403, which would confirm they exist elsewhere;
422 for ids inside a body) and changes nothing."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from helpline.bootstrap import Database
from tests.factories import full_configuration, make_client, make_tenant, schedule_body
from tests.integration.route_table import (
    PATH_OBJECTS,
    PUBLIC,
    body_for,
    organization_objects,
    route_operations,
)
from tests.integration.snapshot import organization_snapshot

pytestmark = pytest.mark.integration

# Strings only the victim's data contains (see tests.factories.full_configuration).
VICTIM_STRINGS = (
    "Billing day",
    "Week 49",
    "Coaching",
    "Ann Agent",
    "Cleo",
    "Blue",
    "Billing",
    "billing",
    "resolved",
    "+442079460001",
    "Honeymoon",
    "Lark",
    "Lost parcel",
    "Gold",
    "victim.example",
    "victim-bank.example",
)


def test_every_route_denies_another_organizations_ids_and_changes_nothing(
    db: Database,
) -> None:
    client: TestClient = make_client(db)
    victim_tenant = make_tenant(db)
    attacker = make_tenant(db)
    victim = organization_objects(client, db, victim_tenant)
    before = organization_snapshot(db, victim_tenant.organization_id)
    tried = 0
    wrong: list[tuple[str, str, int, str]] = []
    for path, operations in route_operations(client).items():
        params = re.findall(r"{(\w+)}", path)
        for method in operations:
            if (method, path) in PUBLIC:
                continue
            unknown = [p for p in params if p not in PATH_OBJECTS]
            assert not unknown, f"add {unknown} to PATH_OBJECTS to cover {method} {path}"
            url = path
            for param in params:
                url = url.replace(f"{{{param}}}", str(victim[PATH_OBJECTS[param]]["id"]))
            body = body_for(path, victim) if method in {"POST", "PUT"} else {}
            response = client.request(
                method,
                url,
                json=body if method in {"POST", "PATCH", "PUT"} else None,
                headers=attacker.headers(),
            )
            tried += 1
            expected = {404} if params else {404, 422} if method == "POST" and body else None
            if expected and response.status_code not in expected:
                wrong.append((method, url, response.status_code, response.text[:200]))
            elif method == "GET":
                for secret in VICTIM_STRINGS:
                    assert secret not in response.text, (method, url, secret)
    assert wrong == []
    assert tried > 150
    assert organization_snapshot(db, victim_tenant.organization_id) == before


def test_event_page_shows_only_the_callers_organization(db: Database) -> None:
    client = make_client(db)
    victim_tenant = make_tenant(db)
    attacker = make_tenant(db)
    full_configuration(client, victim_tenant)
    events = client.get("/api/v1/events?limit=1000", headers=attacker.headers()).json()["events"]
    assert {event["type"] for event in events} <= {"OrganizationCreated", "ApiKeyCreated"}


def test_schedule_groups_cannot_name_another_organizations_queue_or_skill(db: Database) -> None:
    client = make_client(db)
    victim = full_configuration(client, make_tenant(db))
    attacker = make_tenant(db)
    week = [1.0] * 168
    for group, field in (
        ({"name": "default", "queue_id": victim["queue"]["id"], "requirements": week}, "queue_id"),
        ({"name": "default", "skill_ids": [victim["skill"]["id"]], "requirements": week}, "skill"),
    ):
        body = schedule_body(requirements=None, groups=[group])
        response = client.post("/api/v1/schedules", json=body, headers=attacker.headers())
        assert response.status_code == 422, response.text
        assert field in response.text
    listed = client.get("/api/v1/schedules", headers=attacker.headers()).json()
    assert listed == []
