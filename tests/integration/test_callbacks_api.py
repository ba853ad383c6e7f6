"""Scheduled callbacks through the REST API and the callback scheduler, on both backends, with a
hand-moved clock (Wednesday 2026-11-25 12:00 UTC; the organization is in London, UTC in November).

The voice queue is open Monday to Friday 09:00-17:00 and takes two callbacks per 30-minute slot.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient

from helpline.asgi import create_app
from helpline.bootstrap import Database
from helpline.config import Settings
from helpline.domain.enums import Role
from helpline.services.acd.callback_scheduler import (
    CallbackScheduler,
    OpenQueues,
    route_due_callback,
)
from helpline.services.conversations import chat
from helpline.services.conversations.chat_widgets import widget_by_id
from helpline.storage.database import session_now
from tests.center import Center, build_center
from tests.factories import create_ok
from tests.integration.snapshot import organization_snapshot

pytestmark = pytest.mark.integration

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri")
PHONE = "+447700900123"


@pytest.fixture
def center(db: Database) -> Center:
    center = build_center(db)
    hours = {
        "always_open": False,
        "weekly": {d: [{"open": "09:00", "close": "17:00"}] for d in WEEKDAYS},
    }
    response = center.client.patch(
        f"/api/v1/queues/{center.queues['voice']}",
        json={"hours": hours, "callbacks_per_slot": 2},
        headers=center.tenant.headers(),
    )
    assert response.status_code == 200, response.text
    return center


def scheduler(center: Center) -> CallbackScheduler:
    found: CallbackScheduler = center.client.app.state.callbacks  # type: ignore[attr-defined]
    return found


def book(center: Center, slot_start: str, **extra: Any) -> Any:
    body = {"queue_id": center.queues["voice"], "phone": PHONE, "slot_start": slot_start} | extra
    return center.post("callbacks", body)


def booked(center: Center, slot_start: str, **extra: Any) -> dict[str, Any]:
    response = book(center, slot_start, **extra)
    assert response.status_code == 201, response.text
    data: dict[str, Any] = response.json()
    return data


def callback(center: Center, callback_id: int) -> dict[str, Any]:
    data: dict[str, Any] = center.get(f"callbacks/{callback_id}")
    return data


def slots(center: Center, first: str, last: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = center.get(
        f"queues/{center.queues['voice']}/callback-slots?from={first}&to={last}"
    )
    return found


def run_at(center: Center, moment: str) -> int:
    """Move the clock to ``moment`` and run one scheduler pass; how many of this organization's
    callbacks it routed (the scheduler serves every organization of the shared database)."""
    center.clock.now = datetime.fromisoformat(moment)
    return run_once(center)


def run_once(center: Center) -> int:
    """One scheduler pass now; how many of this organization's callbacks it routed."""
    scheduler(center).run_once()
    stamp = center.clock.now.isoformat().replace("+00:00", "Z")
    items = center.get("callbacks?limit=1000")["items"]
    return sum(item["routed_at"] == stamp for item in items if item["state"] == "routed")


def test_slots_are_open_hours_times_capacity_minus_booked_and_a_full_slot_is_409(
    center: Center,
) -> None:
    found = slots(center, "2026-11-25", "2026-11-26")
    starts = [s["start"] for s in found]
    # Wednesday after noon (the 12:00 slot has started), then Thursday's whole day.
    assert starts[0] == "2026-11-25T12:30:00Z"
    assert starts[8] == "2026-11-25T16:30:00Z"
    assert starts[9] == "2026-11-26T09:00:00Z"
    assert len(found) == 9 + 16
    assert {s["remaining"] for s in found} == {2}
    assert found[0]["end"] == "2026-11-25T13:00:00Z"

    first = booked(center, "2026-11-25T12:30:00Z")
    assert (first["state"], first["slot_end"], first["source"]) == (
        "scheduled",
        "2026-11-25T13:00:00Z",
        "api",
    )
    assert slots(center, "2026-11-25", "2026-11-25")[0]["remaining"] == 1
    booked(center, "2026-11-25T12:30:00Z")
    assert slots(center, "2026-11-25", "2026-11-25")[0]["start"] == "2026-11-25T13:00:00Z"

    before = organization_snapshot(center.client.app.state.db, center.tenant.organization_id)  # type: ignore[attr-defined]
    full = book(center, "2026-11-25T12:30:00Z")
    assert full.status_code == 409, full.text
    after = organization_snapshot(center.client.app.state.db, center.tenant.organization_id)  # type: ignore[attr-defined]
    assert after == before
    assert "CallbackScheduled" in [e["type"] for e in center.get("events?limit=1000")["events"]]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"slot_start": "2026-11-25T12:45:00Z"}, "slot_start"),  # not a slot boundary
        ({"slot_start": "2026-11-25T11:30:00Z"}, "slot_start"),  # in the past
        ({"slot_start": "2026-11-25T12:00:00Z"}, "slot_start"),  # already started
        ({"slot_start": "2026-11-25T17:00:00Z"}, "slot_start"),  # closed
        ({"slot_start": "2026-11-28T10:00:00Z"}, "slot_start"),  # Saturday: closed
        ({"slot_start": "2027-03-01T10:00:00Z"}, "slot_start"),  # too far ahead
        ({"slot_start": "2026-11-26T10:00:00"}, "slot_start"),  # no time zone
        ({"phone": "not a number"}, "phone"),
        ({"agent_id": 999_999_999}, "agent_id"),
        ({"customer_id": 999_999_999}, "customer_id"),
        ({"personal_seconds": 0}, "personal_seconds"),
        ({"queue_id": "chat"}, "queue_id"),  # not a voice queue
    ],
)
def test_bad_bookings_are_422_naming_the_field_and_store_nothing(
    center: Center, change: dict[str, Any], field: str
) -> None:
    db = center.client.app.state.db  # type: ignore[attr-defined]
    if change.get("queue_id") == "chat":
        change = {"queue_id": center.queues["chat"]}
    before = organization_snapshot(db, center.tenant.organization_id)
    body = {
        "queue_id": center.queues["voice"],
        "phone": PHONE,
        "slot_start": "2026-11-26T10:00:00Z",
    }
    response = center.post("callbacks", body | change)
    assert response.status_code == 422, response.text
    assert response.json()["detail"][0]["loc"][-1] == field
    assert organization_snapshot(db, center.tenant.organization_id) == before


def test_queue_without_callback_capacity_refuses_slots_and_bookings(center: Center) -> None:
    other = center.queues["other"]
    response = center.client.patch(
        f"/api/v1/queues/{other}", json={"callbacks_per_slot": 0}, headers=center.tenant.headers()
    )
    assert response.status_code == 200, response.text
    listed = center.client.get(
        f"/api/v1/queues/{other}/callback-slots?from=2026-11-26&to=2026-11-26",
        headers=center.tenant.headers(),
    )
    assert listed.status_code == 422
    refused = book(center, "2026-11-26T10:00:00Z", queue_id=other)
    assert refused.status_code == 422
    assert refused.json()["detail"][0]["loc"][-1] == "queue_id"


def test_due_callback_is_routed_when_its_slot_starts_and_completes_when_answered(
    center: Center,
) -> None:
    agent = center.agents[0]
    center.available(agent)
    item = booked(center, "2026-11-25T12:30:00Z", subject="Card blocked")
    assert run_at(center, "2026-11-25T12:29:59+00:00") == 0
    assert callback(center, item["id"])["state"] == "scheduled"
    assert run_at(center, "2026-11-25T12:30:00+00:00") == 1
    routed = callback(center, item["id"])
    assert (routed["state"], routed["routed_at"]) == ("routed", "2026-11-25T12:30:00Z")
    contact = center.get(f"contacts/{routed['contact_id']}")
    assert (contact["direction"], contact["channel"], contact["state"]) == (
        "outbound",
        "voice",
        "offered",
    )
    assert contact["agent_id"] == agent
    assert contact["attributes"]["callback_id"] == item["id"]
    assert contact["attributes"]["callback_number"] == PHONE
    assert contact["subject"] == "Card blocked"
    scheduler(center).run_once()  # never routed twice
    assert callback(center, item["id"])["contact_id"] == contact["id"]
    assert center.event_types(contact["id"]).count("CallbackRouted") == 1
    accepted = center.post(f"contacts/{contact['id']}/accept", {"agent_id": agent})
    assert accepted.status_code == 200, accepted.text
    scheduler(center).run_once()
    assert callback(center, item["id"])["state"] == "completed"
    assert "CallbackCompleted" in center.event_types(contact["id"])


def test_callbacks_due_while_closed_wait_for_opening_then_go_in_slot_then_booking_order(
    center: Center,
) -> None:
    later = booked(center, "2026-11-25T16:30:00Z")["id"]  # booked first, later slot
    first = booked(center, "2026-11-25T16:00:00Z")["id"]
    second = booked(center, "2026-11-25T16:00:00Z")["id"]
    # The process was down from noon until after closing: all three are overdue, the queue closed.
    assert run_at(center, "2026-11-25T17:30:00+00:00") == 0
    assert {callback(center, c)["state"] for c in (later, first, second)} == {"scheduled"}
    assert run_at(center, "2026-11-26T08:59:59+00:00") == 0
    assert run_at(center, "2026-11-26T09:00:00+00:00") == 3
    contacts = [callback(center, c)["contact_id"] for c in (first, second, later)]
    assert contacts == sorted(contacts)
    line = center.routing.queue_line(center.tenant.actor, center.queues["voice"])
    assert line == [str(c) for c in contacts]
    routed = callback(center, first)
    assert routed["routed_at"] == "2026-11-26T09:00:00Z"


def test_after_a_restart_overdue_callbacks_are_routed_at_once_in_order_and_never_twice(
    center: Center,
) -> None:
    db: Database = center.client.app.state.db  # type: ignore[attr-defined]
    ids = [
        booked(center, "2026-11-25T12:30:00Z")["id"],
        booked(center, "2026-11-25T13:00:00Z")["id"],
    ]
    stranded = booked(center, "2026-11-25T13:00:00Z")["id"]
    center.clock.now = center.clock.now.replace(hour=13, minute=10)
    # The old process claimed one callback and created its contact, then stopped before routing it.
    with db.transaction() as session:
        now = session_now(session)
        organization_id = center.tenant.organization_id
        route_due_callback(
            session, organization_id, stranded, now, OpenQueues(organization_id, now)
        )
    # A new process: a fresh application (routing service and scheduler) over the same database.
    settings = Settings(database_url=center.client.app.state.settings.database_url)  # type: ignore[attr-defined]
    after = Center(
        TestClient(create_app(settings, db, center.clock)),
        center.tenant,
        center.clock,
        center.queues,
        center.agents,
        center.wrap_up_code,
    )
    # Two routed now, and the stranded one 13:10 too (claimed then): three in all.
    assert run_once(after) == 3
    scheduler(center).run_once()  # the old process's scheduler, and the new one again: no-ops
    scheduler(after).run_once()
    contacts = [callback(after, c)["contact_id"] for c in (*ids, stranded)]
    assert all(contacts)
    assert {after.state_of(c) for c in contacts} == {"queued"}
    line = after.routing.queue_line(after.tenant.actor, after.queues["voice"])
    assert sorted(line) == sorted(str(c) for c in contacts)
    assert line.index(str(contacts[2])) < line.index(str(contacts[1]))  # its contact came first
    events = center.get("events?limit=1000")["events"]
    assert sum(e["type"] == "CallbackRouted" for e in events) == 3
    for contact in contacts:
        assert [e["type"] for e in events if e["contact_id"] == contact].count("ContactQueued") == 1


def test_personal_callback_goes_to_the_promising_agent_first_then_to_the_queue(
    center: Center,
) -> None:
    promised, other = center.agents
    center.available(other)  # the promising agent is not available yet
    item = booked(center, "2026-11-25T12:30:00Z", agent_id=promised, personal_seconds=60)
    assert item["agent_id"] == promised
    assert run_at(center, "2026-11-25T12:30:00+00:00") == 1
    contact = callback(center, item["id"])["contact_id"]
    assert center.state_of(contact) == "queued"  # not offered to the idle other agent
    center.tick(59)
    assert center.state_of(contact) == "queued"
    center.tick(2)
    offered = center.get(f"contacts/{contact}")
    assert (offered["state"], offered["agent_id"]) == ("offered", other)


def test_personal_callback_is_offered_to_the_promising_agent_over_a_longer_idle_one(
    center: Center,
) -> None:
    other, promised = center.agents
    center.available(other)
    center.clock.advance(60)
    center.available(promised)
    item = booked(center, "2026-11-25T12:30:00Z", agent_id=promised)
    run_at(center, "2026-11-25T12:30:00+00:00")
    offered = center.get(f"contacts/{callback(center, item['id'])['contact_id']}")
    assert (offered["state"], offered["agent_id"]) == ("offered", promised)


def test_cancel_frees_the_slot_withdraws_a_waiting_contact_and_refuses_once_connected(
    center: Center,
) -> None:
    scheduled = booked(center, "2026-11-25T12:30:00Z")
    cancelled = center.post(f"callbacks/{scheduled['id']}/cancel")
    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["state"] == "cancelled"
    assert slots(center, "2026-11-25", "2026-11-25")[0]["remaining"] == 2
    assert center.post(f"callbacks/{scheduled['id']}/cancel").status_code == 409

    waiting = booked(center, "2026-11-25T13:00:00Z")
    answered = booked(center, "2026-11-25T13:00:00Z")
    assert run_at(center, "2026-11-25T13:00:00+00:00") == 2
    waiting_contact = callback(center, waiting["id"])["contact_id"]
    center.clock.advance(30)
    assert center.post(f"callbacks/{waiting['id']}/cancel").json()["state"] == "cancelled"
    assert center.state_of(waiting_contact) == "abandoned"

    agent = center.agents[0]
    center.available(agent)
    contact = callback(center, answered["id"])["contact_id"]
    center.post(f"contacts/{contact}/accept", {"agent_id": agent})
    refused = center.post(f"callbacks/{answered['id']}/cancel")
    assert refused.status_code == 409
    assert center.state_of(contact) == "connected"
    scheduler(center).run_once()
    assert callback(center, answered["id"])["state"] == "completed"
    assert callback(center, waiting["id"])["state"] == "cancelled"


def test_callback_whose_contact_is_abandoned_fails(center: Center) -> None:
    item = booked(center, "2026-11-25T12:30:00Z")
    run_at(center, "2026-11-25T12:30:00+00:00")
    contact = callback(center, item["id"])["contact_id"]
    assert center.post(f"contacts/{contact}/abandon").status_code == 200
    scheduler(center).run_once()
    failed = callback(center, item["id"])
    assert (failed["state"], failed["ended_at"]) == ("failed", "2026-11-25T12:30:00Z")
    listed = center.get(f"callbacks?state=failed&queue_id={center.queues['voice']}")["items"]
    assert [c["id"] for c in listed] == [item["id"]]


def test_agents_book_personal_callbacks_for_themselves_only(center: Center) -> None:
    mine, theirs = center.agents
    login = center.client.post(
        "/api/v1/auth/login", json={"email": center.agent_emails[0], "password": "agent-password"}
    )
    csrf = {"X-CSRF-Token": login.json()["csrf_token"]}
    body = {
        "queue_id": center.queues["voice"],
        "phone": PHONE,
        "slot_start": "2026-11-26T10:00:00Z",
    }
    own = center.client.post("/api/v1/callbacks", json=body, headers=csrf)
    assert own.status_code == 201, own.text
    assert (own.json()["agent_id"], own.json()["source"]) == (mine, "agent")
    other = center.client.post("/api/v1/callbacks", json=body | {"agent_id": theirs}, headers=csrf)
    assert other.status_code == 403
    center.client.cookies.clear()


def test_chat_visitor_books_a_callback_on_the_widgets_callback_queue(center: Center) -> None:
    client = center.client
    widget = create_ok(
        client,
        center.tenant,
        "chat-widgets",
        {
            "name": "Site",
            "queue_id": center.queues["chat"],
            "callback_queue_id": center.queues["voice"],
        },
    )
    bare = create_ok(
        client, center.tenant, "chat-widgets", {"name": "Bare", "queue_id": center.queues["chat"]}
    )
    for offered, public_key in ((True, widget["public_key"]), (False, bare["public_key"])):
        with client.websocket_connect(f"/chat/ws?key={public_key}") as ws:
            assert ws.receive_json()["callbacks"] is offered  # the widget shows "Call me back"
    db: Database = client.app.state.db  # type: ignore[attr-defined]
    with db.transaction() as session:
        info = widget_by_id(session, center.tenant.organization_id, widget["id"])
        prechat = chat.check_prechat(chat.PreChat("Ada Visitor", "ada@example.com", "Card blocked"))
        token = chat.open_session(session, info, prechat, session_now(session)).token
    key = widget["public_key"]
    listed = client.get(f"/chat/callback-slots?key={key}&from=2026-11-25&to=2026-11-25")
    assert listed.status_code == 200, listed.text
    assert listed.json()[0]["start"] == "2026-11-25T12:30:00Z"
    assert (
        client.get(
            f"/chat/callback-slots?key={bare['public_key']}&from=2026-11-25&to=2026-11-25"
        ).status_code
        == 404
    )

    before = organization_snapshot(db, center.tenant.organization_id)
    closed = client.post(
        f"/chat/callbacks?key={key}",
        json={"phone": PHONE, "slot_start": "2026-11-25T18:00:00Z"},
        headers={"X-Chat-Token": token},
    )
    assert closed.status_code == 422
    assert closed.json()["detail"][0]["loc"][-1] == "slot_start"
    forged = client.post(
        f"/chat/callbacks?key={key}",
        json={"phone": PHONE, "slot_start": "2026-11-25T13:00:00Z"},
        headers={"X-Chat-Token": token + "x"},
    )
    assert forged.status_code == 401
    assert organization_snapshot(db, center.tenant.organization_id) == before

    made = client.post(
        f"/chat/callbacks?key={key}",
        json={"phone": "07700 900123", "slot_start": "2026-11-25T13:00:00Z"},
        headers={"X-Chat-Token": token},
    )
    assert made.status_code == 201, made.text
    assert made.json()["phone"] == PHONE
    stored = callback(center, made.json()["id"])
    assert (stored["source"], stored["subject"], stored["queue_id"]) == (
        "chat",
        "Card blocked",
        center.queues["voice"],
    )


def test_widget_callback_queue_must_be_a_voice_queue(center: Center) -> None:
    response = center.client.post(
        "/api/v1/chat-widgets",
        json={
            "name": "Wrong",
            "queue_id": center.queues["chat"],
            "callback_queue_id": center.queues["chat"],
        },
        headers=center.tenant.headers(Role.ADMIN),
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "callback_queue_id"


def test_slot_length_must_line_up_from_midnight(center: Center) -> None:
    response = center.client.patch(
        f"/api/v1/queues/{center.queues['voice']}",
        json={"callback_slot_minutes": 25},
        headers=center.tenant.headers(),
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "callback_slot_minutes"
    hourly = center.client.patch(
        f"/api/v1/queues/{center.queues['voice']}",
        json={"callback_slot_minutes": 60},
        headers=center.tenant.headers(),
    )
    assert hourly.status_code == 200, hourly.text
    found = slots(center, "2026-11-25", "2026-11-25")
    assert [s["start"][11:16] for s in found] == ["13:00", "14:00", "15:00", "16:00"]


def test_callbacks_follow_the_routing_calendar(center: Center) -> None:
    """A closure (here Thursday afternoon) removes its slots, refuses bookings in it, and holds
    a callback due in it until the queue opens again, exactly as routing sees the queue."""
    create_ok(
        center.client,
        center.tenant,
        "hours-overrides",
        {
            "name": "Staff training",
            "kind": "closed",
            "first_day": "2026-11-26",
            "closed_from": "13:00",
        },
    )
    starts = [s["start"] for s in slots(center, "2026-11-26", "2026-11-26")]
    assert starts[-1] == "2026-11-26T12:30:00Z"
    refused = book(center, "2026-11-26T14:00:00Z")
    assert refused.status_code == 422, refused.text
    assert refused.json()["detail"][0]["loc"][-1] == "slot_start"
    kept = booked(center, "2026-11-26T12:30:00Z")
    create_ok(
        center.client,
        center.tenant,
        "hours-overrides",
        {"name": "Fire drill", "kind": "closed", "first_day": "2026-11-26", "closed_from": "12:00"},
    )
    assert run_at(center, "2026-11-26T12:30:00+00:00") == 0  # closed by the drill: held
    assert callback(center, kept["id"])["state"] == "scheduled"
    assert run_at(center, "2026-11-27T09:00:00+00:00") == 1  # Friday's opening releases it
