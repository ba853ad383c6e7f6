"""Scheduled callbacks: book one for a time slot (through the API or a chat widget), list bookable
slots, read and cancel (routing them is ``callback_scheduler``'s job).

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
from helpline.domain.enums import Channel, ContactState, IdentityKind, Role
from helpline.domain.identity import InvalidIdentity, normalize_identity
from helpline.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from helpline.routing import RoutingEngine
from helpline.routing import events as ev
from helpline.routing.hours import OpenIntervals
from helpline.services.access import (
    access,
    access_queue,
    any_member,
    owned,
    owned_by,
    referenced,
    requires,
)
from helpline.services.acd.engine_config import epoch, from_epoch, queue_hours
from helpline.services.acd.routing import RoutingService, acting_agent, load_agent
from helpline.services.actor import Actor
from helpline.services.conversations.chat import resume_session
from helpline.services.conversations.chat_widgets import WidgetInfo
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
DEFAULT_SLOT_RANGE_DAYS = 7
"""The days a slots query covers when it names no last day."""
DEFAULT_PERSONAL_SECONDS = 600
"""How long the promising agent is offered a personal callback first, unless told otherwise."""
SYSTEM = "system"
WAITING = (ContactState.QUEUED.value, ContactState.OFFERED.value)


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


def zone_of(session: Session, organization_id: int) -> ZoneInfo:
    """The organization's time zone."""
    org = session.get(tables.Organization, organization_id)
    return ZoneInfo(org.time_zone if org else "UTC")


def _open_time(session: Session, queue: tables.Queue, start: datetime, end: datetime) -> OpenTime:
    """The queue's open time as routing sees it (weekly hours, holidays, closures, special hours)."""
    hours = queue_hours(session, queue.organization_id, queue.id, start, end)
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


def _callback_queue(
    session: Session, actor: Actor, queue_id: int, *, in_path: bool = False
) -> tables.Queue:
    """The voice queue that takes callbacks; NotFound (named in the path) or InvalidInput."""
    if in_path:
        queue = access_queue(session, actor, queue_id)
    else:
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
    session: Session,
    actor: Actor,
    queue_id: int,
    first_day: date | None = None,
    last_day: date | None = None,
) -> list[Slot]:
    """The bookable slots of a voice queue on local days ``first_day`` (default today) to
    ``last_day`` (inclusive; default a week): open hours cut into the queue's slots, starting after
    now, with room left."""
    queue = _callback_queue(session, actor, queue_id, in_path=True)
    zone = zone_of(session, actor.organization_id)
    now = session_now(session)
    first_day = first_day or now.astimezone(zone).date()
    last_day = last_day or first_day + timedelta(days=DEFAULT_SLOT_RANGE_DAYS - 1)
    if last_day < first_day:
        raise InvalidInput("to", "the range ends before it starts")
    if (last_day - first_day).days >= MAX_SLOT_RANGE_DAYS:
        raise InvalidInput("to", f"at most {MAX_SLOT_RANGE_DAYS} days at once")
    day_starts = _day_starts(zone, first_day, last_day)
    start, end = from_epoch(day_starts[0]), from_epoch(day_starts[-1])
    horizon = epoch(now + timedelta(days=MAX_DAYS_AHEAD))
    grid = [
        (s, e) for s, e in slot_grid(day_starts, queue.callback_slot_minutes * 60.0) if s <= horizon
    ]
    return bookable_slots(
        grid,
        _open_time(session, queue, start, end),
        after=epoch(now),
        capacity=queue.callbacks_per_slot,
        booked=_booked(session, queue, start, end),
    )


def _slot_end(
    session: Session, queue: tables.Queue, zone: ZoneInfo, slot_start: datetime, now: datetime
) -> datetime:
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
        _open_time(session, queue, slot_start - day, slot_end + day), start, grid[start]
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
    slot_end = _slot_end(
        session, queue, zone_of(session, actor.organization_id), spec.slot_start, now
    )
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
    record_callback_event(
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


def record_callback_event(
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
        if not change_state(session, row, previous, CallbackState.CANCELLED, from_epoch(now)):
            raise Conflict(f"callback {callback_id} changed meanwhile; look again")
        record_callback_event(
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


def change_state(
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


# -- chat widget visitors ------------------------------------------------------------------------


def _widget_queue(widget: WidgetInfo) -> int:
    if widget.callback_queue_id is None:
        raise NotFound("this chat widget offers no callbacks")
    return widget.callback_queue_id


def visitor_slots(
    session: Session, widget: WidgetInfo, first_day: date | None, last_day: date | None
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
