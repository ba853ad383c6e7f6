"""Persist what the routing engine decided: each engine event updates contact and agent rows and is
appended to the event log, in the caller's transaction.

The rows keep exactly what ``routing_config.load_snapshot`` needs to rebuild the engine after a
restart (queue order, waiting times, offers, after-contact work timers).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from helpline.domain.enums import ContactState as Stored
from helpline.routing import RoutingEngine
from helpline.routing import events as ev
from helpline.routing.errors import RoutingError
from helpline.services.access import owned_by
from helpline.services.acd.engine_config import from_epoch
from helpline.storage import tables
from helpline.storage.events import append_event

_ID_FIELDS = ("contact_id", "agent_id", "at")


def _payload_value(name: str, value: Any) -> Any:
    """``value`` as the event log keeps it: the engine's ids are the stored integer ids as strings,
    and payloads carry them as integers like every other event (see helpline.domain.event_catalogue)."""
    if name.endswith("_id") and isinstance(value, str) and value.isdigit():
        return int(value)
    return value


class _Batch:
    """Rows touched by one batch of engine events, loaded once each."""

    def __init__(self, session: Session, organization_id: int) -> None:
        self.session = session
        self.organization_id = organization_id
        self._contacts: dict[int, tables.Contact] = {}
        self._queues: dict[int, tables.Queue | None] = {}

    def contact(self, contact_id: str) -> tables.Contact:
        key = int(contact_id)
        if key not in self._contacts:
            row = self.session.scalar(
                select(tables.Contact).where(
                    tables.Contact.id == key,
                    owned_by(self.organization_id, tables.Contact),
                )
            )
            if row is None:
                raise LookupError(f"routing event for unknown contact {contact_id}")
            self._contacts[key] = row
        return self._contacts[key]

    def queue(self, queue_id: int | None) -> tables.Queue | None:
        if queue_id is None:
            return None
        if queue_id not in self._queues:
            self._queues[queue_id] = self.session.get(tables.Queue, queue_id)
        return self._queues[queue_id]

    def agent_status(self, agent_id: str, at: datetime) -> tables.AgentStatus:
        row = self.session.get(tables.AgentStatus, int(agent_id))
        if row is None:
            row = tables.AgentStatus(
                agent_id=int(agent_id),
                organization_id=self.organization_id,
                status="offline",
                reason=None,
                state="offline",
                state_since=at,
                idle_since=None,
            )
            self.session.add(row)
        return row


def _routing_state(contact: tables.Contact, **changes: Any) -> None:
    # JSON columns are replaced, not mutated, so SQLAlchemy sees the change.
    contact.routing_state = {**contact.routing_state, **changes}


def _finish(contact: tables.Contact, state: Stored, at: datetime) -> None:
    contact.state = state.value
    contact.ended_at = contact.ended_at or at
    contact.closed_at = at


def _queued(batch: _Batch, e: ev.ContactQueued, at: datetime) -> None:
    # Entering a queue (arrival, transfer, overflow) starts its steps and overflow timer afresh; the
    # contact's own criteria apply in the queue they were given for only.
    contact = batch.contact(e.contact_id)
    state = contact.routing_state
    if contact.queue_id != int(e.queue_id):
        state = {k: v for k, v in state.items() if k != "criteria"}
    contact.state = Stored.QUEUED.value
    contact.queue_id = int(e.queue_id)
    contact.agent_id = None
    contact.queued_at = contact.queued_at or at
    contact.routing_state = state | {
        "queue_sequence": e.queue_sequence,
        "enqueued_at": e.at,
        "waiting_since": state.get("waiting_since", e.at),
        "personal_agent_id": e.personal_agent_id,
        "is_callback": e.is_callback,
        "step_index": 0,
        "overflow_done": False,
    }


def _offered(batch: _Batch, e: ev.ContactOffered, at: datetime) -> None:
    contact = batch.contact(e.contact_id)
    contact.state = Stored.OFFERED.value
    contact.agent_id = int(e.agent_id)
    _routing_state(contact, offer_expires_at=e.expires_at)


def _back_in_queue(batch: _Batch, e: ev.OfferMissed | ev.OfferWithdrawn, at: datetime) -> None:
    contact = batch.contact(e.contact_id)
    if contact.state == Stored.OFFERED.value:
        contact.state = Stored.QUEUED.value
        contact.agent_id = None


def _connected(batch: _Batch, e: ev.ContactConnected, at: datetime) -> None:
    contact = batch.contact(e.contact_id)
    contact.state = Stored.CONNECTED.value
    contact.agent_id = int(e.agent_id)
    contact.queue_id = int(e.queue_id)
    contact.connected_at = contact.connected_at or at


def _abandoned(batch: _Batch, e: ev.ContactAbandoned, at: datetime) -> None:
    contact = batch.contact(e.contact_id)
    queue = batch.queue(contact.queue_id)
    threshold = queue.short_abandon_seconds if queue else 0
    short = e.wait_seconds < threshold
    contact.agent_id = None
    _finish(contact, Stored.SHORT_ABANDONED if short else Stored.ABANDONED, at)


def _overflowed(batch: _Batch, e: ev.ContactOverflowed, at: datetime) -> None:
    # The ContactQueued that follows records the new queue; the sticky agent and the contact's own
    # criteria were for the queue it left.
    contact = batch.contact(e.contact_id)
    contact.routing_state = {
        k: v for k, v in contact.routing_state.items() if k not in ("criteria", "last_agent_id")
    }


def _callback_proposed(batch: _Batch, e: ev.CallbackProposed, at: datetime) -> None:
    _routing_state(batch.contact(e.contact_id), overflow_done=True)


def _escalated(batch: _Batch, e: ev.ContactEscalated, at: datetime) -> None:
    _routing_state(batch.contact(e.contact_id), step_index=e.step_index)


def _callback_requested(batch: _Batch, e: ev.CallbackRequested, at: datetime) -> None:
    # The outbound callback contact takes over the caller's place in line; the call itself ends.
    original = batch.contact(e.contact_id)
    callback = batch.contact(e.callback_contact_id)
    if callback is not original:
        callback.state = Stored.QUEUED.value
        callback.queue_id = int(e.queue_id)
        callback.queued_at = at
        callback.routing_state = {**original.routing_state, "is_callback": True}
        _finish(original, Stored.CLOSED, at)
        _routing_state(
            original,
            close_reason="callback_requested",
            callback_contact_id=int(e.callback_contact_id),
        )
    else:
        _routing_state(callback, is_callback=True)


def _arrived_closed(batch: _Batch, e: ev.ContactArrivedWhileClosed, at: datetime) -> None:
    _routing_state(batch.contact(e.contact_id), closed_treatment=e.treatment.value)


def _held(batch: _Batch, e: ev.ContactHeld, at: datetime) -> None:
    batch.contact(e.contact_id).state = Stored.ON_HOLD.value


def _resumed(batch: _Batch, e: ev.ContactResumed, at: datetime) -> None:
    batch.contact(e.contact_id).state = Stored.CONNECTED.value


def _transferred(batch: _Batch, e: ev.ContactTransferred, at: datetime) -> None:
    contact = batch.contact(e.contact_id)
    transfers = int(contact.routing_state.get("transfers", 0)) + 1
    if e.is_consult:
        # The consulted agent takes over the customer where they are.
        if e.to_agent_id is not None:
            contact.agent_id = int(e.to_agent_id)
        _routing_state(contact, transfers=transfers)
        return
    # A blind transfer: the contact waits afresh; the next ContactQueued sets the time. A transfer to
    # a queue drops the sticky agent (a transfer to an agent names one).
    dropped = {"waiting_since", "last_agent_id"} if e.to_queue_id is not None else {"waiting_since"}
    state = {k: v for k, v in contact.routing_state.items() if k not in dropped}
    contact.routing_state = state | {"transfers": transfers}


def _consult_started(batch: _Batch, e: ev.ConsultStarted, at: datetime) -> None:
    _routing_state(batch.contact(e.consult_contact_id), consult_of=e.contact_id)


def _acw(batch: _Batch, e: ev.AfterContactWorkStarted, at: datetime) -> None:
    contact = batch.contact(e.contact_id)
    contact.state = Stored.WRAP_UP.value
    contact.ended_at = at
    _routing_state(contact, acw_ends_at=e.ends_at)


def _wrapped_up(batch: _Batch, e: ev.ContactWrappedUp, at: datetime) -> None:
    contact = batch.contact(e.contact_id)
    contact.wrap_up_code_id = int(e.wrap_up_code)
    contact.notes = e.notes


def _closed(batch: _Batch, e: ev.ContactClosed, at: datetime) -> None:
    contact = batch.contact(e.contact_id)
    _finish(contact, Stored.CLOSED, at)
    _routing_state(contact, close_reason=e.reason.value)


def _agent_state(batch: _Batch, e: ev.AgentStateChanged, at: datetime) -> None:
    row = batch.agent_status(e.agent_id, at)
    row.state = e.state.value
    row.state_since = at
    if e.state.value in {"available", "not_ready", "offline"}:
        row.reason = e.reason


_APPLY: dict[type[ev.Event], Callable[[_Batch, Any, datetime], None]] = {
    ev.ContactQueued: _queued,
    ev.ContactOffered: _offered,
    ev.OfferMissed: _back_in_queue,
    ev.OfferWithdrawn: _back_in_queue,
    ev.ContactConnected: _connected,
    ev.ContactAbandoned: _abandoned,
    ev.ContactOverflowed: _overflowed,
    ev.CallbackProposed: _callback_proposed,
    ev.ContactEscalated: _escalated,
    ev.CallbackRequested: _callback_requested,
    ev.ContactArrivedWhileClosed: _arrived_closed,
    ev.ContactHeld: _held,
    ev.ContactResumed: _resumed,
    ev.ContactTransferred: _transferred,
    ev.ConsultStarted: _consult_started,
    ev.AfterContactWorkStarted: _acw,
    ev.ContactWrappedUp: _wrapped_up,
    ev.ContactClosed: _closed,
    ev.AgentStateChanged: _agent_state,
}


def record_routing_events(
    session: Session, organization_id: int, events: Sequence[ev.Event], actor: str
) -> None:
    """Apply engine ``events`` to the stored rows and append each to the event log."""
    batch = _Batch(session, organization_id)
    for event in events:
        at = from_epoch(event.at)
        apply = _APPLY.get(type(event))
        if apply is not None:
            apply(batch, event, at)
        fields = dataclasses.asdict(event)
        contact_id = fields.get("contact_id")
        agent_id = fields.get("agent_id") or fields.get("from_agent_id")
        append_event(
            session,
            organization_id,
            type(event).__name__,
            occurred_at=at,
            actor=actor,
            contact_id=int(contact_id) if contact_id else None,
            agent_id=int(agent_id) if agent_id else None,
            payload={k: _payload_value(k, v) for k, v in fields.items() if k not in _ID_FIELDS},
        )
    session.flush()


_AGENT_FIELDS = ("agent_id", "from_agent_id", "to_agent_id")


def sync_agent_statuses(
    session: Session, organization_id: int, engine: RoutingEngine, events: Sequence[ev.Event]
) -> None:
    """Store the chosen status, reason and idle time of every agent ``events`` touched, as the engine
    holds them: a missed offer's not-ready (missed), the idle clock an offer or a close restarted."""
    agent_ids: set[str] = set()
    for event in events:
        for name in _AGENT_FIELDS:
            value = getattr(event, name, None)
            if value is not None:
                agent_ids.add(value)
    batch = _Batch(session, organization_id)
    for agent_id in sorted(agent_ids):
        try:
            view = engine.agent_view(agent_id)
        except RoutingError:
            continue  # no longer routed (deactivated): its stored status stays as it was
        row = batch.agent_status(agent_id, from_epoch(events[-1].at))
        row.status = view.status.value
        row.reason = view.reason
        row.idle_since = from_epoch(view.idle_since) if view.idle_since > 0 else None
    session.flush()
