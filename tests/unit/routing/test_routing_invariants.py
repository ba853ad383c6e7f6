"""Invariants of the routing engine over random operation sequences (hypothesis state machine).

After every step: no contact is held by two agents, no agent exceeds a channel's capacity (voice
blocking included), the matching is maximal (no ready agent could take a waiting contact — checked by
the full-scan oracle), and every routing decision equals the oracle's (which makes FIFO within equal
priority and priority order hold). A twin engine in lean mode fed the same commands must emit the same
events but the ones lean mode skips (determinism, and lean mode changes no decision), and a rebuild
from a snapshot must keep all of the above.
"""

from __future__ import annotations

from collections.abc import Callable

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from helpline.routing import (
    AgentSelection,
    AgentSpec,
    AgentStatus,
    Channel,
    ContactSpec,
    ContactState,
    Overflow,
    Queue,
    RoutingConfig,
    RoutingCriteria,
    RoutingEngine,
    SkillRequirement,
    Step,
    naive,
)
from helpline.routing.errors import RoutingError
from helpline.routing.events import ContactOffered, ContactQueued, Event
from helpline.routing.members import CHANNEL_SLOTS
from tests.unit.routing.factory import profile

QUEUES = (
    Queue(
        "qv",
        Channel.VOICE,
        overflow=Overflow(25.0, "qv2"),
        sticky_seconds=8.0,
        offer_timeout_seconds=6.0,
    ),
    Queue(
        "qv2", Channel.VOICE, agent_selection=AgentSelection.MOST_SKILLED, acw_timeout_seconds=None
    ),
    Queue(
        "qc", Channel.CHAT, agent_selection=AgentSelection.LEAST_OCCUPIED, acw_timeout_seconds=0.0
    ),
    Queue("qe", Channel.EMAIL, overflow=Overflow(40.0), acw_timeout_seconds=5.0),
)
PROFILES = (
    profile(
        "p1", [("qv", 1, 0.0), ("qc", 2, 5.0), ("qv2", 2, 0.0)], {Channel.VOICE: 1, Channel.CHAT: 2}
    ),
    profile(
        "p2",
        [("qc", 1, 0.0), ("qe", 1, 0.0), ("qv", 3, 10.0)],
        {Channel.CHAT: 3, Channel.EMAIL: 2, Channel.VOICE: 1},
        blocks=False,
    ),
    profile(
        "p3",
        [("qe", 1, 3.0), ("qv", 2, 0.0), ("qv2", 1, 4.0)],
        {Channel.VOICE: 1, Channel.EMAIL: 1},
        auto_accept=[Channel.EMAIL],
    ),
)
CONFIG = RoutingConfig(QUEUES, PROFILES)
SKILLS = ("s1", "s2", "s3")
CRITERIA = (
    None,
    RoutingCriteria(
        (
            Step(frozenset({SkillRequirement("s1", 3)}), expiry_seconds=10.0),
            Step(frozenset({SkillRequirement("s1", 1)}), expiry_seconds=20.0),
        )
    ),
    RoutingCriteria((Step(frozenset({SkillRequirement("s2", 2), SkillRequirement("s3", 1)})),)),
    RoutingCriteria((Step(preferred_agent_ids=frozenset({"a0", "a1"}), expiry_seconds=15.0),)),
    RoutingCriteria((Step(frozenset({SkillRequirement("s3", 4)}), expiry_seconds=0.0),)),
)
STATUSES = (
    AgentStatus.AVAILABLE,
    AgentStatus.AVAILABLE,
    AgentStatus.NOT_READY,
    AgentStatus.OFFLINE,
)
picks = st.integers(min_value=0, max_value=10_000)
skill_sets = st.dictionaries(st.sampled_from(SKILLS), st.integers(1, 5), max_size=3)


def lean_view(
    outcome: list[Event] | type[RoutingError],
) -> list[Event] | type[RoutingError]:
    """What a lean engine returns where a full one returned ``outcome``: no ContactQueued, no
    auto-accepted ContactOffered (offer timeouts are > 0, so those are the ones expiring at once)."""
    if not isinstance(outcome, list):
        return outcome
    return [
        e
        for e in outcome
        if not isinstance(e, ContactQueued)
        and not (isinstance(e, ContactOffered) and e.expires_at == e.at)
    ]


class RoutingMachine(RuleBasedStateMachine):
    """Random commands against an engine and its twin; invariants checked after each."""

    def __init__(self) -> None:
        super().__init__()
        self.engine = RoutingEngine(CONFIG)
        self.twin = RoutingEngine(CONFIG, lean=True)
        self.now = 0.0
        self.next_id = 0

    @initialize(
        specs=st.lists(
            st.tuples(st.sampled_from(("p1", "p2", "p3")), skill_sets), min_size=1, max_size=6
        )
    )
    def add_agents(self, specs: list[tuple[str, dict[str, int]]]) -> None:
        for i, (profile_id, skills) in enumerate(specs):
            self.both(
                lambda e, i=i, p=profile_id, s=skills: e.add_agent(
                    AgentSpec(f"a{i}", p, s), self.now
                )
            )

    # -- helpers --------------------------------------------------------------------------------------

    def both(self, command: Callable[[RoutingEngine], list[Event]]) -> list[Event]:
        """Run a command on the engine and its lean twin; both must agree (events or error)."""
        outcome = self.attempt(command, self.engine)
        assert self.attempt(command, self.twin) == lean_view(outcome)
        return outcome if isinstance(outcome, list) else []

    @staticmethod
    def attempt(
        command: Callable[[RoutingEngine], list[Event]], engine: RoutingEngine
    ) -> list[Event] | type[RoutingError]:
        """The command's events, or the type of the routing error it raised."""
        try:
            return command(engine)
        except RoutingError as error:
            return type(error)

    def tick(self, seconds: float) -> None:
        self.now += seconds
        self.both(lambda e: e.advance(self.now))

    def pick(self, index: int, states: tuple[ContactState, ...]) -> str | None:
        ids = sorted(c.contact_id for c in self.engine._contacts.values() if c.state in states)
        return ids[index % len(ids)] if ids else None

    # -- rules ----------------------------------------------------------------------------------------

    @rule(
        dt=st.sampled_from((0.0, 0.0, 1.0, 2.5)),
        queue=st.sampled_from(("qv", "qv", "qv2", "qc", "qe")),
        priority=st.integers(1, 3),
        criteria=st.sampled_from(CRITERIA),
        adjustment=st.sampled_from((0.0, 0.0, 12.0)),
        last_agent=st.sampled_from((None, "a0", "a2")),
    )
    def contact_arrives(
        self,
        dt: float,
        queue: str,
        priority: int,
        criteria: RoutingCriteria | None,
        adjustment: float,
        last_agent: str | None,
    ) -> None:
        self.tick(dt)
        self.next_id += 1
        spec = ContactSpec(
            f"c{self.next_id:03d}", queue, priority, criteria, adjustment, None, last_agent
        )
        expected = naive.choose_agent_for_new(self.engine, spec, self.now)
        events = self.both(lambda e: e.add_contact(spec, self.now))
        offered = [
            e.agent_id
            for e in events
            if isinstance(e, ContactOffered) and e.contact_id == spec.contact_id
        ]
        assert offered[:1] == ([expected] if expected else [])

    @rule(dt=st.sampled_from((0.0, 1.0, 3.0)), index=picks, status=st.sampled_from(STATUSES))
    def agent_changes_status(self, dt: float, index: int, status: AgentStatus) -> None:
        self.tick(dt)
        ids = sorted(self.engine._agents)
        agent_id = ids[index % len(ids)]
        self.both(lambda e: e.set_agent_status(agent_id, status, self.now, "break"))

    @rule(dt=st.sampled_from((0.0, 1.0, 4.0)), index=picks, accept=st.booleans())
    def agent_answers_offer(self, dt: float, index: int, accept: bool) -> None:
        self.tick(dt)
        contact_id = self.pick(index, (ContactState.OFFERED,))
        if contact_id is None:
            return
        agent = self.engine._contacts[contact_id].agent
        assert agent is not None
        answer = RoutingEngine.accept_offer if accept else RoutingEngine.reject_offer
        self.both(lambda e: answer(e, contact_id, agent.agent_id, self.now))

    @rule(
        dt=st.sampled_from((0.0, 2.0, 7.0)),
        index=picks,
        how=st.sampled_from(("end", "wrap", "close")),
    )
    def agent_finishes(self, dt: float, index: int, how: str) -> None:
        self.tick(dt)
        states = (ContactState.CONNECTED, ContactState.ON_HOLD, ContactState.ACW)
        contact_id = self.pick(index, states)
        if contact_id is None:
            return
        contact = self.engine._contacts[contact_id]
        agent = contact.agent
        assert agent is not None
        closes = how == "close" or (how == "wrap" and contact.state is ContactState.ACW)
        # Read before the command: closing clears the consult links.
        in_consult = contact.consult_leg is not None or contact.consult_of is not None
        expected = (
            naive.choose_contact(self.engine, agent.agent_id, self.now, contact_id)
            if closes
            else None
        )
        if how == "end":
            events = self.both(lambda e: e.end_contact(contact_id, self.now))
        elif how == "wrap":
            events = self.both(lambda e: e.wrap_up(contact_id, "sold", "", self.now))
        else:
            events = self.both(lambda e: e.close_contact(contact_id, self.now))
        if closes and not in_consult:
            offered = [
                e.contact_id
                for e in events
                if isinstance(e, ContactOffered) and e.agent_id == agent.agent_id
            ]
            assert offered[:1] == ([expected] if expected else [])

    @rule(dt=st.sampled_from((0.0, 1.0)), index=picks, hold=st.booleans())
    def agent_holds_or_resumes(self, dt: float, index: int, hold: bool) -> None:
        self.tick(dt)
        state = ContactState.CONNECTED if hold else ContactState.ON_HOLD
        contact_id = self.pick(index, (state,))
        if contact_id is not None:
            command = RoutingEngine.hold_contact if hold else RoutingEngine.resume_contact
            self.both(lambda e: command(e, contact_id, self.now))

    @rule(
        index=picks, other=picks, to_agent=st.booleans(), queue=st.sampled_from(("qv", "qv2", "qc"))
    )
    def agent_transfers(self, index: int, other: int, to_agent: bool, queue: str) -> None:
        contact_id = self.pick(index, (ContactState.CONNECTED, ContactState.ON_HOLD))
        if contact_id is None:
            return
        if to_agent:
            ids = sorted(self.engine._agents)
            agent_id = ids[other % len(ids)]
            self.both(lambda e: e.transfer_to_agent(contact_id, agent_id, self.now))
        else:
            self.both(lambda e: e.transfer_to_queue(contact_id, queue, self.now))

    @rule(index=picks, other=picks, step=st.sampled_from(("start", "complete", "cancel")))
    def agent_consults(self, index: int, other: int, step: str) -> None:
        contact_id = self.pick(index, (ContactState.CONNECTED, ContactState.ON_HOLD))
        if contact_id is None:
            return
        if step == "start":
            self.next_id += 1
            leg_id = f"c{self.next_id:03d}"
            ids = sorted(self.engine._agents)
            agent_id = ids[other % len(ids)]
            self.both(lambda e: e.start_consult(contact_id, leg_id, self.now, agent_id=agent_id))
        elif step == "complete":
            self.both(lambda e: e.complete_consult(contact_id, self.now))
        else:
            self.both(lambda e: e.cancel_consult(contact_id, self.now))

    @rule(dt=st.sampled_from((0.0, 1.0)), index=picks, callback=st.booleans())
    def customer_leaves_or_asks_callback(self, dt: float, index: int, callback: bool) -> None:
        self.tick(dt)
        if callback:
            contact_id = self.pick(index, (ContactState.QUEUED,))
            if contact_id is not None:
                self.both(lambda e: e.request_callback(contact_id, self.now))
        else:
            contact_id = self.pick(index, (ContactState.QUEUED, ContactState.OFFERED))
            if contact_id is not None:
                self.both(lambda e: e.abandon_contact(contact_id, self.now))

    @rule(seconds=st.sampled_from((1.0, 5.0, 10.0, 30.0)))
    def time_passes(self, seconds: float) -> None:
        wakeup = self.engine.next_wakeup()
        assert wakeup == self.twin.next_wakeup()
        self.tick(seconds)

    @rule()
    def engine_restarts(self) -> None:
        snapshot = self.engine.snapshot()
        self.engine, events = RoutingEngine.from_snapshot(CONFIG, snapshot, self.now)
        self.twin, twin_events = RoutingEngine.from_snapshot(
            CONFIG, self.twin.snapshot(), self.now, lean=True
        )
        assert twin_events == lean_view(events)
        waiting_before = [w.spec.contact_id for w in snapshot.waiting]
        assert [w.spec.contact_id for w in self.engine.snapshot().waiting] == [
            c
            for c in waiting_before
            if c in self.engine._contacts
            and self.engine._contacts[c].state in (ContactState.QUEUED, ContactState.OFFERED)
        ]

    # -- invariants -----------------------------------------------------------------------------------

    @invariant()
    def no_contact_held_twice_and_capacity_respected(self) -> None:
        holders: dict[str, str] = {}
        for agent in self.engine._agents.values():
            for contact_id, contact in agent.held.items():
                assert contact_id not in holders, f"{contact_id} held by two agents"
                holders[contact_id] = agent.agent_id
                assert contact.agent is agent
            for channel, slot in CHANNEL_SLOTS.items():
                count = agent.per_channel[slot]
                settings = agent.channels.get(channel)
                assert count <= (settings.concurrency if settings else 0)
                assert count == sum(1 for c in agent.held.values() if c.channel is channel)
            voice = agent.per_channel[CHANNEL_SLOTS[Channel.VOICE]]
            if agent.profile.voice_blocks_other_channels and voice:
                assert agent.total == voice
            assert agent.holds_voice_exclusively() == bool(
                agent.profile.voice_blocks_other_channels and voice
            )
        for contact in self.engine._contacts.values():
            held = contact.state not in (ContactState.QUEUED,)
            assert (contact.contact_id in holders) == held

    @invariant()
    def matching_is_maximal(self) -> None:
        for agent_id in self.engine._agents:
            assert naive.choose_contact(self.engine, agent_id, self.now) is None
        for contact_id in self.engine._contacts:
            if self.engine._contacts[contact_id].state is ContactState.QUEUED:
                assert naive.choose_agent(self.engine, contact_id, self.now) is None


RoutingMachine.TestCase.settings = settings(max_examples=150, stateful_step_count=40, deadline=None)
TestRoutingInvariants = RoutingMachine.TestCase
