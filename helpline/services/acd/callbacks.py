"""Scheduled callbacks: book one for a time slot, list bookable slots, read, cancel, and (for the
callback scheduler) route a due one and settle routed ones whose contact ended.

A slot is bookable when it lies inside the queue's open hours, starts in the future and holds fewer
open callbacks (scheduled or routed) than the queue's ``callbacks_per_slot``; bad input is a 422 naming
the field, a full slot a 409. When the slot starts the scheduler creates an outbound voice contact
and hands it to the ACD. A personal callback (``agent_id``: the agent who promised it) carries its
own routing steps: the promising agent alone for ``personal_seconds``, then the queue's own steps.

Cancelling a scheduled callback just withdraws it; cancelling a routed one whose contact still waits
for an agent abandons that contact through the ACD in the same transaction. Once an agent is
connected the callback is being kept: cancelling it is a 409 (end the call instead).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from helpline.domain.callbacks import (
    OPEN_STATES,
    CallbackSource,
    CallbackState,
    OpenTime,
    Slot,
    bookable_slots,
    is_within_open_time,
    slot_grid,
)
from helpline.domain.enums import Channel, ContactState, Direction, IdentityKind, Role
from helpline.domain.identity import InvalidIdentity, normalize_identity
from helpline.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from helpline.routing import RoutingEngine
from helpline.routing import events as ev
from helpline.routing.hours import OpenIntervals
from helpline.services.access import access, any_member, owned, owned_by, referenced, requires
from helpline.services.acd.engine_config import epoch, from_epoch, open_intervals
from helpline.services.acd.routing import RoutingService, acting_agent, load_agent
from helpline.services.actor import Actor, system_actor
from helpline.services.conversations.chat import resume_session
from helpline.services.conversations.chat_widgets import WidgetInfo
from helpline.services.conversations.contacts import NewContact, create_contact
from helpline.services.identity.customers import find_or_create_customer, organization_region
from helpline.storage import tables
from helpline.storage.database import session_now
from helpline.storage.events import append_event
from helpline.storage.locks import lock_name

CALLBACK_ROLES = (Role.AGENT, Role.SUPERVISOR, Role.MANAGER)
"""Who may book and cancel callbacks besides admins (agents: only their own personal ones)."""
MAX_DAYS_AHEAD = 60
"""How far ahead a callback may be booked."""
MAX_SLOT_RANGE_DAYS = 31
"""The longest date range one slots query covers."""
DEFAULT_PERSONAL_SECONDS = 600
"""How long the promising agent is offered a personal callback first, unless told otherwise."""
SYSTEM = "system"
WAITING = (ContactState.QUEUED.value, ContactState.OFFERED.value)
ENDED_UNANSWERED = (
    ContactState.ABANDONED.value,
    ContactState.SHORT_ABANDONED.value,
    ContactState.CLOSED.value,
    ContactState.DEFLECTED.value,
)


@dataclass(frozen=True)
class NewCallback:
    """What a caller says about a callback to book."""

    queue_id: int
    phone: str
    slot_start: datetime
    customer_id: int | None = None
    customer_name: str = ""
    subject: str = ""
    agent_id: int | None = None
    """The agent who promised it (a personal callback); agents booking get their own by default."""
    personal_seconds: int = DEFAULT_PERSONAL_SECONDS
    source: CallbackSource = CallbackSource.API


def represent_callback(row: tables.Callback) -> dict[str, Any]:
    """A plain dict of a callback for API responses."""
    return {
        name: getattr(row, name)
        for name in (
            "id",
            "queue_id",
            "customer_id",
            "phone",
            "subject",
            "slot_start",
            "slot_end",
            "agent_id",
            "personal_seconds",
            "source",
            "state",
            "contact_id",
            "created_at",
            "routed_at",
            "ended_at",
        )
    }


# -- slots ---------------------------------------------------------------------------------------


def _zone(session: Session, organization_id: int) -> ZoneInfo:
    org = session.get(tables.Organization, organization_id)
    return ZoneInfo(org.time_zone if org else "UTC")


def _open_time(queue: tables.Queue, zone: ZoneInfo, start: datetime, end: datetime) -> OpenTime:
    hours = open_intervals(queue.hours, zone, start, end)
    return hours.intervals if isinstance(hours, OpenIntervals) else None


def _day_starts(zone: ZoneInfo, first: date, last: date) -> list[float]:
    """Local midnights from ``first`` to the day after ``last``, as epoch seconds."""
    days = (last - first).days + 2
    return [epoch(datetime.combine(first + timedelta(days=i), time(0), zone)) for i in range(days)]


def _booked(
    session: Session, queue: tables.Queue, start: datetime, end: datetime
) -> dict[float, int]:
    rows = session.execute(
        select(tables.Callback.slot_start, func.count())
        .where(
            owned_by(queue.organization_id, tables.Callback),
            tables.Callback.queue_id == queue.id,
            tables.Callback.state.in_([s.value for s in OPEN_STATES]),
            tables.Callback.slot_start >= start,
            tables.Callback.slot_start < end,
        )
        .group_by(tables.Callback.slot_start)
    )
    booked: Counter[float] = Counter()
    for slot_start, count in rows:
        booked[epoch(slot_start)] += count
    return dict(booked)


def _callback_queue(session: Session, actor: Actor | int, queue_id: int) -> tables.Queue:
    queue = referenced(session, actor, tables.Queue, queue_id, "queue_id")
    if queue.channel != Channel.VOICE.value:
        raise InvalidInput(
            "queue_id", f"queue {queue_id} takes {queue.channel} contacts, not voice"
        )
    if queue.callbacks_per_slot <= 0:
        raise InvalidInput("queue_id", f"queue {queue_id} takes no scheduled callbacks")
    return queue


@any_member
def queue_slots(
    session: Session, actor: Actor, queue_id: int, first_day: date, last_day: date
) -> list[Slot]:
    """The bookable slots of a voice queue on local days ``first_day`` to ``last_day`` (inclusive):
    open hours cut into the queue's slots, starting after now, with room left."""
    if last_day < first_day:
        raise InvalidInput("to", "the range ends before it starts")
    if (last_day - first_day).days >= MAX_SLOT_RANGE_DAYS:
        raise InvalidInput("to", f"at most {MAX_SLOT_RANGE_DAYS} days at once")
    queue = _callback_queue(session, actor, queue_id)
    zone = _zone(session, actor.organization_id)
    day_starts = _day_starts(zone, first_day, last_day)
    start, end = from_epoch(day_starts[0]), from_epoch(day_starts[-1])
    now = session_now(session)
    horizon = epoch(now + timedelta(days=MAX_DAYS_AHEAD))
    grid = [
        (s, e) for s, e in slot_grid(day_starts, queue.callback_slot_minutes * 60.0) if s <= horizon
    ]
    return bookable_slots(
        grid,
        _open_time(queue, zone, start, end),
        after=epoch(now),
        capacity=queue.callbacks_per_slot,
        booked=_booked(session, queue, start, end),
    )


def _slot_end(queue: tables.Queue, zone: ZoneInfo, slot_start: datetime, now: datetime) -> datetime:
    """The end of the slot starting at ``slot_start``, or InvalidInput naming ``slot_start``."""
    if slot_start.tzinfo is None:
        raise InvalidInput("slot_start", "give a time zone (e.g. 2026-11-26T09:00:00Z)")
    local_day = slot_start.astimezone(zone).date()
    day_starts = _day_starts(zone, local_day, local_day)
    start = epoch(slot_start)
    grid = dict(slot_grid(day_starts, queue.callback_slot_minutes * 60.0))
    if start not in grid:
        raise InvalidInput(
            "slot_start",
            f"slots are {queue.callback_slot_minutes} minutes from midnight, local time",
        )
    if slot_start <= now:
        raise InvalidInput("slot_start", "the slot has already started; choose a later one")
    if slot_start > now + timedelta(days=MAX_DAYS_AHEAD):
        raise InvalidInput("slot_start", f"at most {MAX_DAYS_AHEAD} days ahead")
    slot_end = from_epoch(grid[start])
    day = timedelta(days=1)
    if not is_within_open_time(
        _open_time(queue, zone, slot_start - day, slot_end + day), start, grid[start]
    ):
        raise InvalidInput("slot_start", "the queue is closed during this slot")
    return slot_end


# -- booking -------------------------------------------------------------------------------------


def _phone(session: Session, actor: Actor, phone: str) -> str:
    try:
        return normalize_identity(IdentityKind.PHONE, phone, organization_region(session, actor))
    except InvalidIdentity as error:
        raise InvalidInput("phone", str(error)) from None


def _promising_agent(
    session: Session, actor: Actor, queue: tables.Queue, agent_id: int | None
) -> tables.Agent | None:
    """The agent a personal callback is for: agents book for themselves, others name one (or none)."""
    if actor.role is Role.AGENT:
        agent = acting_agent(session, actor, agent_id)
    elif agent_id is None:
        return None
    else:
        agent = referenced(session, actor, tables.Agent, agent_id, "agent_id")
    serves = session.scalar(
        select(tables.RoutingProfileQueue.queue_id).where(
            owned_by(actor, tables.RoutingProfileQueue),
            tables.RoutingProfileQueue.routing_profile_id == agent.routing_profile_id,
            tables.RoutingProfileQueue.queue_id == queue.id,
        )
    )
    if not agent.is_active or serves is None:
        raise InvalidInput("agent_id", f"agent {agent.id} does not take calls of queue {queue.id}")
    return agent


@requires(*CALLBACK_ROLES)
def schedule_callback(session: Session, actor: Actor, spec: NewCallback) -> tables.Callback:
    """Book a callback for the slot starting at ``spec.slot_start`` (``CallbackScheduled``).

    422 naming the field for a queue that takes no callbacks, a bad phone number, agent or customer,
    a slot off the queue's grid, in the past, too far ahead or outside open hours; 409 when the slot
    is full. Nothing is stored unless it is booked.
    """
    queue = _callback_queue(session, actor, spec.queue_id)
    phone = _phone(session, actor, spec.phone)
    if not 0 < spec.personal_seconds <= 86_400:
        raise InvalidInput("personal_seconds", "between 1 second and a day")
    agent = _promising_agent(session, actor, queue, spec.agent_id)
    if spec.customer_id is not None:
        customer: tables.Customer | None = referenced(
            session, actor, tables.Customer, spec.customer_id, "customer_id"
        )
    else:
        customer = None
    now = session_now(session)
    slot_end = _slot_end(queue, _zone(session, actor.organization_id), spec.slot_start, now)
    # Bookings of one slot take turns, so the last place is given once.
    lock_name(session, f"callback-slot:{queue.id}:{epoch(spec.slot_start)}")
    taken = session.scalar(
        select(func.count()).where(
            owned_by(actor, tables.Callback),
            tables.Callback.queue_id == queue.id,
            tables.Callback.slot_start == spec.slot_start,
            tables.Callback.state.in_([s.value for s in OPEN_STATES]),
        )
    )
    if (taken or 0) >= queue.callbacks_per_slot:
        raise Conflict(f"the slot at {spec.slot_start.isoformat()} is full; choose another")
    if customer is None:
        customer = find_or_create_customer(
            session,
            actor,
            display_name=spec.customer_name.strip(),
            identities={IdentityKind.PHONE: phone},
        )
    source = CallbackSource.AGENT if actor.role is Role.AGENT else spec.source
    row = tables.Callback(
        organization_id=actor.organization_id,
        queue_id=queue.id,
        customer_id=customer.id if customer else None,
        phone=phone,
        subject=spec.subject,
        slot_start=spec.slot_start,
        slot_end=slot_end,
        agent_id=agent.id if agent else None,
        personal_seconds=spec.personal_seconds if agent else 0,
        source=source.value,
        state=CallbackState.SCHEDULED.value,
        contact_id=None,
        created_at=now,
        routed_at=None,
        ended_at=None,
    )
    session.add(row)
    session.flush()
    _event(
        session,
        row,
        "CallbackScheduled",
        now,
        actor.label,
        agent_id=row.agent_id,
        slot_start=row.slot_start,
        slot_end=row.slot_end,
        customer_id=row.customer_id,
        personal_seconds=row.personal_seconds,
        source=source,
    )
    return row


def _event(
    session: Session,
    row: tables.Callback,
    kind: str,
    now: datetime,
    actor: str,
    *,
    contact_id: int | None = None,
    agent_id: int | None = None,
    **payload: Any,
) -> None:
    append_event(
        session,
        row.organization_id,
        kind,
        occurred_at=now,
        actor=actor,
        contact_id=contact_id,
        agent_id=agent_id,
        payload={"callback_id": row.id, "queue_id": row.queue_id, **payload},
    )


# -- reading -------------------------------------------------------------------------------------


@any_member
def get_callback(session: Session, actor: Actor, callback_id: int) -> tables.Callback:
    """A callback of the actor's organization, or NotFound."""
    return access(session, actor, tables.Callback, callback_id, "callback")


@dataclass(frozen=True)
class CallbackFilter:
    """Optional criteria for listing callbacks; all given ones must hold."""

    queue_id: int | None = None
    agent_id: int | None = None
    state: CallbackState | None = None
    slot_from: datetime | None = None
    slot_to: datetime | None = None


@any_member
def list_callbacks(
    session: Session, actor: Actor, criteria: CallbackFilter, *, after_id: int, limit: int
) -> list[tables.Callback]:
    """Callbacks matching ``criteria`` with id > ``after_id`` (keyset pagination), by id."""
    query = owned(actor, tables.Callback).where(tables.Callback.id > after_id)
    if criteria.queue_id is not None:
        query = query.where(tables.Callback.queue_id == criteria.queue_id)
    if criteria.agent_id is not None:
        query = query.where(tables.Callback.agent_id == criteria.agent_id)
    if criteria.state is not None:
        query = query.where(tables.Callback.state == criteria.state.value)
    if criteria.slot_from is not None:
        query = query.where(tables.Callback.slot_start >= criteria.slot_from)
    if criteria.slot_to is not None:
        query = query.where(tables.Callback.slot_start < criteria.slot_to)
    return list(session.scalars(query.order_by(tables.Callback.id).limit(limit)).all())


# -- cancelling ----------------------------------------------------------------------------------


@requires(*CALLBACK_ROLES)
def cancel_callback(routing: RoutingService, actor: Actor, callback_id: int) -> None:
    """Withdraw a callback (``CallbackCancelled``); a routed one's contact still waiting for an agent
    is abandoned in the same transaction. 409 once an agent was connected or it has ended."""

    def command(engine: RoutingEngine, now: float, session: Session) -> list[ev.Event]:
        row = get_callback(session, actor, callback_id)
        if actor.role is Role.AGENT:
            if row.agent_id is None:
                raise PermissionDenied("agents may only cancel their own personal callbacks")
            load_agent(session, actor, row.agent_id)
        previous = CallbackState(row.state)
        events: list[ev.Event] = []
        if previous is CallbackState.ROUTED:
            contact = session.get(tables.Contact, row.contact_id) if row.contact_id else None
            if contact is not None and contact.state == ContactState.CREATED.value:
                raise Conflict(f"callback {callback_id} is being routed; try again in a moment")
            if contact is not None and contact.state in WAITING:
                events = engine.abandon_contact(str(contact.id), now)
            elif contact is not None and contact.connected_at is not None:
                raise Conflict(f"callback {callback_id} is connected to an agent; end the call")
        elif previous is not CallbackState.SCHEDULED:
            raise Conflict(f"callback {callback_id} is {previous.value}")
        # Against the scheduler routing it at this very moment: only one state change wins.
        if not _move(session, row, previous, CallbackState.CANCELLED, from_epoch(now)):
            raise Conflict(f"callback {callback_id} changed meanwhile; look again")
        _event(
            session,
            row,
            "CallbackCancelled",
            from_epoch(now),
            actor.label,
            contact_id=row.contact_id,
            previous_state=previous,
        )
        return events

    routing.run(actor, command)


def _move(
    session: Session,
    row: tables.Callback,
    was: CallbackState,
    to: CallbackState,
    now: datetime,
) -> bool:
    """Change the row's state from ``was`` to ``to`` if no other transaction did first."""
    values: dict[str, Any] = {"state": to.value}
    if to is CallbackState.ROUTED:
        values["routed_at"] = now
    else:
        values["ended_at"] = now
    result = session.execute(
        update(tables.Callback)
        .where(
            owned_by(row.organization_id, tables.Callback),
            tables.Callback.id == row.id,
            tables.Callback.state == was.value,
        )
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    changed = getattr(result, "rowcount", 0)
    if changed:
        session.refresh(row)
    return bool(changed)


# -- the scheduler's steps -----------------------------------------------------------------------


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

    def __init__(self, session: Session, organization_id: int, now: datetime) -> None:
        """The queues of ``organization_id`` at ``now`` (``session`` reads its time zone)."""
        self._now = now
        self._zone = _zone(session, organization_id)
        self._known: dict[int, bool] = {}

    def is_open(self, queue: tables.Queue) -> bool:
        """True when ``queue`` is open now."""
        if queue.id not in self._known:
            day = timedelta(days=1)
            hours = open_intervals(queue.hours, self._zone, self._now - day, self._now + day)
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
    if queue is None or not open_queues.is_open(queue):
        return None
    if not _move(session, row, CallbackState.SCHEDULED, CallbackState.ROUTED, now):
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
    _event(
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
            if _move(session, row, CallbackState.ROUTED, CallbackState.COMPLETED, now):
                _event(session, row, "CallbackCompleted", now, SYSTEM, contact_id=contact.id)
                settled += 1
        elif _move(session, row, CallbackState.ROUTED, CallbackState.FAILED, now):
            _event(
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


# -- chat widget visitors ------------------------------------------------------------------------


def _widget_queue(widget: WidgetInfo) -> int:
    if widget.callback_queue_id is None:
        raise NotFound("this chat widget offers no callbacks")
    return widget.callback_queue_id


def visitor_slots(
    session: Session, widget: WidgetInfo, first_day: date, last_day: date
) -> list[Slot]:
    """The bookable slots of the widget's callback queue (NotFound when it offers no callbacks)."""
    return queue_slots(session, widget.actor, _widget_queue(widget), first_day, last_day)


def book_visitor_callback(
    session: Session, widget: WidgetInfo, token: str, phone: str, slot_start: datetime
) -> tables.Callback:
    """The visitor of the chat session ``token`` names books a callback on the widget's callback
    queue, with the same rules as :func:`schedule_callback`; their name and topic go with it."""
    queue_id = _widget_queue(widget)
    visitor = resume_session(session, widget, token)
    spec = NewCallback(
        queue_id=queue_id,
        phone=phone,
        slot_start=slot_start,
        customer_name=visitor.visitor_name,
        subject=visitor.topic,
        source=CallbackSource.CHAT,
    )
    return schedule_callback(session, widget.actor, spec)
