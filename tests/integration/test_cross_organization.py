"""Organizations are isolated: every route, tried with another organization's key and this one's ids,
answers 403/404 (or 422 for ids inside a body) and changes nothing."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from helpline.bootstrap import Database
from tests.factories import (
    case_objects,
    channel_objects,
    chat_objects,
    email_objects,
    full_configuration,
    make_client,
    make_tenant,
    message_objects,
    planning_objects,
    schedule_body,
    schedule_objects,
)
from tests.integration.snapshot import organization_snapshot

pytestmark = pytest.mark.integration

# Which object of the victim organization each path parameter names.
PATH_OBJECTS = {
    "team_id": "team",
    "skill_id": "skill",
    "wrap_up_code_id": "wrap_up_code",
    "queue_id": "queue",
    "routing_profile_id": "routing_profile",
    "agent_id": "agent",
    "customer_id": "customer",
    "contact_id": "contact",
    "api_key_id": "api_key",
    "forecast_id": "forecast",
    "calendar_event_id": "calendar_event",
    "schedule_id": "schedule",
    "adherence_exception_id": "adherence_exception",
    "message_id": "message",
    "attachment_id": "attachment",
    "time_off_id": "time_off",
    "provider_connection_id": "provider_connection",
    "voice_number_id": "voice_number",
    "call_id": "call",
    "case_id": "case",
    "sla_policy_id": "sla_policy",
    "chat_widget_id": "chat_widget",
    "email_address_id": "email_address",
}
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
PUBLIC = {
    ("POST", "/api/v1/auth/login"),
    ("POST", "/api/v1/auth/logout"),
    # The customer's survey page: the unguessable token is the credential (test_surveys_api.py).
    ("GET", "/api/v1/public/surveys/{token}"),
    ("POST", "/api/v1/public/surveys/{token}"),
}


def api_operations(client: TestClient) -> dict[str, list[str]]:
    """Every documented operation under /api/v1 (the OpenAPI schema is the route table we promise)."""
    schema = client.get("/openapi.json").json()
    return {
        path: sorted(method.upper() for method in operations)
        for path, operations in schema["paths"].items()
        if path.startswith("/api/v1")
    }


def _body_with_victim_ids(path: str, victim: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """A create body that points at the victim's objects wherever the resource has a reference."""
    ids = {key: value["id"] for key, value in victim.items()}
    bodies: dict[str, dict[str, Any]] = {
        "/api/v1/agents": {"user_id": ids["user"], "display_name": "X", "team_id": ids["team"]},
        "/api/v1/queues": {"name": "X", "channel": "voice", "overflow_queue_id": ids["queue"]},
        "/api/v1/routing-profiles": {
            "name": "X",
            "channels": [{"channel": "voice", "concurrency": 1}],
            "queues": [{"queue_id": ids["queue"]}],
        },
        "/api/v1/contacts": {"channel": "voice", "customer_id": ids["customer"]},
        "/api/v1/forecasts": {"queue_id": ids["queue"]},
        "/api/v1/calendar-events": {
            "name": "X",
            "starts_at": "2026-12-01T00:00:00Z",
            "ends_at": "2026-12-02T00:00:00Z",
            "queue_id": ids["queue"],
        },
        "/api/v1/schedules": schedule_body(queue_id=ids["queue"]),
        "/api/v1/adherence-exceptions": {
            "agent_id": ids["agent"],
            "starts_at": "2026-12-01T10:00:00Z",
            "ends_at": "2026-12-01T11:00:00Z",
            "reason": "X",
        },
        "/api/v1/time-off": {
            "agent_id": ids["agent"],
            "starts_at": "2026-12-01T00:00:00Z",
            "ends_at": "2026-12-02T00:00:00Z",
            "reason": "X",
            "status": "approved",
        },
        "/api/v1/simulations": {
            "start": "2026-12-01T08:00:00Z",
            "queues": [
                {"queue_id": ids["queue"], "calls_per_interval": [1], "aht_seconds": 60},
            ],
            "add_agents": [{"like_agent_id": ids["agent"], "count": 1}],
            "remove_agent_ids": [ids["agent"]],
        },
        "/api/v1/agents/{agent_id}/state": {"state": "available"},
        "/api/v1/agents/{agent_id}/rostering-profile": {"max_hours_per_week": 10},
        "/api/v1/contacts/{contact_id}/transfer": {"queue_id": ids["queue"]},
        "/api/v1/contacts/{contact_id}/wrap-up": {"wrap_up_code_id": ids["wrap_up_code"]},
        "/api/v1/contacts/{contact_id}/accept": {"agent_id": ids["agent"]},
        "/api/v1/contacts/{contact_id}/reject": {"agent_id": ids["agent"]},
        "/api/v1/contacts/{contact_id}/messages": {"body": "Billing"},
        "/api/v1/provider-connections": {
            "name": "X",
            "provider": "generic_json",
            "channel": "sms",
            "address": "+447700900000",
            "secret": "x" * 16,
            "queue_id": ids["queue"],
        },
        "/api/v1/voice-numbers": {"number": "+442079460123", "queue_id": ids["queue"]},
        "/api/v1/cti/calls": {
            "call_id": ids["call"],
            "dialed_number": "+442079460100",
            "queue_id": ids["queue"],
        },
        "/api/v1/cti/calls/{call_id}/transferred": {"queue_id": ids["queue"]},
        "/api/v1/cti/calls/{call_id}/answered": {"agent_id": ids["agent"]},
        "/api/v1/cases": {"subject": "X", "customer_id": ids["customer"]},
        "/api/v1/sla-policies": {
            "name": "X",
            "first_response_seconds": 3600,
            "resolution_seconds": 7200,
            "escalate_to_agent_id": ids["agent"],
        },
        "/api/v1/cases/{case_id}/status": {"status": "open"},
        "/api/v1/cases/{case_id}/contacts": {"contact_id": ids["contact"]},
        "/api/v1/customers/{customer_id}/merge": {"merged_customer_id": ids["customer"]},
        "/api/v1/chat-widgets": {"name": "X", "queue_id": ids["chat_queue"]},
        "/api/v1/email-addresses": {
            "address": "attacker@attacker.example",
            "queue_id": ids["email_queue"],
        },
    }
    return bodies.get(path, {})


def test_every_route_denies_another_organizations_ids_and_changes_nothing(
    db: Database,
) -> None:
    client: TestClient = make_client(db)
    victim_tenant = make_tenant(db)
    attacker = make_tenant(db)
    victim = full_configuration(client, victim_tenant)
    victim |= planning_objects(client, victim_tenant, victim["queue"]["id"])
    victim |= schedule_objects(client, victim_tenant, victim["agent"]["id"])
    victim |= message_objects(db, victim_tenant)
    victim |= channel_objects(client, victim_tenant, victim["queue"]["id"])
    victim |= case_objects(client, victim_tenant, victim["customer"]["id"], victim["contact"]["id"])
    victim |= chat_objects(client, victim_tenant)
    victim |= email_objects(client, victim_tenant)
    before = organization_snapshot(db, victim_tenant.organization_id)
    tried = 0
    for path, operations in api_operations(client).items():
        params = re.findall(r"{(\w+)}", path)
        for method in operations:
            if (method, path) in PUBLIC:
                continue
            unknown = [p for p in params if p not in PATH_OBJECTS]
            assert not unknown, f"add {unknown} to PATH_OBJECTS to cover {method} {path}"
            url = path
            for param in params:
                url = url.replace(f"{{{param}}}", str(victim[PATH_OBJECTS[param]]["id"]))
            body = _body_with_victim_ids(path, victim) if method in {"POST", "PUT"} else {}
            response = client.request(
                method,
                url,
                json=body if method in {"POST", "PATCH", "PUT"} else None,
                headers=attacker.headers(),
            )
            tried += 1
            if params:
                assert response.status_code in {403, 404}, (method, url, response.text)
            elif method == "POST" and body:
                assert response.status_code in {403, 404, 422}, (method, url, response.text)
            elif method == "GET":
                for secret in VICTIM_STRINGS:
                    assert secret not in response.text, (method, url, secret)
    assert tried > 30
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
