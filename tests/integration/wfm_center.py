"""A small contact center for the WFM API tests: one queue, one team, agents, a controllable clock."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient

from helpline.asgi import create_app
from helpline.bootstrap import Database
from helpline.config import Settings
from helpline.domain.enums import Role
from tests.center import FakeClock
from tests.factories import Tenant, create_ok, make_tenant


@dataclass
class WfmCenter:
    """The client, tenant and clock, the queue and team ids, and the agents' ids."""

    client: TestClient
    tenant: Tenant
    clock: FakeClock
    queue_id: int
    team_id: int
    agent_ids: list[int]
    agent_emails: list[str]

    def post(self, path: str, body: dict[str, Any] | None = None, role: Role = Role.ADMIN) -> Any:
        return self.client.post(f"/api/v1/{path}", json=body, headers=self.tenant.headers(role))

    def get(self, path: str, role: Role = Role.ADMIN, **params: Any) -> Any:
        return self.client.get(f"/api/v1/{path}", params=params, headers=self.tenant.headers(role))

    def ok(self, response: Any, status: int = 200) -> Any:
        assert response.status_code == status, response.text
        return response.json()

    def at(self, moment: str) -> None:
        """Move the clock to ``moment`` (ISO 8601 with zone)."""
        self.clock.now = datetime.fromisoformat(moment)

    def set_state(self, agent_id: int, state: str, reason: str | None = None) -> None:
        body = {"state": state, "reason": reason}
        self.ok(self.post(f"agents/{agent_id}/state", body, Role.SUPERVISOR))

    def upload_forecast(self, first_day: str, days: int, start: str, horizon_days: int) -> int:
        """Publish a forecast from an hourly history of 5 contacts an hour 09:00-17:00."""
        first = datetime.fromisoformat(first_day)
        history = [
            {
                "timestamp": (first + timedelta(hours=h)).isoformat(),
                "volume": 5.0 * (9 <= h % 24 < 17),
            }
            for h in range(days * 24)
        ]
        body = {
            "queue_id": self.queue_id,
            "interval_minutes": 60,
            "horizon_days": horizon_days,
            "start": start,
            "history": history,
        }
        forecast = self.ok(self.post("forecasts", body), 201)
        self.ok(self.post(f"forecasts/{forecast['id']}/publish"))
        return int(forecast["id"])


def build_wfm_center(db: Database, agents: int = 1) -> WfmCenter:
    clock = FakeClock(datetime.fromisoformat("2026-12-01T08:00:00+00:00"))
    settings = Settings(database_url=db.engine.url.render_as_string(hide_password=False))
    client = TestClient(create_app(settings, db, clock))
    tenant = make_tenant(db)  # Europe/London: UTC in December
    team = create_ok(client, tenant, "teams", {"name": "Red"})
    queue = create_ok(client, tenant, "queues", {"name": "Sales", "channel": "voice"})
    profile = create_ok(
        client,
        tenant,
        "routing-profiles",
        {
            "name": "Voice",
            "channels": [{"channel": "voice", "concurrency": 1}],
            "queues": [{"queue_id": queue["id"]}],
        },
    )
    agent_ids, emails = [], []
    for number in range(agents):
        emails.append(f"{uuid.uuid4().hex[:10]}@example.com")
        user = create_ok(
            client,
            tenant,
            "users",
            {
                "email": emails[-1],
                "display_name": f"Agent {number}",
                "role": "agent",
                "password": "agent-password",
            },
        )
        agent = create_ok(
            client,
            tenant,
            "agents",
            {
                "user_id": user["id"],
                "display_name": f"Agent {number}",
                "team_id": team["id"],
                "routing_profile_id": profile["id"],
            },
        )
        agent_ids.append(agent["id"])
    return WfmCenter(client, tenant, clock, queue["id"], team["id"], agent_ids, emails)
