"""The audit log page (managers: filters, times in the organization's zone, CSV link) and the
customer page with its export and erase buttons."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient

from helpline.asgi import create_app
from helpline.bootstrap import Database
from helpline.config import Settings
from tests.center import FakeClock
from tests.factories import Tenant, create_ok, make_tenant

pytestmark = pytest.mark.integration
HTML = {"accept": "text/html"}


def _client(db: Database) -> TestClient:
    clock = FakeClock(datetime(2026, 11, 25, 12, tzinfo=UTC))
    settings = Settings(database_url=db.engine.url.render_as_string(hide_password=False))
    return TestClient(create_app(settings, db, clock))


def _log_in(client: TestClient, tenant: Tenant, role: str) -> str:
    """Log a new user of ``role`` in (the client keeps the cookie); their CSRF token."""
    email = f"{uuid.uuid4().hex[:8]}@example.com"
    body = {"email": email, "display_name": "Mo", "role": role, "password": "s3cret-pass-for-tests"}
    create_ok(client, tenant, "users", body)
    login = client.post(
        "/api/v1/auth/login", json={"email": email, "password": "s3cret-pass-for-tests"}
    )
    assert login.status_code == 200, login.text
    csrf: str = login.json()["csrf_token"]
    return csrf


def test_managers_read_the_audit_log_in_their_time_zone(db: Database) -> None:
    client = _client(db)
    tenant = make_tenant(db, time_zone="Asia/Tokyo", country="JP")
    csrf = _log_in(client, tenant, "manager")
    made = client.post(
        "/api/v1/teams", json={"name": "Audited team"}, headers={"X-CSRF-Token": csrf}
    )
    assert made.status_code == 201, made.text
    client.post("/api/v1/auth/login", json={"email": "nobody@example.com", "password": "x"})

    page = client.get("/audit", headers=HTML)
    assert page.status_code == 200, page.text
    assert "TeamCreated" in page.text
    assert "2026-11-25 21:00:00" in page.text  # noon UTC in Tokyo
    assert "Audited team" not in page.text  # ids, not names
    assert 'href="/audit"' in page.text  # in the menu
    assert (
        "/api/v1/audit/export.csv?action=TeamCreated"
        in client.get("/audit?action=TeamCreated", headers=HTML).text
    )
    empty_fields = client.get("/audit?by=&action=TeamCreated&from=&to=", headers=HTML)
    assert "TeamCreated" in empty_fields.text  # the form sends its empty fields
    bad_day = client.get("/audit?from=26/11/2026", headers=HTML)
    assert bad_day.status_code == 422
    assert "is not a date" in bad_day.text
    filtered = client.get("/audit?resource_kind=Team&from=2026-11-26", headers=HTML)
    assert "TeamCreated" not in filtered.text
    assert "No entries." in filtered.text
    csv_link = client.get("/api/v1/audit/export.csv?action=TeamCreated")
    assert csv_link.status_code == 200
    assert "TeamCreated" in csv_link.text

    _log_in(client, tenant, "supervisor")
    refused = client.get("/audit", headers=HTML)
    assert refused.status_code == 403
    assert 'href="/audit"' not in client.get("/wallboard", headers=HTML).text


def test_the_customer_page_exports_and_erases_for_those_allowed(db: Database) -> None:
    client = _client(db)
    tenant = make_tenant(db)
    customer = create_ok(client, tenant, "customers", {"display_name": "Quentin Page"})
    url = f"/customers/{customer['id']}"

    _log_in(client, tenant, "supervisor")
    shown = client.get(url, headers=HTML)
    assert shown.status_code == 200, shown.text
    assert "Quentin Page" in shown.text
    assert f"/api/v1/customers/{customer['id']}/export" in shown.text
    assert "Erase customer" not in shown.text
    assert client.get(f"/api/v1/customers/{customer['id']}/export").status_code == 200

    csrf = _log_in(client, tenant, "manager")
    assert "Erase customer" in client.get(url, headers=HTML).text
    unconfirmed = client.post(
        f"{url}/erase", data={"csrf_token": csrf}, headers=HTML, follow_redirects=False
    )
    assert unconfirmed.status_code == 303
    assert client.get(url, headers=HTML).status_code == 200
    erased = client.post(
        f"{url}/erase",
        data={"csrf_token": csrf, "confirm": "erase"},
        headers=HTML,
        follow_redirects=False,
    )
    assert erased.status_code == 303
    audit = client.get(erased.headers["location"], headers=HTML)
    assert "customer.erased" in audit.text
    assert "Quentin" not in audit.text
    assert client.get(url, headers=HTML).status_code == 404


def test_a_failed_login_on_the_login_page_is_a_security_event(db: Database) -> None:
    client = _client(db)
    tenant = make_tenant(db)
    email = f"{uuid.uuid4().hex[:8]}@example.com"
    body = {"email": email, "display_name": "Lu", "role": "agent", "password": "right-pass-1"}
    create_ok(client, tenant, "users", body)
    client.get("/login", headers=HTML)
    token = client.cookies.get("helpline_login_csrf")
    refused = client.post(
        "/login",
        data={"email": email, "password": "typo-pass-1", "csrf_token": token},
        headers=HTML,
    )
    assert refused.status_code == 401
    entries = client.get(
        "/api/v1/audit", params={"security_only": "true"}, headers=tenant.headers()
    ).json()["entries"]
    assert [(e["action"], e["detail"]) for e in entries] == [("login.failed", {"email": email})]
