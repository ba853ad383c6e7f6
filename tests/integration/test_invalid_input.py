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
from tests.integration.route_table import api_operations
from tests.integration.snapshot import organization_snapshot

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
        ({"channel": "voice", "attributes": {"note": "x" * 20_000}}, "attributes"),  # > 16 KiB
        ({"channel": "voice", "attributes": {f"k{i}": i for i in range(101)}}, "attributes"),
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
    (schedule_body(fairness={"night_shifts_squared": -1}), "night_shifts_squared"),
    (schedule_body(fairness={"weekend_days_squared": "many"}), "weekend_days_squared"),
    (schedule_body(contract={"min_hours_per_week": 50, "max_hours_per_week": 40}), "contract"),
    (schedule_body(groups=[{"name": "default", "requirements": [1.0] * 168}]), "groups"),
    (
        schedule_body(requirements=None, groups=[{"name": "default", "requirements": [1.0] * 9}]),
        "groups.0.requirements",
    ),
    (
        schedule_body(
            requirements=None,
            groups=[
                {"name": "default", "requirements": [1.0] * 168},
                {"name": "default", "requirements": [1.0] * 168},
            ],
        ),
        "groups",
    ),
    (
        schedule_body(requirements=None, groups=[{"name": "other", "requirements": [1.0] * 168}]),
        "shifts",
    ),
    (
        schedule_body(
            requirements=None,
            groups=[{"name": "default", "skill_ids": [999999], "requirements": [1.0] * 168}],
        ),
        "groups.0.skill_ids",
    ),
    (
        schedule_body(
            requirements=None,
            groups=[{"name": "default", "queue_id": 999999, "requirements": [1.0] * 168}],
        ),
        "groups.0.queue_id",
    ),
    (schedule_body(requirements=None, groups=[{"name": ""}]), "name"),
]
TIME_OFF = {
    "agent_id": "{agent}",
    "starts_at": "2026-12-01T00:00:00Z",
    "ends_at": "2026-12-03T00:00:00Z",
    "reason": "x",
}
INVALID["/api/v1/time-off"] = [
    (TIME_OFF | {"agent_id": 999999}, "agent_id"),
    (TIME_OFF | {"ends_at": "2026-11-30T00:00:00Z"}, "ends_at"),
    (TIME_OFF | {"starts_at": "2026-12-01T00:00:00"}, "starts_at"),
    (TIME_OFF | {"reason": ""}, "reason"),
    (TIME_OFF | {"status": "rejected"}, "status"),
]
# PUT path (``{agent}`` replaced by a real id) -> list of (body, the field the error must name).
INVALID_PUT: dict[str, list[tuple[dict[str, Any], str]]] = {
    "/api/v1/agents/{agent}/rostering-profile": [
        ({"employment": "seasonal"}, "employment"),
        ({"max_hours_per_week": 0}, "max_hours_per_week"),
        ({"min_hours_per_week": 30, "max_hours_per_week": 20}, "min_hours_per_week"),
        ({"max_days_in_a_row": 8}, "max_days_in_a_row"),
        ({"min_consecutive_days_off": 7}, "min_consecutive_days_off"),
        ({"min_rest_hours": -1}, "min_rest_hours"),
        ({"availability": [{"day": "funday", "start": "08:00", "end": "18:00"}]}, "availability"),
        ({"availability": [{"day": "mon", "start": "18:00", "end": "08:00"}]}, "availability"),
        ({"availability": [{"day": "mon", "start": "8am", "end": "18:00"}]}, "availability"),
        ({"preferred_days_off": ["someday"]}, "preferred_days_off"),
        ({"preferred_templates": [""]}, "preferred_templates"),
        ({"avoids_nights": "sometimes"}, "avoids_nights"),
        ({"colour": "red"}, "colour"),
    ],
    "/api/v1/survey-settings": [
        ({"ces_scale_max": 2}, "ces_scale_max"),
        ({"ces_scale_max": 11}, "ces_scale_max"),
        ({"expires_after_hours": 0}, "expires_after_hours"),
        ({"asks_csat": "maybe"}, "asks_csat"),
        ({"colour": "red"}, "colour"),
    ],
}
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
_CONNECTION = {
    "name": "P",
    "provider": "generic_json",
    "channel": "sms",
    "address": "+447700900000",
    "secret": "s" * 16,
}
INVALID["/api/v1/provider-connections"] = [
    (_CONNECTION | {"provider": "nexmo"}, "provider"),
    (_CONNECTION | {"channel": "voice"}, "channel"),
    (_CONNECTION | {"address": "not a phone"}, "address"),
    (_CONNECTION | {"secret": "short"}, "secret"),
    (_CONNECTION | {"channel": "social", "address": "acme"}, "network"),
    (_CONNECTION | {"provider": "twilio"}, "outbound_username"),
    (_CONNECTION | {"queue_id": 999999}, "queue_id"),
    (_CONNECTION | {"queue_id": "{queue}"}, "queue_id"),  # a voice queue
    (_CONNECTION | {"outbound_url": "ftp://example.com"}, "outbound_url"),
]
INVALID["/api/v1/voice-numbers"] = [
    ({"number": "12", "queue_id": "{queue}"}, "number"),
    ({"number": "+442079460100", "queue_id": 999999}, "queue_id"),
    ({"number": "+442079460100"}, "queue_id"),
]
_CALL = {"call_id": "c-1", "dialed_number": "+442079460100", "queue_id": "{queue}"}
INVALID["/api/v1/cti/calls"] = [
    ({"dialed_number": "+442079460100", "queue_id": "{queue}"}, "call_id"),
    (_CALL | {"call_id": "has space"}, "call_id"),
    ({"call_id": "c-1", "dialed_number": "+442079460100"}, "dialed_number"),  # not mapped
    (_CALL | {"dialed_number": "x"}, "dialed_number"),
    (_CALL | {"queue_id": 999999}, "queue_id"),
    (_CALL | {"caller_number": "12"}, "caller_number"),
    (_CALL | {"ivr": ["not", "an", "object"]}, "ivr"),
    (_CALL | {"ivr": {"said": "x" * 20_000}}, "ivr"),
]
START = "2026-12-01T08:00:00Z"
INVALID["/api/v1/simulations"] = [
    ({"start": "2026-12-01T08:00:00"}, "start"),
    ({"start": START, "replications": 0}, "replications"),
    ({"start": START, "horizon_minutes": 20_000}, "horizon_minutes"),
    ({"start": START, "queues": [{"queue_id": 999999}]}, "queue_id"),
    (
        {"start": START, "queues": [{"queue_id": "{queue}", "calls_per_interval": [9]}]},
        "aht_seconds",
    ),
    ({"start": START, "queues": [{"queue_id": "{queue}", "forecast_id": 999999}]}, "forecast_id"),
    ({"start": START, "remove_agent_ids": [999999]}, "remove_agent_ids"),
    ({"start": START, "add_agents": [{"like_agent_id": 999999, "count": 1}]}, "like_agent_id"),
    ({"start": START, "agents_per_interval": [5]}, "agents_per_interval"),
    (
        {
            "start": START,
            "replications": 20,
            "queues": [
                {"queue_id": "{queue}", "calls_per_interval": [100_000], "aht_seconds": 300}
            ],
        },
        "replications",
    ),
]
INVALID["/api/v1/sla-policies"] = [
    ({"first_response_seconds": 3600, "resolution_seconds": 7200}, "name"),
    (
        {"name": "P", "first_response_seconds": 0, "resolution_seconds": 7200},
        "first_response_seconds",
    ),
    ({"name": "P", "first_response_seconds": 3600}, "resolution_seconds"),
    (
        {
            "name": "P",
            "first_response_seconds": 3600,
            "resolution_seconds": 7200,
            "warn_ratio": 1.5,
        },
        "warn_ratio",
    ),
    (
        {
            "name": "P",
            "first_response_seconds": 3600,
            "resolution_seconds": 7200,
            "hours": {"weekly": {"funday": []}},
        },
        "hours",
    ),
    (
        {
            "name": "P",
            "first_response_seconds": 3600,
            "resolution_seconds": 7200,
            "escalate_to_agent_id": 999999,
        },
        "escalate_to_agent_id",
    ),
    (
        {
            "name": "P",
            "first_response_seconds": 3600,
            "resolution_seconds": 7200,
            "hours_queue_id": 999999,
        },
        "hours_queue_id",
    ),
]
INVALID["/api/v1/cases"] = [
    ({}, "subject"),
    ({"subject": ""}, "subject"),
    ({"subject": "S", "status": "open"}, "status"),
    ({"subject": "S", "priority": "whenever"}, "priority"),
    ({"subject": "S", "assignee_agent_id": 999999}, "assignee_agent_id"),
    ({"subject": "S", "assignee_agent_id": "{agent}", "assignee_user_id": "{user}"}, "body"),
    ({"subject": "S", "sla_policy_id": 999999}, "sla_policy_id"),
    ({"subject": "S", "team_id": 999999}, "team_id"),
]
INVALID["/api/v1/chat-widgets"] = [
    ({"queue_id": "{queue}"}, "name"),
    ({"name": "W"}, "queue_id"),
    ({"name": "W", "queue_id": 999999}, "queue_id"),
    ({"name": "W", "queue_id": "{queue}"}, "queue_id"),  # a voice queue
    ({"name": "W", "queue_id": "{queue}", "allowed_origins": ["shop.example"]}, "allowed_origins"),
    (
        {"name": "W", "queue_id": "{queue}", "allowed_origins": ["https://a.example/path"]},
        "allowed_origins",
    ),
    ({"name": "W", "queue_id": "{queue}", "max_attachment_bytes": 0}, "max_attachment_bytes"),
    (
        {"name": "W", "queue_id": "{queue}", "max_attachment_bytes": 10**9},
        "max_attachment_bytes",
    ),
    ({"name": "W", "queue_id": "{queue}", "attachment_types": ["PNG"]}, "attachment_types"),
    ({"name": "W", "queue_id": "{queue}", "public_key": "mine"}, "public_key"),
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
_CLOSED: dict[str, Any] = {"name": "Closed", "kind": "closed", "first_day": "2026-12-24"}
_OPEN: dict[str, Any] = {
    "name": "Special",
    "kind": "open",
    "first_day": "2026-12-27",
    "spans": [{"open": "10:00", "close": "14:00"}],
}
INVALID["/api/v1/hours-overrides"] = [
    ({**_CLOSED, "kind": "half"}, "kind"),
    ({**_CLOSED, "first_day": "2026-02-30"}, "first_day"),
    ({**_CLOSED, "last_day": "2026-12-23"}, "last_day"),
    ({**_CLOSED, "last_day": "2028-01-01"}, "last_day"),
    ({**_CLOSED, "closed_from": "12"}, "closed_from"),
    ({**_CLOSED, "closed_from": "24:00"}, "closed_from"),
    ({**_CLOSED, "closed_from": "14:00", "closed_until": "12:00"}, "closed_until"),
    ({**_CLOSED, "spans": [{"open": "10:00", "close": "14:00"}]}, "spans"),
    ({**_CLOSED, "queue_id": 999999}, "queue_id"),
    ({**_OPEN, "spans": []}, "spans"),
    ({**_OPEN, "spans": [{"open": "14:00", "close": "10:00"}]}, "spans"),
    ({**_OPEN, "closed_from": "12:00"}, "closed_from"),
    ({**_OPEN, "name": ""}, "name"),
]
INVALID_PUT["/api/v1/redaction-settings"] = [
    ({"patterns": ["credit_card_numbers"]}, "patterns"),
    ({"patterns": ["iban", "passport"]}, "patterns"),
    ({"patterns": "iban"}, "patterns"),
    ({"colour": "red"}, "colour"),
]
INVALID_PUT["/api/v1/holiday-settings"] = [
    ({"country": "XX"}, "country"),
    ({"country": "GBR"}, "country"),
    ({"country": "DE", "subdivision": "XX"}, "subdivision"),
    ({"subdivision": "BY"}, "subdivision"),
    ({"country": "GB", "close_routing": "maybe"}, "close_routing"),
]
_POLICY: dict[str, Any] = {"channel": "sms", "keep_days": 30, "mode": "anonymise"}
INVALID_PUT["/api/v1/retention-policies"] = [
    ({"policies": [{**_POLICY, "channel": "fax"}]}, "policies.0.channel"),
    ({"policies": [{**_POLICY, "keep_days": 0}]}, "policies.0.keep_days"),
    ({"policies": [{**_POLICY, "keep_days": 36_501}]}, "policies.0.keep_days"),
    ({"policies": [{**_POLICY, "mode": "shred"}]}, "policies.0.mode"),
    ({"policies": [_POLICY, _POLICY]}, "policies.1.channel"),
    ({"policies": [{"channel": "sms", "mode": "delete"}]}, "policies.0.keep_days"),
]
_CALLBACK: dict[str, Any] = {
    "queue_id": "{queue}",
    "phone": "+447700900123",
    "slot_start": "2031-01-06T09:00:00Z",
}
INVALID["/api/v1/callbacks"] = [
    ({**_CALLBACK, "slot_start": "2031-01-06T09:00:00"}, "slot_start"),  # no time zone
    ({**_CALLBACK, "slot_start": "2026-01-05T09:00:00Z"}, "slot_start"),  # already started
    ({**_CALLBACK, "slot_start": "2031-01-06T09:07:00Z"}, "slot_start"),  # not on the slot grid
    ({**_CALLBACK, "phone": ""}, "phone"),
    ({**_CALLBACK, "queue_id": 999999}, "queue_id"),
    ({**_CALLBACK, "personal_seconds": 0}, "personal_seconds"),
]
INVALID["/api/v1/canned-responses"] = [
    ({"title": "Greeting", "text": "Hello {nobody}"}, "text"),
    ({"title": "Greeting", "text": "Hello {customer_name"}, "text"),
    ({"title": "Greeting", "text": "Hello {customer_name.upper}"}, "text"),
    ({"title": "", "text": "Hello"}, "title"),
    ({"title": "Greeting", "text": ""}, "text"),
]
INVALID["/api/v1/auth/login/code"] = [
    ({"challenge_token": "t"}, "code"),
    ({"code": "123456"}, "challenge_token"),
    ({"challenge_token": "t", "code": "12"}, "code"),
]
INVALID["/api/v1/auth/login/enrolment"] = [({}, "challenge_token")]
INVALID["/api/v1/me/password"] = [
    ({"current_password": "correct horse"}, "new_password"),
    ({"new_password": "violet tram at dusk"}, "current_password"),
]
INVALID["/api/v1/me/totp/confirm"] = [({}, "code"), ({"code": "123"}, "code")]
INVALID["/api/v1/me/totp/disable"] = [({}, "password")]
INVALID_PUT["/api/v1/organization/login-policy"] = [
    ({}, "two_factor_roles"),
    ({"two_factor_roles": ["king"]}, "two_factor_roles"),
]
# Not creates: logging in and out, and starting a TOTP enrolment (no body: nothing to be invalid).
NOT_CREATE = {"/api/v1/auth/login", "/api/v1/auth/logout", "/api/v1/me/totp"}


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


def test_every_put_endpoint_is_covered(sqlite_db: Database) -> None:
    operations = api_operations(make_client(sqlite_db))
    puts = {path for path, methods in operations.items() if "PUT" in methods}
    assert puts == {p.replace("{agent}", "{agent_id}") for p in INVALID_PUT}


@pytest.mark.parametrize("path", sorted(INVALID_PUT))
def test_invalid_put_gets_422_naming_the_field_and_writes_nothing(db: Database, path: str) -> None:
    client: TestClient = make_client(db)
    tenant = make_tenant(db)
    config = full_configuration(client, tenant)
    url = path.replace("{agent}", str(config["agent"]["id"]))
    before = organization_snapshot(db, tenant.organization_id)
    for body, field in INVALID_PUT[path]:
        response = client.put(url, json=body, headers=tenant.headers())
        assert response.status_code == 422, (path, body, response.text)
        locations = [".".join(map(str, error["loc"])) for error in response.json()["detail"]]
        assert any(field in location for location in locations), (path, body, locations)
    assert organization_snapshot(db, tenant.organization_id) == before
