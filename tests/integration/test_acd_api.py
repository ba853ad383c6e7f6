"""The ACD through the REST API, on both backends, with a controllable clock for timers."""

from __future__ import annotations

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from fastapi.testclient import TestClient

from helpline.asgi import create_app
from helpline.bootstrap import Database
from helpline.config import Settings
from helpline.domain.enums import Role
from tests.center import Center, build_center
from tests.factories import create_ok, make_tenant

pytestmark = pytest.mark.integration


@pytest.fixture
def center(db: Database) -> Center:
    return build_center(db)


def test_contact_is_offered_accepted_handled_and_wrapped_up(center: Center) -> None:
    agent = center.agents[0]
    center.available(agent)
    contact = center.contact()
    assert contact["state"] == "offered"
    assert contact["agent_id"] == agent
    offers = center.get(f"agents/{agent}/offers")
    assert [o["contact"]["id"] for o in offers] == [contact["id"]]
    assert offers[0]["expires_at"].startswith("2026-11-25T12:00:20")
    assert center.get(f"agents/{agent}/state")["state"] == "reserved"

    cid = contact["id"]
    assert center.post(f"contacts/{cid}/accept", {"agent_id": agent}).json()["state"] == "connected"
    assert center.get(f"agents/{agent}/state")["state"] == "busy"
    assert center.post(f"contacts/{cid}/hold").json()["state"] == "on_hold"
    assert center.post(f"contacts/{cid}/resume").json()["state"] == "connected"
    center.clock.advance(95)
    assert center.post(f"contacts/{cid}/end").json()["state"] == "wrap_up"
    assert center.get(f"agents/{agent}/state")["state"] == "acw"
    done = center.post(
        f"contacts/{cid}/wrap-up", {"wrap_up_code_id": center.wrap_up_code, "notes": "fee refunded"}
    ).json()
    assert (done["state"], done["wrap_up_code_id"], done["notes"]) == (
        "closed",
        center.wrap_up_code,
        "fee refunded",
    )
    assert center.get(f"agents/{agent}/state")["state"] == "available"
    assert center.event_types(cid) == [
        "ContactCreated",
        "ContactQueued",
        "ContactOffered",
        "ContactConnected",
        "ContactHeld",
        "ContactResumed",
        "AfterContactWorkStarted",
        "ContactWrappedUp",
        "ContactClosed",
    ]


def test_rejected_offer_goes_to_the_next_agent_and_the_first_is_not_ready_missed(
    center: Center,
) -> None:
    first, second = center.agents
    center.available(first)
    center.clock.advance(1)
    center.available(second)
    contact = center.contact()
    assert contact["agent_id"] == first  # longest idle
    after = center.post(f"contacts/{contact['id']}/reject", {"agent_id": first}).json()
    assert (after["state"], after["agent_id"]) == ("offered", second)
    state = center.get(f"agents/{first}/state")
    assert (state["state"], state["reason"]) == ("not_ready", "missed")
    assert "OfferMissed" in center.event_types(contact["id"])


def test_offer_that_times_out_is_missed_and_re_offered(center: Center) -> None:
    first, second = center.agents
    center.available(first)
    center.clock.advance(1)
    contact = center.contact()
    center.available(second)  # busy enough to be next in line
    center.tick(19)
    assert center.state_of(contact["id"]) == "offered"
    center.tick(2)
    after = center.get(f"contacts/{contact['id']}")
    assert (after["state"], after["agent_id"]) == ("offered", second)
    assert center.get(f"agents/{first}/state")["reason"] == "missed"


def test_two_accepts_race_and_exactly_one_wins(center: Center) -> None:
    first, second = center.agents
    center.available(first)
    contact = center.contact()
    start = threading.Barrier(4)

    def accept(agent: int) -> int:
        start.wait()
        response = center.post(f"contacts/{contact['id']}/accept", {"agent_id": agent})
        return int(response.status_code)

    with ThreadPoolExecutor(4) as pool:
        codes = list(pool.map(accept, [first, first, second, first]))
    assert sorted(codes) == [200, 409, 409, 409]
    final = center.get(f"contacts/{contact['id']}")
    assert (final["state"], final["agent_id"]) == ("connected", first)
    assert center.event_types(contact["id"]).count("ContactConnected") == 1


def test_engine_rebuilt_after_a_restart_keeps_queue_order_and_open_offers(
    db: Database,
) -> None:
    before = build_center(db)
    waiting = [before.contact()["id"] for _ in range(3)]
    agent = before.agents[0]
    before.available(agent)
    assert before.state_of(waiting[0]) == "offered"

    # A new process: a fresh app and routing service over the same database.
    after = Center(
        TestClient(
            create_app(
                Settings(database_url=before.client.app.state.settings.database_url),
                db,
                before.clock,
            )
        ),  # type: ignore[attr-defined]
        before.tenant,
        before.clock,
        before.queues,
        before.agents,
        before.wrap_up_code,
    )
    before.clock.advance(1)
    state = after.get(f"agents/{agent}/state")  # first use rebuilds the engine
    assert state["status"] == "available"
    # The open offer is still open, to the same agent; the others wait in order.
    assert "OfferWithdrawn" not in after.event_types(waiting[0])
    assert after.event_types(waiting[0]).count("ContactOffered") == 1
    assert after.state_of(waiting[0]) == "offered"
    assert [after.state_of(c) for c in waiting[1:]] == ["queued", "queued"]
    after.post(f"contacts/{waiting[0]}/accept", {"agent_id": agent})
    after.post(f"contacts/{waiting[0]}/close")
    after.available(agent)
    assert after.state_of(waiting[1]) == "offered"


def test_blind_transfer_to_a_queue_routes_the_contact_again(center: Center) -> None:
    first, _second = center.agents
    center.available(first)
    contact = center.contact()
    center.post(f"contacts/{contact['id']}/accept", {"agent_id": first})
    response = center.post(
        f"contacts/{contact['id']}/transfer", {"queue_id": center.queues["other"], "mode": "blind"}
    )
    assert response.status_code == 200, response.text
    moved = response.json()["contact"]
    assert (moved["state"], moved["queue_id"]) == ("offered", center.queues["other"])
    assert "ContactTransferred" in center.event_types(contact["id"])


def test_blind_transfer_to_an_agent_offers_the_contact_to_that_agent(center: Center) -> None:
    first, second = center.agents
    center.available(first)
    contact = center.contact()
    center.post(f"contacts/{contact['id']}/accept", {"agent_id": first})
    center.available(second)
    response = center.post(f"contacts/{contact['id']}/transfer", {"agent_id": second})
    assert response.status_code == 200, response.text
    moved = response.json()["contact"]
    assert (moved["state"], moved["agent_id"]) == ("offered", second)


def test_consult_transfer_hands_the_customer_to_the_consulted_agent(center: Center) -> None:
    first, second = center.agents
    center.available(first)
    contact = center.contact()
    center.post(f"contacts/{contact['id']}/accept", {"agent_id": first})
    center.post(f"contacts/{contact['id']}/hold")
    center.available(second)
    started = center.post(
        f"contacts/{contact['id']}/transfer", {"agent_id": second, "mode": "consult"}
    )
    assert started.status_code == 200, started.text
    leg = started.json()["consult_contact_id"]
    assert center.get(f"contacts/{leg}")["agent_id"] == second
    assert center.post(f"contacts/{leg}/accept", {"agent_id": second}).status_code == 200
    done = center.post(f"contacts/{contact['id']}/consult/complete")
    assert done.status_code == 200, done.text
    assert done.json()["agent_id"] == second
    assert center.get(f"agents/{first}/state")["state"] == "available"


def test_callback_keeps_the_callers_place_and_is_offered_as_an_outbound_contact(
    center: Center,
) -> None:
    caller = center.contact(customer={"identities": {"phone": "+44 20 7946 0777"}})
    assert caller["state"] == "queued"
    response = center.post(f"contacts/{caller['id']}/callback", {})
    assert response.status_code == 200, response.text
    callback_id = response.json()["callback_contact_id"]
    assert center.state_of(caller["id"]) == "closed"
    center.available(center.agents[0])
    callback = center.get(f"contacts/{callback_id}")
    assert (callback["state"], callback["direction"]) == ("offered", "outbound")
    assert callback["attributes"]["callback_number"] == "+442079460777"


def test_contact_arriving_while_closed_gets_the_closed_treatment(center: Center) -> None:
    closed = create_ok(
        center.client,
        center.tenant,
        "queues",
        {
            "name": "Night",
            "channel": "voice",
            "closed_treatment": "message",
            "hours": {
                "always_open": False,
                "weekly": {"sun": [{"open": "09:00", "close": "10:00"}]},
            },
        },
    )
    contact = create_ok(
        center.client, center.tenant, "contacts", {"channel": "voice", "queue_id": closed["id"]}
    )
    assert contact["state"] == "closed"
    assert "ContactArrivedWhileClosed" in center.event_types(contact["id"])


def test_agents_act_only_for_themselves(center: Center) -> None:
    mine, theirs = center.agents
    login = center.client.post(
        "/api/v1/auth/login", json={"email": center.agent_emails[0], "password": "agent-password"}
    )
    csrf = {"X-CSRF-Token": login.json()["csrf_token"]}
    own = center.client.post(
        f"/api/v1/agents/{mine}/state", json={"state": "available"}, headers=csrf
    )
    assert own.status_code == 200, own.text
    other = center.client.post(
        f"/api/v1/agents/{theirs}/state", json={"state": "available"}, headers=csrf
    )
    assert other.status_code == 403
    contact = center.contact()
    accepted = center.client.post(f"/api/v1/contacts/{contact['id']}/accept", headers=csrf)
    assert accepted.json()["state"] == "connected"  # the caller's own agent by default
    center.client.cookies.clear()
    bad = center.post(f"agents/{theirs}/state", {"state": "not_ready"})
    assert bad.status_code == 422
    assert bad.json()["detail"][0]["loc"][-1] == "reason"
    assert center.get(f"agents/{theirs}/state")["state"] == "offline"


def test_offers_are_pushed_over_the_websocket_when_made(center: Center) -> None:
    agent = center.agents[0]
    with center.client.websocket_connect(
        f"/api/v1/agents/{agent}/offers/stream", headers=center.tenant.headers(Role.SUPERVISOR)
    ) as socket:
        center.available(agent)
        contact = center.contact()
        pushed = socket.receive_json()
        assert pushed["contact"]["id"] == contact["id"]
        assert pushed["contact"]["state"] == "offered"


def test_live_server_times_out_offers_by_the_wall_clock(db: Database) -> None:
    import time

    from helpline.clock import utc_now

    settings = Settings(database_url=db.engine.url.render_as_string(hide_password=False))
    tenant = make_tenant(db)
    with TestClient(create_app(settings, db, utc_now)) as client:
        queue = create_ok(
            client,
            tenant,
            "queues",
            {"name": "Fast", "channel": "chat", "offer_timeout_seconds": 1},
        )
        profile = create_ok(
            client,
            tenant,
            "routing-profiles",
            {
                "name": "P",
                "channels": [{"channel": "chat", "concurrency": 1}],
                "queues": [{"queue_id": queue["id"]}],
            },
        )
        user = create_ok(
            client,
            tenant,
            "users",
            {
                "email": f"{uuid.uuid4().hex[:10]}@example.com",
                "display_name": "A",
                "role": "agent",
                "password": "agent-password",
            },
        )
        agent = create_ok(
            client,
            tenant,
            "agents",
            {"user_id": user["id"], "display_name": "A", "routing_profile_id": profile["id"]},
        )
        client.post(
            f"/api/v1/agents/{agent['id']}/state",
            json={"state": "available"},
            headers=tenant.headers(),
        )
        contact = create_ok(
            client, tenant, "contacts", {"channel": "chat", "queue_id": queue["id"]}
        )
        assert contact["state"] == "offered"
        deadline = time.monotonic() + 10
        state = "offered"
        while state == "offered" and time.monotonic() < deadline:
            time.sleep(0.1)
            state = client.get(
                f"/api/v1/contacts/{contact['id']}", headers=tenant.headers()
            ).json()["state"]
        assert state == "queued"  # the only agent missed it and is now not ready
        agent_state = client.get(
            f"/api/v1/agents/{agent['id']}/state", headers=tenant.headers()
        ).json()
        assert agent_state["reason"] == "missed"


def test_sticky_routing_prefers_the_customers_last_agent(center: Center) -> None:
    first, second = center.agents
    sticky = create_ok(
        center.client,
        center.tenant,
        "queues",
        {"name": "Sticky", "channel": "voice", "sticky_seconds": 30},
    )
    profile_id = center.get(f"agents/{first}")["routing_profile_id"]
    profile = center.get(f"routing-profiles/{profile_id}")
    queues = [*profile["queues"], {"queue_id": sticky["id"], "priority": 1, "delay_seconds": 0}]
    center.client.patch(
        f"/api/v1/routing-profiles/{profile_id}",
        json={"queues": queues},
        headers=center.tenant.headers(),
    )
    customer = {"identities": {"phone": "+44 20 7946 0888"}}
    center.available(second)
    center.clock.advance(1)
    center.available(first)
    earlier = center.contact(customer=customer)
    assert earlier["agent_id"] == second  # longest idle
    center.post(f"contacts/{earlier['id']}/accept", {"agent_id": second})
    center.post(f"contacts/{earlier['id']}/close")
    center.clock.advance(60)
    center.post(f"agents/{second}/state", {"state": "not_ready", "reason": "break"})
    center.available(second)  # first is now the longest idle, but second served this customer
    idle_first = center.get(f"agents/{first}/state")["idle_since"]
    idle_second = center.get(f"agents/{second}/state")["idle_since"]
    assert idle_first < idle_second  # without stickiness the contact would go to first
    again = create_ok(
        center.client,
        center.tenant,
        "contacts",
        {"channel": "voice", "queue_id": sticky["id"], "customer": customer},
    )
    assert again["agent_id"] == second
