"""Server-rendered pages read their pickers and labels through services, scoped to the viewer's
organization: another organization's queues, teams and users never show."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient

from helpline.asgi import create_app
from helpline.bootstrap import Database
from helpline.config import Settings
from tests.center import FakeClock
from tests.factories import Tenant, create_ok, make_client, make_tenant

pytestmark = pytest.mark.integration


def _log_in_manager(client: TestClient, tenant: Tenant, role: str = "manager") -> str:
    email = f"{uuid.uuid4().hex[:8]}@example.com"
    create_ok(
        client,
        tenant,
        "users",
        {"email": email, "display_name": "Mo", "role": role, "password": "s3cret-pass-word"},
    )
    response = client.post(
        "/api/v1/auth/login", json={"email": email, "password": "s3cret-pass-word"}
    )
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


def test_hours_page_lists_the_routing_calendar_of_the_viewers_organization(
    sqlite_db: Database,
) -> None:
    clock = FakeClock(datetime(2026, 11, 25, 12, tzinfo=UTC))
    settings = Settings(database_url=sqlite_db.engine.url.render_as_string(hide_password=False))
    client = TestClient(create_app(settings, sqlite_db, clock))
    mine, theirs = make_tenant(sqlite_db), make_tenant(sqlite_db)
    for tenant, label in ((mine, "Mine"), (theirs, "Theirs")):
        create_ok(
            client,
            tenant,
            "hours-overrides",
            {"name": f"Closure {label}", "kind": "closed", "first_day": "2026-12-24"},
        )
    create_ok(
        client,
        mine,
        "hours-overrides",
        {"name": "Past closure", "kind": "closed", "first_day": "2026-11-24"},
    )
    put = client.put("/api/v1/holiday-settings", json={"country": "GB"}, headers=mine.headers())
    assert put.status_code == 200, put.text
    _log_in_manager(client, mine)

    page = client.get("/config/hours", headers={"accept": "text/html"})
    assert page.status_code == 200, page.text
    assert "Closure Mine" in page.text
    assert "Closure Theirs" not in page.text
    assert "Past closure" not in page.text  # the clock's today is 25 November 2026
    assert "Christmas Day" in page.text
    assert "Public holidays of <strong>GB</strong> close every queue" in page.text


def test_supervisors_manage_canned_responses_on_the_configuration_page(
    client: TestClient, sqlite_db: Database
) -> None:
    tenant, other = make_tenant(sqlite_db), make_tenant(sqlite_db)
    create_ok(client, other, "canned-responses", {"title": "Theirs", "text": "Hello"})
    email = _log_in_manager(client, tenant, role="supervisor")
    login = client.post("/api/v1/auth/login", json={"email": email, "password": "s3cret-pass-word"})
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


def _calendar_client(db: Database) -> TestClient:
    """A client whose clock's today is 25 November 2026 (the page lists what is still coming)."""
    clock = FakeClock(datetime(2026, 11, 25, 12, tzinfo=UTC))
    settings = Settings(database_url=db.engine.url.render_as_string(hide_password=False))
    return TestClient(create_app(settings, db, clock))


def _log_in(client: TestClient, tenant: Tenant, role: str) -> str:
    """Log a new user of ``role`` in; their CSRF token."""
    email = _log_in_manager(client, tenant, role)
    login = client.post("/api/v1/auth/login", json={"email": email, "password": "s3cret-pass-word"})
    csrf: str = login.json()["csrf_token"]
    return csrf


def _calendar(
    client: TestClient, tenant: Tenant
) -> tuple[dict[str, object], list[dict[str, object]]]:
    """The holiday settings and hours overrides as the API reads them."""
    settings = client.get("/api/v1/holiday-settings", headers=tenant.headers()).json()
    overrides = client.get("/api/v1/hours-overrides", headers=tenant.headers()).json()
    return settings, overrides


def test_managers_change_the_routing_calendar_on_the_hours_page(db: Database) -> None:
    client = _calendar_client(db)
    tenant, other = make_tenant(db), make_tenant(db)
    queue = create_ok(client, tenant, "queues", {"name": "Phones", "channel": "voice"})
    theirs = create_ok(
        client,
        other,
        "hours-overrides",
        {"name": "Theirs", "kind": "closed", "first_day": "2026-12-01"},
    )
    csrf = _log_in(client, tenant, "manager")
    html = {"accept": "text/html"}
    shown = client.get("/config/hours", headers=html)
    assert shown.status_code == 200
    assert "Save holiday settings" in shown.text
    before = _calendar(client, tenant)

    unknown = client.post(
        "/config/hours/holiday-settings",
        data={"country": "XX", "close_routing": "on", "csrf_token": csrf},
        headers=html,
    )
    assert unknown.status_code == 422
    assert 'id="holiday-country-error" class="error">no public holidays known for' in unknown.text
    assert 'value="XX"' in unknown.text  # what was typed stays in the field
    backwards = client.post(
        "/config/hours/overrides",
        data={
            "name": "Stocktake",
            "kind": "closed",
            "first_day": "2026-12-10",
            "last_day": "2026-12-09",
            "csrf_token": csrf,
        },
        headers=html,
    )
    assert backwards.status_code == 422
    assert (
        'id="override-last_day-error" class="error">must not be before first_day' in backwards.text
    )
    no_spans = client.post(
        "/config/hours/overrides",
        data={"name": "Late", "kind": "open", "first_day": "2026-12-10", "csrf_token": csrf},
        headers=html,
    )
    assert no_spans.status_code == 422
    assert "special opening hours need at least one span" in no_spans.text
    for spans, message in (("9 to 5", "HH:MM-HH:MM"), ("17:00-09:00", "close must be after open")):
        bad = client.post(
            "/config/hours/overrides",
            data={
                "name": "Late",
                "kind": "open",
                "first_day": "2026-12-10",
                "spans": spans,
                "csrf_token": csrf,
            },
            headers=html,
        )
        assert bad.status_code == 422
        assert 'id="override-spans-error"' in bad.text
        assert message in bad.text
    forged = client.post("/config/hours/holiday-settings", data={"country": "US"}, headers=html)
    assert forged.status_code == 403
    assert _calendar(client, tenant) == before  # nothing refused was stored

    saved = client.post(
        "/config/hours/holiday-settings",
        data={"country": "us", "subdivision": "ny", "csrf_token": csrf},
        headers=html,
        follow_redirects=False,
    )
    assert saved.status_code == 303, saved.text
    for data in (
        {
            "name": "Late opening",
            "kind": "open",
            "queue_id": str(queue["id"]),
            "first_day": "2026-12-10",
            "spans": "10:00-14:00, 15:00-18:00",
        },
        {
            "name": "Staff party",
            "kind": "closed",
            "first_day": "2026-12-18",
            "closed_from": "15:00",
        },
    ):
        added = client.post(
            "/config/hours/overrides",
            data=data | {"csrf_token": csrf},
            headers=html,
            follow_redirects=False,
        )
        assert added.status_code == 303, added.text
    settings, overrides = _calendar(client, tenant)
    assert settings == {"country": "US", "subdivision": "NY", "close_routing": False}
    assert [
        (o["name"], o["queue_id"], o["last_day"], o["closed_from"], o["spans"]) for o in overrides
    ] == [
        (
            "Late opening",
            queue["id"],
            "2026-12-10",
            None,
            [{"open": "10:00", "close": "14:00"}, {"open": "15:00", "close": "18:00"}],
        ),
        ("Staff party", None, "2026-12-18", "15:00", []),
    ]
    page = client.get("/config/hours?saved=override", headers=html).text
    assert "Public holidays of <strong>US-NY</strong> do not close routing" in page
    assert "Staff party" in page
    assert "Theirs" not in page

    party = next(o for o in overrides if o["name"] == "Staff party")
    deleted = client.post(
        f"/config/hours/overrides/{party['id']}/delete",
        data={"csrf_token": csrf},
        headers=html,
        follow_redirects=False,
    )
    assert deleted.status_code == 303
    assert [o["name"] for o in _calendar(client, tenant)[1]] == ["Late opening"]
    foreign = client.post(
        f"/config/hours/overrides/{theirs['id']}/delete", data={"csrf_token": csrf}, headers=html
    )
    assert foreign.status_code == 404
    assert len(_calendar(client, other)[1]) == 1


def test_other_roles_see_the_routing_calendar_read_only(db: Database) -> None:
    client = _calendar_client(db)
    tenant = make_tenant(db)
    create_ok(
        client,
        tenant,
        "hours-overrides",
        {"name": "Inventory", "kind": "closed", "first_day": "2026-12-01"},
    )
    csrf = _log_in(client, tenant, "supervisor")
    html = {"accept": "text/html"}
    shown = client.get("/config/hours", headers=html)
    assert shown.status_code == 200
    assert "Inventory" in shown.text
    assert "<form" not in shown.text.split("<main", 1)[1]  # no form to change anything
    before = _calendar(client, tenant)
    refused = client.post(
        "/config/hours/holiday-settings", data={"country": "US", "csrf_token": csrf}, headers=html
    )
    assert refused.status_code == 403
    override_id = before[1][0]["id"]
    refused = client.post(
        f"/config/hours/overrides/{override_id}/delete", data={"csrf_token": csrf}, headers=html
    )
    assert refused.status_code == 403
    assert _calendar(client, tenant) == before
