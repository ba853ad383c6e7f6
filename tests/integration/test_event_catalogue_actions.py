"""Which events each action writes, in order, and that each matches the event catalogue (Zulip's
``verify_action``): wallboards, the agent desktop and integrators rely on exactly these."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from helpline.bootstrap import Database
from helpline.channels.base import ChannelRegistry, InboundMessage
from helpline.channels.inbox import Inbox
from helpline.channels.memory import MemoryAdapter
from helpline.channels.outbox import Outbox
from helpline.domain.enums import Channel
from tests.center import Center, build_center
from tests.factories import create_ok, planning_objects, schedule_body
from tests.verify_action import WrittenEvent, types, verify_action

pytestmark = pytest.mark.integration


@pytest.fixture
def chat() -> MemoryAdapter:
    return MemoryAdapter(Channel.CHAT)


@pytest.fixture
def center(db: Database, chat: MemoryAdapter) -> Center:
    return build_center(db, channels=ChannelRegistry({Channel.CHAT: chat}))


def _db(center: Center) -> Database:
    db: Database = center.client.app.state.db  # type: ignore[attr-defined]
    return db


def act(center: Center, action: Any) -> tuple[Any, list[WrittenEvent]]:
    """``verify_action`` on the center's organization."""
    return verify_action(_db(center), center.tenant.organization_id, action)


def _ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def _agent_state(center: Center, agent: int) -> str:
    state: str = center.get(f"agents/{agent}/state")["state"]
    return state


def _connected(center: Center) -> tuple[int, int]:
    """A voice contact connected to the first agent: (contact id, agent id)."""
    agent = center.agents[0]
    center.available(agent)
    contact = center.contact()
    _ok(center.post(f"contacts/{contact['id']}/accept", {"agent_id": agent}))
    return contact["id"], agent


def test_a_contact_with_no_agent_available_is_created_and_queued(center: Center) -> None:
    contact, events = act(center, center.contact)
    assert types(events) == ["ContactCreated", "ContactQueued"]
    assert {e.contact_id for e in events} == {contact["id"]}
    created, queued = (e.payload for e in events)
    assert created["channel"] == "voice"
    assert created["queue_id"] == queued["queue_id"] == center.queues["voice"]


def test_a_contact_is_offered_to_the_available_agent_who_becomes_reserved(center: Center) -> None:
    agent = center.agents[0]
    center.available(agent)
    contact, events = act(center, center.contact)
    assert types(events) == [
        "ContactCreated",
        "ContactQueued",
        "ContactOffered",
        "AgentStateChanged",
    ]
    offered, state = events[2:]
    assert (offered.contact_id, offered.agent_id) == (contact["id"], agent)
    assert offered.payload["queue_id"] == center.queues["voice"]
    # Applying the event to the agent's old state gives the state the API now reports.
    assert (state.agent_id, state.payload["state"]) == (agent, _agent_state(center, agent))


def test_an_agent_state_change_is_one_event_with_its_reason(center: Center) -> None:
    agent = center.agents[1]
    change = {"state": "not_ready", "reason": "break"}
    _, events = act(center, lambda: _ok(center.post(f"agents/{agent}/state", change)))
    assert types(events) == ["AgentStateChanged"]
    assert events[0].agent_id == agent
    assert events[0].payload == {"state": "not_ready", "reason": "break"}
    assert _agent_state(center, agent) == "not_ready"


def test_accepting_an_offer_connects_the_contact_and_makes_the_agent_busy(center: Center) -> None:
    agent = center.agents[0]
    center.available(agent)
    contact = center.contact()
    center.clock.advance(4)
    path = f"contacts/{contact['id']}/accept"
    _, events = act(center, lambda: _ok(center.post(path, {"agent_id": agent})))
    assert types(events) == ["ContactConnected", "AgentStateChanged"]
    assert events[0].payload == {"queue_id": center.queues["voice"], "wait_seconds": 4.0}
    assert events[1].payload["state"] == _agent_state(center, agent) == "busy"


def test_ending_starts_after_contact_work_and_wrap_up_closes_the_contact(center: Center) -> None:
    contact, agent = _connected(center)
    center.clock.advance(60)
    _, ended = act(center, lambda: _ok(center.post(f"contacts/{contact}/end")))
    assert types(ended) == ["AfterContactWorkStarted", "AgentStateChanged"]
    assert ended[1].payload["state"] == "acw"
    wrap_up = {"wrap_up_code_id": center.wrap_up_code, "notes": "refunded"}
    _, wrapped = act(center, lambda: _ok(center.post(f"contacts/{contact}/wrap-up", wrap_up)))
    assert types(wrapped) == ["ContactWrappedUp", "ContactClosed", "AgentStateChanged"]
    assert wrapped[0].payload == {"wrap_up_code": str(center.wrap_up_code), "notes": "refunded"}
    assert wrapped[1].payload == {"reason": "wrapped_up"}
    assert wrapped[2].payload["state"] == _agent_state(center, agent) == "available"


def test_a_blind_transfer_to_a_queue_requeues_the_contact(center: Center) -> None:
    contact, agent = _connected(center)
    body = {"queue_id": center.queues["other"]}
    _, events = act(center, lambda: _ok(center.post(f"contacts/{contact}/transfer", body)))
    assert types(events)[:2] == ["ContactTransferred", "ContactQueued"]
    assert events[0].payload == {
        "from_agent_id": agent,
        "to_queue_id": center.queues["other"],
        "to_agent_id": None,
        "is_consult": False,
    }
    assert events[1].payload["queue_id"] == center.queues["other"]


def test_creating_a_queue_records_it_as_the_api_represents_it(center: Center) -> None:
    body = {"name": "Overflow", "channel": "voice"}
    queue, created = act(center, lambda: create_ok(center.client, center.tenant, "queues", body))
    assert types(created) == ["QueueCreated"]
    assert created[0].payload == center.get(f"queues/{queue['id']}")


def test_updating_and_deleting_a_queue(center: Center) -> None:
    queue = create_ok(center.client, center.tenant, "queues", {"name": "Temp", "channel": "voice"})
    url = f"/api/v1/queues/{queue['id']}"
    headers = center.tenant.headers()
    change = {"offer_timeout_seconds": 15}
    _, updated = act(center, lambda: _ok(center.client.patch(url, json=change, headers=headers)))
    assert [(e.type, e.payload) for e in updated] == [
        ("QueueUpdated", {"id": queue["id"], "changed": {"offer_timeout_seconds": 15}})
    ]
    _, deleted = act(center, lambda: center.client.delete(url, headers=headers))
    assert [(e.type, e.payload) for e in deleted] == [("QueueDeleted", {"id": queue["id"]})]


def test_creating_an_agent_records_the_agent_with_its_skills(center: Center) -> None:
    user = create_ok(
        center.client,
        center.tenant,
        "users",
        {
            "email": "new-agent@example.com",
            "display_name": "New",
            "role": "agent",
            "password": "x" * 12,
        },
    )
    body = {"user_id": user["id"], "display_name": "New"}
    agent, events = act(center, lambda: create_ok(center.client, center.tenant, "agents", body))
    assert types(events) == ["AgentCreated"]
    assert events[0].agent_id == agent["id"]
    assert events[0].payload["skills"] == []


def test_an_agent_reply_is_sent_then_delivered(center: Center, chat: MemoryAdapter) -> None:
    agent = center.agents[0]
    center.available(agent)
    inbox: Inbox = center.client.app.state.inbox  # type: ignore[attr-defined]
    hello = InboundMessage(channel=Channel.CHAT, external_id="m-1", body="Hi", sender="visitor-7")
    got = inbox.receive_sync(center.tenant.actor, hello, queue_id=center.queues["chat"])
    _ok(center.post(f"contacts/{got.contact_id}/accept", {"agent_id": agent}))
    body = {"body": "Unblocked it for you"}
    reply, sent = act(
        center, lambda: _ok(center.post(f"contacts/{got.contact_id}/messages", body), 201)
    )
    assert [(e.type, e.payload) for e in sent] == [
        ("MessageSent", {"message_id": reply["id"], "channel": "chat"})
    ]
    outbox: Outbox = center.client.app.state.outbox  # type: ignore[attr-defined]
    _, delivered = act(center, lambda: asyncio.run(outbox.deliver_due()))
    assert [(e.type, e.payload) for e in delivered] == [
        (
            "MessageDelivered",
            {"message_id": reply["id"], "status": "sent", "attempts": 1, "error": ""},
        )
    ]
    assert len(chat.sent) == 1


def test_opening_a_case_on_a_contact_links_it(center: Center) -> None:
    contact = center.contact()
    body = {"subject": "Refund", "contact_ids": [contact["id"]]}
    case, events = act(center, lambda: _ok(center.post("cases", body), 201))
    assert types(events) == ["CaseCreated", "CaseContactLinked"]
    assert events[0].payload["case_id"] == events[1].payload["case_id"] == case["id"]
    assert events[1].contact_id == contact["id"]


def test_merging_customers_is_one_event_counting_what_moved(center: Center) -> None:
    survivor = _ok(center.post("customers", {"display_name": "Jane"}), 201)
    duplicate = _ok(center.post("customers", {"display_name": "Jane D."}), 201)
    body = {"merged_customer_id": duplicate["id"]}
    _, events = act(
        center, lambda: _ok(center.post(f"customers/{survivor['id']}/merge", body), 201)
    )
    assert types(events) == ["CustomersMerged"]
    assert events[0].payload["survivor_id"] == survivor["id"]
    assert events[0].payload["merged_id"] == duplicate["id"]


def test_a_schedule_is_created_as_a_draft_then_published(center: Center) -> None:
    schedule, created = act(
        center, lambda: create_ok(center.client, center.tenant, "schedules", schedule_body())
    )
    assert types(created) == ["ScheduleCreated"]
    path = f"/api/v1/schedules/{schedule['id']}/publish"
    headers = center.tenant.headers()
    _, published = act(center, lambda: _ok(center.client.post(path, headers=headers)))
    assert [(e.type, e.payload) for e in published] == [
        (
            "SchedulePublished",
            {"schedule_id": schedule["id"], "week_start": "2026-11-30", "version": 1},
        )
    ]


def test_a_forecast_is_created_as_a_draft_then_published(center: Center) -> None:
    queue = center.queues["voice"]
    forecast, created = act(
        center, lambda: planning_objects(center.client, center.tenant, queue)["forecast"]
    )
    assert types(created) == ["ForecastCreated", "CalendarEventCreated"]
    assert created[0].payload["forecast_id"] == forecast["id"]
    path = f"/api/v1/forecasts/{forecast['id']}/publish"
    headers = center.tenant.headers()
    _, published = act(center, lambda: _ok(center.client.post(path, headers=headers)))
    assert [(e.type, e.payload) for e in published] == [
        ("ForecastPublished", {"forecast_id": forecast["id"], "queue_id": queue})
    ]
