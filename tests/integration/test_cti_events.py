"""The CTI events API: an external phone system's calls queued by the ACD, decisions returned,
answered/held/resumed/transferred/ended events applied to the contact."""

from __future__ import annotations

from typing import Any

import pytest

from helpline.bootstrap import Database
from helpline.domain.enums import Role
from tests.center import Center, build_center
from tests.factories import create_ok

pytestmark = pytest.mark.integration

DIALED = "020 7946 0100"


@pytest.fixture
def center(db: Database) -> Center:
    center = build_center(db)
    for agent, extension in zip(center.agents, ("201", "202"), strict=True):
        response = center.client.patch(
            f"/api/v1/agents/{agent}",
            json={"extension": extension},
            headers=center.tenant.headers(),
        )
        assert response.status_code == 200, response.text
    create_ok(
        center.client,
        center.tenant,
        "voice-numbers",
        {"number": DIALED, "queue_id": center.queues["voice"], "description": "Main line"},
    )
    return center


def _offer(center: Center, call_id: str, **extra: Any) -> Any:
    body = {
        "call_id": call_id,
        "caller_number": "07700 900555",
        "dialed_number": DIALED,
        "ivr": {"menu": "billing", "account_number": "12345678"},
    } | extra
    return center.post("cti/calls", body)


def _event(center: Center, call_id: str, event: str, body: dict[str, Any] | None = None) -> Any:
    return center.post(f"cti/calls/{call_id}/{event}", body)


def _ok(response: Any) -> dict[str, Any]:
    assert response.status_code in (200, 201), response.text
    data: dict[str, Any] = response.json()
    return data


def test_a_full_call_offered_answered_held_resumed_and_ended(center: Center) -> None:
    known = create_ok(
        center.client,
        center.tenant,
        "customers",
        {"display_name": "Kofi", "identities": {"phone": "+447700900555"}},
    )
    center.available(center.agents[0])
    offered = _offer(center, "call-1")
    assert offered.status_code == 201, offered.text
    call = offered.json()
    assert call["decision"] == {
        "action": "ring_agent",
        "agent_id": center.agents[0],
        "extension": "201",
        "offer_expires_at": call["decision"]["offer_expires_at"],
        "message": None,
    }
    contact = call["contact"]
    assert (contact["channel"], contact["state"]) == ("voice", "offered")
    assert contact["queue_id"] == center.queues["voice"]
    assert contact["customer_id"] == known["id"]
    assert contact["attributes"]["ivr"] == {"menu": "billing", "account_number": "12345678"}
    assert contact["attributes"]["dialed_number"] == "+442079460100"

    again = _offer(center, "call-1")
    assert again.status_code == 200
    assert again.json()["duplicate"] is True
    assert again.json()["contact"]["id"] == contact["id"]

    answered = _ok(_event(center, "call-1", "answered", {"extension": "201"}))
    assert answered["contact"]["state"] == "connected"
    assert answered["decision"]["action"] == "connected"
    assert _ok(_event(center, "call-1", "held"))["contact"]["state"] == "on_hold"
    assert _ok(_event(center, "call-1", "held"))["duplicate"] is True
    assert _ok(_event(center, "call-1", "resumed"))["contact"]["state"] == "connected"
    ended = _ok(_event(center, "call-1", "ended", {"ended_by": "agent"}))
    assert ended["contact"]["state"] == "wrap_up"
    assert ended["decision"]["action"] == "none"
    assert center.get("cti/calls/call-1")["contact"]["state"] == "wrap_up"

    types = center.event_types(contact["id"])
    for expected in ("ContactOffered", "ContactConnected", "ContactHeld", "ContactResumed"):
        assert expected in types, (expected, types)
    events = center.get("events?limit=1000")["events"]
    received = [
        e["payload"]["event"]
        for e in events
        if e["type"] == "CallEventReceived" and e["contact_id"] == contact["id"]
    ]
    assert received == ["offered", "answered", "held", "resumed", "ended"]


def test_a_caller_who_hangs_up_before_an_answer_abandoned_in_queue(center: Center) -> None:
    call = _ok(_offer(center, "call-2", caller_number="anonymous"))
    assert call["decision"] == {
        "action": "queue",
        "agent_id": None,
        "extension": None,
        "offer_expires_at": None,
        "message": None,
    }
    assert call["contact"]["customer_id"] is None
    center.tick(30)
    ended = _ok(_event(center, "call-2", "ended", {"ended_by": "customer"}))
    assert ended["contact"]["state"] == "abandoned"
    assert _ok(_event(center, "call-2", "ended"))["duplicate"] is True
    assert "ContactAbandoned" in center.event_types(call["contact"]["id"])


def test_a_queued_call_is_offered_when_an_agent_frees_up(center: Center) -> None:
    call = _ok(
        _offer(center, "call-3", queue_id=center.queues["other"], dialed_number="+441234567890")
    )
    assert call["decision"]["action"] == "queue"
    assert call["contact"]["queue_id"] == center.queues["other"]
    center.available(center.agents[1])
    polled = center.get("cti/calls/call-3")
    assert polled["decision"]["action"] == "ring_agent"
    assert polled["decision"]["extension"] == "202"


def test_out_of_order_and_unknown_calls_are_refused_clearly(center: Center) -> None:
    _ok(_offer(center, "call-4"))
    held = _event(center, "call-4", "held")
    assert held.status_code == 409
    assert "queued" in held.json()["detail"]
    assert _event(center, "call-4", "answered").status_code == 409
    assert (
        _event(center, "call-4", "transferred", {"queue_id": center.queues["other"]}).status_code
        == 409
    )
    missing = _event(center, "no-such-call", "ended")
    assert missing.status_code == 404
    assert "no-such-call" in missing.json()["detail"]
    assert (
        center.client.get(
            "/api/v1/cti/calls/no-such-call", headers=center.tenant.headers(Role.SUPERVISOR)
        ).status_code
        == 404
    )
    changed = _offer(center, "call-4", caller_number="+447700900999")
    assert changed.status_code == 409


def test_transfers_to_a_queue_and_to_an_external_number(center: Center) -> None:
    first, second = center.agents
    center.available(first)
    _ok(_offer(center, "call-5"))
    _ok(_event(center, "call-5", "answered"))
    center.available(second)
    moved = _ok(_event(center, "call-5", "transferred", {"queue_id": center.queues["other"]}))
    assert moved["contact"]["queue_id"] == center.queues["other"]
    decision = moved["decision"]
    assert decision["action"] == "ring_agent"
    extensions = {first: "201", second: "202"}
    assert decision["extension"] == extensions[decision["agent_id"]]
    _ok(_event(center, "call-5", "answered", {"agent_id": decision["agent_id"]}))
    out = _ok(_event(center, "call-5", "transferred", {"number": "+1 212 555 0100"}))
    assert out["contact"]["state"] == "wrap_up"
    assert out["contact"]["attributes"]["transferred_to_number"] == "+12125550100"
    both = _event(center, "call-5", "transferred", {"queue_id": 1, "number": "+12125550100"})
    assert both.status_code == 422


def test_bad_offers_are_refused_naming_the_field_and_agents_may_not_report_calls(
    center: Center,
) -> None:
    unmapped = _offer(center, "call-6", dialed_number="+441632960000")
    assert unmapped.status_code == 422
    assert unmapped.json()["detail"][0]["loc"] == ["body", "dialed_number"]
    bad_caller = _offer(center, "call-6", caller_number="12")
    assert bad_caller.status_code == 422
    assert bad_caller.json()["detail"][0]["loc"] == ["body", "caller_number"]
    chat_queue = _offer(center, "call-6", queue_id=center.queues["chat"])
    assert chat_queue.status_code == 422
    assert (
        center.post(
            "cti/calls", {"call_id": "call-6", "dialed_number": DIALED}, Role.AGENT
        ).status_code
        == 403
    )
    assert (
        center.client.get(
            "/api/v1/cti/calls/call-6", headers=center.tenant.headers(Role.SUPERVISOR)
        ).status_code
        == 404
    )


def test_a_caller_who_hangs_up_while_ringing_frees_the_agent(center: Center) -> None:
    agent = center.agents[0]
    center.available(agent)
    call = _ok(_offer(center, "call-7"))
    assert call["decision"]["action"] == "ring_agent"
    ended = _ok(_event(center, "call-7", "ended", {"ended_by": "customer"}))
    assert ended["contact"]["state"] == "short_abandoned"  # within the queue's 5 s threshold
    assert center.get(f"agents/{agent}/state")["state"] == "available"


def test_a_call_ended_on_hold_goes_to_after_contact_work(center: Center) -> None:
    center.available(center.agents[0])
    _ok(_offer(center, "call-8"))
    _ok(_event(center, "call-8", "answered"))
    _ok(_event(center, "call-8", "held"))
    ended = _ok(_event(center, "call-8", "ended", {"ended_by": "customer"}))
    assert ended["contact"]["state"] == "wrap_up"


def test_agent_extensions_are_unique_in_the_organization(center: Center) -> None:
    clash = center.client.patch(
        f"/api/v1/agents/{center.agents[1]}",
        json={"extension": "201"},
        headers=center.tenant.headers(),
    )
    assert clash.status_code == 409
    bad = center.client.patch(
        f"/api/v1/agents/{center.agents[1]}",
        json={"extension": "ext 9"},
        headers=center.tenant.headers(),
    )
    assert bad.status_code == 422
