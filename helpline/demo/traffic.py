"""Live demo traffic: simulated customers of Demo Bank arrive on voice, chat and email, and
simulated agents go available, accept, reply, end, wrap up and take breaks — all through the real use
cases (contacts, messaging, ACD), so wallboards and dashboards show a working contact center.

``DemoTraffic.step`` does what is due at the clock's time; the server calls it about once a second
(``helpline serve --demo-traffic``). The decisions (arrival curve, durations) live in ``sim.live``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from zoneinfo import ZoneInfo

import numpy as np
from sqlalchemy import select

from helpline.demo.organization import DEMO_ORGANIZATION
from helpline.domain.enums import Channel, ContactState, IdentityKind, Role
from helpline.domain.messages import InboundMessage
from helpline.errors import HelplineError
from helpline.services.acd import commands as acd
from helpline.services.acd.routing import RoutingService
from helpline.services.actor import Actor, system_actor
from helpline.services.conversations import contacts, messaging
from helpline.services.unit_of_work import Database
from helpline.sim import live
from helpline.storage import tables

logger = logging.getLogger(__name__)

TICK_SECONDS = 1.0
PEAK_ARRIVALS_PER_SECOND = 0.12
"""About seven customers a minute at the daily peak: enough to keep 19 simulated agents busy."""
HUMAN_AGENT_EMAILS = frozenset({"agent01@demo-bank.example"})
"""Demo agents left to the person trying the demo."""
QUEUE_KEYS = {
    "Billing (voice)": "billing",
    "Cards (voice)": "cards",
    "Loans (voice)": "loans",
    "Español (voz)": "spanish",
    "Chat": "chat",
    "Email": "email",
}
SUBJECTS = {
    "billing": "Question about a fee on my statement",
    "cards": "My card was declined",
    "loans": "Status of my loan application",
    "spanish": "Consulta sobre mi cuenta",
    "chat": "Help with online banking",
    "email": "Request for a statement copy",
}
FIRST_LINES = {
    "chat": "Hi, I can't log in to online banking since this morning.",
    "email": "Hello, could you send me a copy of last month's statement? Thanks.",
}
REPLIES = (
    "Thanks for reaching out! Let me check that for you.",
    "I have sorted this out for you. Anything else I can help with?",
)
HANDLING = (
    ContactState.OFFERED,
    ContactState.CONNECTED,
    ContactState.ON_HOLD,
    ContactState.WRAP_UP,
)


@dataclass
class SimAgent:
    """A simulated agent and what it plans to do next."""

    agent_id: int
    actor: Actor
    back_from_break_at: datetime | None = None
    due: dict[int, datetime] = field(default_factory=dict)
    """contact id -> when the agent next acts on it (accept, reply+end, or wrap up)."""
    replied: set[int] = field(default_factory=set)


class DemoTraffic:
    """Drives Demo Bank's simulated customers and agents; does nothing without the demo organization."""

    def __init__(
        self,
        db: Database,
        routing: RoutingService,
        *,
        seed: int | None = None,
        peak_per_second: float = PEAK_ARRIVALS_PER_SECOND,
    ) -> None:
        self.db = db
        self.routing = routing
        self.clock = db.clock
        self.rng = np.random.default_rng(seed)
        self.peak_per_second = peak_per_second
        self.organization_id: int | None = None
        self.zone = ZoneInfo("UTC")
        self.queues: dict[str, int] = {}
        self.customers: list[tuple[int, str, str]] = []
        self.agents: dict[int, SimAgent] = {}
        self.next_arrival: datetime | None = None
        self.patience: dict[int, datetime] = {}
        self.arrivals = 0

    def start(self) -> bool:
        """Find Demo Bank and put its simulated agents to work; False when it is not loaded."""
        with self.db.transaction() as session:
            org = session.scalar(
                select(tables.Organization).where(tables.Organization.name == DEMO_ORGANIZATION)
            )
            if org is None:
                return False
            self.organization_id = org.id
            self.zone = ZoneInfo(org.time_zone)
            scoped = tables.Queue.organization_id == org.id
            self.queues = {
                QUEUE_KEYS[name]: queue_id
                for queue_id, name in session.execute(
                    select(tables.Queue.id, tables.Queue.name).where(scoped)
                )
                if name in QUEUE_KEYS
            }
            rows = session.execute(
                select(tables.Agent.id, tables.User.id, tables.User.email)
                .join(tables.User, tables.User.id == tables.Agent.user_id)
                .where(tables.Agent.organization_id == org.id, tables.Agent.is_active.is_(True))
            ).all()
            customer_rows = session.execute(
                select(
                    tables.Customer.id, tables.Customer.display_name, tables.CustomerIdentity.value
                )
                .join(
                    tables.CustomerIdentity,
                    tables.CustomerIdentity.customer_id == tables.Customer.id,
                )
                .where(
                    tables.Customer.organization_id == org.id,
                    tables.CustomerIdentity.kind == IdentityKind.EMAIL.value,
                )
            ).all()
        self.customers = [(row[0], row[1], row[2]) for row in customer_rows]
        for agent_id, user_id, email in rows:
            if email not in HUMAN_AGENT_EMAILS:
                actor = Actor(org.id, Role.AGENT, user_id=user_id)
                self.agents[agent_id] = SimAgent(agent_id, actor)
        for agent in self.agents.values():
            self._act(
                partial(
                    acd.set_agent_state,
                    self.routing,
                    agent.actor,
                    agent.agent_id,
                    "available",
                    None,
                )
            )
        return True

    # -- helpers ---------------------------------------------------------------------------------

    def _act(self, action: Callable[[], object]) -> bool:
        """Run one use case; a refusal (the contact moved on meanwhile) is normal in a live center."""
        try:
            action()
        except HelplineError as error:
            logger.debug("demo action refused: %s", error.message)
            return False
        return True

    def _local_hour(self, now: datetime) -> float:
        local = now.astimezone(self.zone)
        return local.hour + local.minute / 60

    # -- customers -------------------------------------------------------------------------------

    def _arrive(self, now: datetime) -> None:
        assert self.organization_id is not None  # noqa: S101 - step() runs after start()
        actor = system_actor(self.organization_id)
        arrival = live.choose_arrival(self.rng)
        queue_id = self.queues.get(arrival.queue_key)
        if queue_id is None or not self.customers:
            return
        customer_id, name, email = self.customers[int(self.rng.integers(len(self.customers)))]
        self.arrivals += 1
        subject = SUBJECTS[arrival.queue_key]
        if arrival.channel == "voice":
            with self.db.transaction() as session:
                contact_id = contacts.create_contact(
                    session,
                    actor,
                    contacts.NewContact(
                        channel=Channel.VOICE,
                        queue_id=queue_id,
                        customer_id=customer_id,
                        subject=subject,
                        attributes={
                            "ivr_menu": arrival.queue_key,
                            "verified": bool(self.rng.random() < 0.7),
                        },
                    ),
                ).contact.id
        else:
            channel = Channel(arrival.channel)
            sender = email if channel is Channel.EMAIL else f"visitor-{customer_id}"
            inbound = InboundMessage(
                channel=channel,
                external_id=f"demo-{now.timestamp():.6f}-{self.arrivals}",
                body=FIRST_LINES[arrival.channel],
                sender=sender,
                customer_name=name,
                identities={IdentityKind.EMAIL: email},
                subject=subject,
            )
            with self.db.transaction() as session:
                contact_id = messaging.receive_message(
                    session,
                    actor,
                    inbound,
                    queue_id=queue_id,
                    attributes={"pre_chat_topic": arrival.queue_key}
                    if channel is Channel.CHAT
                    else None,
                    now=now,
                ).contact_id
        self._act(lambda: acd.route_contact(self.routing, actor, contact_id))
        patience = live.patience_seconds(arrival.channel, self.rng)
        if patience is not None:
            self.patience[contact_id] = now + timedelta(seconds=patience)

    def _abandon_impatient(self, now: datetime) -> None:
        assert self.organization_id is not None  # noqa: S101
        due = [cid for cid, at in self.patience.items() if at <= now]
        if not due:
            return
        with self.db.transaction() as session:
            waiting = set(
                session.scalars(
                    select(tables.Contact.id).where(
                        tables.Contact.organization_id == self.organization_id,
                        tables.Contact.id.in_(due),
                        tables.Contact.state == ContactState.QUEUED.value,
                    )
                )
            )
        actor = system_actor(self.organization_id)
        for contact_id in due:
            del self.patience[contact_id]
            if contact_id in waiting:
                self._act(partial(acd.abandon, self.routing, actor, contact_id))

    # -- agents ----------------------------------------------------------------------------------

    def _work(self, now: datetime) -> None:
        with self.db.transaction() as session:
            rows = session.execute(
                select(
                    tables.Contact.id,
                    tables.Contact.agent_id,
                    tables.Contact.state,
                    tables.Contact.channel,
                ).where(
                    tables.Contact.organization_id == self.organization_id,
                    tables.Contact.agent_id.in_(list(self.agents)),
                    tables.Contact.state.in_([s.value for s in HANDLING]),
                )
            ).all()
        in_hand: dict[int, list[tuple[int, str, str]]] = {}
        for contact_id, agent_id, state, channel in rows:
            in_hand.setdefault(agent_id or 0, []).append((contact_id, state, channel))
        for agent in self.agents.values():
            self._work_agent(agent, in_hand.get(agent.agent_id, []), now)

    def _work_agent(
        self, agent: SimAgent, in_hand: list[tuple[int, str, str]], now: datetime
    ) -> None:
        current = {contact_id for contact_id, _, _ in in_hand}
        agent.due = {c: at for c, at in agent.due.items() if c in current}
        agent.replied &= current
        for contact_id, state, channel in in_hand:
            at = agent.due.get(contact_id)
            if at is None:
                agent.due[contact_id] = now + timedelta(seconds=self._delay(state, channel))
                continue
            if at > now:
                continue
            del agent.due[contact_id]
            self._advance(agent, contact_id, state, channel)
        if not in_hand:
            self._maybe_break(agent, now)

    def _delay(self, state: str, channel: str) -> float:
        if state == ContactState.OFFERED.value:
            return live.answer_delay_seconds(self.rng)
        if state == ContactState.WRAP_UP.value:
            return live.wrap_up_seconds(self.rng)
        return live.handle_seconds(channel, self.rng)

    def _advance(self, agent: SimAgent, contact_id: int, state: str, channel: str) -> None:
        routing, actor = self.routing, agent.actor
        if state == ContactState.OFFERED.value:
            self._act(lambda: acd.accept_offer(routing, actor, contact_id, agent.agent_id))
            return
        if state == ContactState.WRAP_UP.value:
            self._act(lambda: acd.wrap_up(routing, actor, contact_id, self._wrap_up_code(), ""))
            return
        if channel in ("chat", "email") and contact_id not in agent.replied:
            agent.replied.add(contact_id)
            reply = REPLIES[int(self.rng.integers(len(REPLIES)))]
            with self.db.transaction() as session:
                self._act(lambda: messaging.send_message(session, actor, contact_id, reply))
        if state == ContactState.ON_HOLD.value:
            self._act(lambda: acd.resume(routing, actor, contact_id))
        self._act(lambda: acd.end(routing, actor, contact_id))

    def _wrap_up_code(self) -> int:
        with self.db.transaction() as session:
            codes = list(
                session.scalars(
                    select(tables.WrapUpCode.id).where(
                        tables.WrapUpCode.organization_id == self.organization_id,
                        tables.WrapUpCode.is_active.is_(True),
                    )
                )
            )
        return codes[int(self.rng.integers(len(codes)))]

    def _maybe_break(self, agent: SimAgent, now: datetime) -> None:
        routing, actor = self.routing, agent.actor
        if agent.back_from_break_at is not None:
            if agent.back_from_break_at <= now:
                agent.back_from_break_at = None
                self._act(
                    lambda: acd.set_agent_state(routing, actor, agent.agent_id, "available", None)
                )
        elif live.takes_break(self.rng, TICK_SECONDS):
            agent.back_from_break_at = now + timedelta(seconds=live.break_seconds(self.rng))
            self._act(
                lambda: acd.set_agent_state(routing, actor, agent.agent_id, "not_ready", "break")
            )

    # -- the tick --------------------------------------------------------------------------------

    def step(self) -> None:
        """Do everything due now: arrivals, abandons, and each simulated agent's next move."""
        if self.organization_id is None:
            return
        now = self.clock()
        if self.next_arrival is None:
            self.next_arrival = now
        while self.next_arrival <= now:
            self._arrive(self.next_arrival)
            rate = live.arrival_rate_per_second(self._local_hour(now), self.peak_per_second)
            self.next_arrival += timedelta(seconds=live.next_arrival_gap_seconds(rate, self.rng))
        self._abandon_impatient(now)
        self._work(now)
