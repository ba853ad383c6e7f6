"""POST /simulations: the live configuration through the simulator, with changed staffing and arrivals."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from helpline.bootstrap import Database
from tests.factories import full_configuration, make_client, make_tenant, planning_objects

pytestmark = pytest.mark.integration

START = "2026-12-01T08:00:00Z"


def _simulate(client: TestClient, headers: dict[str, str], body: dict[str, Any]) -> Any:
    response = client.post("/api/v1/simulations", json={"start": START, **body}, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def test_added_agents_answer_more_of_the_same_arrivals(db: Database) -> None:
    client = make_client(db)
    tenant = make_tenant(db)
    config = full_configuration(client, tenant)
    queue_id, agent_id = config["queue"]["id"], config["agent"]["id"]
    body: dict[str, Any] = {
        "horizon_minutes": 120,
        "interval_minutes": 60,
        "replications": 4,
        "queues": [
            {
                "queue_id": queue_id,
                "calls_per_interval": [40, 40],
                "aht_seconds": 300,
                "patience_seconds": 120,
            }
        ],
    }
    alone = _simulate(client, tenant.headers(), body)
    assert alone["agents"] == 1
    assert [(row["interval_start"][:16], row["queue_id"]) for row in alone["intervals"]] == [
        ("2026-12-01T08:00", queue_id),
        ("2026-12-01T09:00", queue_id),
    ]
    total = alone["totals"][0]["metrics"]
    assert total["offered"]["low"] <= total["offered"]["mean"] <= total["offered"]["high"]
    assert 0 < total["occupancy"]["mean"] <= 1
    team = _simulate(
        client,
        tenant.headers(),
        {**body, "add_agents": [{"like_agent_id": agent_id, "count": 11}]},
    )
    assert team["agents"] == 12
    staffed = team["totals"][0]["metrics"]
    assert staffed["service_level"]["mean"] > total["service_level"]["mean"] + 0.3
    assert staffed["abandoned"]["mean"] < total["abandoned"]["mean"]
    # Nobody logs in for the second hour: its calls are not answered.
    shifts = _simulate(
        client,
        tenant.headers(),
        {
            **body,
            "add_agents": [{"like_agent_id": agent_id, "count": 11}],
            "agents_per_interval": [12, 0],
        },
    )
    second_hour = shifts["intervals"][1]["metrics"]
    assert second_hour["answered"]["mean"] < 5  # only calls waiting at 09:00 reach an agent
    assert second_hour["occupancy"]["mean"] in (None, 1.0)  # never available, at most finishing


def test_arrivals_follow_a_stored_forecast(db: Database) -> None:
    client = make_client(db)
    tenant = make_tenant(db)
    config = full_configuration(client, tenant)
    queue_id = config["queue"]["id"]
    forecast = planning_objects(client, tenant, queue_id)["forecast"]
    detail = client.get(f"/api/v1/forecasts/{forecast['id']}", headers=tenant.headers()).json()
    starts, volumes = detail["series"]["timestamps"], detail["series"]["volume"]
    result = client.post(
        "/api/v1/simulations",
        json={
            "start": starts[0],
            "horizon_minutes": 24 * 60,
            "interval_minutes": 60,
            "replications": 3,
            "queues": [{"queue_id": queue_id, "forecast_id": forecast["id"], "aht_seconds": 60}],
            "add_agents": [{"like_agent_id": config["agent"]["id"], "count": 4}],
        },
        headers=tenant.headers(),
    )
    assert result.status_code == 200, result.text
    offered = [row["metrics"]["offered"]["mean"] for row in result.json()["intervals"]]
    assert sum(offered) == pytest.approx(sum(volumes), rel=0.35)
    quiet = [i for i, v in enumerate(volumes) if v == 0]
    assert quiet
    assert all(offered[i] == 0 for i in quiet)
