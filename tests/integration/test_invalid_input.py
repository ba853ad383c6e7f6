"""Every create endpoint answers invalid input with 422 naming the field, and writes nothing."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from helpline.bootstrap import Database
from tests.factories import (
    email_objects,
    full_configuration,
    make_client,
    make_tenant,
    schedule_body,
)
from tests.integration.snapshot import organization_snapshot
from tests.integration.test_cross_organization import api_operations

pytestmark = pytest.mark.integration

MISSING = object()

# path -> list of (body, the field the error must name). ``{queue}`` etc. are replaced by real ids.
INVALID: dict[str, list[tuple[dict[str, Any], str]]] = {
    "/api/v1/teams": [
        ({}, "name"),
        ({"name": ""}, "name"),
        ({"name": "A", "colour": "red"}, "colour"),
    ],
    "/api/v1/skills": [({"name": "x" * 101}, "name"), ({"name": 7}, "name")],
    "/api/v1/wrap-up-codes": [
        ({"code": "has space", "label": "L"}, "code"),
        ({"code": "ok"}, "label"),
    ],
    "/api/v1/queues": [
        ({"name": "Q", "channel": "fax"}, "channel"),
        ({"name": "Q", "channel": "voice", "service_level_percent": 120}, "service_level_percent"),
        (
            {
                "name": "Q",
                "channel": "voice",
                "hours": {
                    "always_open": False,
                    "weekly": {"mon": [{"open": "18:00", "close": "08:00"}]},
                },
            },
            "hours",
        ),
        ({"name": "Q", "channel": "voice", "hours": {"weekly": {"funday": []}}}, "hours"),
        ({"name": "Q", "channel": "voice", "overflow_queue_id": 999999}, "overflow_queue_id"),
        ({"name": "Q", "channel": "voice", "skills": [{"skill_id": 999999}]}, "skills"),
        (
            {
                "name": "Q",
                "channel": "voice",
                "routing_steps": [{"requirements": [{"skill_id": 999999}]}],
            },
            "routing_steps",
        ),
        (
            {
                "name": "Q",
                "channel": "voice",
                "skills": [{"skill_id": "{skill}", "min_proficiency": 6}],
            },
            "skills",
        ),
    ],
    "/api/v1/routing-profiles": [
        ({"name": "P", "channels": []}, "channels"),
        ({"name": "P", "channels": [{"channel": "voice", "concurrency": 0}]}, "channels"),
        (
            {
                "name": "P",
                "channels": [{"channel": "voice", "concurrency": 1}],
                "queues": [{"queue_id": 999999}],
            },
            "queues",
        ),
        (
            {
                "name": "P",
                "channels": [
                    {"channel": "voice", "concurrency": 1},
                    {"channel": "voice", "concurrency": 2},
                ],
            },
            "channels",
        ),
    ],
    "/api/v1/agents": [
        ({"display_name": "A"}, "user_id"),
        ({"user_id": "{user}", "display_name": "A", "team_id": 999999}, "team_id"),
        (
            {
                "user_id": "{user}",
                "display_name": "A",
                "skills": [{"skill_id": "{skill}", "proficiency": 0}],
            },
            "skills",
        ),
        ({"user_id": "{user}", "display_name": "A", "hourly_cost": -1}, "hourly_cost"),
    ],
    "/api/v1/users": [
        (
            {"email": "nope", "display_name": "U", "role": "agent", "password": "long enough"},
            "email",
        ),
        (
            {
                "email": "u@example.com",
                "display_name": "U",
                "role": "king",
                "password": "long enough",
            },
            "role",
        ),
        (
            {"email": "u@example.com", "display_name": "U", "role": "agent", "password": "short"},
            "password",
        ),
    ],
    "/api/v1/api-keys": [({"name": "k", "role": "root"}, "role"), ({"role": "agent"}, "name")],
    "/api/v1/customers": [
        ({"identities": {"phone": "not a phone"}}, "phone"),
        ({"identities": {"email": "no-at-sign"}}, "email"),
        ({"identities": {"social": "missing network"}}, "social"),
    ],
    "/api/v1/contacts": [
        ({"channel": "pigeon"}, "channel"),
        ({"channel": "voice", "priority": 0}, "priority"),
        ({"channel": "voice", "queue_id": 999999}, "queue_id"),
        ({"channel": "voice", "customer": {"identities": {"phone": "12"}}}, "phone"),
        ({"channel": "voice", "customer_id": "{customer}", "customer": {}}, "body"),
        ({"channel": "voice", "attributes": "not an object"}, "attributes"),
    ],
}
INVALID["/api/v1/forecasts"] = [
    ({"horizon_days": 0}, "horizon_days"),
    ({"history": [{"timestamp": "2026-10-05T00:00:00", "volume": -1}]}, "volume"),
    ({"queue_id": 999999}, "queue_id"),
]
INVALID["/api/v1/calendar-events"] = [
    (
        {"name": "X", "starts_at": "2026-12-02T00:00:00Z", "ends_at": "2026-12-01T00:00:00Z"},
        "ends_at",
    ),
    (
        {"name": "X", "starts_at": "2026-12-01T00:00:00", "ends_at": "2026-12-02T00:00:00"},
        "starts_at",
    ),
    (
        {
            "name": "X",
            "starts_at": "2026-12-01T00:00:00Z",
            "ends_at": "2026-12-02T00:00:00Z",
            "volume_multiplier": -1,
        },
        "volume_multiplier",
    ),
    (
        {
            "name": "X",
            "starts_at": "2026-12-01T00:00:00Z",
            "ends_at": "2026-12-02T00:00:00Z",
            "queue_id": 999999,
        },
        "queue_id",
    ),
]
INVALID["/api/v1/schedules"] = [
    ({"shifts": {"templates": []}}, "week_start"),
    (schedule_body(week_start="2026-12-01"), "week_start"),
    (schedule_body(requirements=[1.0] * 10), "requirements"),
    (schedule_body(requirements=[-1.0] * 168), "requirements"),
    (
        schedule_body(shifts={"templates": [{"name": "x", "length": "forever", "starts": []}]}),
        "shifts",
    ),
    (schedule_body(shifts={"templates": []}), "shifts"),
    (schedule_body(shifts={"templates": [], "understaffing_penalty": "lots"}), "shifts"),
    (
        schedule_body(
            shifts={
                "templates": [{"name": "x", "length": "8h", "starts": ["09:00"]}],
                "understaffing_penalty": "lots",
            }
        ),
        "shifts",
    ),
    (
        schedule_body(shifts={"templates": [{"name": "x", "length": "8h", "starts": ["09:15"]}]}),
        "shifts",
    ),
    (schedule_body(requirements=[1e9] * 168), "requirements"),
    (schedule_body(requirements=None), "requirements"),
    (schedule_body(requirements=None, queue_id="{queue}"), "queue_id"),
    (schedule_body(queue_id=999999), "queue_id"),
    (schedule_body(interval_minutes=45), "interval_minutes"),
    (schedule_body(staffing={"shrinkage": 1.5}), "shrinkage"),
    (schedule_body(contract={"max_days_in_a_row": 9}), "max_days_in_a_row"),
    (schedule_body(contract={"min_hours_per_week": 50, "max_hours_per_week": 40}), "contract"),
]
INVALID["/api/v1/adherence-exceptions"] = [
    (
        {
            "agent_id": 999999,
            "starts_at": "2026-12-01T10:00:00Z",
            "ends_at": "2026-12-01T11:00:00Z",
            "reason": "x",
        },
        "agent_id",
    ),
    (
        {
            "agent_id": "{agent}",
            "starts_at": "2026-12-01T11:00:00Z",
            "ends_at": "2026-12-01T10:00:00Z",
            "reason": "x",
        },
        "ends_at",
    ),
    (
        {
            "agent_id": "{agent}",
            "starts_at": "2026-12-01T10:00:00",
            "ends_at": "2026-12-01T11:00:00",
            "reason": "x",
        },
        "starts_at",
    ),
    (
        {
            "agent_id": "{agent}",
            "starts_at": "2026-12-01T10:00:00Z",
            "ends_at": "2026-12-01T11:00:00Z",
            "reason": "",
        },
        "reason",
    ),
]
INVALID["/api/v1/email-addresses"] = [
    ({"address": "no-at-sign", "queue_id": "{email_queue}"}, "address"),
    ({"address": "a@b.example"}, "queue_id"),
    ({"address": "a@b.example", "queue_id": 999999}, "queue_id"),
    ({"address": "a@b.example", "queue_id": "{queue}"}, "queue_id"),
    ({"address": "a@b.example", "queue_id": "{email_queue}", "imap_port": 0}, "imap_port"),
    (
        {"address": "a@b.example", "queue_id": "{email_queue}", "imap_security": "tls"},
        "imap_security",
    ),
    (
        {"address": "a@b.example", "queue_id": "{email_queue}", "imap_host": "imap.b.example"},
        "imap_username",
    ),
    (
        {
            "address": "a@b.example",
            "queue_id": "{email_queue}",
            "imap_host": "imap.b.example",
            "imap_username": "helpdesk",
        },
        "imap_password",
    ),
]
NOT_CREATE = {"/api/v1/auth/login", "/api/v1/auth/logout"}


def _fill(value: Any, ids: dict[str, int]) -> Any:
    if isinstance(value, dict):
        return {k: _fill(v, ids) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, ids) for v in value]
    if isinstance(value, str) and value.startswith("{") and value.endswith("}"):
        return ids[value[1:-1]]
    return value


def test_every_create_endpoint_is_covered(sqlite_db: Database) -> None:
    operations = api_operations(make_client(sqlite_db))
    creates = {
        path for path, methods in operations.items() if "POST" in methods and "{" not in path
    }
    assert creates - NOT_CREATE == set(INVALID)


@pytest.mark.parametrize("path", sorted(INVALID))
def test_invalid_create_gets_422_naming_the_field_and_writes_nothing(
    db: Database, path: str
) -> None:
    client: TestClient = make_client(db)
    tenant = make_tenant(db)
    config = full_configuration(client, tenant) | email_objects(client, tenant, "invalid.example")
    ids = {key: value["id"] for key, value in config.items()}
    before = organization_snapshot(db, tenant.organization_id)
    for body, field in INVALID[path]:
        response = client.post(path, json=_fill(body, ids), headers=tenant.headers())
        assert response.status_code == 422, (path, body, response.text)
        locations = [".".join(map(str, error["loc"])) for error in response.json()["detail"]]
        assert any(field in location for location in locations), (path, body, locations)
    assert organization_snapshot(db, tenant.organization_id) == before
