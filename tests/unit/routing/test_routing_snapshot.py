"""Crash safety: an engine rebuilt from a snapshot keeps queue order, capacity and handled contacts,
and returns unanswered offers to the queue."""

from __future__ import annotations

from helpline.routing import (
    AgentState,
    AgentStatus,
    Channel,
    ContactState,
    Queue,
    RoutingConfig,
    RoutingEngine,
)
from helpline.routing.events import OfferWithdrawn
from tests.unit.routing.factory import agents, contact, engine, offers, profile

QUEUES = (Queue("q", Channel.VOICE),)
CONFIG = RoutingConfig(QUEUES, (profile(),))


def busy_engine() -> RoutingEngine:
    """Three agents: a1 connected to c1, a2 offered c2 (unanswered), a3 on a break; c3-c6 queued."""
    routing = engine(QUEUES, agents=agents("a1", "a2", "a3"))
    routing.set_agent_status("a3", AgentStatus.NOT_READY, 0.0, "break")
    routing.add_contact(contact("c1"), 1.0)
    routing.accept_offer("c1", "a1", 2.0)
    routing.add_contact(contact("c2"), 3.0)  # offered to a2, never answered
    routing.add_contact(contact("c3", priority=5), 4.0)
    routing.add_contact(contact("c4", priority=1), 5.0)
    routing.add_contact(contact("c5", priority=5), 5.0)
    routing.add_contact(contact("c6", priority=5, age_adjustment_seconds=10.0), 6.0)
    return routing


def test_rebuild_preserves_queue_order() -> None:
    before = busy_engine()
    before.accept_offer("c2", "a2", 9.0)
    rebuilt, events = RoutingEngine.from_snapshot(CONFIG, before.snapshot(), 10.0)
    assert events == []
    # priority 1 first, then place in line (c6's age adjustment puts it ahead), then sequence
    assert (
        rebuilt.queued_contact_ids("q")
        == before.queued_contact_ids("q")
        == ["c4", "c6", "c3", "c5"]
    )


def test_rebuild_returns_reserved_offers_to_the_queue() -> None:
    rebuilt, events = RoutingEngine.from_snapshot(CONFIG, busy_engine().snapshot(), 10.0)
    assert [e for e in events if isinstance(e, OfferWithdrawn)] == [
        OfferWithdrawn(10.0, "c2", "a2")
    ]
    # a2 is free again and is re-offered the best waiting contact: c4 (priority 1) beats c2
    assert offers(events) == [("c4", "a2")]
    assert rebuilt.queued_contact_ids("q") == ["c6", "c2", "c3", "c5"]
    assert rebuilt.contact_view("c2").state is ContactState.QUEUED


def test_rebuild_keeps_handled_contacts_and_agent_states() -> None:
    rebuilt, _ = RoutingEngine.from_snapshot(CONFIG, busy_engine().snapshot(), 10.0)
    assert rebuilt.contact_view("c1").agent_id == "a1"
    assert rebuilt.agent_view("a1").state is AgentState.BUSY
    assert rebuilt.agent_view("a3").reason == "break"
    assert offers(rebuilt.set_agent_status("a3", AgentStatus.AVAILABLE, 11.0)) == [("c6", "a3")]


def test_rebuilt_engine_decides_like_the_original_afterwards() -> None:
    original = busy_engine()
    original.accept_offer("c2", "a2", 10.0)  # no offer in flight: nothing for the rebuild to return
    rebuilt, events = RoutingEngine.from_snapshot(CONFIG, original.snapshot(), 10.0)
    assert events == []
    for routing in (original, rebuilt):
        routing.end_contact("c1", 20.0)
    script = [
        lambda r: r.set_agent_status("a3", AgentStatus.AVAILABLE, 21.0),
        lambda r: r.add_contact(contact("c7"), 22.0),
        lambda r: r.advance(200.0),
    ]
    for step in script:
        assert step(original) == step(rebuilt)


def test_rebuild_resumes_after_contact_work_timers() -> None:
    routing = engine(QUEUES, agents=agents("a"))
    routing.add_contact(contact("c"), 1.0)
    routing.accept_offer("c", "a", 2.0)
    routing.end_contact("c", 10.0)  # ACW until 70
    rebuilt, _ = RoutingEngine.from_snapshot(CONFIG, routing.snapshot(), 30.0)
    assert rebuilt.next_wakeup() == 70.0
    assert rebuilt.agent_view("a").state is AgentState.ACW
