"""The audit log: configuration changes, reads of customers' personal data and security events are
recorded with who, when, what and from where; managers search it (filters, pages, CSV); rows cannot
be changed."""

from __future__ import annotations

import csv
import io
import json
import uuid
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, text, update
from sqlalchemy.exc import DBAPIError
from starlette.testclient import _TestClientTransport

from helpline.asgi import create_app
from helpline.bootstrap import Database
from helpline.config import Settings
from helpline.domain.enums import Role
from helpline.services.identity import organizations
from helpline.storage import tables
from tests.factories import Tenant, create_ok, make_client, make_tenant, message_objects

pytestmark = pytest.mark.integration


@pytest.fixture
def client(db: Database) -> TestClient:
    return make_client(db)


@pytest.fixture
def tenant(db: Database) -> Tenant:
    return make_tenant(db)


def _entries(
    client: TestClient, tenant: Tenant, role: Role = Role.MANAGER, **filters: Any
) -> list[dict[str, Any]]:
    response = client.get("/api/v1/audit", params=filters, headers=tenant.headers(role))
    assert response.status_code == 200, response.text
    entries: list[dict[str, Any]] = response.json()["entries"]
    return entries


def _key_id(db: Database, tenant: Tenant, role: Role) -> int:
    with db.read() as session:
        actor = organizations.authenticate_api_key(session, tenant.keys[role])
    assert actor.api_key_id is not None
    return actor.api_key_id


def _address(client: TestClient) -> str:
    """The client address ``client`` sends its requests from (each test client has its own)."""
    transport = client._transport
    assert isinstance(transport, _TestClientTransport)
    return str(transport.client[0])


def test_configuration_changes_are_recorded_with_who_what_and_where(
    db: Database, client: TestClient, tenant: Tenant
) -> None:
    team = create_ok(client, tenant, "teams", {"name": "Night shift"})
    url = f"/api/v1/teams/{team['id']}"
    assert client.patch(url, json={"name": "Nights"}, headers=tenant.headers()).status_code == 200
    assert client.delete(url, headers=tenant.headers()).status_code == 204

    entries = _entries(client, tenant, resource_kind="Team")
    admin = f"apikey:{_key_id(db, tenant, Role.ADMIN)}"
    assert [(e["action"], e["resource_id"], e["actor"]) for e in entries] == [
        ("TeamDeleted", str(team["id"]), admin),
        ("TeamUpdated", str(team["id"]), admin),
        ("TeamCreated", str(team["id"]), admin),
    ]
    assert {e["client_ip"] for e in entries} == {_address(client)}
    assert not any(e["is_security"] for e in entries)
    assert "Night" not in json.dumps(entries)  # ids, not names


def test_forwarded_for_is_honoured_only_behind_a_configured_proxy(
    db: Database, tenant: Tenant
) -> None:
    url = db.engine.url.render_as_string(hide_password=False)
    headers = tenant.headers() | {"X-Forwarded-For": "198.51.100.7, 203.0.113.9"}
    for behind_proxy, expected in ((False, "testclient"), (True, "203.0.113.9")):
        client = TestClient(create_app(Settings(database_url=url, behind_proxy=behind_proxy), db))
        name = f"skill-{uuid.uuid4().hex[:8]}"
        created = client.post("/api/v1/skills", json={"name": name}, headers=headers)
        assert created.status_code == 201, created.text
        (entry,) = _entries(
            client, tenant, resource_kind="Skill", resource_id=str(created.json()["id"])
        )
        assert entry["client_ip"] == expected


def test_reads_of_a_customers_personal_data_are_recorded(
    db: Database, client: TestClient, tenant: Tenant
) -> None:
    objects = message_objects(db, tenant)
    contact_id = objects["chat_contact"]["id"]
    headers = tenant.headers(Role.AGENT)
    customer_id = client.get(f"/api/v1/contacts/{contact_id}", headers=headers).json()[
        "customer_id"
    ]
    base = f"/api/v1/contacts/{contact_id}/messages"
    attachment = f"{base}/{objects['message']['id']}/attachments/{objects['attachment']['id']}"
    for path in (
        f"/api/v1/customers/{customer_id}",
        f"/api/v1/customers/{customer_id}/timeline",
        base,
        attachment,
    ):
        assert client.get(path, headers=headers).status_code == 200, path
    assert client.get("/api/v1/customers/999999999", headers=headers).status_code == 404
    assert client.get(base, headers=headers).status_code == 200  # the desk polls: recorded once

    agent = f"apikey:{_key_id(db, tenant, Role.AGENT)}"
    entries = _entries(client, tenant, actor=agent)
    assert [(e["action"], e["resource_kind"], e["resource_id"]) for e in entries] == [
        ("attachment.downloaded", "Attachment", str(objects["attachment"]["id"])),
        ("contact.messages_read", "Contact", str(contact_id)),
        ("customer.timeline_read", "Customer", str(customer_id)),
        ("customer.read", "Customer", str(customer_id)),
    ]


def test_failed_logins_and_rejected_webhooks_are_security_events(
    db: Database, client: TestClient, tenant: Tenant
) -> None:
    email = f"audit-{uuid.uuid4().hex[:8]}@example.com"
    user = create_ok(
        client,
        tenant,
        "users",
        {"email": email, "display_name": "A", "role": "agent", "password": "right-password"},
    )
    for tried in (email, "nobody-" + email):
        refused = client.post(
            "/api/v1/auth/login", json={"email": tried, "password": "wrong-password-42"}
        )
        assert refused.status_code == 401
    connection = create_ok(
        client,
        tenant,
        "provider-connections",
        {
            "name": "Texts",
            "provider": "generic_json",
            "channel": "sms",
            "address": "+447700900000",
            "secret": "s" * 24,
        },
    )
    forged = client.post(f"/hooks/generic_json/{connection['id']}", content=b'{"from": "x"}')
    assert forged.status_code == 401

    entries = _entries(client, tenant, security_only="true")
    assert [(e["action"], e["resource_kind"], e["resource_id"]) for e in entries] == [
        ("webhook.rejected", "ProviderConnection", str(connection["id"])),
        ("login.failed", "User", str(user["id"])),
    ]
    assert entries[1]["detail"] == {"email": email}
    assert all(e["is_security"] and e["client_ip"] == _address(client) for e in entries)
    with db.read() as session:
        rows = session.scalars(select(tables.AuditEntry)).all()
        stored = json.dumps([r.detail for r in rows])
    assert "wrong-password-42" not in stored
    assert "nobody-" + email in stored  # unknown emails are kept, without an organization


def test_managers_search_page_and_export_the_log_others_may_not(
    client: TestClient, tenant: Tenant
) -> None:
    for number in range(3):
        create_ok(client, tenant, "skills", {"name": f"s{number}"})
    first = client.get(
        "/api/v1/audit",
        params={"action": "SkillCreated", "limit": 2},
        headers=tenant.headers(Role.MANAGER),
    ).json()
    assert len(first["entries"]) == 2
    rest = _entries(client, tenant, action="SkillCreated", before_id=first["next_before_id"])
    assert len(rest) == 1
    assert rest[0]["id"] < first["entries"][-1]["id"]
    since = first["entries"][0]["occurred_at"]
    assert _entries(client, tenant, action="SkillCreated", until="2000-01-01T00:00:00Z") == []
    assert len(_entries(client, tenant, action="SkillCreated", since=since)) >= 1
    naive = _entries(client, tenant, action="SkillCreated", since="2000-01-01T00:00:00")
    assert len(naive) == 3  # read in the organization's zone

    exported = client.get(
        "/api/v1/audit/export.csv", params={"action": "SkillCreated"}, headers=tenant.headers()
    )
    assert exported.status_code == 200
    assert exported.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert [r["action"] for r in rows] == ["SkillCreated"] * 3
    for role in (Role.AGENT, Role.SUPERVISOR, Role.QA_ANALYST):
        assert client.get("/api/v1/audit", headers=tenant.headers(role)).status_code == 403
    other = make_tenant(client.app.state.db)  # type: ignore[attr-defined]
    assert _entries(client, other, action="SkillCreated") == []


def test_bad_filters_are_refused_naming_the_field(client: TestClient, tenant: Tenant) -> None:
    for params, field in (({"since": "yesterday"}, "since"), ({"limit": 0}, "limit")):
        response = client.get("/api/v1/audit", params=params, headers=tenant.headers())
        assert response.status_code == 422
        assert field in response.text


def test_postgresql_refuses_to_change_or_delete_audit_rows(
    db: Database, client: TestClient, tenant: Tenant
) -> None:
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the append-only trigger is PostgreSQL's")
    create_ok(client, tenant, "teams", {"name": "Audited"})
    for statement in (
        update(tables.AuditEntry)
        .where(tables.AuditEntry.organization_id == tenant.organization_id)
        .values(actor="someone else"),
        text("DELETE FROM audit_log WHERE organization_id = :org").bindparams(
            org=tenant.organization_id
        ),
    ):
        with pytest.raises(DBAPIError, match="append-only"), db.transaction() as session:
            session.execute(statement)
    assert _entries(client, tenant, action="TeamCreated")[0]["actor"].startswith("apikey:")
