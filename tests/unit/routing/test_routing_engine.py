"""Golden scenarios for the routing rules: who gets offered what, when, and what the offer does."""

from __future__ import annotations

import pytest

from helpline.routing import (
    AgentSelection,
    AgentState,
    AgentStatus,
    Channel,
    ContactState,
    Queue,
    RoutingCriteria,
    SkillRequirement,
    Step,
)
from helpline.routing.errors import (
    ClockWentBackwardsError,
    DuplicateIdError,
    InvalidTransitionError,
    UnknownContactError,
)
from helpline.routing.events import (
    AgentStateChanged,
    ContactConnected,
    ContactEscalated,
    ContactOffered,
    MissReason,
    OfferMissed,
)
from tests.unit.routing.factory import agents, contact, engine, kinds, offers, profile


def skill_step(expiry: float | None, **levels: int) -> Step:
    return Step(frozenset(SkillRequirement(s, n) for s, n in levels.items()), expiry_seconds=expiry)


# -- choosing an agent for a new contact ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("selection", "expected"),
    [
        (AgentSelection.LONGEST_IDLE, "a1"),  # idle order: a1 (since 1.0), a2 (1.1), a3 (1.5)
        (AgentSelection.MOST_SKILLED, "a2"),  # billing 5
        (AgentSelection.LEAST_OCCUPIED, "a3"),  # a1 and a2 each have a chat already
    ],
)
def test_new_contact_goes_to_agent_chosen_by_queue_selection(
    selection: AgentSelection, expected: str
) -> None:
    criteria = RoutingCriteria((skill_step(None, billing=1),))
    queue = Queue("q", Channel.CHAT, agent_selection=selection, criteria=criteria)
    routing = engine(
        [queue, Queue("other", Channel.CHAT)],
        [profile(queues=[("q", 1, 0.0), ("other", 1, 0.0)], channels={Channel.CHAT: 3})],
        [("a1", "p", {"billing": 2}), ("a2", "p", {"billing": 5}), ("a3", "p", {"billing": 3})],
    )
    assert offers(routing.add_contact(contact("w1", "other"), 1.0)) == [("w1", "a1")]
    assert offers(routing.add_contact(contact("w2", "other"), 1.1)) == [("w2", "a2")]
    routing.set_agent_status("a3", AgentStatus.NOT_READY, 1.2)
    routing.set_agent_status("a3", AgentStatus.AVAILABLE, 1.5)
    assert offers(routing.add_contact(contact("c", "q"), 2.0)) == [("c", expected)]


def test_longest_idle_agent_gets_the_contact() -> None:
    routing = engine(agents=agents("a1", "a2", "a3"))
    assert offers(routing.add_contact(contact("c1"), 1.0)) == [("c1", "a1")]
    assert offers(routing.add_contact(contact("c2"), 2.0)) == [("c2", "a2")]


def test_agent_without_required_skill_is_never_offered() -> None:
    queue = Queue("q", Channel.VOICE, criteria=RoutingCriteria((skill_step(None, spanish=3),)))
    routing = engine([queue], agents=[("a1", "p", {"spanish": 2}), ("a2", "p", {"spanish": 4})])
    assert offers(routing.add_contact(contact("c"), 1.0)) == [("c", "a2")]


def test_contact_waits_when_no_agent_qualifies() -> None:
    queue = Queue("q", Channel.VOICE, criteria=RoutingCriteria((skill_step(None, spanish=5),)))
    routing = engine([queue], agents=[("a1", "p", {"spanish": 2})])
    assert offers(routing.add_contact(contact("c"), 1.0)) == []
    assert routing.queued_contact_ids("q") == ["c"]


# -- escalation steps ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("levels", "offered_at"),
    [
        ({"billing": 4}, 0.0),  # meets step 1 at once
        ({"billing": 2}, 30.0),  # meets step 2, which starts after 30 s
        ({"billing": 1}, 90.0),  # only "any agent", after 30 + 60 s
        ({}, 90.0),  # no skill at all: still any agent of the queue in the end
    ],
)
def test_criteria_steps_expire_cumulatively(levels: dict[str, int], offered_at: float) -> None:
    criteria = RoutingCriteria((skill_step(30.0, billing=4), skill_step(60.0, billing=2)))
    routing = engine([Queue("q", Channel.VOICE, criteria=criteria)], agents=[("a", "p", levels)])
    events = routing.add_contact(contact("c"), 0.0)
    for at in (29.9, 30.0, 89.9, 90.0):
        events += routing.advance(at)
    offered = [e.at for e in events if isinstance(e, ContactOffered)]
    assert offered == [offered_at]


def test_escalation_is_an_event_with_the_new_step_index() -> None:
    criteria = RoutingCriteria((skill_step(10.0, billing=5), skill_step(20.0, billing=4)))
    routing = engine([Queue("q", Channel.VOICE, criteria=criteria)])
    routing.add_contact(contact("c"), 0.0)
    assert routing.next_wakeup() == 10.0
    events = routing.advance(40.0)
    assert [(e.at, e.step_index) for e in events if isinstance(e, ContactEscalated)] == [
        (10.0, 1),
        (30.0, 2),
    ]


def test_preferred_agent_step_waits_for_that_agent_then_widens() -> None:
    criteria = RoutingCriteria((Step(preferred_agent_ids=frozenset({"a2"}), expiry_seconds=20.0),))
    routing = engine([Queue("q", Channel.VOICE, criteria=criteria)], agents=agents("a1"))
    routing.add_contact(contact("c"), 0.0)
    assert offers(routing.advance(19.0)) == []
    assert offers(routing.advance(20.0)) == [("c", "a1")]


def test_contact_criteria_override_the_queue_criteria() -> None:
    queue = Queue("q", Channel.VOICE, criteria=RoutingCriteria((skill_step(None, billing=5),)))
    routing = engine([queue], agents=[("a1", "p", {"french": 3})])
    own = RoutingCriteria((skill_step(None, french=3),))
    assert offers(routing.add_contact(contact("c", criteria=own), 0.0)) == [("c", "a1")]


# -- choosing a contact for a freed agent ------------------------------------------------------------------


def free_agent_takes(
    routing_queues: list[Queue],
    profile_queues: list[tuple[str, int, float]],
    arrivals: list[tuple[str, str, int, float, float]],
    free_at: float,
) -> list[str]:
    """Queue the arrivals (id, queue, priority, age adjustment, time) while the only agent is on a
    break, then make the agent available and return the order in which contacts are offered."""
    routing = engine(routing_queues, [profile(queues=profile_queues)], agents("a"))
    routing.set_agent_status("a", AgentStatus.NOT_READY, 0.0, "break")
    for contact_id, queue_id, priority, adjustment, at in arrivals:
        routing.add_contact(
            contact(contact_id, queue_id, priority=priority, age_adjustment_seconds=adjustment), at
        )
    order = []
    events = routing.set_agent_status("a", AgentStatus.AVAILABLE, free_at)
    now = free_at
    while offered := offers(events):
        contact_id = offered[0][0]
        order.append(contact_id)
        now += 1.0
        routing.accept_offer(contact_id, "a", now)
        events = routing.close_contact(contact_id, now)
    return order


QA, QB = Queue("qa", Channel.VOICE), Queue("qb", Channel.VOICE)


@pytest.mark.parametrize(
    ("profile_queues", "arrivals", "expected"),
    [
        pytest.param(
            [("qa", 1, 0.0)],
            [("c1", "qa", 5, 0, 1), ("c2", "qa", 5, 0, 2), ("c3", "qa", 5, 0, 3)],
            ["c1", "c2", "c3"],
            id="fifo_within_equal_priority",
        ),
        pytest.param(
            [("qa", 1, 0.0)],
            [("c1", "qa", 5, 0, 1), ("c2", "qa", 1, 0, 2)],
            ["c2", "c1"],
            id="contact_priority_before_age",
        ),
        pytest.param(
            [("qa", 2, 0.0), ("qb", 1, 0.0)],
            [("c1", "qa", 1, 0, 1), ("c2", "qb", 5, 0, 2)],
            ["c2", "c1"],
            id="queue_priority_before_contact_priority",
        ),
        pytest.param(
            [("qa", 1, 0.0)],
            [("c1", "qa", 5, 0, 1), ("c2", "qa", 5, 10, 5)],
            ["c2", "c1"],
            id="age_adjustment_moves_contact_ahead",
        ),
        pytest.param(
            [("qa", 1, 0.0)],
            [("c1", "qa", 5, 0, 1), ("c2", "qa", 5, 0, 1)],
            ["c1", "c2"],
            id="same_instant_keeps_arrival_order",
        ),
        pytest.param(
            [("qa", 1, 0.0), ("qb", 1, 0.0)],
            [("c1", "qb", 5, 0, 1), ("c2", "qa", 5, 0, 2)],
            ["c1", "c2"],
            id="equal_queue_priority_oldest_first",
        ),
    ],
)
def test_freed_agent_takes_contacts_in_priority_then_age_order(
    profile_queues: list[tuple[str, int, float]],
    arrivals: list[tuple[str, str, int, float, float]],
    expected: list[str],
) -> None:
    assert free_agent_takes([QA, QB], profile_queues, arrivals, 100.0) == expected


def test_priority_beats_delay() -> None:
    # qb has priority 1 but a 60 s delay; qa priority 2, no delay. At t=100 both contacts are eligible
    # (c2 waited 95 s >= 60 s): priority wins although c1 waited longer.
    profile_queues = [("qa", 2, 0.0), ("qb", 1, 60.0)]
    arrivals = [("c1", "qa", 5, 0, 1), ("c2", "qb", 5, 0, 5)]
    assert free_agent_takes([QA, QB], profile_queues, arrivals, 100.0) == ["c2", "c1"]


def test_contact_waits_out_the_profile_delay_before_being_offered() -> None:
    routing = engine([QA], [profile(queues=[("qa", 1, 15.0)])], agents("a"))
    assert offers(routing.add_contact(contact("c", "qa"), 0.0)) == []
    assert routing.next_wakeup() == 15.0
    assert offers(routing.advance(14.9)) == []
    assert offers(routing.advance(15.0)) == [("c", "a")]


def test_delay_applies_per_profile() -> None:
    fast, slow = profile("fast", [("qa", 1, 0.0)]), profile("slow", [("qa", 1, 30.0)])
    routing = engine([QA], [fast, slow], [("late", "slow", {}), ("early", "fast", {})])
    routing.set_agent_status("early", AgentStatus.NOT_READY, 0.0)
    routing.add_contact(contact("c", "qa"), 0.0)
    assert offers(routing.set_agent_status("early", AgentStatus.AVAILABLE, 5.0)) == [("c", "early")]


def test_reported_wait_ignores_age_adjustment() -> None:
    routing = engine(agents=agents("a"))
    routing.set_agent_status("a", AgentStatus.NOT_READY, 0.0)
    routing.add_contact(contact("c", age_adjustment_seconds=300.0), 10.0)
    events = routing.set_agent_status("a", AgentStatus.AVAILABLE, 25.0)
    assert [e.wait_seconds for e in events if isinstance(e, ContactOffered)] == [15.0]


# -- offers ------------------------------------------------------------------------------------------------


def test_accepted_offer_connects_the_contact_and_makes_the_agent_busy() -> None:
    routing = engine(agents=agents("a"))
    routing.add_contact(contact("c"), 1.0)
    events = routing.accept_offer("c", "a", 3.0)
    assert kinds(events) == ["ContactConnected", "AgentStateChanged"]
    assert events[0] == ContactConnected(3.0, "c", "a", "q", 2.0)
    assert routing.agent_view("a").state is AgentState.BUSY


@pytest.mark.parametrize("how", ["reject", "timeout"])
def test_missed_offer_returns_contact_to_head_of_queue(how: str) -> None:
    routing = engine(agents=agents("a1", "a2"))
    routing.set_agent_status("a2", AgentStatus.NOT_READY, 0.0)
    routing.add_contact(contact("c1"), 1.0)  # offered to a1
    routing.add_contact(contact("c2"), 2.0)  # waits
    if how == "reject":
        events = routing.reject_offer("c1", "a1", 3.0)
        reason = MissReason.REJECTED
    else:
        events = routing.advance(21.0)  # offer timeout 20 s
        reason = MissReason.TIMED_OUT
    assert [e.reason for e in events if isinstance(e, OfferMissed)] == [reason]
    assert routing.queued_contact_ids("q") == ["c1", "c2"]
    assert routing.agent_view("a1").state is AgentState.NOT_READY
    assert routing.agent_view("a1").reason == "missed"
    assert offers(routing.set_agent_status("a2", AgentStatus.AVAILABLE, 30.0)) == [("c1", "a2")]


def test_missed_offer_goes_to_next_available_agent_at_once() -> None:
    routing = engine(agents=agents("a1", "a2"))
    routing.add_contact(contact("c"), 1.0)
    events = routing.reject_offer("c", "a1", 2.0)
    assert offers(events) == [("c", "a2")]
    not_ready = [e for e in events if isinstance(e, AgentStateChanged) and e.agent_id == "a1"]
    assert not_ready == [AgentStateChanged(2.0, "a1", AgentState.NOT_READY, "missed")]


def test_auto_accept_connects_at_once() -> None:
    routing = engine(
        [Queue("q", Channel.CHAT)],
        [profile(channels={Channel.CHAT: 2}, auto_accept=[Channel.CHAT])],
        agents("a"),
    )
    events = routing.add_contact(contact("c"), 1.0)
    assert kinds(events)[:3] == ["ContactQueued", "ContactOffered", "ContactConnected"]
    assert routing.contact_view("c").state is ContactState.CONNECTED


def test_offer_cannot_be_accepted_by_another_agent_or_twice() -> None:
    routing = engine(agents=agents("a1", "a2"))
    routing.add_contact(contact("c"), 1.0)
    with pytest.raises(InvalidTransitionError):
        routing.accept_offer("c", "a2", 2.0)
    routing.accept_offer("c", "a1", 2.0)
    with pytest.raises(InvalidTransitionError):
        routing.accept_offer("c", "a1", 3.0)


def test_abandoned_offer_is_withdrawn_without_penalty() -> None:
    routing = engine(agents=agents("a"))
    routing.add_contact(contact("c1"), 1.0)
    routing.add_contact(contact("c2"), 1.5)
    events = routing.abandon_contact("c1", 2.0)
    assert kinds(events)[:2] == ["OfferWithdrawn", "ContactAbandoned"]
    assert offers(events) == [("c2", "a")]  # the agent stays available and takes the next contact


def test_abandoned_queued_contact_leaves_the_line() -> None:
    routing = engine(agents=agents("a"))
    routing.set_agent_status("a", AgentStatus.NOT_READY, 0.0)
    routing.add_contact(contact("c1"), 1.0)
    routing.add_contact(contact("c2"), 2.0)
    events = routing.abandon_contact("c1", 11.0)
    assert [e.wait_seconds for e in events if hasattr(e, "wait_seconds")] == [10.0]
    assert routing.queued_contact_ids("q") == ["c2"]
    with pytest.raises(UnknownContactError):
        routing.contact_view("c1")


# -- agent states and capacity -----------------------------------------------------------------------------


def test_agent_state_follows_offer_connect_acw_and_close() -> None:
    routing = engine(agents=agents("a"))
    seen = []
    for step in (
        lambda: routing.add_contact(contact("c"), 1.0),
        lambda: routing.accept_offer("c", "a", 2.0),
        lambda: routing.end_contact("c", 60.0),
        lambda: routing.wrap_up("c", "resolved", "refund sent", 70.0),
    ):
        seen += [e.state for e in step() if isinstance(e, AgentStateChanged)]
    assert seen == [AgentState.RESERVED, AgentState.BUSY, AgentState.ACW, AgentState.AVAILABLE]


@pytest.mark.parametrize("status", [AgentStatus.NOT_READY, AgentStatus.OFFLINE])
def test_agent_not_available_is_never_offered(status: AgentStatus) -> None:
    routing = engine(agents=agents("a"))
    routing.set_agent_status("a", status, 0.0, "lunch")
    assert offers(routing.add_contact(contact("c"), 1.0)) == []
    assert offers(routing.set_agent_status("a", AgentStatus.AVAILABLE, 2.0)) == [("c", "a")]


def test_agent_cannot_go_offline_while_holding_contacts() -> None:
    routing = engine(agents=agents("a"))
    routing.add_contact(contact("c"), 1.0)
    with pytest.raises(InvalidTransitionError):
        routing.set_agent_status("a", AgentStatus.OFFLINE, 2.0)


def test_not_ready_reason_change_is_reported() -> None:
    routing = engine(agents=agents("a"))
    routing.set_agent_status("a", AgentStatus.NOT_READY, 1.0, "break")
    events = routing.set_agent_status("a", AgentStatus.NOT_READY, 2.0, "lunch")
    assert events == [AgentStateChanged(2.0, "a", AgentState.NOT_READY, "lunch")]


def test_chat_concurrency_limits_simultaneous_offers() -> None:
    routing = engine([Queue("q", Channel.CHAT)], [profile(channels={Channel.CHAT: 3})], agents("a"))
    offered = []
    for i in range(5):
        offered += offers(routing.add_contact(contact(f"c{i}"), float(i)))
    assert offered == [("c0", "a"), ("c1", "a"), ("c2", "a")]
    assert offers(routing.reject_offer("c0", "a", 10.0)) == []  # missed: not-ready, no more offers


@pytest.mark.parametrize(("blocks", "chat_offered"), [(True, False), (False, True)])
def test_voice_blocks_other_channels_only_when_configured(blocks: bool, chat_offered: bool) -> None:
    queues = [Queue("v", Channel.VOICE), Queue("ch", Channel.CHAT)]
    routing = engine(
        queues,
        [
            profile(
                queues=[("v", 1, 0.0), ("ch", 1, 0.0)],
                channels={Channel.VOICE: 1, Channel.CHAT: 2},
                blocks=blocks,
            )
        ],
        agents("a"),
    )
    routing.add_contact(contact("call", "v"), 1.0)
    assert bool(offers(routing.add_contact(contact("chat", "ch"), 2.0))) is chat_offered


def test_chat_in_progress_blocks_voice_when_voice_is_exclusive() -> None:
    queues = [Queue("v", Channel.VOICE), Queue("ch", Channel.CHAT)]
    routing = engine(
        queues,
        [
            profile(
                queues=[("v", 1, 0.0), ("ch", 1, 0.0)], channels={Channel.VOICE: 1, Channel.CHAT: 2}
            )
        ],
        agents("a"),
    )
    routing.add_contact(contact("chat", "ch"), 1.0)
    assert offers(routing.add_contact(contact("call", "v"), 2.0)) == []
    routing.accept_offer("chat", "a", 3.0)
    assert offers(routing.close_contact("chat", 4.0)) == [("call", "a")]


# -- the clock and bad input --------------------------------------------------------------------------------


def test_clock_going_backwards_is_refused() -> None:
    routing = engine(agents=agents("a"), now=10.0)
    with pytest.raises(ClockWentBackwardsError):
        routing.add_contact(contact("c"), 9.0)


def test_duplicate_contact_id_is_refused_and_changes_nothing() -> None:
    routing = engine(agents=agents("a"))
    routing.set_agent_status("a", AgentStatus.NOT_READY, 0.0)
    routing.add_contact(contact("c"), 1.0)
    with pytest.raises(DuplicateIdError):
        routing.add_contact(contact("c"), 2.0)
    assert routing.queued_contact_ids("q") == ["c"]


def test_same_commands_give_same_events() -> None:
    def run() -> list[object]:
        routing = engine(agents=agents("a1", "a2", "a3"))
        events: list[object] = []
        for i in range(6):
            events += routing.add_contact(contact(f"c{i}", priority=i % 2), float(i))
        events += routing.reject_offer("c0", "a1", 7.0)
        events += routing.advance(100.0)
        return events

    assert run() == run()


def test_timer_events_of_a_refused_command_come_with_the_next_command() -> None:
    routing = engine(agents=agents("a"))
    routing.add_contact(contact("c"), 1.0)
    with pytest.raises(InvalidTransitionError):
        routing.accept_offer("c", "a", 30.0)  # the offer timed out at 21.0 first
    events = routing.advance(31.0)
    assert [type(e).__name__ for e in events][:2] == ["OfferMissed", "AgentStateChanged"]
    assert events[0].at == 21.0
