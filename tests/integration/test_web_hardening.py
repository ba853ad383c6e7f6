"""Web hardening seen from a client: security headers on every response, cookie flags, CSRF on
cookie sessions and forms, and request bodies bounded with 413."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from helpline.asgi import create_app
from helpline.bootstrap import Database
from helpline.config import Settings
from tests.factories import Tenant, create_ok, make_client, make_tenant

pytestmark = pytest.mark.integration
HTML = {"accept": "text/html"}


@pytest.fixture
def client(sqlite_db: Database) -> TestClient:
    return make_client(sqlite_db)


def _client(db: Database, base_url: str = "http://testserver", **settings: object) -> TestClient:
    url = db.engine.url.render_as_string(hide_password=False)
    app = create_app(Settings(database_url=url, **settings), db)  # type: ignore[arg-type]
    return TestClient(app, base_url=base_url)


def _manager_session(client: TestClient, tenant: Tenant) -> str:
    """Log a new manager in with the cookie; returns the session's CSRF token."""
    email = f"{uuid.uuid4().hex[:8]}@example.com"
    body = {
        "email": email,
        "display_name": "Mo",
        "role": "manager",
        "password": "s3cret-pass-for-tests",
    }
    create_ok(client, tenant, "users", body)
    response = client.post(
        "/api/v1/auth/login", json={"email": email, "password": "s3cret-pass-for-tests"}
    )
    assert response.status_code == 200, response.text
    token: str = response.json()["csrf_token"]
    return token


@pytest.mark.parametrize(
    "path", ["/login", "/healthz", "/api/v1/auth/me", "/chat/demo", "/static/app.css"]
)
def test_every_response_carries_the_security_headers(client: TestClient, path: str) -> None:
    response = client.get(path, headers=HTML)
    policy = response.headers["content-security-policy"]
    assert "script-src 'self';" in policy
    assert "'unsafe-inline'" not in policy.split("script-src", 1)[1].split(";", 1)[0]
    assert "frame-ancestors 'none'" in policy
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "strict-origin-when-cross-origin"
    assert "strict-transport-security" not in response.headers  # plain HTTP


def test_api_docs_have_their_own_policy_allowing_swagger_ui(client: TestClient) -> None:
    response = client.get("/docs")
    assert response.status_code == 200
    policy = response.headers["content-security-policy"]
    assert "https://cdn.jsdelivr.net" in policy
    assert "frame-ancestors 'none'" in policy


def test_hsts_only_over_https_or_a_trusted_proxy(sqlite_db: Database) -> None:
    direct = _client(sqlite_db, base_url="https://testserver")
    assert "max-age=" in direct.get("/healthz").headers["strict-transport-security"]

    forwarded = {"x-forwarded-proto": "https"}
    untrusted = _client(sqlite_db)
    assert "strict-transport-security" not in untrusted.get("/healthz", headers=forwarded).headers
    trusted = _client(sqlite_db, behind_proxy=True)
    assert "strict-transport-security" in trusted.get("/healthz", headers=forwarded).headers


def test_session_cookie_is_httponly_lax_and_secure_behind_https_proxy(sqlite_db: Database) -> None:
    tenant = make_tenant(sqlite_db)
    client = _client(sqlite_db, behind_proxy=True)
    email = f"{uuid.uuid4().hex[:8]}@example.com"
    body = {
        "email": email,
        "display_name": "Mo",
        "role": "manager",
        "password": "s3cret-pass-for-tests",
    }
    create_ok(client, tenant, "users", body)
    plain = client.post(
        "/api/v1/auth/login", json={"email": email, "password": "s3cret-pass-for-tests"}
    )
    cookie = plain.headers["set-cookie"].lower()
    assert "httponly" in cookie
    assert "samesite=lax" in cookie
    assert "secure" not in cookie

    proxied = client.post(
        "/api/v1/auth/login",
        json={"email": email, "password": "s3cret-pass-for-tests"},
        headers={"x-forwarded-proto": "https"},
    )
    assert "secure" in proxied.headers["set-cookie"].lower()


def test_cookie_session_needs_the_csrf_header_for_changes(client: TestClient) -> None:
    tenant = make_tenant(client.app.state.db)  # type: ignore[attr-defined]
    token = _manager_session(client, tenant)
    body = {"name": f"Team {uuid.uuid4().hex[:6]}"}

    refused = client.post("/api/v1/teams", json=body)
    assert refused.status_code == 403
    assert "X-CSRF-Token" in refused.json()["detail"]
    forged = client.post("/api/v1/teams", json=body, headers={"X-CSRF-Token": "forged"})
    assert forged.status_code == 403

    accepted = client.post("/api/v1/teams", json=body, headers={"X-CSRF-Token": token})
    assert accepted.status_code == 201, accepted.text
    # An API key needs no CSRF token: no browser sends it on its own.
    keyed = client.post("/api/v1/teams", json={"name": "Keyed"}, headers=tenant.headers())
    assert keyed.status_code == 201, keyed.text


def test_page_form_without_its_csrf_field_is_refused_with_a_message(client: TestClient) -> None:
    tenant = make_tenant(client.app.state.db)  # type: ignore[attr-defined]
    token = _manager_session(client, tenant)
    form = {"name": f"Team {uuid.uuid4().hex[:6]}"}

    refused = client.post("/config/teams/new", data=form, headers=HTML, follow_redirects=False)
    assert refused.status_code == 403
    assert "CSRF check failed" in refused.text

    accepted = client.post(
        "/config/teams/new", data=form | {"csrf_token": token}, headers=HTML, follow_redirects=False
    )
    assert accepted.status_code == 303, accepted.text


def test_login_form_without_its_token_is_refused(client: TestClient) -> None:
    response = client.post("/login", data={"email": "a@example.com", "password": "x" * 8})
    assert response.status_code == 403
    assert "form expired" in response.text


@pytest.fixture
def small_limits(sqlite_db: Database) -> Iterator[TestClient]:
    with _client(sqlite_db, max_body_bytes=2048, max_upload_bytes=4096) as client:
        yield client


def test_a_declared_body_over_the_limit_is_answered_413(small_limits: TestClient) -> None:
    tenant = make_tenant(small_limits.app.state.db)  # type: ignore[attr-defined]
    response = small_limits.post(
        "/api/v1/teams", json={"name": "x" * 5000}, headers=tenant.headers()
    )
    assert response.status_code == 413
    assert "2048 bytes" in response.json()["detail"]
    assert response.headers["x-frame-options"] == "DENY"


def test_a_streamed_body_over_the_limit_is_answered_413(small_limits: TestClient) -> None:
    tenant = make_tenant(small_limits.app.state.db)  # type: ignore[attr-defined]

    def chunks() -> Iterator[bytes]:  # no Content-Length: sent chunked
        yield b'{"name": "'
        for _ in range(10):
            yield b"x" * 500
        yield b'"}'

    response = small_limits.post(
        "/api/v1/teams",
        content=chunks(),
        headers=tenant.headers() | {"content-type": "application/json"},
    )
    assert response.status_code == 413
    small = small_limits.post("/api/v1/teams", json={"name": "Small"}, headers=tenant.headers())
    assert small.status_code == 201, small.text


def test_uploads_have_their_own_larger_limit(small_limits: TestClient) -> None:
    # 3 KB: over the JSON limit, under the upload limit; refused later, by the unknown widget key.
    response = small_limits.post(
        "/chat/attachments?key=nope&seq=1&filename=a.txt",
        content=b"x" * 3000,
        headers={"content-type": "text/plain", "x-chat-token": "t"},
    )
    assert response.status_code != 413
    too_big = small_limits.post(
        "/chat/attachments?key=nope&seq=1&filename=a.txt",
        content=b"x" * 5000,
        headers={"content-type": "text/plain", "x-chat-token": "t"},
    )
    assert too_big.status_code == 413


def test_a_session_stream_opens_only_from_helplines_own_pages(client: TestClient) -> None:
    tenant = make_tenant(client.app.state.db)  # type: ignore[attr-defined]
    _manager_session(client, tenant)
    with client.websocket_connect(
        "/api/v1/events/stream", headers={"origin": "http://testserver"}
    ) as own:
        assert isinstance(own.receive_json(), dict)  # the first events replayed
    with (
        pytest.raises(WebSocketDisconnect) as foreign,
        client.websocket_connect(
            "/api/v1/events/stream", headers={"origin": "https://evil.example"}
        ) as ws,
    ):
        ws.receive_json()
    assert foreign.value.code == 4403
