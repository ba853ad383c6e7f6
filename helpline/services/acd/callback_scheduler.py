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

from helpline.errors import Conflict
from helpline.services.acd import commands as acd
from helpline.services.acd.callbacks import (
    OpenQueues,
    due_callbacks,
    next_slot_start,
    route_due_callback,
    settle_callbacks,
)
from helpline.services.acd.routing import RoutingService
from helpline.services.actor import system_actor
from helpline.services.identity import organizations
from helpline.storage.database import Database

BATCH = 500
"""Most due callbacks looked at in one pass."""
CONTACT_OUTCOME_EVENTS = frozenset({"ContactConnected", "ContactAbandoned", "ContactClosed"})
"""Commits after which an organization's routed callbacks are settled at the next pass."""
logger = logging.getLogger(__name__)


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
            with self._db.transaction() as session:
                open_queues = OpenQueues(session, organization_id, now)
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
