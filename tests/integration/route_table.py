"""The API's route table for generated tests: which object each path id names, a valid body per
operation, the public operations, and one of every object of an organization to point them at."""

from __future__ import annotations

from typing import Any

from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.testclient import TestClient

from helpline.bootstrap import Database
from tests.factories import (
    Tenant,
    calendar_objects,
    callback_objects,
    canned_objects,
    case_objects,
    channel_objects,
    chat_objects,
    email_objects,
    full_configuration,
    message_objects,
    planning_objects,
    schedule_body,
    schedule_objects,
    session_objects,
)

# Which object (see organization_objects) each path parameter names.
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
    "hours_override_id": "hours_override",
    "callback_id": "callback",
    "canned_response_id": "canned_response",
    "user_id": "user",
    "session_id": "session",
}
PUBLIC = {
    ("POST", "/api/v1/auth/login"),
    ("POST", "/api/v1/auth/logout"),
    # The second step of a login: the challenge token from the password step is the credential.
    ("POST", "/api/v1/auth/login/code"),
    ("POST", "/api/v1/auth/login/enrolment"),
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


def body_for(path: str, objects: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """A valid body for ``path`` pointing at ``objects`` wherever the resource has a reference."""
    ids = {key: value["id"] for key, value in objects.items()}
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
        "/api/v1/contacts/{contact_id}/transfer": {
            "queue_id": ids["queue"],
            "agent_id": ids["agent"],
        },
        "/api/v1/contacts/{contact_id}/wrap-up": {"wrap_up_code_id": ids["wrap_up_code"]},
        "/api/v1/contacts/{contact_id}/hold": {"agent_id": ids["agent"]},
        "/api/v1/contacts/{contact_id}/resume": {"agent_id": ids["agent"]},
        "/api/v1/contacts/{contact_id}/end": {"agent_id": ids["agent"]},
        "/api/v1/contacts/{contact_id}/close": {"agent_id": ids["agent"]},
        "/api/v1/contacts/{contact_id}/consult/complete": {"agent_id": ids["agent"]},
        "/api/v1/contacts/{contact_id}/consult/cancel": {"agent_id": ids["agent"]},
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
        "/api/v1/callbacks": {
            "queue_id": ids["queue"],
            "phone": "+447700900124",
            "slot_start": objects["callback"]["slot_start"],
        },
        "/api/v1/email-addresses": {
            "address": "attacker@attacker.example",
            "queue_id": ids["email_queue"],
        },
        "/api/v1/hours-overrides": {
            "name": "X",
            "kind": "closed",
            "first_day": "2026-12-24",
            "queue_id": ids["queue"],
        },
        "/api/v1/holiday-settings": {"country": "GB"},
        "/api/v1/retention-policies": {
            "policies": [{"channel": "email", "keep_days": 30, "mode": "anonymise"}]
        },
        "/api/v1/users/{user_id}": {"active": True},
        "/api/v1/users/{user_id}/password": {"new_password": "route table reset 42"},
        "/api/v1/organization/login-policy": {"two_factor_roles": []},
        "/api/v1/me/password": {
            "current_password": "correct horse",
            "new_password": "route table change 42",
        },
        "/api/v1/me/totp/confirm": {"code": "123456"},
        "/api/v1/me/totp/disable": {"password": "correct horse"},
    }
    return bodies.get(path, {})


# Valid bodies of creates that name no other object (for role tests inside one organization).
CREATE_BODIES: dict[str, dict[str, Any]] = {
    "/api/v1/users": {
        "email": "route-roles@example.com",
        "display_name": "X",
        "role": "agent",
        "password": "correct horse",
    },
    "/api/v1/api-keys": {"name": "X", "role": "agent"},
    "/api/v1/teams": {"name": "Route roles"},
    "/api/v1/skills": {"name": "route-roles"},
    "/api/v1/wrap-up-codes": {"code": "route-roles", "label": "X"},
    "/api/v1/canned-responses": {"title": "Route roles", "text": "Hello {customer_name}"},
}

# Required query parameters of GET operations (a week in December 2026; the queue by id).
QUERIES = {
    "/api/v1/customers": "q=Cleo",
    "/api/v1/reports/intervals": "from=2026-12-01T00:00:00Z&to=2026-12-02T00:00:00Z",
    "/api/v1/reports/daily": "from=2026-12-01T00:00:00Z&to=2026-12-02T00:00:00Z",
    "/api/v1/reports/events": "from=2026-12-01T00:00:00Z&to=2026-12-02T00:00:00Z",
    "/api/v1/adherence": "from=2026-12-01T00:00:00Z&to=2026-12-02T00:00:00Z",
    "/api/v1/intraday": "queue_id={queue}",
    "/api/v1/public-holidays": "from=2026-12-01&to=2026-12-31",
    "/api/v1/queues/{queue_id}/open-intervals": (
        "from=2026-12-01T00:00:00Z&to=2026-12-02T00:00:00Z"
    ),
    "/api/v1/canned-responses/{canned_response_id}/render": "contact_id={contact}",  # optional
}


def query_for(path: str, objects: dict[str, dict[str, Any]]) -> str:
    """The required query string of GET ``path`` (``?`` included), or ``""``."""
    query = QUERIES.get(path)
    if query is None:
        return ""
    return "?" + query.format(**{key: value["id"] for key, value in objects.items()})


def organization_objects(
    client: TestClient, db: Database, tenant: Tenant
) -> dict[str, dict[str, Any]]:
    """One of every kind of object in ``tenant``'s organization, by PATH_OBJECTS name."""
    objects = full_configuration(client, tenant)
    objects |= planning_objects(client, tenant, objects["queue"]["id"])
    objects |= schedule_objects(client, tenant, objects["agent"]["id"])
    objects |= message_objects(db, tenant)
    objects |= channel_objects(client, tenant, objects["queue"]["id"])
    objects |= case_objects(client, tenant, objects["customer"]["id"], objects["contact"]["id"])
    objects |= chat_objects(client, tenant)
    objects |= email_objects(client, tenant)
    objects |= calendar_objects(client, tenant, objects["queue"]["id"])
    objects |= callback_objects(client, tenant, objects["queue"]["id"])
    objects |= canned_objects(client, tenant)
    objects |= session_objects(client, tenant, objects["user"])
    return objects


def route_operations(client: TestClient) -> dict[str, list[str]]:
    """Every HTTP operation the app serves under /api/v1, from ``app.routes`` (schema or not)."""
    operations: dict[str, set[str]] = {}
    # Included routers are flattened lazily: iter_route_contexts yields each route with its prefix.
    for route in iter_route_contexts(client.app.routes):  # type: ignore[attr-defined]
        path = route.path or ""
        if isinstance(route.original_route, APIRoute) and path.startswith("/api/v1"):
            operations.setdefault(path, set()).update((route.methods or set()) - {"HEAD"})
    return {path: sorted(methods) for path, methods in operations.items()}
