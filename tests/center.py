"""A small live contact center for API tests: an app with a hand-moved clock, queues and agents."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient

from helpline.asgi import create_app
from helpline.bootstrap import Database
from helpline.channels.base import ChannelRegistry
from helpline.config import Settings
from helpline.domain.enums import Role
from helpline.services.acd.routing import RoutingService
from tests.factories import Tenant, client_address, create_ok, make_tenant


@dataclass
class FakeClock:
    """A clock the test moves by hand; routing timers run when the test says so."""

    now: datetime = field(default_factory=lambda: datetime(2026, 11, 25, 12, 0, tzinfo=UTC))

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@dataclass
class Center:
    """A small contact center: two voice agents and a chat-capable one, three queues."""

    client: TestClient
    tenant: Tenant
    clock: FakeClock
    queues: dict[str, int]
    agents: list[int]
    wrap_up_code: int
    agent_emails: list[str] = field(default_factory=list)

    @property
    def routing(self) -> RoutingService:
        routing: RoutingService = self.client.app.state.routing  # type: ignore[attr-defined]
        return routing

    def post(
        self, path: str, body: dict[str, Any] | None = None, role: Role = Role.SUPERVISOR
    ) -> Any:
        return self.client.post(f"/api/v1/{path}", json=body, headers=self.tenant.headers(role))

    def get(self, path: str) -> Any:
        response = self.client.get(f"/api/v1/{path}", headers=self.tenant.headers(Role.SUPERVISOR))
        assert response.status_code == 200, response.text
        return response.json()

    def available(self, agent: int) -> dict[str, Any]:
        response = self.post(f"agents/{agent}/state", {"state": "available"})
        assert response.status_code == 200, response.text
        data: dict[str, Any] = response.json()
        return data

    def contact(self, queue: str = "voice", **extra: Any) -> dict[str, Any]:
        channel = "chat" if queue == "chat" else "voice"
        body = {"channel": channel, "queue_id": self.queues[queue]} | extra
        return create_ok(self.client, self.tenant, "contacts", body)

    def state_of(self, contact_id: int) -> str:
        state: str = self.get(f"contacts/{contact_id}")["state"]
        return state

    def tick(self, seconds: float) -> None:
        self.clock.advance(seconds)
        self.routing.advance_due()

    def event_types(self, contact_id: int) -> list[str]:
        events = self.get("events?limit=1000")["events"]
        return [e["type"] for e in events if e["contact_id"] == contact_id]


def build_center(
    db: Database,
    clock: FakeClock | None = None,
    tenant: Tenant | None = None,
    channels: ChannelRegistry | None = None,
) -> Center:
    """Two blended agents (voice 1, chat 2) on queues voice, other and chat; ``channels`` adapters."""
    clock = clock or FakeClock()
    settings = Settings(database_url=db.engine.url.render_as_string(hide_password=False))
    client = TestClient(create_app(settings, db, clock, channels), client=client_address())
    tenant = tenant or make_tenant(db)
    skill = create_ok(client, tenant, "skills", {"name": "billing"})["id"]
    queues = {
        name: create_ok(client, tenant, "queues", body)["id"]
        for name, body in {
            "voice": {
                "name": "Voice",
                "channel": "voice",
                "offer_timeout_seconds": 20,
                "after_contact_work_seconds": 30,
            },
            "other": {"name": "Other", "channel": "voice"},
            "chat": {"name": "Chat", "channel": "chat"},
        }.items()
    }
    profile = create_ok(
        client,
        tenant,
        "routing-profiles",
        {
            "name": "Blended",
            "channels": [
                {"channel": "voice", "concurrency": 1},
                {"channel": "chat", "concurrency": 2},
            ],
            "queues": [{"queue_id": q, "priority": 1} for q in queues.values()],
        },
    )["id"]
    agents = []
    emails = []
    for number in range(2):
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
        agents.append(
            create_ok(
                client,
                tenant,
                "agents",
                {
                    "user_id": user["id"],
                    "display_name": f"Agent {number}",
                    "routing_profile_id": profile,
                    "skills": [{"skill_id": skill, "proficiency": 3}],
                },
            )["id"]
        )
    code = create_ok(client, tenant, "wrap-up-codes", {"code": "done", "label": "Done"})["id"]
    return Center(client, tenant, clock, queues, agents, code, emails)
