"""The callback scheduler: a component with its own loop that routes scheduled callbacks when their
slot starts, and settles routed ones once their contact was answered or ended.

Due callbacks are released in order (slot start, booking time, id). One whose queue is closed stays
scheduled and is released, still in order, at the first pass after the queue opens. Each release
marks the callback routed and creates its outbound contact in one transaction, then hands the contact
to the ACD; a process that stops in between leaves a created contact that the routing service routes
when it rebuilds the engine, so after a restart overdue callbacks are routed at once and none twice.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from helpline.domain.callbacks import CallbackState
from helpline.domain.enums import Channel, ContactState, Direction, IdentityKind
from helpline.errors import Conflict
from helpline.services.access import owned
from helpline.services.acd import commands as acd
from helpline.services.acd.callbacks import SYSTEM, change_state, record_callback_event
from helpline.services.acd.engine_config import epoch, queue_hours
from helpline.services.acd.routing import RoutingService
from helpline.services.actor import system_actor
from helpline.services.conversations.contacts import NewContact, create_contact
from helpline.services.identity import organizations
from helpline.storage import tables
from helpline.storage.database import Database

BATCH = 500
"""Most due callbacks looked at in one pass."""
CONTACT_OUTCOME_EVENTS = frozenset({"ContactConnected", "ContactAbandoned", "ContactClosed"})
"""Commits after which an organization's routed callbacks are settled at the next pass."""
logger = logging.getLogger(__name__)
ENDED_UNANSWERED = (
    ContactState.ABANDONED.value,
    ContactState.SHORT_ABANDONED.value,
    ContactState.CLOSED.value,
    ContactState.DEFLECTED.value,
)


# -- the scheduler's steps, each in the caller's transaction -----------------------------------------------------------------------


def due_callbacks(session: Session, now: datetime, limit: int) -> dict[int, list[int]]:
    """Scheduled callbacks (of every organization) whose slot has started, by organization, each
    list in release order: slot start, then booking time, then id."""
    rows = session.execute(
        select(tables.Callback.organization_id, tables.Callback.id)
        .where(
            tables.Callback.state == CallbackState.SCHEDULED.value,
            tables.Callback.slot_start <= now,
        )
        .order_by(tables.Callback.slot_start, tables.Callback.created_at, tables.Callback.id)
        .limit(limit)
    )
    found: dict[int, list[int]] = {}
    for organization_id, callback_id in rows:
        found.setdefault(organization_id, []).append(callback_id)
    return found


def next_slot_start(session: Session, now: datetime) -> datetime | None:
    """When the next scheduled callback (of any organization) falls due, if after ``now``."""
    return session.scalar(
        select(func.min(tables.Callback.slot_start)).where(
            tables.Callback.state == CallbackState.SCHEDULED.value,
            tables.Callback.slot_start > now,
        )
    )


class OpenQueues:
    """Whether an organization's queues are open now, each looked up once (for one pass of the
    scheduler)."""

    def __init__(self, organization_id: int, now: datetime) -> None:
        """The queues of ``organization_id`` at ``now``."""
        self._now = now
        self._organization_id = organization_id
        self._known: dict[int, bool] = {}

    def is_open(self, session: Session, queue: tables.Queue) -> bool:
        """True when ``queue`` is open now (read in the caller's transaction)."""
        if queue.id not in self._known:
            day = timedelta(days=1)
            hours = queue_hours(
                session, self._organization_id, queue.id, self._now - day, self._now + day
            )
            self._known[queue.id] = hours.is_open(epoch(self._now))
        return self._known[queue.id]


def route_due_callback(
    session: Session, organization_id: int, callback_id: int, now: datetime, open_queues: OpenQueues
) -> int | None:
    """Create the outbound voice contact of a due callback and mark it routed, both in the caller's
    transaction (``CallbackRouted``); the new contact's id, or None when the callback waits for its
    queue to open or was routed or cancelled meanwhile. The caller then routes the contact."""
    row = session.scalar(
        owned(organization_id, tables.Callback).where(tables.Callback.id == callback_id)
    )
    if row is None or row.state != CallbackState.SCHEDULED.value:
        return None
    queue = session.get(tables.Queue, row.queue_id)
    if queue is None or not open_queues.is_open(session, queue):
        return None
    if not change_state(session, row, CallbackState.SCHEDULED, CallbackState.ROUTED, now):
        return None
    actor = system_actor(organization_id)
    steps = _personal_steps(session, queue, row) if row.agent_id is not None else ()
    contact = create_contact(
        session,
        actor,
        NewContact(
            channel=Channel.VOICE,
            queue_id=row.queue_id,
            customer_id=row.customer_id,
            identities={} if row.customer_id else {IdentityKind.PHONE: row.phone},
            direction=Direction.OUTBOUND,
            subject=row.subject,
            attributes={
                "callback_id": row.id,
                "callback_number": row.phone,
                "callback_slot_start": row.slot_start,
            },
            routing_steps=steps,
        ),
    ).contact
    row.contact_id = contact.id
    record_callback_event(
        session,
        row,
        "CallbackRouted",
        now,
        SYSTEM,
        contact_id=contact.id,
        agent_id=row.agent_id,
        late_seconds=max(0.0, (now - row.slot_start).total_seconds()),
    )
    return contact.id


def _personal_steps(
    session: Session, queue: tables.Queue, row: tables.Callback
) -> tuple[Mapping[str, Any], ...]:
    """The promising agent alone for ``personal_seconds``, then the queue's own criteria."""
    personal = {
        "preferred_agent_ids": [row.agent_id],
        "expires_after_seconds": row.personal_seconds,
    }
    if queue.routing_steps:
        return (personal, *queue.routing_steps)
    skills = session.scalars(
        owned(queue.organization_id, tables.QueueSkill).where(
            tables.QueueSkill.queue_id == queue.id
        )
    ).all()
    if skills:
        requirements = [
            {"skill_id": s.skill_id, "min_proficiency": s.min_proficiency} for s in skills
        ]
        return (personal, {"requirements": requirements})
    return (personal,)


def unsettled_callbacks(session: Session, organization_id: int) -> list[tables.Callback]:
    """The organization's routed callbacks whose contact was answered, ended or removed."""
    contact = tables.Contact
    return list(
        session.scalars(
            owned(organization_id, tables.Callback)
            .outerjoin(contact, contact.id == tables.Callback.contact_id)
            .where(
                tables.Callback.state == CallbackState.ROUTED.value,
                contact.id.is_(None)
                | contact.connected_at.is_not(None)
                | contact.state.in_(ENDED_UNANSWERED),
            )
            .order_by(tables.Callback.id)
        ).all()
    )


def settle_callbacks(session: Session, organization_id: int, now: datetime) -> int:
    """Mark routed callbacks completed (an agent was connected) or failed (their contact ended
    unanswered or was removed); how many were settled."""
    settled = 0
    for row in unsettled_callbacks(session, organization_id):
        contact = session.get(tables.Contact, row.contact_id) if row.contact_id else None
        if contact is not None and contact.connected_at is not None:
            if change_state(session, row, CallbackState.ROUTED, CallbackState.COMPLETED, now):
                record_callback_event(
                    session, row, "CallbackCompleted", now, SYSTEM, contact_id=contact.id
                )
                settled += 1
        elif change_state(session, row, CallbackState.ROUTED, CallbackState.FAILED, now):
            record_callback_event(
                session,
                row,
                "CallbackFailed",
                now,
                SYSTEM,
                contact_id=row.contact_id,
                contact_state=contact.state if contact else None,
            )
            settled += 1
    return settled


# -- the component -------------------------------------------------------------------------------


class CallbackScheduler:
    """Routes due callbacks on the database's clock and settles routed ones."""

    def __init__(self, db: Database, routing: RoutingService) -> None:
        """Scheduling over ``db`` (its clock), handing contacts to ``routing``."""
        self._db = db
        self._routing = routing
        self._clock = db.clock
        self._dirty: set[int] = set()
        self._settle_everywhere = True  # the first pass catches up on what happened while stopped
        self._guard = threading.Lock()
        db.notifier.subscribe(self._on_commit)

    def _on_commit(self, organization_id: int, event_types: frozenset[str]) -> None:
        if event_types & CONTACT_OUTCOME_EVENTS:
            with self._guard:
                self._dirty.add(organization_id)

    def release_due(self) -> int:
        """Route every due callback whose queue is open now, in order; how many were routed."""
        now = self._clock()
        with self._db.transaction() as session:
            due = due_callbacks(session, now, BATCH)
        routed = 0
        for organization_id, callback_ids in due.items():
            open_queues = OpenQueues(organization_id, now)
            for callback_id in callback_ids:
                with self._db.transaction() as session:
                    contact_id = route_due_callback(
                        session, organization_id, callback_id, now, open_queues
                    )
                if contact_id is None:
                    continue
                routed += 1
                try:
                    acd.route_contact(self._routing, system_actor(organization_id), contact_id)
                except Conflict:
                    # The contact is stored; a rebuilt engine routes it (see RoutingService).
                    logger.exception("callback contact %s was not routed", contact_id)
                    self._routing.invalidate(organization_id)
        return routed

    def settle(self) -> int:
        """Mark routed callbacks completed or failed where their contact's outcome is known (every
        organization on the first call, then those where contacts were answered or ended)."""
        with self._guard:
            dirty, self._dirty = self._dirty, set()
            everywhere, self._settle_everywhere = self._settle_everywhere, False
        if everywhere:
            with self._db.transaction() as session:
                dirty |= set(organizations.organization_ids(session))
        now = self._clock()
        settled = 0
        for organization_id in sorted(dirty):
            with self._db.transaction() as session:
                settled += settle_callbacks(session, organization_id, now)
        return settled

    def run_once(self) -> int:
        """One pass: release due callbacks, then settle; how many were routed."""
        routed = self.release_due()
        self.settle()
        return routed

    def seconds_to_next(self, cap: float) -> float:
        """How long the loop may sleep: until the next slot starts, at most ``cap`` seconds (held
        callbacks and new bookings are looked at again after ``cap``)."""
        now = self._clock()
        with self._db.transaction() as session:
            upcoming = next_slot_start(session, now)
        if upcoming is None:
            return cap
        return max(0.0, min(cap, (upcoming - now).total_seconds()))
