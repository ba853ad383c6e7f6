"""Login protection: lockout per account and per address, password rules and changes, sessions,
deactivation (both backends)."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from fastapi.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from helpline.asgi import create_app
from helpline.bootstrap import Database
from helpline.config import Settings
from helpline.domain.enums import Role
from tests.center import FakeClock, build_center
from tests.factories import Tenant, client_address, create_ok, make_tenant

pytestmark = pytest.mark.integration

PASSWORD = "violet tram at dusk"
REFUSED = {"detail": "wrong email or password"}


def app_client(db: Database, clock: FakeClock, **settings: Any) -> TestClient:
    """An HTTP client for an app on ``db`` timed by ``clock`` with ``settings``."""
    url = db.engine.url.render_as_string(hide_password=False)
    app = create_app(Settings(database_url=url, **settings), db.with_clock(clock))
    return TestClient(app, client=client_address())


def make_user(client: TestClient, tenant: Tenant, role: str = "agent") -> dict[str, Any]:
    body = {
        "email": f"{uuid.uuid4().hex[:10]}@example.com",
        "display_name": "Lee Doe",
        "role": role,
        "password": PASSWORD,
    }
    return create_ok(client, tenant, "users", body)


def log_in(client: TestClient, email: str, password: str = PASSWORD) -> Any:
    return client.post("/api/v1/auth/login", json={"email": email, "password": password})


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def test_five_failures_lock_the_account_for_fifteen_minutes_known_or_not(
    db: Database, clock: FakeClock
) -> None:
    client = app_client(db, clock)
    tenant = make_tenant(db)
    email = make_user(client, tenant)["email"]
    unknown = f"nobody-{uuid.uuid4().hex[:8]}@example.com"
    for address in (email, unknown):
        for _ in range(5):
            response = log_in(client, address, "not the password")
            assert response.status_code == 401
            assert response.json() == REFUSED
    locked = log_in(client, email)  # even the right password, while locked
    locked_unknown = log_in(client, unknown)
    assert locked.status_code == locked_unknown.status_code == 429
    assert locked.json() == locked_unknown.json()
    assert "too many failed logins" in locked.json()["detail"]
    assert locked.headers["Retry-After"] == "900"
    clock.advance(600)
    assert log_in(client, email).headers["Retry-After"] == "300"
    clock.advance(300)
    assert log_in(client, email).status_code == 200


def test_a_successful_login_resets_the_account_count(db: Database, clock: FakeClock) -> None:
    client = app_client(db, clock)
    email = make_user(client, make_tenant(db))["email"]
    for _ in range(2):
        for _ in range(4):
            assert log_in(client, email, "not the password").status_code == 401
        assert log_in(client, email).status_code == 200


def test_the_lockout_is_shared_by_every_app_on_the_database(db: Database, clock: FakeClock) -> None:
    first = app_client(db, clock, login_account_max_failures=2)
    second = app_client(db, clock, login_account_max_failures=2)
    email = make_user(first, make_tenant(db))["email"]
    for _ in range(2):
        assert log_in(first, email, "not the password").status_code == 401
    assert log_in(second, email).status_code == 429


def test_one_address_failing_on_many_accounts_is_locked(db: Database, clock: FakeClock) -> None:
    client = app_client(db, clock, login_address_max_failures=3, login_lockout_seconds=60)
    email = make_user(client, make_tenant(db))["email"]
    for n in range(3):
        assert log_in(client, f"guess{n}-{uuid.uuid4().hex[:6]}@example.com").status_code == 401
    refused = log_in(client, email)
    assert refused.status_code == 429
    assert refused.headers["Retry-After"] == "60"
    clock.advance(60)
    assert log_in(client, email).status_code == 200


def test_passwords_must_follow_the_rules_at_creation(db: Database, clock: FakeClock) -> None:
    client = app_client(db, clock)
    tenant = make_tenant(db)
    for password, reason in (
        ("short pass", "at least 12"),
        ("password1234", "too common"),
        ("Lee Doe 2024 rules", "email address or name"),
    ):
        body = {"email": "lee@example.com", "display_name": "Lee Doe", "role": "agent"}
        response = client.post(
            "/api/v1/users", json=body | {"password": password}, headers=tenant.headers()
        )
        assert response.status_code == 422, password
        assert response.json()["detail"][0]["loc"] == ["body", "password"]
        assert reason in response.json()["detail"][0]["msg"]


def test_changing_my_password_needs_the_old_one_and_ends_my_other_sessions(
    db: Database, clock: FakeClock
) -> None:
    client = app_client(db, clock)
    other_device = app_client(db, clock)
    email = make_user(client, make_tenant(db))["email"]
    assert log_in(other_device, email).status_code == 200
    csrf = {"X-CSRF-Token": log_in(client, email).json()["csrf_token"]}
    url = "/api/v1/me/password"
    wrong_old = {"current_password": "not it at all", "new_password": "amber kettle song"}
    response = client.post(url, json=wrong_old, headers=csrf)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "current_password"]
    common = {"current_password": PASSWORD, "new_password": "qwertyuiop123"}
    response = client.post(url, json=common, headers=csrf)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "new_password"]
    good = {"current_password": PASSWORD, "new_password": "amber kettle song"}
    assert client.post(url, json=good, headers=csrf).status_code == 204
    assert client.get("/api/v1/auth/me").status_code == 200  # this session goes on
    assert other_device.get("/api/v1/auth/me").status_code == 401  # the other one ended
    assert log_in(other_device, email).status_code == 401
    assert log_in(other_device, email, "amber kettle song").status_code == 200


def test_an_admin_reset_ends_sessions_and_lifts_a_lockout(db: Database, clock: FakeClock) -> None:
    client = app_client(db, clock, login_account_max_failures=2)
    tenant = make_tenant(db)
    user = make_user(client, tenant)
    assert log_in(client, user["email"]).status_code == 200
    client.cookies.clear()
    for _ in range(2):
        log_in(client, user["email"], "not the password")
    assert log_in(client, user["email"]).status_code == 429
    url = f"/api/v1/users/{user['id']}/password"
    weak = client.post(url, json={"new_password": "1qaz2wsx3edc"}, headers=tenant.headers())
    assert weak.status_code == 422
    reset = client.post(url, json={"new_password": "copper lantern 9"}, headers=tenant.headers())
    assert reset.status_code == 204
    listed = client.get(f"/api/v1/users/{user['id']}/sessions", headers=tenant.headers())
    assert listed.json() == []
    assert log_in(client, user["email"], "copper lantern 9").status_code == 200


def test_sessions_are_listed_with_their_details_and_revocable(
    db: Database, clock: FakeClock
) -> None:
    laptop = app_client(db, clock)
    phone = TestClient(laptop.app, client=("192.0.2.7", 50000))  # logs in, never fails
    tenant = make_tenant(db)
    user = make_user(laptop, tenant)
    csrf = {"X-CSRF-Token": log_in(laptop, user["email"]).json()["csrf_token"]}
    clock.advance(60)
    phone.headers["User-Agent"] = "PhoneBrowser/1.0"
    assert log_in(phone, user["email"]).status_code == 200
    sessions = laptop.get("/api/v1/me/sessions").json()
    assert [s["user_agent"] for s in sessions] == ["PhoneBrowser/1.0", "testclient"]
    assert [s["is_current"] for s in sessions] == [False, True]
    assert sessions[0]["client_address"] == "192.0.2.7"
    assert sessions[0]["created_at"] == "2026-11-25T12:01:00Z"
    phone_session = sessions[0]["id"]
    revoked = laptop.delete(f"/api/v1/me/sessions/{phone_session}", headers=csrf)
    assert revoked.status_code == 204
    assert phone.get("/api/v1/auth/me").status_code == 401
    assert laptop.delete(f"/api/v1/me/sessions/{phone_session}", headers=csrf).status_code == 404
    # An administrator sees and ends the user's sessions.
    admin_view = f"/api/v1/users/{user['id']}/sessions"
    listed = laptop.get(admin_view, headers=tenant.headers()).json()
    assert [s["id"] for s in listed] == [sessions[1]["id"]]
    assert laptop.get(admin_view, headers=tenant.headers(Role.MANAGER)).status_code == 403
    url = f"{admin_view}/{sessions[1]['id']}"
    assert laptop.delete(url, headers=tenant.headers()).status_code == 204
    assert laptop.get("/api/v1/auth/me").status_code == 401


def test_a_deactivated_user_is_logged_out_refused_and_offered_nothing(db: Database) -> None:
    center = build_center(db)
    client, tenant = center.client, center.tenant
    agent_id = center.agents[0]
    email = center.agent_emails[0]
    desk = TestClient(client.app, client=client_address())
    login = log_in(desk, email, "agent-password")
    assert login.status_code == 200
    user_id = login.json()["user"]["id"]
    center.available(agent_id)
    with desk.websocket_connect(f"/api/v1/agents/{agent_id}/offers/stream") as socket:
        patch = {"active": False}
        url = f"/api/v1/users/{user_id}"
        response = client.patch(url, json=patch, headers=tenant.headers())
        assert response.status_code == 200, response.text
        assert response.json()["is_active"] is False
        with pytest.raises(WebSocketDisconnect) as closed:
            socket.receive_text()
        assert closed.value.code == 4401
    assert desk.get("/api/v1/auth/me").status_code == 401
    refused = log_in(desk, email, "agent-password")
    assert refused.status_code == 401
    assert refused.json() == REFUSED
    state = client.get(f"/api/v1/agents/{agent_id}/state", headers=tenant.headers())
    assert state.json()["status"] == "offline"
    again = center.post(f"agents/{agent_id}/state", {"state": "available"})
    assert again.status_code == 409
    # Routing offers the voice contact to the other voice agent only when one is available: none.
    contact = center.contact()
    assert center.state_of(contact["id"]) == "queued"
    # Reactivated, they log in again (and choose when to become available).
    assert client.patch(url, json={"active": True}, headers=tenant.headers()).status_code == 200
    assert log_in(desk, email, "agent-password").status_code == 200
    center.available(agent_id)
    assert center.state_of(contact["id"]) == "offered"


def test_only_admins_deactivate_and_not_themselves(db: Database, clock: FakeClock) -> None:
    client = app_client(db, clock)
    tenant = make_tenant(db)
    admin = make_user(client, tenant, role="admin")
    url = f"/api/v1/users/{admin['id']}"
    by_manager = client.patch(url, json={"active": False}, headers=tenant.headers(Role.MANAGER))
    assert by_manager.status_code == 403
    csrf = {"X-CSRF-Token": log_in(client, admin["email"]).json()["csrf_token"]}
    response = client.patch(url, json={"active": False}, headers=csrf)
    assert response.status_code == 409
    assert client.patch(url, json={}, headers=csrf).json()["is_active"] is True


def test_a_user_deactivated_mid_contact_keeps_it_but_gets_no_new_offers(db: Database) -> None:
    center = build_center(db)
    agent_id = center.agents[0]
    user_id = center.get(f"agents/{agent_id}")["user_id"]
    center.available(agent_id)
    held = center.contact()
    accepted = center.post(f"contacts/{held['id']}/accept", {"agent_id": agent_id})
    assert accepted.json()["state"] == "connected"
    patch = center.client.patch(
        f"/api/v1/users/{user_id}", json={"active": False}, headers=center.tenant.headers()
    )
    assert patch.status_code == 200
    state = center.get(f"agents/{agent_id}/state")
    assert (state["status"], state["reason"]) == ("not_ready", "deactivated")
    assert center.state_of(held["id"]) == "connected"
    center.post(f"contacts/{held['id']}/end", {"agent_id": agent_id})
    center.post(
        f"contacts/{held['id']}/wrap-up",
        {"agent_id": agent_id, "wrap_up_code_id": center.wrap_up_code},
    )
    waiting = center.contact()
    assert center.state_of(waiting["id"]) == "queued"


def test_a_revoked_session_is_disconnected_from_the_wallboard_stream(
    db: Database, clock: FakeClock
) -> None:
    client = app_client(db, clock)
    tenant = make_tenant(db)
    user = make_user(client, tenant, role="supervisor")
    assert log_in(client, user["email"]).status_code == 200
    with client.websocket_connect("/api/v1/realtime/stream") as socket:
        assert "last_sequence" in socket.receive_json()
        sessions = client.get(f"/api/v1/users/{user['id']}/sessions", headers=tenant.headers())
        url = f"/api/v1/users/{user['id']}/sessions/{sessions.json()[0]['id']}"
        assert client.delete(url, headers=tenant.headers()).status_code == 204
        # No event follows a revocation: the stream notices at its next poll (within a second).
        with pytest.raises(WebSocketDisconnect) as closed:
            socket.receive_json()
        assert closed.value.code == 4401
