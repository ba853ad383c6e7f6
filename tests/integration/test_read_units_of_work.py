"""Read units of work take no write lock, and login checks passwords outside any write transaction:
a slow password check never holds up writers, and a flood of wrong passwords answers 401, not 500."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.exc import DBAPIError

from helpline.bootstrap import Database
from helpline.services.identity import login, security
from helpline.storage.tables import Team, User
from tests.factories import Tenant, create_ok, make_client, make_tenant

pytestmark = pytest.mark.integration

PASSWORD = "correct horse"
DEADLINE_SECONDS = 20.0
"""How long a step may take before the test calls it stuck (it normally takes milliseconds)."""


@pytest.fixture
def client(db: Database) -> TestClient:
    return make_client(db)


@pytest.fixture
def tenant(db: Database) -> Tenant:
    return make_tenant(db)


def _user(client: TestClient, tenant: Tenant) -> str:
    email = f"{uuid.uuid4().hex[:8]}@example.com"
    body = {"email": email, "display_name": "Lee", "role": "agent", "password": PASSWORD}
    create_ok(client, tenant, "users", body)
    return email


def _count_teams(db: Database, tenant: Tenant) -> int:
    with db.read() as session:
        return (
            session.scalar(
                select(func.count()).where(Team.organization_id == tenant.organization_id)
            )
            or 0
        )


def test_a_read_unit_of_work_refuses_to_write(db: Database, tenant: Tenant) -> None:
    with db.read() as session:
        session.add(Team(organization_id=tenant.organization_id, name="Never"))
        with pytest.raises(DBAPIError, match=r"(?i)read-?only"):
            session.flush()
    assert _count_teams(db, tenant) == 0


def test_a_write_completes_while_a_read_unit_of_work_is_open(db: Database, tenant: Tenant) -> None:
    with db.read() as session:
        before = session.scalar(select(func.count()).select_from(Team))
        with db.transaction() as writer:
            writer.add(Team(organization_id=tenant.organization_id, name="Written"))
        assert session.scalar(select(func.count()).select_from(Team)) == before  # its snapshot
    assert _count_teams(db, tenant) == 1


def test_a_write_completes_while_a_login_checks_its_password(
    db: Database, client: TestClient, tenant: Tenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    email = _user(client, tenant)
    checking, written = threading.Event(), threading.Event()
    real_verify = security.verify_password

    def slow_verify(password_hash: str, password: str) -> bool:
        checking.set()
        written.wait(DEADLINE_SECONDS)  # the check lasts until the write is done (or the deadline)
        return real_verify(password_hash, password)

    monkeypatch.setattr(security, "verify_password", slow_verify)

    def write() -> None:
        with db.transaction() as session:
            session.add(Team(organization_id=tenant.organization_id, name="During login"))
        written.set()

    with ThreadPoolExecutor(max_workers=2) as pool:
        attempt = pool.submit(login.log_in, db, email, PASSWORD, hours=1)
        assert checking.wait(DEADLINE_SECONDS)
        writer = pool.submit(write)
        # With the check inside a write transaction, the writer would wait for the login's lock
        # while the login waits for the writer: the deadline would pass first.
        assert written.wait(DEADLINE_SECONDS), "the write waited for the password check"
        writer.result()
        opened = attempt.result()
        assert isinstance(opened, login.LoginSession)
        assert opened.user.email == email
    assert _count_teams(db, tenant) == 1


def test_concurrent_wrong_passwords_are_refused_with_401_and_others_still_log_in(
    db: Database, client: TestClient, tenant: Tenant
) -> None:
    email = _user(client, tenant)

    def attempt(password: str) -> Callable[[], int]:
        def post() -> int:
            body = {"email": email, "password": password}
            return client.post("/api/v1/auth/login", json=body).status_code

        return post

    # 4 wrong passwords: one fewer than the account's lockout (5), so none is refused with 429.
    attempts = [attempt(f"wrong {n}") for n in range(4)] + [attempt(PASSWORD)] * 3
    with ThreadPoolExecutor(max_workers=6) as pool:
        statuses = [future.result() for future in [pool.submit(a) for a in attempts]]

    assert statuses == [401] * 4 + [200] * 3
    events = client.get("/api/v1/events?limit=1000", headers=tenant.headers()).json()["events"]
    assert [e["type"] for e in events].count("UserLoggedIn") == 3


def test_an_unknown_email_is_refused_like_a_wrong_password(
    db: Database, client: TestClient, tenant: Tenant
) -> None:
    email = _user(client, tenant)
    unknown = client.post("/api/v1/auth/login", json={"email": "x" + email, "password": PASSWORD})
    wrong = client.post("/api/v1/auth/login", json={"email": email, "password": "not it"})
    assert unknown.status_code == wrong.status_code == 401
    assert unknown.json() == wrong.json()


def test_a_user_deactivated_during_the_password_check_is_refused(
    db: Database, client: TestClient, tenant: Tenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    email = _user(client, tenant)
    real_verify = security.verify_password

    def verify_then_deactivate(password_hash: str, password: str) -> bool:
        matches = real_verify(password_hash, password)
        with db.transaction() as session:
            user = session.scalar(select(User).where(User.email == email))
            assert user is not None
            user.is_active = False
        return matches

    monkeypatch.setattr(security, "verify_password", verify_then_deactivate)
    response = client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
    assert response.status_code == 401
