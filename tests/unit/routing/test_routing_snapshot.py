"""Crash safety: an engine rebuilt from a snapshot keeps queue order, capacity, handled contacts and
open offers (returned to the queue only when their expiry is unknown), and fires the timers that fell
due while it was down."""

from __future__ import annotations

import dataclasses

from helpline.routing import (
    AgentState,
    AgentStatus,
    Channel,
    ContactState,
    Queue,
    RoutingConfig,
    RoutingCriteria,
    RoutingEngine,
    SkillRequirement,
    Step,
)
from helpline.routing.events import ContactEscalated, OfferMissed, OfferWithdrawn
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


def test_rebuild_keeps_an_open_offer_open() -> None:
    original = busy_engine()
    rebuilt, events = RoutingEngine.from_snapshot(CONFIG, original.snapshot(), 10.0)
    assert events == []
    assert rebuilt.snapshot() == original.snapshot()
    assert rebuilt.contact_view("c2").agent_id == "a2"
    assert rebuilt.agent_view("a2").state is AgentState.RESERVED
    # the same offer times out at the same moment in both (20 s default timeout from t=3)
    assert rebuilt.next_wakeup() == original.next_wakeup() == 23.0
    assert rebuilt.advance(30.0) == original.advance(30.0)


def test_rebuild_misses_an_offer_that_expired_while_down() -> None:
    rebuilt, events = RoutingEngine.from_snapshot(CONFIG, busy_engine().snapshot(), 100.0)
    assert [e for e in events if isinstance(e, OfferMissed)] == [
        OfferMissed(100.0, "c2", "a2", "timed_out")
    ]
    assert rebuilt.agent_view("a2").reason == "missed"
    assert rebuilt.contact_view("c2").state is ContactState.QUEUED


def test_rebuild_returns_an_offer_of_unknown_expiry_to_the_queue() -> None:
    snapshot = busy_engine().snapshot()
    waiting = tuple(dataclasses.replace(w, offer_expires_at=None) for w in snapshot.waiting)
    rebuilt, events = RoutingEngine.from_snapshot(
        CONFIG, dataclasses.replace(snapshot, waiting=waiting), 10.0
    )
    assert [e for e in events if isinstance(e, OfferWithdrawn)] == [
        OfferWithdrawn(10.0, "c2", "a2")
    ]
    # a2 is free again and is re-offered the best waiting contact: c4 (priority 1) beats c2
    assert offers(events) == [("c4", "a2")]
    assert rebuilt.queued_contact_ids("q") == ["c6", "c2", "c3", "c5"]
    assert rebuilt.contact_view("c2").state is ContactState.QUEUED


def test_rebuild_reports_escalations_that_fell_due_while_down() -> None:
    steps = RoutingCriteria(
        (
            Step(frozenset({SkillRequirement("gold")}), expiry_seconds=30.0),
            Step(frozenset({SkillRequirement("silver")}), expiry_seconds=60.0),
            Step(frozenset({SkillRequirement("bronze")})),
        )
    )
    queues = (Queue("q", Channel.VOICE, criteria=steps),)
    config = RoutingConfig(queues, (profile(),))
    routing = engine(queues, agents=agents("a"))
    routing.add_contact(contact("c"), 0.0)  # a has none of them: waits
    assert routing.advance(40.0) == [ContactEscalated(30.0, "c", "q", 1)]
    snapshot = routing.snapshot()
    assert snapshot.waiting[0].step_index == 1
    _, events = RoutingEngine.from_snapshot(config, snapshot, 100.0)
    assert [e for e in events if isinstance(e, ContactEscalated)] == [
        ContactEscalated(100.0, "c", "q", 2)
    ]


def test_rebuild_keeps_handled_contacts_and_agent_states() -> None:
    rebuilt, _ = RoutingEngine.from_snapshot(CONFIG, busy_engine().snapshot(), 10.0)
    assert rebuilt.contact_view("c1").agent_id == "a1"
    assert rebuilt.agent_view("a1").state is AgentState.BUSY
    assert rebuilt.agent_view("a3").reason == "break"
    # c4 (priority 1) is next in line: a2 still holds its offer of c2
    assert offers(rebuilt.set_agent_status("a3", AgentStatus.AVAILABLE, 11.0)) == [("c4", "a3")]


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
