"""Two-factor authentication (TOTP): enrolment, the login's second step on the API and the login
page, recovery codes, the per-role requirement, and the login page's lockout (both backends)."""

from __future__ import annotations

import re
from typing import Any

import pyotp
import pytest
from fastapi.testclient import TestClient

from helpline.bootstrap import Database
from tests.center import FakeClock
from tests.factories import make_tenant
from tests.integration.test_login_protection import PASSWORD, app_client, log_in, make_user

pytestmark = pytest.mark.integration


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def code(secret: str, clock: FakeClock) -> str:
    """The authenticator app's code at the test clock's time."""
    return pyotp.TOTP(secret).at(clock.now)


def enrol(client: TestClient, email: str, clock: FakeClock) -> tuple[str, list[str]]:
    """Log in, turn two-factor authentication on, log out: the secret and the recovery codes."""
    csrf = {"X-CSRF-Token": log_in(client, email).json()["csrf_token"]}
    started = client.post("/api/v1/me/totp", headers=csrf)
    assert started.status_code == 200, started.text
    secret = started.json()["secret"]
    assert started.json()["otpauth_uri"].startswith("otpauth://totp/Helpline:")
    wrong = {"code": wrong_codes(secret, clock, 1)[0]}
    assert client.post("/api/v1/me/totp/confirm", json=wrong, headers=csrf).status_code == 422
    confirmed = client.post(
        "/api/v1/me/totp/confirm", json={"code": code(secret, clock)}, headers=csrf
    )
    assert confirmed.status_code == 200, confirmed.text
    client.post("/api/v1/auth/logout", headers=csrf)
    client.cookies.clear()
    return secret, confirmed.json()["recovery_codes"]


def wrong_codes(secret: str, clock: FakeClock, count: int) -> list[str]:
    """``count`` six-digit codes none of which is valid now (or a step before or after)."""
    totp = pyotp.TOTP(secret)
    valid = {totp.at(clock.now, counter_offset=offset) for offset in (-1, 0, 1)}
    return [c for c in (f"{n:06d}" for n in range(1, 10)) if c not in valid][:count]


def second_step(client: TestClient, token: str, value: str) -> Any:
    body = {"challenge_token": token, "code": value}
    return client.post("/api/v1/auth/login/code", json=body)


def test_a_user_with_totp_needs_a_code_after_the_password(db: Database, clock: FakeClock) -> None:
    client = app_client(db, clock)
    email = make_user(client, make_tenant(db))["email"]
    secret, recovery = enrol(client, email, clock)
    assert len(recovery) == 10
    assert len(set(recovery)) == 10
    clock.advance(30)  # the next code (the enrolment's was used)

    first = log_in(client, email)
    assert first.status_code == 202
    assert first.json()["two_factor"] == "code_required"
    assert "helpline_session" not in first.cookies
    token = first.json()["challenge_token"]
    assert client.get("/api/v1/auth/me").status_code == 401
    wrong = second_step(client, token, wrong_codes(secret, clock, 1)[0])
    assert wrong.status_code == 401
    opened = second_step(client, token, code(secret, clock))
    assert opened.status_code == 200, opened.text
    assert opened.json()["recovery_codes"] == []
    me = client.get("/api/v1/auth/me").json()
    assert me["email"] == email
    assert me["two_factor_enabled"] is True
    assert second_step(client, token, code(secret, clock)).status_code == 401  # challenge used up
    client.cookies.clear()
    token = log_in(client, email).json()["challenge_token"]
    assert second_step(client, token, code(secret, clock)).status_code == 401  # no replay

    # A recovery code works once.
    client.cookies.clear()
    token = log_in(client, email).json()["challenge_token"]
    assert second_step(client, token, recovery[0]).status_code == 200
    client.cookies.clear()
    token = log_in(client, email).json()["challenge_token"]
    assert second_step(client, token, recovery[0]).status_code == 401

    # The challenge expires after five minutes.
    clock.advance(301)
    assert second_step(client, token, code(secret, clock)).status_code == 401


def test_wrong_codes_count_towards_the_lockout(db: Database, clock: FakeClock) -> None:
    client = app_client(db, clock, login_account_max_failures=3)
    email = make_user(client, make_tenant(db))["email"]
    secret, _recovery = enrol(client, email, clock)
    token = log_in(client, email).json()["challenge_token"]
    for guess in wrong_codes(secret, clock, 3):
        assert second_step(client, token, guess).status_code == 401
    locked = second_step(client, token, code(secret, clock))
    assert locked.status_code == 429
    assert "Retry-After" in locked.headers


def test_turning_totp_off_needs_the_password_and_an_admin_can_reset_it(
    db: Database, clock: FakeClock
) -> None:
    client = app_client(db, clock)
    tenant = make_tenant(db)
    user = make_user(client, tenant)
    secret, _recovery = enrol(client, user["email"], clock)
    clock.advance(30)
    token = log_in(client, user["email"]).json()["challenge_token"]
    csrf = {"X-CSRF-Token": second_step(client, token, code(secret, clock)).json()["csrf_token"]}
    url = "/api/v1/me/totp/disable"
    assert client.post(url, json={"password": "not my password"}, headers=csrf).status_code == 422
    assert client.post(url, json={"password": PASSWORD}, headers=csrf).status_code == 204
    client.cookies.clear()
    assert log_in(client, user["email"]).status_code == 200  # one step again

    client.cookies.clear()
    enrol(client, user["email"], clock)
    reset = client.delete(f"/api/v1/users/{user['id']}/totp", headers=tenant.headers())
    assert reset.status_code == 200
    assert reset.json()["two_factor_enabled"] is False
    assert log_in(client, user["email"]).status_code == 200


def test_a_required_role_enrols_at_its_next_login(db: Database, clock: FakeClock) -> None:
    client = app_client(db, clock)
    tenant = make_tenant(db)
    manager = make_user(client, tenant, role="manager")
    agent = make_user(client, tenant, role="agent")
    policy = {"two_factor_roles": ["manager", "admin"]}
    put = client.put("/api/v1/organization/login-policy", json=policy, headers=tenant.headers())
    assert put.status_code == 200
    assert put.json() == {"two_factor_roles": ["admin", "manager"]}

    assert log_in(client, agent["email"]).status_code == 200  # not required for agents
    client.cookies.clear()
    first = log_in(client, manager["email"])
    assert first.status_code == 202
    assert first.json()["two_factor"] == "enrolment_required"
    token = first.json()["challenge_token"]
    enrolment = client.post("/api/v1/auth/login/enrolment", json={"challenge_token": token})
    assert enrolment.status_code == 200
    secret = enrolment.json()["secret"]
    opened = second_step(client, token, code(secret, clock))
    assert opened.status_code == 200, opened.text
    assert len(opened.json()["recovery_codes"]) == 10
    csrf = {"X-CSRF-Token": opened.json()["csrf_token"]}
    refused = client.post("/api/v1/me/totp/disable", json={"password": PASSWORD}, headers=csrf)
    assert refused.status_code == 409
    client.cookies.clear()
    assert log_in(client, manager["email"]).json()["two_factor"] == "code_required"


def _form(client: TestClient, path: str) -> dict[str, str]:
    page = client.get(path)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token is not None
    return {"csrf_token": token.group(1)}


def _submit_login(client: TestClient, email: str, password: str) -> Any:
    form = _form(client, "/login") | {"email": email, "password": password, "next": "/account"}
    return client.post("/login", data=form, follow_redirects=False)


def test_the_login_page_asks_for_the_code_then_opens_the_session(
    db: Database, clock: FakeClock
) -> None:
    client = app_client(db, clock)
    email = make_user(client, make_tenant(db))["email"]
    secret, _recovery = enrol(client, email, clock)
    clock.advance(30)
    step = _submit_login(client, email, PASSWORD)
    assert step.status_code == 200
    assert "Enter the code from your authenticator app" in step.text
    token = re.search(r'name="challenge_token" value="([^"]+)"', step.text)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', step.text)
    assert token is not None
    assert csrf is not None
    form = {"challenge_token": token.group(1), "csrf_token": csrf.group(1), "next": "/account"}
    wrong = client.post("/login/code", data=form | {"code": "12345x"}, follow_redirects=False)
    assert wrong.status_code == 401
    assert "Wrong code" in wrong.text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', wrong.text)
    assert csrf is not None
    form["csrf_token"] = csrf.group(1)
    done = client.post(
        "/login/code", data=form | {"code": code(secret, clock)}, follow_redirects=False
    )
    assert done.status_code == 303
    assert done.headers["location"] == "/account"
    assert client.get("/api/v1/auth/me").json()["email"] == email


def test_the_login_page_enrols_a_required_role(db: Database, clock: FakeClock) -> None:
    client = app_client(db, clock)
    tenant = make_tenant(db)
    manager = make_user(client, tenant, role="manager")
    policy = {"two_factor_roles": ["manager"]}
    client.put("/api/v1/organization/login-policy", json=policy, headers=tenant.headers())
    step = _submit_login(client, manager["email"], PASSWORD)
    assert "requires two-factor authentication" in step.text
    secret = re.search(r'id="totp-secret">([A-Z2-7]+)<', step.text)
    token = re.search(r'name="challenge_token" value="([^"]+)"', step.text)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', step.text)
    assert secret is not None
    assert token is not None
    assert csrf is not None
    form = {
        "challenge_token": token.group(1),
        "csrf_token": csrf.group(1),
        "next": "/account",
        "enrolling": "1",
        "code": code(secret.group(1), clock),
    }
    done = client.post("/login/code", data=form, follow_redirects=False)
    assert done.status_code == 200
    assert "Recovery codes" in done.text
    assert len(re.findall(r"<li><code>[0-9a-f-]{19}</code></li>", done.text)) == 10
    assert client.get("/api/v1/auth/me").json()["email"] == manager["email"]


def test_the_login_page_locks_out_after_five_failures(db: Database, clock: FakeClock) -> None:
    client = app_client(db, clock)
    email = make_user(client, make_tenant(db))["email"]
    for _ in range(5):
        assert _submit_login(client, email, "not the password").status_code == 401
    locked = _submit_login(client, email, PASSWORD)
    assert locked.status_code == 429
    assert locked.headers["Retry-After"] == "900"
    assert "Too many failed logins. Try again in 15 minute(s)" in locked.text
    clock.advance(900)
    assert _submit_login(client, email, PASSWORD).status_code == 303


def test_the_right_password_alone_does_not_reset_the_count_of_wrong_codes(
    db: Database, clock: FakeClock
) -> None:
    client = app_client(db, clock, login_account_max_failures=3)
    email = make_user(client, make_tenant(db))["email"]
    secret, _recovery = enrol(client, email, clock)
    for guess in wrong_codes(secret, clock, 3):
        token = log_in(client, email).json()["challenge_token"]
        assert second_step(client, token, guess).status_code == 401
    assert log_in(client, email).status_code == 429
