"""Test data made through the real services (never raw inserts)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient

from helpline.asgi import create_app
from helpline.bootstrap import Database
from helpline.config import Settings
from helpline.domain.enums import Role
from helpline.services.actor import Actor, system_actor
from helpline.services.conversations import email_verification
from helpline.services.identity import organizations
from helpline.storage.tables import EmailAddress


@dataclass(frozen=True)
class Tenant:
    """An organization with an API key of each role, ready for API calls."""

    organization_id: int
    name: str
    keys: dict[Role, str]

    @property
    def actor(self) -> Actor:
        return system_actor(self.organization_id)

    def headers(self, role: Role = Role.ADMIN) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.keys[role]}"}


def make_tenant(db: Database, *, time_zone: str = "Europe/London", country: str = "GB") -> Tenant:
    """A new organization with a unique name and one API key per role."""
    name = f"Org {uuid.uuid4().hex[:10]}"
    with db.transaction() as session:
        org = organizations.create_organization(session, name, time_zone, country)
        actor = system_actor(org.id)
        keys = {
            role: organizations.create_api_key(session, actor, name=role.value, role=role).key
            for role in Role
        }
    return Tenant(organization_id=org.id, name=name, keys=keys)


def client_address() -> tuple[str, int]:
    """A fresh client address for a test client: failed logins are counted per address in the
    database the tests share, so each client gets its own (like a different machine)."""
    octets = uuid.uuid4().bytes[:3]
    return f"10.{octets[0]}.{octets[1]}.{octets[2]}", 50000


def make_client(db: Database) -> TestClient:
    """An HTTP client for an app on ``db`` (the app does not own or close the database)."""
    settings = Settings(database_url=db.engine.url.render_as_string(hide_password=False))
    return TestClient(create_app(settings, db), client=client_address())


def create_ok(
    client: TestClient, tenant: Tenant, path: str, body: dict[str, Any]
) -> dict[str, Any]:
    """POST ``body`` to ``/api/v1/<path>`` as admin and return the created resource."""
    response = client.post(f"/api/v1/{path}", json=body, headers=tenant.headers())
    assert response.status_code == 201, response.text
    data: dict[str, Any] = response.json()
    return data


def calendar_objects(
    client: TestClient, tenant: Tenant, queue_id: int
) -> dict[str, dict[str, Any]]:
    """A closure of ``queue_id`` on Christmas Eve afternoon 2026."""
    closure = create_ok(
        client,
        tenant,
        "hours-overrides",
        {
            "name": "Christmas Eve afternoon",
            "kind": "closed",
            "first_day": "2026-12-24",
            "closed_from": "12:00",
            "queue_id": queue_id,
        },
    )
    return {"hours_override": closure}


def planning_objects(
    client: TestClient, tenant: Tenant, queue_id: int
) -> dict[str, dict[str, Any]]:
    """A calendar event and a (draft) forecast for ``queue_id``, from a two-week uploaded history."""
    start = datetime.fromisoformat("2026-09-07T00:00")  # local wall-clock time
    history = [
        {
            "timestamp": (start + timedelta(hours=h)).isoformat(),
            "volume": float(h % 24 in range(9, 17)) * 5,
        }
        for h in range(14 * 24)
    ]
    forecast = create_ok(
        client,
        tenant,
        "forecasts",
        {"queue_id": queue_id, "interval_minutes": 60, "horizon_days": 1, "history": history},
    )
    event = create_ok(
        client,
        tenant,
        "calendar-events",
        {
            "name": "Billing day",
            "starts_at": "2026-12-01T00:00:00Z",
            "ends_at": "2026-12-02T00:00:00Z",
            "volume_multiplier": 1.5,
        },
    )
    return {"forecast": forecast, "calendar_event": event}


def full_configuration(client: TestClient, tenant: Tenant) -> dict[str, dict[str, Any]]:
    """One of every configuration resource, linked together, plus a customer and a contact."""
    skill = create_ok(client, tenant, "skills", {"name": "billing"})
    team = create_ok(client, tenant, "teams", {"name": "Blue"})
    code = create_ok(client, tenant, "wrap-up-codes", {"code": "resolved", "label": "Resolved"})
    queue = create_ok(
        client,
        tenant,
        "queues",
        {
            "name": "Billing",
            "channel": "voice",
            "skills": [{"skill_id": skill["id"], "min_proficiency": 2}],
            "hours": {
                "always_open": True,
                "weekly": {"mon": [{"open": "08:00", "close": "18:00"}]},
            },
        },
    )
    profile = create_ok(
        client,
        tenant,
        "routing-profiles",
        {
            "name": "Voice",
            "channels": [{"channel": "voice", "concurrency": 1}],
            "queues": [{"queue_id": queue["id"], "priority": 1, "delay_seconds": 0}],
        },
    )
    user = create_ok(
        client,
        tenant,
        "users",
        {
            "email": f"{uuid.uuid4().hex[:8]}@example.com",
            "display_name": "Ann Agent",
            "role": "agent",
            "password": "correct horse",
        },
    )
    agent = create_ok(
        client,
        tenant,
        "agents",
        {
            "user_id": user["id"],
            "display_name": "Ann Agent",
            "team_id": team["id"],
            "routing_profile_id": profile["id"],
            "skills": [{"skill_id": skill["id"], "proficiency": 4}],
        },
    )
    customer = create_ok(
        client,
        tenant,
        "customers",
        {"display_name": "Cleo", "identities": {"phone": "+44 20 7946 0001"}},
    )
    contact = create_ok(
        client,
        tenant,
        "contacts",
        {"channel": "voice", "queue_id": queue["id"], "customer_id": customer["id"]},
    )
    api_key = create_ok(client, tenant, "api-keys", {"name": "extra", "role": "agent"})
    return {
        "skill": skill,
        "team": team,
        "wrap_up_code": code,
        "queue": queue,
        "routing_profile": profile,
        "user": user,
        "agent": agent,
        "customer": customer,
        "contact": contact,
        "api_key": api_key,
    }


def tuesday_requirements() -> list[float]:
    """A week of hourly requirements: one agent on Tuesday 09:00-17:00 local time, none otherwise."""
    required = [0.0] * (7 * 24)
    for hour in range(9, 17):
        required[24 + hour] = 1.0
    return required


def schedule_body(**extra: Any) -> dict[str, Any]:
    """A schedule request for the week of Monday 2026-11-30 that one 8 h Tuesday shift covers."""
    body: dict[str, Any] = {
        "week_start": "2026-11-30",
        "interval_minutes": 60,
        "requirements": tuesday_requirements(),
        "shifts": {
            "templates": [{"name": "day", "length": "8h", "starts": ["09:00"], "days": ["tue"]}]
        },
    }
    return body | extra


def schedule_objects(
    client: TestClient, tenant: Tenant, agent_id: int
) -> dict[str, dict[str, Any]]:
    """A published schedule (rostering the organization's agents), an adherence exception, the
    agent's rostering profile and a time-off request."""
    schedule = create_ok(client, tenant, "schedules", schedule_body(name="Week 49"))
    published = client.post(f"/api/v1/schedules/{schedule['id']}/publish", headers=tenant.headers())
    assert published.status_code == 200, published.text
    exception = create_ok(
        client,
        tenant,
        "adherence-exceptions",
        {
            "agent_id": agent_id,
            "starts_at": "2026-12-01T10:00:00Z",
            "ends_at": "2026-12-01T11:00:00Z",
            "reason": "Coaching",
        },
    )
    profile = client.put(
        f"/api/v1/agents/{agent_id}/rostering-profile",
        json={"employment": "part_time", "max_hours_per_week": 24, "preferred_templates": ["Lark"]},
        headers=tenant.headers(),
    )
    assert profile.status_code == 200, profile.text
    time_off = create_ok(
        client,
        tenant,
        "time-off",
        {
            "agent_id": agent_id,
            "starts_at": "2026-12-21T00:00:00Z",
            "ends_at": "2026-12-24T00:00:00Z",
            "reason": "Honeymoon",
        },
    )
    return {
        "schedule": schedule,
        "adherence_exception": exception,
        "time_off": time_off,
    }


def message_objects(db: Database, tenant: Tenant) -> dict[str, dict[str, Any]]:
    """A chat contact (not queued) with one inbound message carrying one attachment."""
    from helpline.domain.enums import Channel, IdentityKind
    from helpline.domain.messages import Attachment, InboundMessage
    from helpline.services.conversations.messaging import list_messages, receive_message

    inbound = InboundMessage(
        Channel.CHAT,
        f"victim-{uuid.uuid4().hex}",
        "Billing question",
        sender="visitor-cleo",
        identities={IdentityKind.CHAT: f"visitor-{uuid.uuid4().hex[:8]}"},
        attachments=(Attachment("statement.txt", "text/plain", b"Billing"),),
    )
    with db.transaction() as session:
        received = receive_message(session, tenant.actor, inbound)
        (message,) = list_messages(session, tenant.actor, received.contact_id)
    return {
        "chat_contact": {"id": received.contact_id},
        "message": {"id": received.message_id},
        "attachment": {"id": message["attachments"][0]["id"]},
    }


def channel_objects(
    client: TestClient, tenant: Tenant, voice_queue_id: int
) -> dict[str, dict[str, Any]]:
    """An SMS provider connection, a voice number on ``voice_queue_id`` and a CTI call offered there."""
    sms_queue = create_ok(client, tenant, "queues", {"name": "Texts", "channel": "sms"})
    connection = create_ok(
        client,
        tenant,
        "provider-connections",
        {
            "name": "Texts in",
            "provider": "generic_json",
            "channel": "sms",
            "address": "+447700900000",
            "queue_id": sms_queue["id"],
            "secret": "victim-secret-0123456789",
        },
    )
    number = create_ok(
        client,
        tenant,
        "voice-numbers",
        {"number": "+442079460100", "queue_id": voice_queue_id},
    )
    call_id = f"call-{uuid.uuid4().hex[:12]}"
    call = create_ok(
        client,
        tenant,
        "cti/calls",
        {"call_id": call_id, "caller_number": "+447700900321", "dialed_number": "+442079460100"},
    )
    return {
        "provider_connection": connection,
        "voice_number": number,
        "call": {"id": call["call_id"]},
    }


def case_objects(
    client: TestClient, tenant: Tenant, customer_id: int, contact_id: int
) -> dict[str, dict[str, Any]]:
    """An SLA policy and a case of ``customer_id`` linked to ``contact_id``."""
    policy = create_ok(
        client,
        tenant,
        "sla-policies",
        {"name": "Gold", "first_response_seconds": 3600, "resolution_seconds": 28800},
    )
    case = create_ok(
        client,
        tenant,
        "cases",
        {
            "subject": "Lost parcel",
            "customer_id": customer_id,
            "contact_ids": [contact_id],
            "sla_policy_id": policy["id"],
        },
    )
    return {"sla_policy": policy, "case": case}


def chat_objects(client: TestClient, tenant: Tenant) -> dict[str, dict[str, Any]]:
    """A chat queue and a chat widget on it."""
    queue = create_ok(client, tenant, "queues", {"name": "Web chat", "channel": "chat"})
    widget = create_ok(
        client,
        tenant,
        "chat-widgets",
        {"name": "Website", "queue_id": queue["id"], "allowed_origins": ["https://victim.example"]},
    )
    return {"chat_queue": queue, "chat_widget": widget}


def canned_objects(client: TestClient, tenant: Tenant) -> dict[str, dict[str, Any]]:
    """A canned response using every placeholder."""
    text = "Hello {customer_name}, {agent_name} of {organization_name} here ({case_reference})."
    canned = create_ok(client, tenant, "canned-responses", {"title": "Greeting", "text": text})
    return {"canned_response": canned}


def email_objects(
    client: TestClient, tenant: Tenant, domain: str = "victim-bank.example"
) -> dict[str, dict[str, Any]]:
    """An email queue and an address of it (unique across the test run, under ``domain``)."""
    queue = create_ok(client, tenant, "queues", {"name": "Email", "channel": "email"})
    address = create_ok(
        client,
        tenant,
        "email-addresses",
        {
            "address": f"support-{uuid.uuid4().hex[:10]}@{domain}",
            "queue_id": queue["id"],
            "display_name": "Cleo Bank Support",
        },
    )
    confirm_email_address(client.app.state.db, address["id"])  # type: ignore[attr-defined]
    return {"email_queue": queue, "email_address": address | {"is_verified": True}}


def pending_confirmation_token(db: Database, address_id: int) -> str:
    """The token of the confirmation link the outbox has yet to email for ``address_id``."""
    with db.read() as session:
        row = session.get(EmailAddress, address_id)
        assert row is not None
        assert row.verification_token, "no confirmation link is due for this address"
        return row.verification_token


def confirm_email_address(db: Database, address_id: int) -> None:
    """Confirm an address the way its reader would: with the token of its confirmation link."""
    token = pending_confirmation_token(db, address_id)
    with db.transaction() as session:
        email_verification.confirm_claim(session, token)


def callback_objects(
    client: TestClient, tenant: Tenant, queue_id: int
) -> dict[str, dict[str, Any]]:
    """A callback booked on the first bookable slot of a voice queue (by the app's clock)."""
    today = client.app.state.db.clock().date()  # type: ignore[attr-defined]
    slots = client.get(
        f"/api/v1/queues/{queue_id}/callback-slots",
        params={"from": today.isoformat(), "to": (today + timedelta(days=2)).isoformat()},
        headers=tenant.headers(),
    )
    assert slots.status_code == 200, slots.text
    callback = create_ok(
        client,
        tenant,
        "callbacks",
        {"queue_id": queue_id, "phone": "+447700900123", "slot_start": slots.json()[0]["start"]},
    )
    return {"callback": callback}


USER_PASSWORD = "correct horse"
"""The password of the user :func:`full_configuration` creates."""


def session_objects(
    client: TestClient, tenant: Tenant, user: dict[str, Any]
) -> dict[str, dict[str, Any]]:
    """A login session of ``user`` (made by :func:`full_configuration`), as the admin lists it."""
    login = client.post(
        "/api/v1/auth/login", json={"email": user["email"], "password": USER_PASSWORD}
    )
    assert login.status_code == 200, login.text
    client.cookies.clear()
    listed = client.get(f"/api/v1/users/{user['id']}/sessions", headers=tenant.headers())
    assert listed.status_code == 200, listed.text
    return {"session": listed.json()[0]}
