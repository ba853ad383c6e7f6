"""GET /api/v1/reports/*: KPIs from the event log through the pure definitions, in JSON, CSV and
Parquet; invalid parameters answer 422 naming the field; another organization sees nothing."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from typing import Any

import pyarrow.parquet as pq
import pytest
from fastapi.testclient import TestClient

from helpline.bootstrap import Database
from helpline.domain.enums import Channel, ContactState, Role
from helpline.services.conversations.contacts import NewContact, PastOutcome, record_past_contact
from tests.factories import Tenant, full_configuration, make_client, make_tenant

pytestmark = pytest.mark.integration

DAY = datetime(2026, 1, 5, tzinfo=UTC)  # Europe/London: local time is UTC in January


def at(minutes: float) -> datetime:
    return DAY + timedelta(hours=9, minutes=minutes)


def record_history(db: Database, tenant: Tenant, config: dict[str, dict[str, Any]]) -> None:
    """Four calls in the 09:00 half hour (one answered in 10 s, one in 60 s, one abandoned after
    30 s, one short-abandoned after 2 s) and one answered in the 09:30 half hour."""
    queue, agent = config["queue"]["id"], config["agent"]["id"]
    spec = NewContact(channel=Channel.VOICE, queue_id=queue)
    outcomes = [
        PastOutcome(at(0), ContactState.CLOSED, at(5), agent, at(10 / 60)),
        PastOutcome(at(10), ContactState.CLOSED, at(14), agent, at(11)),
        PastOutcome(at(20), ContactState.ABANDONED, at(20.5)),
        PastOutcome(at(25), ContactState.SHORT_ABANDONED, at(25 + 2 / 60)),
        PastOutcome(at(40), ContactState.CLOSED, at(43), agent, at(40 + 5 / 60)),
    ]
    with db.transaction() as session:
        for outcome in outcomes:
            record_past_contact(session, tenant.actor, spec, outcome)


@pytest.fixture
def history(db: Database) -> tuple[TestClient, Tenant, dict[str, dict[str, Any]]]:
    client = make_client(db)
    tenant = make_tenant(db)
    config = full_configuration(client, tenant)
    record_history(db, tenant, config)
    return client, tenant, config


QUERY = "from=2026-01-05&to=2026-01-06"


def test_interval_report_by_queue(history: tuple[TestClient, Tenant, dict[str, Any]]) -> None:
    client, tenant, config = history
    response = client.get(
        f"/api/v1/reports/intervals?{QUERY}&interval=30m&group_by=queue",
        headers=tenant.headers(Role.MANAGER),
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["time_zone"], body["interval"], body["group_by"]) == (
        "Europe/London",
        "30m",
        "queue",
    )
    rows = {(row["interval_start"], row["group_name"]): row for row in body["rows"]}
    first = rows[("2026-01-05T09:00:00+00:00", "Billing")]
    assert first["group"] == str(config["queue"]["id"])
    assert (first["offered"], first["answered"], first["abandoned"]) == (4, 2, 2)
    assert first["short_abandoned"] == 1
    assert first["service_level"] == pytest.approx(1 / 3)  # 10 s of (2 answered + 1 abandoned)
    assert first["asa_seconds"] == pytest.approx(35.0)
    assert first["aht_seconds"] == pytest.approx((290 + 180) / 2)
    second = rows[("2026-01-05T09:30:00+00:00", "Billing")]
    assert (second["offered"], second["answered"], second["service_level"]) == (1, 1, 1.0)


def test_daily_report_and_exports(history: tuple[TestClient, Tenant, dict[str, Any]]) -> None:
    client, tenant, _config = history
    headers = tenant.headers(Role.SUPERVISOR)
    daily = client.get(f"/api/v1/reports/daily?{QUERY}", headers=headers).json()
    (row,) = daily["rows"]
    assert (row["interval_start"], row["offered"], row["handled"]) == (
        "2026-01-05T00:00:00+00:00",
        5,
        3,
    )
    as_csv = client.get(f"/api/v1/reports/daily?{QUERY}&format=csv", headers=headers)
    assert as_csv.headers["content-type"].startswith("text/csv")
    (csv_row,) = csv.DictReader(io.StringIO(as_csv.text))
    assert (csv_row["offered"], csv_row["abandonment_rate"]) == ("5", str(1 / 4))
    parquet = client.get(f"/api/v1/reports/daily?{QUERY}&format=parquet", headers=headers)
    table = pq.read_table(io.BytesIO(parquet.content)).to_pylist()
    assert table[0]["offered"] == 5
    events = client.get(f"/api/v1/reports/events?{QUERY}&format=parquet", headers=headers)
    exported = pq.read_table(io.BytesIO(events.content)).to_pylist()
    assert {e["type"] for e in exported} >= {"ContactQueued", "ContactConnected", "ContactClosed"}
    assert [e["sequence"] for e in exported] == sorted(e["sequence"] for e in exported)
    as_csv_events = client.get(f"/api/v1/reports/events?{QUERY}", headers=headers)
    assert len(list(csv.DictReader(io.StringIO(as_csv_events.text)))) == len(exported)


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("to=2026-01-06", "from"),
        ("from=2026-01-05", "to"),
        ("from=yesterday&to=2026-01-06", "from"),
        ("from=2026-01-06&to=2026-01-05", "to"),
        ("from=2024-01-01&to=2026-01-05", "to"),
        (f"{QUERY}&interval=7m", "interval"),
        (f"{QUERY}&group_by=skill", "group_by"),
        (f"{QUERY}&fcr_days=0", "fcr_days"),
        (f"{QUERY}&format=xlsx", "format"),
    ],
)
def test_invalid_parameters_get_422_naming_the_field(
    sqlite_db: Database, query: str, field: str
) -> None:
    client = make_client(sqlite_db)
    tenant = make_tenant(sqlite_db)
    response = client.get(f"/api/v1/reports/intervals?{query}", headers=tenant.headers())
    assert response.status_code == 422, response.text
    assert [error["loc"] for error in response.json()["detail"]] == [["query", field]]


def test_agents_may_not_read_reports(sqlite_db: Database) -> None:
    client = make_client(sqlite_db)
    tenant = make_tenant(sqlite_db)
    for path in ("intervals", "daily", "events"):
        response = client.get(f"/api/v1/reports/{path}?{QUERY}", headers=tenant.headers(Role.AGENT))
        assert response.status_code == 403, path


def test_reports_show_only_the_callers_organization(
    history: tuple[TestClient, Tenant, dict[str, Any]], db: Database
) -> None:
    client, _victim, _config = history
    attacker = make_tenant(db)
    for group_by in ("none", "queue", "agent", "team", "channel"):
        response = client.get(
            f"/api/v1/reports/intervals?{QUERY}&group_by={group_by}", headers=attacker.headers()
        )
        assert response.json()["rows"] == [], group_by
    events = client.get(f"/api/v1/reports/events?{QUERY}&format=json", headers=attacker.headers())
    assert {e["type"] for e in events.json()["events"]} <= {"OrganizationCreated", "ApiKeyCreated"}
