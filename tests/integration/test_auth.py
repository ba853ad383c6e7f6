"""Authentication and roles: API keys, login sessions with CSRF, revocation, anonymous routes."""

from __future__ import annotations

import uuid

import pytest
from fastapi.testclient import TestClient

from helpline.bootstrap import Database
from helpline.domain.enums import Role
from tests.factories import Tenant, create_ok, make_client, make_tenant

pytestmark = pytest.mark.integration


@pytest.fixture
def client(sqlite_db: Database) -> TestClient:
    return make_client(sqlite_db)


@pytest.fixture
def tenant(sqlite_db: Database) -> Tenant:
    return make_tenant(sqlite_db)


def test_only_health_and_login_are_anonymous(client: TestClient) -> None:
    assert client.get("/healthz").json()["status"] == "ok"
    assert client.get("/api/v1/teams").status_code == 401
    assert (
        client.get("/api/v1/teams", headers={"Authorization": "Bearer hl_nope"}).status_code == 401
    )
    assert client.get("/api/v1/teams", headers={"Authorization": "Basic abc"}).status_code == 401
    assert (
        client.post("/api/v1/auth/login", json={"email": "x@y.z", "password": "p"}).status_code
        == 401
    )


def test_revoked_key_stops_working_at_once(client: TestClient, tenant: Tenant) -> None:
    issued = create_ok(client, tenant, "api-keys", {"name": "tmp", "role": "supervisor"})
    headers = {"Authorization": f"Bearer {issued['key']}"}
    assert client.get("/api/v1/teams", headers=headers).status_code == 200
    listed = client.get("/api/v1/api-keys", headers=tenant.headers()).json()
    assert all("key" not in item for item in listed)  # the secret is shown once, at creation
    assert (
        client.delete(f"/api/v1/api-keys/{issued['id']}", headers=tenant.headers()).status_code
        == 200
    )
    assert client.get("/api/v1/teams", headers=headers).status_code == 401


def test_login_session_needs_csrf_token_for_changes(client: TestClient, tenant: Tenant) -> None:
    email = f"{uuid.uuid4().hex[:8]}@example.com"
    create_ok(
        client,
        tenant,
        "users",
        {"email": email, "display_name": "Mo", "role": "manager", "password": "s3cret-pass-word"},
    )
    wrong = client.post("/api/v1/auth/login", json={"email": email, "password": "wrong-pass"})
    assert wrong.status_code == 401
    login = client.post(
        "/api/v1/auth/login", json={"email": email.upper(), "password": "s3cret-pass-word"}
    )
    assert login.status_code == 200, login.text
    csrf = login.json()["csrf_token"]
    assert login.json()["organization"]["name"] == tenant.name
    assert client.get("/api/v1/auth/me").json()["email"] == email
    assert client.post("/api/v1/teams", json={"name": "T"}).status_code == 403
    assert (
        client.post("/api/v1/teams", json={"name": "T"}, headers={"X-CSRF-Token": csrf}).status_code
        == 201
    )
    assert client.post("/api/v1/auth/logout").status_code == 204
    client.cookies.clear()
    assert client.get("/api/v1/auth/me").status_code == 401


@pytest.mark.parametrize(
    ("role", "path", "allowed"),
    [
        (Role.AGENT, "/api/v1/events", False),
        (Role.SUPERVISOR, "/api/v1/events", True),
        (Role.QA_ANALYST, "/api/v1/api-keys", False),
        (Role.MANAGER, "/api/v1/users", True),
        (Role.AGENT, "/api/v1/users", False),
    ],
)
def test_roles_limit_what_can_be_read(
    client: TestClient, tenant: Tenant, role: Role, path: str, allowed: bool
) -> None:
    status = client.get(path, headers=tenant.headers(role)).status_code
    assert status == (200 if allowed else 403)
