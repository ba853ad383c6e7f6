"""Golden scenarios for what happens around routing: handling, transfers, callbacks, sticky routing,
overflow and hours of operation."""

from __future__ import annotations

import pytest

from helpline.routing import (
    AgentState,
    AgentStatus,
    Channel,
    ClosedTreatment,
    ContactState,
    OpenIntervals,
    Overflow,
    Queue,
)
from helpline.routing.errors import InvalidTransitionError
from helpline.routing.events import (
    AfterContactWorkStarted,
    CallbackProposed,
    CloseReason,
    ContactArrivedWhileClosed,
    ContactClosed,
    ContactOffered,
    ContactOverflowed,
    ContactTransferred,
    ContactWrappedUp,
)
from tests.unit.routing.factory import agents, contact, engine, kinds, offers, profile

TWO_QUEUES = [Queue("q", Channel.VOICE), Queue("q2", Channel.VOICE)]


# -- during the contact -------------------------------------------------------------------------------------


def test_hold_and_resume_are_events_and_keep_the_agent_busy() -> None:
    routing = engine(agents=agents("a"))
    routing.add_contact(contact("c"), 1.0)
    routing.accept_offer("c", "a", 2.0)
    assert kinds(routing.hold_contact("c", 3.0)) == ["ContactHeld"]
    assert routing.contact_view("c").state is ContactState.ON_HOLD
    assert routing.agent_view("a").state is AgentState.BUSY
    assert kinds(routing.resume_contact("c", 4.0)) == ["ContactResumed"]
    with pytest.raises(InvalidTransitionError):
        routing.resume_contact("c", 5.0)


@pytest.mark.parametrize(
    ("acw_timeout", "closed_at"),
    [(30.0, 40.0), (0.0, 10.0), (None, None)],
)
def test_after_contact_work_ends_by_timeout_per_queue(
    acw_timeout: float | None, closed_at: float | None
) -> None:
    routing = engine(
        [Queue("q", Channel.VOICE, acw_timeout_seconds=acw_timeout)], agents=agents("a")
    )
    routing.add_contact(contact("c"), 1.0)
    routing.accept_offer("c", "a", 2.0)
    events = routing.end_contact("c", 10.0) + routing.advance(1000.0)
    assert [e.at for e in events if isinstance(e, ContactClosed)] == (
        [closed_at] if closed_at else []
    )


def test_wrap_up_records_code_and_notes_and_frees_the_agent_for_the_next_contact() -> None:
    routing = engine(agents=agents("a"))
    routing.add_contact(contact("c1"), 1.0)
    routing.add_contact(contact("c2"), 1.5)
    routing.accept_offer("c1", "a", 2.0)
    routing.end_contact("c1", 10.0)
    assert routing.agent_view("a").state is AgentState.ACW
    events = routing.wrap_up("c1", "refund", "sent by post", 15.0)
    assert events[0] == ContactWrappedUp(15.0, "c1", "a", "refund", "sent by post")
    assert ContactClosed(15.0, "c1", "a", CloseReason.WRAPPED_UP) in events
    assert offers(events) == [("c2", "a")]


def test_acw_keeps_voice_capacity_taken() -> None:
    routing = engine(agents=agents("a"))
    routing.add_contact(contact("c1"), 1.0)
    routing.accept_offer("c1", "a", 2.0)
    events = routing.end_contact("c1", 10.0)
    assert [e.ends_at for e in events if isinstance(e, AfterContactWorkStarted)] == [70.0]
    assert offers(routing.add_contact(contact("c2"), 11.0)) == []


# -- transfers ----------------------------------------------------------------------------------------------


def test_blind_transfer_to_queue_frees_agent_and_requeues_contact() -> None:
    routing = engine(
        TWO_QUEUES,
        [profile("p", [("q", 1, 0.0)]), profile("p2", [("q2", 1, 0.0)])],
        [("a", "p", {}), ("b", "p2", {})],
    )
    routing.add_contact(contact("c"), 1.0)
    routing.accept_offer("c", "a", 2.0)
    events = routing.transfer_to_queue("c", "q2", 5.0)
    assert events[0] == ContactTransferred(5.0, "c", "a", "q2", None, False)
    assert offers(events) == [("c", "b")]
    assert routing.agent_view("a").state is AgentState.AVAILABLE


def test_blind_transfer_to_agent_waits_for_that_agent_before_their_queue() -> None:
    routing = engine(agents=agents("a", "b"))
    routing.add_contact(contact("busy"), 1.0)  # to a
    routing.add_contact(contact("c"), 1.5)  # to b
    routing.accept_offer("busy", "a", 2.0)
    routing.accept_offer("c", "b", 2.0)
    routing.add_contact(contact("older"), 3.0)  # waits: nobody free
    events = routing.transfer_to_agent("c", "a", 4.0)  # a is busy: c waits in a's personal queue
    assert offers(events) == [("older", "b")]  # b is free again and takes the queue
    assert offers(routing.close_contact("busy", 5.0)) == [("c", "a")]  # personal queue first


def test_consult_then_complete_moves_the_customer_to_the_consulted_agent() -> None:
    routing = engine(agents=agents("a", "b"))
    routing.add_contact(contact("c"), 1.0)
    routing.accept_offer("c", "a", 2.0)
    routing.hold_contact("c", 3.0)
    events = routing.start_consult("c", "leg", 3.0, agent_id="b")
    assert kinds(events)[0] == "ConsultStarted"
    assert offers(events) == [("leg", "b")]
    routing.accept_offer("leg", "b", 4.0)
    events = routing.complete_consult("c", 10.0)
    assert events[0] == ContactTransferred(10.0, "c", "a", None, "b", True)
    assert ContactClosed(10.0, "leg", "b", CloseReason.TRANSFERRED_OUT) in events
    assert routing.contact_view("c").agent_id == "b"
    assert routing.agent_view("a").state is AgentState.AVAILABLE
    assert routing.agent_view("b").contact_ids == ("c",)


def test_cancelled_consult_frees_the_consulted_agent() -> None:
    routing = engine(agents=agents("a", "b"))
    routing.add_contact(contact("c"), 1.0)
    routing.accept_offer("c", "a", 2.0)
    routing.start_consult("c", "leg", 3.0, queue_id="q")
    routing.accept_offer("leg", "b", 4.0)
    events = routing.cancel_consult("c", 5.0)
    assert ContactClosed(5.0, "leg", "b", CloseReason.CONSULT_CANCELLED) in events
    assert routing.agent_view("b").state is AgentState.AVAILABLE
    assert routing.contact_view("c").agent_id == "a"


def test_consult_needs_exactly_one_target() -> None:
    routing = engine(agents=agents("a"))
    routing.add_contact(contact("c"), 1.0)
    routing.accept_offer("c", "a", 2.0)
    with pytest.raises(InvalidTransitionError):
        routing.start_consult("c", "leg", 3.0)


def test_an_agent_cannot_consult_themselves_and_the_refusal_changes_nothing() -> None:
    routing = engine(agents=agents("a", "b"))
    routing.add_contact(contact("c"), 1.0)
    routing.accept_offer("c", "a", 2.0)
    before = routing.snapshot()
    with pytest.raises(InvalidTransitionError, match="cannot consult themselves"):
        routing.start_consult("c", "leg", 3.0, agent_id="a")
    assert routing.snapshot() == before
    assert routing.contact_view("c").agent_id == "a"
    assert offers(routing.start_consult("c", "leg", 4.0, agent_id="b")) == [("leg", "b")]


# -- callbacks and overflow --------------------------------------------------------------------------------


def test_callback_keeps_the_place_in_line_and_is_offered_as_callback() -> None:
    routing = engine(agents=agents("a"))
    routing.set_agent_status("a", AgentStatus.NOT_READY, 0.0)
    routing.add_contact(contact("c1"), 1.0)
    routing.add_contact(contact("c2"), 2.0)
    events = routing.request_callback("c1", 30.0, callback_contact_id="cb1")
    assert kinds(events) == ["CallbackRequested"]
    assert routing.queued_contact_ids("q") == ["cb1", "c2"]
    events = routing.set_agent_status("a", AgentStatus.AVAILABLE, 40.0)
    assert [(e.contact_id, e.is_callback) for e in events if isinstance(e, ContactOffered)] == [
        ("cb1", True)
    ]


def test_overflow_moves_contact_to_another_queue_keeping_its_place() -> None:
    queues = [Queue("q", Channel.VOICE, overflow=Overflow(60.0, "q2")), Queue("q2", Channel.VOICE)]
    routing = engine(queues, [profile(queues=[("q2", 1, 0.0)])], agents("a"))
    routing.set_agent_status("a", AgentStatus.NOT_READY, 0.0)
    routing.add_contact(contact("c1", "q"), 1.0)
    routing.add_contact(contact("c2", "q2"), 30.0)
    events = routing.advance(61.0)
    assert [e for e in events if isinstance(e, ContactOverflowed)] == [
        ContactOverflowed(61.0, "c1", "q", "q2")
    ]
    assert routing.queued_contact_ids("q2") == ["c1", "c2"]  # c1 has waited longer


def test_overflow_without_target_proposes_a_callback_once() -> None:
    routing = engine([Queue("q", Channel.VOICE, overflow=Overflow(60.0))], agents=agents("a"))
    routing.set_agent_status("a", AgentStatus.NOT_READY, 0.0)
    routing.add_contact(contact("c"), 0.0)
    events = routing.advance(500.0)
    assert [e for e in events if isinstance(e, CallbackProposed)] == [
        CallbackProposed(60.0, "c", "q")
    ]
    assert routing.contact_view("c").state is ContactState.QUEUED


# -- sticky routing ---------------------------------------------------------------------------------------


def test_sticky_contact_waits_for_last_agent_within_window() -> None:
    routing = engine(
        [Queue("q", Channel.VOICE, sticky_seconds=30.0)], agents=agents("other", "last")
    )
    routing.set_agent_status("last", AgentStatus.NOT_READY, 0.0)
    assert offers(routing.add_contact(contact("c", last_agent_id="last"), 1.0)) == []
    assert offers(routing.set_agent_status("last", AgentStatus.AVAILABLE, 20.0)) == [("c", "last")]


def test_sticky_window_expires_to_any_agent() -> None:
    routing = engine(
        [Queue("q", Channel.VOICE, sticky_seconds=30.0)], agents=agents("other", "last")
    )
    routing.set_agent_status("last", AgentStatus.NOT_READY, 0.0)
    routing.add_contact(contact("c", last_agent_id="last"), 1.0)
    assert offers(routing.advance(31.0)) == [("c", "other")]


def test_queue_without_sticky_routing_ignores_last_agent() -> None:
    routing = engine(agents=agents("other", "last"))
    assert offers(routing.add_contact(contact("c", last_agent_id="last"), 1.0)) == [("c", "other")]


# -- hours of operation ------------------------------------------------------------------------------------

OFFICE = OpenIntervals(((100.0, 200.0),))


@pytest.mark.parametrize(
    ("treatment", "expected"),
    [
        (ClosedTreatment.MESSAGE, ["ContactArrivedWhileClosed", "ContactClosed"]),
        (
            ClosedTreatment.CALLBACK,
            ["ContactArrivedWhileClosed", "CallbackRequested", "ContactQueued"],
        ),
        (
            ClosedTreatment.OVERFLOW,
            ["ContactArrivedWhileClosed", "ContactOverflowed", "ContactQueued", "ContactOffered"],
        ),
    ],
)
def test_contact_arriving_while_closed_gets_the_closed_treatment(
    treatment: ClosedTreatment, expected: list[str]
) -> None:
    queues = [
        Queue(
            "q",
            Channel.VOICE,
            hours=OFFICE,
            closed_treatment=treatment,
            closed_overflow_queue_id="night",
        ),
        Queue("night", Channel.VOICE),
    ]
    routing = engine(queues, [profile(queues=[("night", 1, 0.0)])], agents("a"))
    events = routing.add_contact(contact("c", "q"), 50.0)
    assert kinds(events)[: len(expected)] == expected
    assert [e.treatment for e in events if isinstance(e, ContactArrivedWhileClosed)] == [treatment]


def test_contact_arriving_while_open_is_queued_normally() -> None:
    routing = engine([Queue("q", Channel.VOICE, hours=OFFICE)], agents=agents("a"))
    assert offers(routing.add_contact(contact("c"), 150.0)) == [("c", "a")]
