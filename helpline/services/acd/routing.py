"""The live ACD: one routing engine per organization in this process, driven by the server's clock,
with every decision persisted (rows and events) in the same transaction as the command that caused it.

Guarantees (tests/integration/test_routing_faults.py checks them case by case, tests/faults/test_live_acd_properties.py as a property):

- The engine rebuilt from the database equals the engine that was running: open offers come back
  open, missed agents stay missed, places in line, escalation steps and timers are unchanged
  (``engine_config.load_snapshot``). So a rebuild (after a configuration change, a failure to persist,
  the opening-hours horizon, a restart) changes nothing a user can see.
- A refused command (a routing conflict, bad input, a permission or a missing object) changes nothing:
  the engine refuses before it changes, and the service's checks run before the engine is called.
  The engine's revision tells the two cases apart; only a command that moved the engine and then
  failed to persist makes the service rebuild it from the database (the transaction rolled back).
- Timers run from the server's loop (:meth:`advance_due`) whatever the API traffic: an engine that
  was dropped is rebuilt by the next tick, not by the next request.
- One organization's engine that cannot be built is reported (``Unavailable``, logged) and retried
  later; the other organizations serve, and start-up never fails because of one.

Scale-out note: an organization's engine must live in one process. Several API nodes either route
one organization each or forward routing commands to the node that owns it.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from helpline.domain.enums import ContactState as Stored
from helpline.domain.enums import Role
from helpline.errors import Conflict, HelplineError, InvalidInput, PermissionDenied, Unavailable
from helpline.routing import AgentStatus, AgentView, EngineSnapshot, RoutingEngine
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
from helpline.services.acd.store import record_routing_events, sync_agent_statuses
from helpline.services.actor import Actor
from helpline.storage import tables
from helpline.storage.database import Database

logger = logging.getLogger(__name__)

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
BUILD_RETRY = timedelta(seconds=30)
"""How long an organization whose engine could not be built waits before the next attempt."""

Command = Callable[[RoutingEngine, float, Session], list[ev.Event]]


@dataclass
class _LiveEngine:
    engine: RoutingEngine
    rebuild_after: datetime


@dataclass(frozen=True)
class _Broken:
    reason: str
    retry_after: datetime


class RoutingService:
    """Runs the routing engines of this process and persists their decisions."""

    def __init__(self, db: Database) -> None:
        """Routing on ``db``, timed by the clock its units of work carry."""
        self._db = db
        self._clock = db.clock
        self._engines: dict[int, _LiveEngine] = {}
        self._routed: set[int] = set()
        """Organizations whose engines this process runs (rebuilt by the timer loop when dropped)."""
        self._broken: dict[int, _Broken] = {}
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
        """Forget the organization's engine; the timer loop (or the next command) rebuilds it from
        the database, which holds everything it needs (see the module docstring)."""
        self._engines.pop(organization_id, None)
        self._broken.pop(organization_id, None)

    def _lock(self, organization_id: int) -> threading.Lock:
        with self._locks_guard:
            return self._locks.setdefault(organization_id, threading.Lock())

    def _engine(self, organization_id: int, now: datetime) -> RoutingEngine:
        """The live engine, rebuilt (in its own committed transaction) when missing or stale.

        Raises Unavailable when the organization's engine cannot be built (retried after a while).
        """
        self._routed.add(organization_id)
        live = self._engines.get(organization_id)
        if live is not None and now < live.rebuild_after:
            return live.engine
        broken = self._broken.get(organization_id)
        if broken is not None and now < broken.retry_after:
            raise Unavailable(f"routing is unavailable for this organization: {broken.reason}")
        self._engines.pop(organization_id, None)
        try:
            engine = self._build(organization_id, now)
        except Exception as error:
            reason = f"{type(error).__name__}: {error}"
            logger.exception("cannot build the routing engine of organization %s", organization_id)
            self._broken[organization_id] = _Broken(reason, now + BUILD_RETRY)
            raise Unavailable(f"routing is unavailable for this organization: {reason}") from None
        self._broken.pop(organization_id, None)
        self._engines[organization_id] = _LiveEngine(engine, now + HOURS_HORIZON / 2)
        return engine

    def _build(self, organization_id: int, now: datetime) -> RoutingEngine:
        with self._db.transaction() as session:
            engine, events = _engine_from_database(session, organization_id, now)
            # Contacts created but never routed (the process stopped in between) join now.
            for contact in _unrouted_contacts(session, organization_id):
                events.extend(engine.add_contact(contact_spec(contact), epoch(now)))
            self._persist(session, organization_id, engine, events, "system")
        return engine

    @staticmethod
    def _persist(
        session: Session,
        organization_id: int,
        engine: RoutingEngine,
        events: list[ev.Event],
        actor: str,
    ) -> None:
        record_routing_events(session, organization_id, events, actor)
        sync_agent_statuses(session, organization_id, engine, events)

    @any_member
    def run(self, actor: Actor, command: Command) -> list[ev.Event]:
        """Run ``command`` on the actor's engine and persist its events in one transaction.

        A refused command changes nothing (its conflict, input or permission error is raised as is,
        a routing refusal as Conflict); timers it ran before the refusal are persisted on their own.
        """
        organization_id = actor.organization_id
        with self._lock(organization_id):
            now = self._clock()
            engine = self._engine(organization_id, now)
            revision = engine.revision
            try:
                with self._db.transaction() as session:
                    events = command(engine, epoch(now), session)
                    self._persist(session, organization_id, engine, events, actor.label)
            except (RoutingError, HelplineError) as error:
                if engine.revision != revision:  # moved, then refused: the database did not
                    self.invalidate(organization_id)
                elif engine.holds_refused_events:
                    self._persist_carried(organization_id, engine, now)
                if isinstance(error, RoutingError):
                    raise Conflict(str(error)) from None
                raise
            except Exception:
                # The engine moved but the database did not: rebuild from the database.
                self.invalidate(organization_id)
                raise
            return events

    def _persist_carried(self, organization_id: int, engine: RoutingEngine, now: datetime) -> None:
        """Persist the timers a refused command ran before it was refused (the engine keeps their
        events for the next command otherwise, and the database would lag behind it)."""
        try:
            with self._db.transaction() as session:
                events = engine.advance(epoch(now))
                self._persist(session, organization_id, engine, events, "system")
        except Exception:
            logger.exception("routing timers of organization %s not persisted", organization_id)
            self.invalidate(organization_id)

    def start(self, organization_ids: Iterable[int]) -> None:
        """Build the engines of these organizations now (at server start), so their timers run.

        An organization whose engine cannot be built is logged and retried by the timer loop; the
        others start.
        """
        for organization_id in organization_ids:
            with self._lock(organization_id):
                try:
                    self._engine(organization_id, self._clock())
                except Unavailable:
                    continue  # logged by _engine; retried by advance_due

    def advance_due(self) -> None:
        """Rebuild dropped engines and run every timer that is due (offer timeouts, escalation
        steps, ACW, delays, overflow), organization by organization: one failing does not stop the
        others."""
        now = self._clock()
        for organization_id in sorted(self._routed):
            try:
                with self._lock(organization_id):
                    if not self._needs_tick(organization_id, now):
                        continue
                    self._engine(organization_id, now)
                self.run(
                    Actor(organization_id, Role.ADMIN),
                    lambda engine, at, _session: engine.advance(at),
                )
            except Unavailable:
                continue
            except Exception:
                logger.exception("routing timers of organization %s failed", organization_id)

    def _needs_tick(self, organization_id: int, now: datetime) -> bool:
        live = self._engines.get(organization_id)
        if live is None or now >= live.rebuild_after:
            broken = self._broken.get(organization_id)
            return broken is None or now >= broken.retry_after
        due = live.engine.next_wakeup()
        return due is not None and due <= epoch(now)

    def seconds_to_next_timer(self, cap: float) -> float:
        """How long the timer loop may sleep (at most ``cap`` seconds; none when an engine awaits
        its rebuild)."""
        now = self._clock()
        if any(self._needs_tick(o, now) for o in list(self._routed) if o not in self._engines):
            return 0.0
        wakeups = [w for live in list(self._engines.values()) if (w := live.engine.next_wakeup())]
        return max(0.0, min([cap, *(w - epoch(now) for w in wakeups)]))

    def unavailable(self) -> dict[int, str]:
        """Organizations whose engine could not be built, with the reason (for health checks)."""
        return {organization_id: b.reason for organization_id, b in self._broken.items()}

    def running_snapshot(self, organization_id: int) -> EngineSnapshot | None:
        """The live engine's state as plain values (None when it is not built)."""
        with self._lock(organization_id):
            live = self._engines.get(organization_id)
            return live.engine.snapshot() if live else None

    def next_timer(self, organization_id: int) -> float | None:
        """When the organization's next routing timer is due (epoch seconds; None when none or the
        engine is not built)."""
        with self._lock(organization_id):
            live = self._engines.get(organization_id)
            return live.engine.next_wakeup() if live else None

    def rebuilt_snapshot(self, organization_id: int) -> tuple[EngineSnapshot, list[ev.Event]]:
        """What an engine rebuilt from the database now would hold, and the events its rebuild would
        write (nothing is written): equal to :meth:`running_snapshot` and none when all is well."""
        now = self._clock()
        with self._lock(organization_id), self._db.transaction() as session:
            engine, events = _engine_from_database(session, organization_id, now)
        return engine.snapshot(), events

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


def _engine_from_database(
    session: Session, organization_id: int, now: datetime
) -> tuple[RoutingEngine, list[ev.Event]]:
    """The organization's engine rebuilt from stored configuration and live state at ``now``, with
    the events of the rebuild (timers that fell due meanwhile)."""
    agents = routed_agents(session, organization_id)
    return RoutingEngine.from_snapshot(
        load_config(session, organization_id, now),
        load_snapshot(session, organization_id, agents),
        epoch(now),
    )


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
