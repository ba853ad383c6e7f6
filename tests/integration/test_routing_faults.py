"""The ACD under faults, through the REST API on both backends: a refused command changes nothing,
a missed agent stays missed across rebuilds and restarts, unroutable steps are refused before they
are stored, one organization's bad data never stops the others, timers run without API traffic."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from helpline.asgi import create_app
from helpline.bootstrap import Database
from helpline.config import Settings
from helpline.domain.enums import Role
from helpline.routing import RoutingEngine
from helpline.services.acd.routing import RoutingService
from tests.center import Center, FakeClock, build_center

pytestmark = pytest.mark.integration

UNROUTABLE_STEPS: dict[str, tuple[list[dict[str, Any]], str]] = {
    "a skill twice": (
        [{"requirements": [{"skill_id": 0, "min_proficiency": 2}, {"skill_id": 0}]}],
        "routing_steps.0.requirements",
    ),
    "skills and preferred agents": (
        [{"requirements": [{"skill_id": 0}], "preferred_agent_ids": [1]}],
        "routing_steps.0.preferred_agent_ids",
    ),
    "a non-final step without expiry": (
        [{"requirements": [{"skill_id": 0}]}, {"requirements": []}],
        "routing_steps.0.expires_after_seconds",
    ),
}


@pytest.fixture
def center(db: Database) -> Center:
    return build_center(db)


def _restarted(center: Center, db: Database) -> Center:
    """The same center served by a new process (new app, new routing engines, same database)."""
    settings = Settings(database_url=db.engine.url.render_as_string(hide_password=False))
    client = TestClient(create_app(settings, db, center.clock))
    return Center(
        client, center.tenant, center.clock, center.queues, center.agents, center.wrap_up_code
    )


def _assert_rebuild_changes_nothing(center: Center) -> None:
    organization = center.tenant.organization_id
    running = center.routing.running_snapshot(organization)
    rebuilt, events = center.routing.rebuilt_snapshot(organization)
    assert events == []
    assert rebuilt == running


def _missed_contact(center: Center) -> tuple[int, int, int]:
    """Agent A missed an offer (timed out); the contact waits again. Returns (A, B, contact)."""
    a, b = center.agents
    center.available(a)
    contact = center.contact()
    assert contact["agent_id"] == a
    center.tick(20)
    state = center.get(f"agents/{a}/state")
    assert (state["state"], state["reason"]) == ("not_ready", "missed")
    assert center.state_of(contact["id"]) == "queued"
    return a, b, contact["id"]


def test_a_refused_accept_keeps_the_engine_and_the_missed_agent_missed(
    center: Center, db: Database
) -> None:
    a, b, contact = _missed_contact(center)
    engine_before = center.routing.running_snapshot(center.tenant.organization_id)
    events_before = len(center.get("events?limit=1000")["events"])
    refused = center.post(f"contacts/{contact}/accept", {"agent_id": b})
    assert refused.status_code == 409, refused.text
    # Nothing changed: no event, the same engine state, the database equal to the engine.
    assert len(center.get("events?limit=1000")["events"]) == events_before
    assert center.routing.running_snapshot(center.tenant.organization_id) == engine_before
    _assert_rebuild_changes_nothing(center)
    # Restarted, A is still not ready (missed) and the contact still waits.
    again = _restarted(center, db)
    assert (again.get(f"agents/{a}/state")["reason"], again.state_of(contact)) == (
        "missed",
        "queued",
    )
    # B, available now, gets it; A never had it back.
    again.available(b)
    assert again.get(f"contacts/{contact}")["agent_id"] == b
    offered_to = [
        e["agent_id"]
        for e in again.get("events?limit=1000")["events"]
        if e["type"] == "ContactOffered" and e["contact_id"] == contact
    ]
    assert offered_to == [a, b]


def test_a_stale_accept_withdraws_no_live_offer(center: Center) -> None:
    a, b = center.agents
    center.available(a)
    center.clock.advance(1)
    center.available(b)
    first = center.contact()
    second = center.contact()
    assert {first["agent_id"], second["agent_id"]} == {a, b}
    for _ in range(3):  # a double-clicked, stale accept by the wrong agent
        wrong = b if first["agent_id"] == a else a
        assert center.post(f"contacts/{first['id']}/accept", {"agent_id": wrong}).status_code == 409
    types = [e["type"] for e in center.get("events?limit=1000")["events"]]
    assert "OfferWithdrawn" not in types
    assert types.count("ContactOffered") == 2
    _assert_rebuild_changes_nothing(center)


def test_an_open_offer_survives_a_restart_and_times_out_on_time(
    center: Center, db: Database
) -> None:
    a, _ = center.agents
    center.available(a)
    contact = center.contact()
    center.clock.advance(5)
    again = _restarted(center, db)
    assert again.get(f"contacts/{contact['id']}")["agent_id"] == a
    assert again.get(f"agents/{a}/state")["state"] == "reserved"
    again.tick(15)  # the offer made at 12:00:00 expires at 12:00:20, as before the restart
    missed = [
        e
        for e in again.get("events?limit=1000")["events"]
        if e["type"] == "OfferMissed" and e["contact_id"] == contact["id"]
    ]
    assert [e["occurred_at"][:19] for e in missed] == ["2026-11-25T12:00:20"]


@pytest.mark.parametrize("shape", sorted(UNROUTABLE_STEPS))
def test_unroutable_steps_are_refused_on_contacts_and_queues(center: Center, shape: str) -> None:
    steps, field = UNROUTABLE_STEPS[shape]
    steps = _with_ids(steps, center.get("skills")[0]["id"], center.agents[0])
    before = center.get("events?limit=1000")["events"]
    contact = center.post(
        "contacts",
        {"channel": "voice", "queue_id": center.queues["voice"], "routing_steps": steps},
        role=Role.AGENT,
    )
    assert contact.status_code == 422, contact.text
    assert contact.json()["detail"][0]["loc"] == ["body", *field.split(".")]
    queue = center.post(
        "queues", {"name": "Bad", "channel": "voice", "routing_steps": steps}, role=Role.ADMIN
    )
    assert queue.status_code == 422, queue.text
    patched = center.client.patch(
        f"/api/v1/queues/{center.queues['voice']}",
        json={"routing_steps": steps},
        headers=center.tenant.headers(Role.ADMIN),
    )
    assert patched.status_code == 422, patched.text
    assert patched.json()["detail"][0]["loc"] == ["body", *field.split(".")]
    assert center.get("events?limit=1000")["events"] == before
    assert center.available(center.agents[0])["state"] == "available"  # routing still serves


def _with_ids(steps: list[dict[str, Any]], skill: int, agent: int) -> list[dict[str, Any]]:
    """The steps with the center's skill and agent ids in place of the placeholders."""
    out = []
    for step in steps:
        copy = dict(step, requirements=[dict(r, skill_id=skill) for r in step["requirements"]])
        if "preferred_agent_ids" in step:
            copy["preferred_agent_ids"] = [agent]
        out.append(copy)
    return out


def test_a_database_holding_unroutable_steps_still_starts_and_serves(
    center: Center, db: Database
) -> None:
    skill = center.get("skills")[0]["id"]
    bad = [{"requirements": [{"skill_id": skill, "min_proficiency": 2}, {"skill_id": skill}]}]
    other = build_center(db, clock=center.clock)
    with db.transaction() as session:  # stored before the check existed
        session.execute(
            text("UPDATE queues SET routing_steps = :steps WHERE id = :id"),
            {"steps": json.dumps(bad), "id": center.queues["voice"]},
        )
    again = _restarted(center, db)
    with again.client:  # start-up builds every organization's engine
        again.available(again.agents[0])
        assert again.contact()["agent_id"] == again.agents[0]
        other_again = Center(
            again.client, other.tenant, other.clock, other.queues, other.agents, other.wrap_up_code
        )
        other_again.available(other.agents[0])
        assert other_again.contact()["agent_id"] == other.agents[0]


class _FailingForOne(RoutingService):
    """A routing host whose engine cannot be built for one organization (bad data of any kind)."""

    broken: int = -1

    def _build(self, organization_id: int, now: datetime) -> RoutingEngine:
        if organization_id == self.broken:
            raise ValueError("queue 7: closed treatment overflow without a target")
        return super()._build(organization_id, now)


def test_one_organization_that_cannot_be_built_does_not_stop_the_others(db: Database) -> None:
    clock = FakeClock()
    healthy = build_center(db, clock=clock)
    sick = build_center(db, clock=clock)
    routing = _FailingForOne(db.with_clock(clock))
    routing.broken = sick.tenant.organization_id
    routing.start([sick.tenant.organization_id, healthy.tenant.organization_id])
    assert list(routing.unavailable()) == [sick.tenant.organization_id]
    assert routing.running_snapshot(healthy.tenant.organization_id) is not None
    assert "closed treatment overflow" in routing.unavailable()[sick.tenant.organization_id]


def _wait_for(predicate: Callable[[], bool], seconds: float = 30.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()


def test_timers_fire_from_the_server_loop_without_api_traffic(center: Center) -> None:
    a, b, contact = _missed_contact(center)
    organization = center.tenant.organization_id
    center.available(b)
    assert center.get(f"contacts/{contact}")["agent_id"] == b  # offered at 12:00:20
    with center.client:  # the lifespan runs the timer loop
        center.routing.invalidate(organization)  # an engine dropped (a failure to persist)
        assert _wait_for(lambda: center.routing.running_snapshot(organization) is not None)
        center.clock.advance(25)  # B's offer expires at 12:00:40: only the loop can see it

        def missed_by_b() -> list[str]:
            return [
                e["occurred_at"][:19]
                for e in center.get("events?limit=1000")["events"]
                if e["type"] == "OfferMissed" and e["agent_id"] == b
            ]

        assert _wait_for(lambda: bool(missed_by_b()))
        assert missed_by_b() == ["2026-11-25T12:00:40"]
        assert center.get(f"agents/{a}/state")["reason"] == "missed"
        assert center.get(f"agents/{b}/state")["reason"] == "missed"
