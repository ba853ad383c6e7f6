"""The live ACD: one routing engine per organization in this process, driven by the wall clock, with
every decision persisted (rows and events) in the same transaction as the command that caused it.

Crash safety: an engine is always rebuildable from the database (``routing_config``). It is built on
first use, after any configuration change, and after any failure to persist; a rebuild returns
reserved-but-unanswered offers to their queue and runs timers that fell due while it was down.

Scale-out note: an organization's engine must live in one process. Several API nodes either route
one organization each or forward routing commands to the node that owns it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from helpline.domain.enums import ContactState as Stored
from helpline.domain.enums import Role
from helpline.errors import Conflict, InvalidInput, PermissionDenied
from helpline.routing import AgentStatus, AgentView, RoutingEngine
from helpline.routing import events as ev
from helpline.routing.errors import RoutingError
from helpline.services.access import access_agent, any_member, owned, owned_by, requires
from helpline.services.acd.engine_config import (
    HOURS_HORIZON,
    contact_spec,
    epoch,
    load_config,
    load_snapshot,
    routed_agents,
)
from helpline.services.acd.store import record_routing_events
from helpline.services.actor import Actor
from helpline.storage import tables
from helpline.storage.database import Database

CONFIG_EVENT_PREFIXES = (
    "Queue",
    "RoutingProfile",
    "Agent",
    "Skill",
    "HoursOverride",
    "HolidaySettings",
    "CalendarEvent",
)
"""Configuration events after which an organization's engine is rebuilt (the routing calendar's too:
closures, special hours, holiday settings and forecast calendar events, which may close the center)."""
CONFIG_EVENT_SUFFIXES = ("Created", "Updated", "Deleted")
SUPERVISING_ROLES = (Role.SUPERVISOR, Role.MANAGER)
"""Who may act for any agent (agents act for themselves)."""
AGENT_COMMAND_ROLES = (Role.AGENT, *SUPERVISING_ROLES)
"""Who may give an agent's commands (state, offers, contact handling) besides admins."""

Command = Callable[[RoutingEngine, float, Session], list[ev.Event]]


@dataclass
class _LiveEngine:
    engine: RoutingEngine
    rebuild_after: datetime


class RoutingService:
    """Runs the routing engines of this process and persists their decisions."""

    def __init__(self, db: Database) -> None:
        """Routing on ``db``, timed by the clock its units of work carry."""
        self._db = db
        self._clock = db.clock
        self._engines: dict[int, _LiveEngine] = {}
        self._locks: dict[int, threading.Lock] = {}
        self._locks_guard = threading.Lock()
        db.notifier.subscribe(self._on_commit)

    # -- engine lifecycle ------------------------------------------------------------------------

    def _on_commit(self, organization_id: int, event_types: frozenset[str]) -> None:
        if any(
            t.startswith(CONFIG_EVENT_PREFIXES) and t.endswith(CONFIG_EVENT_SUFFIXES)
            for t in event_types
        ):
            self.invalidate(organization_id)

    def invalidate(self, organization_id: int) -> None:
        """Forget the organization's engine; the next command rebuilds it from the database."""
        self._engines.pop(organization_id, None)

    def _lock(self, organization_id: int) -> threading.Lock:
        with self._locks_guard:
            return self._locks.setdefault(organization_id, threading.Lock())

    def _engine(self, organization_id: int, now: datetime) -> RoutingEngine:
        """The live engine, rebuilt (in its own committed transaction) when missing or stale."""
        live = self._engines.get(organization_id)
        if live is not None and now < live.rebuild_after:
            return live.engine
        self._engines.pop(organization_id, None)
        with self._db.transaction() as session:
            config = load_config(session, organization_id, now)
            agents = routed_agents(session, organization_id)
            snapshot = load_snapshot(session, organization_id, agents)
            engine, events = RoutingEngine.from_snapshot(config, snapshot, epoch(now))
            record_routing_events(session, organization_id, events, "system")
            # Contacts created but never routed (the process stopped in between) join now.
            for contact in _unrouted_contacts(session, organization_id):
                events = engine.add_contact(contact_spec(contact), epoch(now))
                record_routing_events(session, organization_id, events, "system")
        self._engines[organization_id] = _LiveEngine(engine, now + HOURS_HORIZON / 2)
        return engine

    @any_member
    def run(self, actor: Actor, command: Command) -> list[ev.Event]:
        """Run ``command`` on the actor's engine and persist its events in one transaction."""
        organization_id = actor.organization_id
        with self._lock(organization_id):
            now = self._clock()
            engine = self._engine(organization_id, now)
            try:
                with self._db.transaction() as session:
                    events = command(engine, epoch(now), session)
                    record_routing_events(session, organization_id, events, actor.label)
            except RoutingError as error:
                # The engine checks before it changes anything: its state is still right.
                raise Conflict(str(error)) from None
            except Exception:
                # The engine moved but the database did not: rebuild from the database next time.
                self.invalidate(organization_id)
                raise
            return events

    def start(self, organization_ids: list[int]) -> None:
        """Build the engines of these organizations now (at server start), so their timers run."""
        for organization_id in organization_ids:
            with self._lock(organization_id):
                self._engine(organization_id, self._clock())

    def advance_due(self) -> None:
        """Run every timer that is due (offer timeouts, escalation steps, ACW, delays)."""
        now = epoch(self._clock())
        for organization_id, live in list(self._engines.items()):
            due = live.engine.next_wakeup()
            if due is not None and due <= now:
                self.run(
                    Actor(organization_id, Role.ADMIN),
                    lambda engine, at, _session: engine.advance(at),
                )

    def seconds_to_next_timer(self, cap: float) -> float:
        """How long the timer loop may sleep (at most ``cap`` seconds)."""
        now = epoch(self._clock())
        wakeups = [w for live in self._engines.values() if (w := live.engine.next_wakeup())]
        return max(0.0, min([cap, *(w - now for w in wakeups)]))

    # -- queries ---------------------------------------------------------------------------------

    @requires(*AGENT_COMMAND_ROLES)
    def agent_view(self, actor: Actor, agent_id: int) -> AgentView:
        """The agent's live state as the engine sees it."""
        organization_id = actor.organization_id
        with self._lock(organization_id):
            engine = self._engine(organization_id, self._clock())
            try:
                return engine.agent_view(str(agent_id))
            except RoutingError:
                raise Conflict(
                    f"agent {agent_id} is not routed (inactive or without a routing profile)"
                ) from None

    @any_member
    def queue_line(self, actor: Actor, queue_id: int) -> list[str]:
        """The contact ids waiting in a queue, next in line first (empty for an unknown queue)."""
        organization_id = actor.organization_id
        with self._lock(organization_id):
            engine = self._engine(organization_id, self._clock())
            try:
                return engine.queued_contact_ids(str(queue_id))
            except RoutingError:
                return []


def _unrouted_contacts(session: Session, organization_id: int) -> list[tables.Contact]:
    return list(
        session.scalars(
            select(tables.Contact)
            .where(
                owned_by(organization_id, tables.Contact),
                tables.Contact.state == Stored.CREATED.value,
                tables.Contact.queue_id.is_not(None),
            )
            .order_by(tables.Contact.id)
        ).all()
    )


# -- authorisation helpers used by the routing use cases -------------------------------------------


@requires(*AGENT_COMMAND_ROLES)
def load_agent(session: Session, actor: Actor, agent_id: int) -> tables.Agent:
    """The agent row of the actor's organization; agents may only act for themselves."""
    agent = access_agent(session, actor, agent_id)
    if actor.role is Role.AGENT and agent.user_id != actor.user_id:
        raise PermissionDenied("agents may only act for themselves")
    return agent


@requires(*AGENT_COMMAND_ROLES)
def acting_agent(session: Session, actor: Actor, agent_id: int | None) -> tables.Agent:
    """The agent a contact command is for: the given one, or the caller's own agent."""
    if agent_id is not None:
        return load_agent(session, actor, agent_id)
    found = session.scalar(
        owned(actor, tables.Agent).where(
            tables.Agent.user_id == actor.user_id,
        )
    )
    if found is None:
        raise InvalidInput("agent_id", "give the agent this command is for")
    return found


def status_from_request(state: str, reason: str | None) -> tuple[AgentStatus, str | None]:
    """The engine status of a requested agent state, or InvalidInput."""
    try:
        status = AgentStatus(state)
    except ValueError:
        raise InvalidInput("state", "use available, not_ready or offline") from None
    if status is AgentStatus.NOT_READY and not reason:
        raise InvalidInput(
            "reason", "not_ready needs a reason (break, lunch, meeting, training...)"
        )
    return status, reason if status is AgentStatus.NOT_READY else None
