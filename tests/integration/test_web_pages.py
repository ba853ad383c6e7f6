"""Server-rendered pages read their pickers and labels through services, scoped to the viewer's
organization: another organization's queues, teams and users never show."""

from __future__ import annotations

import uuid

import pytest
from fastapi.testclient import TestClient

from helpline.bootstrap import Database
from tests.factories import Tenant, create_ok, make_client, make_tenant

pytestmark = pytest.mark.integration


def _log_in_manager(client: TestClient, tenant: Tenant, role: str = "manager") -> str:
    email = f"{uuid.uuid4().hex[:8]}@example.com"
    create_ok(
        client,
        tenant,
        "users",
        {"email": email, "display_name": "Mo", "role": role, "password": "s3cret-pass"},
    )
    response = client.post("/api/v1/auth/login", json={"email": email, "password": "s3cret-pass"})
    assert response.status_code == 200, response.text
    return email


def _configured(client: TestClient, tenant: Tenant, label: str) -> None:
    create_ok(client, tenant, "queues", {"name": f"Queue {label}", "channel": "chat"})
    create_ok(client, tenant, "teams", {"name": f"Team {label}"})


@pytest.fixture
def client(sqlite_db: Database) -> TestClient:
    return make_client(sqlite_db)


def test_pages_show_only_the_viewers_organization(client: TestClient, sqlite_db: Database) -> None:
    mine, theirs = make_tenant(sqlite_db), make_tenant(sqlite_db)
    _configured(client, mine, "Mine")
    _configured(client, theirs, "Theirs")
    email = _log_in_manager(client, mine)
    html = {"accept": "text/html"}

    hours = client.get("/config/hours", headers=html)
    assert hours.status_code == 200, hours.text
    assert "Queue Mine" in hours.text
    assert "Queue Theirs" not in hours.text

    form = client.get("/config/agents/new", headers=html)
    assert form.status_code == 200, form.text
    assert "Team Mine" in form.text
    assert "Team Theirs" not in form.text
    assert email in form.text  # the user picker lists the organization's logins

    queue_form = client.get("/config/queues/new", headers=html)
    assert "Queue Mine" in queue_form.text
    assert "Queue Theirs" not in queue_form.text

    planning = client.get("/planning", headers=html)
    assert planning.status_code == 200, planning.text
    assert "Mo" in planning.text  # the page header names the logged-in user


def test_the_desk_needs_an_agent(client: TestClient, sqlite_db: Database) -> None:
    tenant = make_tenant(sqlite_db)
    _log_in_manager(client, tenant)
    response = client.get("/desk", headers={"accept": "text/html"})
    assert response.status_code == 404
    assert "not an agent" in response.text


def test_supervisors_manage_canned_responses_on_the_configuration_page(
    client: TestClient, sqlite_db: Database
) -> None:
    tenant, other = make_tenant(sqlite_db), make_tenant(sqlite_db)
    create_ok(client, other, "canned-responses", {"title": "Theirs", "text": "Hello"})
    email = _log_in_manager(client, tenant, role="supervisor")
    login = client.post("/api/v1/auth/login", json={"email": email, "password": "s3cret-pass"})
    csrf = login.json()["csrf_token"]
    html = {"accept": "text/html"}

    bad = client.post(
        "/config/canned-responses/new",
        data={"title": "Hi", "text": "Hello {customer}", "csrf_token": csrf},
        headers=html,
    )
    assert bad.status_code == 422
    assert "unknown placeholder {customer}" in bad.text
    saved = client.post(
        "/config/canned-responses/new",
        data={"title": "Hi", "text": "Hello {customer_name}", "csrf_token": csrf},
        headers=html,
        follow_redirects=False,
    )
    assert saved.status_code == 303, saved.text
    listed = client.get("/config/canned-responses", headers=html)
    assert "Hello {customer_name}" in listed.text
    assert "Theirs" not in listed.text
    assert client.get("/config/queues", headers=html).status_code == 403  # the rest is managers'
