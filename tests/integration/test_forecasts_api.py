"""Forecasts through the REST API: from an upload or stored contacts, stored with their model and
accuracy, published, compared with actuals; the calendar of special events."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient

from helpline.bootstrap import Database
from helpline.domain.enums import Channel, ContactState, Role
from helpline.services.conversations.contacts import NewContact, PastOutcome, record_past_contact
from tests.factories import Tenant, create_ok, make_client, make_tenant

pytestmark = pytest.mark.integration

START = datetime.fromisoformat("2026-09-07T00:00")  # a Monday, local wall-clock time


def weekly_history(days: int = 28, interval: int = 30) -> list[dict[str, Any]]:
    """A clean weekday pattern: open 08:00-20:00, a midday peak, Saturdays at 40 %, Sundays closed."""
    points = []
    for step in range(days * 24 * 60 // interval):
        moment = START + timedelta(minutes=interval * step)
        hour = moment.hour + moment.minute / 60
        level = {5: 0.4, 6: 0.0}.get(moment.weekday(), 1.0)
        volume = level * 20 * np.exp(-((hour - 13) ** 2) / 18) if 8 <= hour < 20 else 0.0
        points.append(
            {
                "timestamp": moment.isoformat(),
                "volume": round(volume, 3),
                "aht_seconds": 300.0 if volume else None,
            }
        )
    return points


@pytest.fixture
def client(sqlite_db: Database) -> TestClient:
    return make_client(sqlite_db)


@pytest.fixture
def tenant(sqlite_db: Database) -> Tenant:
    return make_tenant(sqlite_db)


def _forecast(client: TestClient, tenant: Tenant, **body: Any) -> dict[str, Any]:
    response = client.post(
        "/api/v1/forecasts",
        json={"history": weekly_history()} | body,
        headers=tenant.headers(Role.WFM_ANALYST),
    )
    assert response.status_code == 201, response.text
    data: dict[str, Any] = response.json()
    return data


def test_uploaded_history_is_forecast_with_its_model_and_backtest(
    client: TestClient, tenant: Tenant
) -> None:
    forecast = _forecast(client, tenant, start="2026-10-05T00:00:00+01:00", horizon_days=7)
    series = forecast["series"]
    assert len(series["timestamps"]) == 7 * 48
    assert series["timestamps"][0] == "2026-10-04T23:00:00+00:00"  # London local midnight, in UTC
    assert forecast["status"] == "draft"
    assert forecast["model"]
    assert forecast["accuracy"]["backtest"]["days"] > 0
    volume = np.array(series["volume"])
    monday, sunday = volume[:48], volume[6 * 48 :]
    assert monday.sum() == pytest.approx(sum(p["volume"] for p in weekly_history()[:48]), rel=0.05)
    assert sunday.sum() == pytest.approx(0.0, abs=0.5)
    assert all(
        lo <= v <= hi
        for lo, v, hi in zip(series["lower"], series["volume"], series["upper"], strict=True)
    )
    assert series["aht_seconds"][26] == pytest.approx(300.0)


def test_publishing_supersedes_the_previous_forecast_and_protects_it(
    client: TestClient, tenant: Tenant
) -> None:
    queue = create_ok(client, tenant, "queues", {"name": "Q", "channel": "voice"})["id"]
    first = _forecast(client, tenant, queue_id=queue)
    second = _forecast(client, tenant, queue_id=queue)
    headers = tenant.headers(Role.WFM_ANALYST)
    assert (
        client.post(f"/api/v1/forecasts/{first['id']}/publish", headers=headers).json()["status"]
        == "published"
    )
    assert (
        client.post(f"/api/v1/forecasts/{second['id']}/publish", headers=headers).status_code == 200
    )
    statuses = {
        f["id"]: f["status"]
        for f in client.get(f"/api/v1/forecasts?queue_id={queue}", headers=headers).json()
    }
    assert statuses == {first["id"]: "superseded", second["id"]: "published"}
    assert client.delete(f"/api/v1/forecasts/{second['id']}", headers=headers).status_code == 409
    assert client.delete(f"/api/v1/forecasts/{first['id']}", headers=headers).status_code == 204
    assert (
        client.post(
            "/api/v1/forecasts",
            json={"history": weekly_history()},
            headers=tenant.headers(Role.AGENT),
        ).status_code
        == 403
    )


def test_queue_hours_force_closed_intervals_to_zero(client: TestClient, tenant: Tenant) -> None:
    queue = create_ok(
        client,
        tenant,
        "queues",
        {
            "name": "Mornings",
            "channel": "voice",
            "hours": {
                "always_open": False,
                "weekly": {
                    d: [{"open": "08:00", "close": "12:00"}]
                    for d in ("mon", "tue", "wed", "thu", "fri")
                },
            },
        },
    )["id"]
    forecast = _forecast(client, tenant, queue_id=queue, start="2026-10-05T00:00:00+01:00")
    volume = forecast["series"]["volume"]
    assert sum(volume[24:40]) == 0  # Monday 12:00-20:00 is closed for this queue
    assert sum(volume[16:24]) > 0


def test_calendar_event_closes_a_day_in_the_forecast(client: TestClient, tenant: Tenant) -> None:
    headers = tenant.headers(Role.WFM_ANALYST)
    event = client.post(
        "/api/v1/calendar-events",
        json={
            "name": "System outage",
            "starts_at": "2026-10-06T00:00:00+01:00",
            "ends_at": "2026-10-07T00:00:00+01:00",
            "volume_multiplier": 0,
        },
        headers=headers,
    )
    assert event.status_code == 201, event.text
    forecast = _forecast(client, tenant, start="2026-10-05T00:00:00+01:00")
    volume = forecast["series"]["volume"]
    assert sum(volume[48:96]) == 0  # Tuesday
    assert sum(volume[96:144]) > 0
    assert [e["name"] for e in client.get("/api/v1/calendar-events", headers=headers).json()] == [
        "System outage"
    ]


def test_stored_contacts_are_the_default_history_and_accuracy_compares_actuals(
    sqlite_db: Database, client: TestClient, tenant: Tenant
) -> None:
    queue = create_ok(client, tenant, "queues", {"name": "Stored", "channel": "voice"})["id"]
    today = datetime.now(UTC).replace(hour=12, minute=0, second=0, microsecond=0)
    with sqlite_db.transaction() as session:
        for day in range(1, 22):
            for minute in (0, 40, 80, 120):
                arrived = today - timedelta(days=day) + timedelta(minutes=minute)
                record_past_contact(
                    session,
                    tenant.actor,
                    NewContact(channel=Channel.VOICE, queue_id=queue),
                    PastOutcome(
                        queued_at=arrived,
                        state=ContactState.CLOSED,
                        ended_at=arrived + timedelta(minutes=6),
                        agent_id=None,
                        connected_at=None,
                    ),
                )
    forecast = _forecast(client, tenant, queue_id=queue, history=[], horizon_days=2)
    assert forecast["source"] == "history"
    assert sum(forecast["series"]["volume"]) == pytest.approx(8, rel=0.25)  # 4 a day
    accuracy = client.get(
        f"/api/v1/forecasts/{forecast['id']}/accuracy", headers=tenant.headers()
    ).json()
    assert accuracy["intervals"] >= 0


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"horizon_days": 0}, "horizon_days"),
        ({"horizon_days": 43}, "horizon_days"),
        ({"interval_minutes": 20}, "interval_minutes"),
        ({"start": "2026-10-05T00:00:00"}, "start"),
        ({"coverage": 1.5}, "coverage"),
        ({"history": [{"timestamp": "2026-10-05T00:00:00", "volume": -1}]}, "volume"),
        ({"history": weekly_history(5)}, "history"),  # too short
        ({"history": [], "queue_id": 999999}, "queue_id"),
    ],
)
def test_bad_forecast_requests_get_422_naming_the_field_and_store_nothing(
    client: TestClient, tenant: Tenant, body: dict[str, Any], field: str
) -> None:
    response = client.post(
        "/api/v1/forecasts", json={"history": weekly_history()} | body, headers=tenant.headers()
    )
    assert response.status_code == 422, response.text
    assert any(field in ".".join(map(str, e["loc"])) for e in response.json()["detail"])
    assert client.get("/api/v1/forecasts", headers=tenant.headers()).json() == []
