"""Canned responses: per-organization CRUD with events, who may write them, placeholders checked on
save and filled in for a contact, and the agent desk offering the organization's own."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from helpline.bootstrap import Database
from helpline.domain.enums import Role
from tests.factories import Tenant, case_objects, create_ok, full_configuration, make_client
from tests.factories import make_tenant as new_tenant

pytestmark = pytest.mark.integration

GREETING = "Hello {customer_name}, {agent_name} of {organization_name} here ({case_reference})."


@pytest.fixture
def client(db: Database) -> TestClient:
    return make_client(db)


@pytest.fixture
def tenant(db: Database) -> Tenant:
    return new_tenant(db)


def _listed(client: TestClient, tenant: Tenant, role: Role = Role.ADMIN) -> list[dict[str, Any]]:
    response = client.get("/api/v1/canned-responses", headers=tenant.headers(role))
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()
    return items


def _events(client: TestClient, tenant: Tenant) -> list[dict[str, Any]]:
    page = client.get("/api/v1/events?limit=1000", headers=tenant.headers()).json()
    return [e for e in page["events"] if e["type"].startswith("CannedResponse")]


def test_a_canned_response_is_created_changed_and_deleted_with_its_events(
    client: TestClient, tenant: Tenant
) -> None:
    created = create_ok(client, tenant, "canned-responses", {"title": "Hi", "text": GREETING})
    url = f"/api/v1/canned-responses/{created['id']}"
    assert client.get(url, headers=tenant.headers(Role.AGENT)).json() == created
    changed = client.patch(url, json={"text": "Bye {customer_name}"}, headers=tenant.headers())
    assert changed.status_code == 200, changed.text
    assert client.delete(url, headers=tenant.headers()).status_code == 204
    assert client.get(url, headers=tenant.headers()).status_code == 404

    assert [(e["type"], e["payload"]) for e in _events(client, tenant)] == [
        ("CannedResponseCreated", {"id": created["id"], "title": "Hi", "text": GREETING}),
        (
            "CannedResponseUpdated",
            {"id": created["id"], "changed": {"text": "Bye {customer_name}"}},
        ),
        ("CannedResponseDeleted", {"id": created["id"]}),
    ]


@pytest.mark.parametrize("role", [Role.SUPERVISOR, Role.MANAGER])
def test_supervisors_and_managers_write_them(
    client: TestClient, tenant: Tenant, role: Role
) -> None:
    body = {"title": f"By {role.value}", "text": "Hello {customer_name}"}
    response = client.post("/api/v1/canned-responses", json=body, headers=tenant.headers(role))
    assert response.status_code == 201, response.text


@pytest.mark.parametrize("role", [Role.AGENT, Role.QA_ANALYST, Role.WFM_ANALYST])
def test_other_roles_read_them_but_cannot_write(
    client: TestClient, tenant: Tenant, role: Role
) -> None:
    stored = create_ok(client, tenant, "canned-responses", {"title": "Hi", "text": "Hello"})
    url = f"/api/v1/canned-responses/{stored['id']}"
    headers = tenant.headers(role)

    created = client.post(
        "/api/v1/canned-responses", json={"title": "X", "text": "Y"}, headers=headers
    )
    patched = client.patch(url, json={"text": "Changed"}, headers=headers)
    deleted = client.delete(url, headers=headers)

    assert (created.status_code, patched.status_code, deleted.status_code) == (403, 403, 403)
    assert "supervisor" in created.json()["detail"]
    assert _listed(client, tenant, role) == [stored]


def test_titles_are_unique_in_an_organization_only(
    db: Database, client: TestClient, tenant: Tenant
) -> None:
    first = create_ok(client, tenant, "canned-responses", {"title": "Hi", "text": "Hello"})
    again = client.post(
        "/api/v1/canned-responses", json={"title": "Hi", "text": "Other"}, headers=tenant.headers()
    )
    other = new_tenant(db)
    elsewhere = client.post(
        "/api/v1/canned-responses", json={"title": "Hi", "text": "Other"}, headers=other.headers()
    )

    assert again.status_code == 409
    assert "Hi" in again.json()["detail"]
    assert elsewhere.status_code == 201
    assert _listed(client, tenant) == [first]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Hello {customer}", "unknown placeholder {customer}"),
        ("Hello {customer_name.__class__}", "unknown placeholder"),
        ("Hello {customer_name!r}", "no format"),
        ("Hello {customer_name:>20}", "no format"),
        ("Hello {}", "unknown placeholder {}"),
        ("Hello {customer_name", "literal braces"),
        ("Hello }", "literal braces"),
    ],
)
def test_a_bad_placeholder_is_refused_naming_text_and_stores_nothing(
    client: TestClient, tenant: Tenant, text: str, message: str
) -> None:
    stored = create_ok(client, tenant, "canned-responses", {"title": "Hi", "text": "Hello"})
    events_before = _events(client, tenant)
    url = f"/api/v1/canned-responses/{stored['id']}"

    created = client.post(
        "/api/v1/canned-responses", json={"title": "New", "text": text}, headers=tenant.headers()
    )
    patched = client.patch(url, json={"text": text}, headers=tenant.headers())

    for response in (created, patched):
        assert response.status_code == 422, response.text
        detail = response.json()["detail"][0]
        assert detail["loc"] == ["body", "text"]
        assert message in detail["msg"]
    assert _listed(client, tenant) == [stored]
    assert _events(client, tenant) == events_before


def test_literal_braces_are_written_doubled(client: TestClient, tenant: Tenant) -> None:
    config = full_configuration(client, tenant)
    stored = create_ok(
        client, tenant, "canned-responses", {"title": "Code", "text": "Type {{OK}} {customer_name}"}
    )
    url = f"/api/v1/canned-responses/{stored['id']}/render?contact_id={config['contact']['id']}"
    assert client.get(url, headers=tenant.headers()).json()["text"] == "Type {OK} Cleo"


def _log_in(client: TestClient, email: str) -> dict[str, str]:
    response = client.post("/api/v1/auth/login", json={"email": email, "password": "correct horse"})
    assert response.status_code == 200, response.text
    return {"X-CSRF-Token": response.json()["csrf_token"]}


def test_rendering_fills_in_the_contacts_customer_case_and_the_acting_agent(
    client: TestClient, tenant: Tenant
) -> None:
    config = full_configuration(client, tenant)
    contact = config["contact"]
    case = case_objects(client, tenant, config["customer"]["id"], contact["id"])["case"]
    stored = create_ok(client, tenant, "canned-responses", {"title": "Hi", "text": GREETING})
    _log_in(client, config["user"]["email"])  # the agent Ann Agent, by session cookie

    response = client.get(
        f"/api/v1/canned-responses/{stored['id']}/render?contact_id={contact['id']}"
    )

    assert response.status_code == 200, response.text
    expected = f"Hello Cleo, Ann Agent of {tenant.name} here ({case['reference']})."
    assert response.json()["text"] == expected
    assert response.json()["values"] == {
        "customer_name": "Cleo",
        "agent_name": "Ann Agent",
        "case_reference": case["reference"],
        "organization_name": tenant.name,
    }


def test_missing_values_fall_back(client: TestClient, tenant: Tenant) -> None:
    queue = create_ok(client, tenant, "queues", {"name": "Chat", "channel": "chat"})
    contact = create_ok(client, tenant, "contacts", {"channel": "chat", "queue_id": queue["id"]})
    stored = create_ok(client, tenant, "canned-responses", {"title": "Hi", "text": GREETING})

    response = client.get(
        f"/api/v1/canned-responses/{stored['id']}/render?contact_id={contact['id']}",
        headers=tenant.headers(Role.AGENT),  # an API key: no person behind it
    )

    assert response.json()["text"] == f"Hello there,  of {tenant.name} here ()."
    preview = client.get(
        f"/api/v1/canned-responses/{stored['id']}/render", headers=tenant.headers(Role.AGENT)
    )
    assert preview.json()["text"] == response.json()["text"]  # no contact: the same fallbacks


def test_another_organization_never_sees_them(
    db: Database, client: TestClient, tenant: Tenant
) -> None:
    mine = full_configuration(client, tenant)
    stored = create_ok(client, tenant, "canned-responses", {"title": "Secret", "text": GREETING})
    other = new_tenant(db)
    theirs = full_configuration(client, other)
    url = f"/api/v1/canned-responses/{stored['id']}"

    assert _listed(client, other) == []
    assert client.get(url, headers=other.headers()).status_code == 404
    assert client.patch(url, json={"text": "x"}, headers=other.headers()).status_code == 404
    assert client.delete(url, headers=other.headers()).status_code == 404
    render = f"{url}/render?contact_id={theirs['contact']['id']}"
    assert client.get(render, headers=other.headers()).status_code == 404
    # Nor may my response be rendered for their contact, or theirs... with my key.
    own_render = f"{url}/render?contact_id={theirs['contact']['id']}"
    assert client.get(own_render, headers=tenant.headers()).status_code == 404
    assert _listed(client, tenant) == [stored]
    ok = f"{url}/render?contact_id={mine['contact']['id']}"
    assert client.get(ok, headers=tenant.headers()).status_code == 200


def test_the_desk_offers_the_organizations_own(
    db: Database, client: TestClient, tenant: Tenant
) -> None:
    config = full_configuration(client, tenant)
    create_ok(client, tenant, "canned-responses", {"title": "Mine to say", "text": "Hello"})
    other = new_tenant(db)
    create_ok(client, other, "canned-responses", {"title": "Theirs to say", "text": "Hello"})
    _log_in(client, config["user"]["email"])

    desk = client.get("/desk", headers={"accept": "text/html"})

    assert desk.status_code == 200, desk.text
    assert "Mine to say" in desk.text
    assert "Theirs to say" not in desk.text
    assert "Thank you for contacting Demo Bank" not in desk.text  # no demo defaults for everyone
