"""Scheduled callbacks: bookable slots of a queue, book, list, read and cancel callbacks."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from helpline.api.routes.acd import get_routing
from helpline.api.schemas import Body
from helpline.domain.callbacks import CallbackSource, CallbackState, Slot
from helpline.http.bounds import Cursor, Id, PathId
from helpline.http.deps import DB, CurrentActor
from helpline.services.acd import callbacks
from helpline.services.acd.engine_config import from_epoch

router = APIRouter(tags=["Callbacks"])


class CallbackIn(Body):
    """A callback to book for the slot starting at ``slot_start``."""

    queue_id: Id = Field(description="The voice queue that calls back")
    phone: str = Field(min_length=1, max_length=40, description="The number to call back")
    slot_start: AwareDatetime = Field(
        description="Start of a bookable slot (GET /queues/{queue_id}/callback-slots)"
    )
    customer_id: Id | None = Field(default=None, description="The customer, when known")
    customer_name: str = Field(default="", max_length=200)
    subject: str = Field(default="", max_length=500, description="What the callback is about")
    agent_id: Id | None = Field(
        default=None,
        description="The agent who promised it (a personal callback); agents get their own",
    )
    personal_seconds: int = Field(
        default=callbacks.DEFAULT_PERSONAL_SECONDS,
        ge=1,
        le=86_400,
        description="How long the promising agent alone is offered it, before any agent of the queue",
    )


class CallbackOut(BaseModel):
    """A scheduled callback and where it stands."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    queue_id: int
    customer_id: int | None
    phone: str
    subject: str
    slot_start: datetime
    slot_end: datetime
    agent_id: int | None
    personal_seconds: int = Field(description="0 when not personal")
    source: CallbackSource
    state: CallbackState
    contact_id: int | None = Field(description="The outbound contact created when it was routed")
    created_at: datetime
    routed_at: datetime | None
    ended_at: datetime | None


class CallbackPage(BaseModel):
    """One page of callbacks; ``next_after_id`` continues the listing (None on the last page)."""

    items: list[CallbackOut]
    next_after_id: int | None


class SlotOut(BaseModel):
    """A bookable slot and how many more callbacks it takes."""

    start: datetime
    end: datetime
    remaining: int


def slot_out(slot: Slot) -> SlotOut:
    """The response body of a slot."""
    return SlotOut(start=from_epoch(slot.start), end=from_epoch(slot.end), remaining=slot.remaining)


DayFrom = Annotated[
    date | None, Query(alias="from", description="First local day (default: today)")
]
DayTo = Annotated[
    date | None,
    Query(alias="to", description="Last local day (default: a week; at most 31 days)"),
]


@router.get(
    "/queues/{queue_id}/callback-slots",
    response_model=list[SlotOut],
    summary="Bookable callback slots of a queue",
)
def list_slots(
    actor: CurrentActor,
    db: DB,
    queue_id: PathId,
    first_day: DayFrom = None,
    last_day: DayTo = None,
) -> list[SlotOut]:
    """Open hours cut into the queue's slots (from local midnight), starting after now, with room
    left; each says how many more callbacks it takes."""
    with db.transaction() as session:
        slots = callbacks.queue_slots(session, actor, queue_id, first_day, last_day)
    return [slot_out(slot) for slot in slots]


@router.post(
    "/callbacks",
    status_code=201,
    response_model=CallbackOut,
    summary="Book a callback",
    responses={409: {"description": "The slot is full"}},
)
def book_callback(body: CallbackIn, actor: CurrentActor, db: DB) -> dict[str, Any]:
    """Book a callback for a slot inside the queue's open hours; it is routed when the slot starts
    (held until the queue opens). With ``agent_id`` (agents: themselves) that agent is offered it
    first for ``personal_seconds``, then any agent of the queue."""
    spec = callbacks.NewCallback(
        queue_id=body.queue_id,
        phone=body.phone,
        slot_start=body.slot_start,
        customer_id=body.customer_id,
        customer_name=body.customer_name,
        subject=body.subject,
        agent_id=body.agent_id,
        personal_seconds=body.personal_seconds,
    )
    with db.transaction() as session:
        return callbacks.represent_callback(callbacks.schedule_callback(session, actor, spec))


@router.get("/callbacks", response_model=CallbackPage, summary="List callbacks")
def list_callbacks(
    actor: CurrentActor,
    db: DB,
    queue_id: Annotated[Id | None, Query()] = None,
    agent_id: Annotated[Id | None, Query()] = None,
    state: CallbackState | None = None,
    slot_from: AwareDatetime | None = Query(None, description="Slots starting at or after"),
    slot_to: AwareDatetime | None = Query(None, description="Slots starting before"),
    after_id: Annotated[
        Cursor, Query(description="Return callbacks with a larger id (pagination)")
    ] = 0,
    limit: int = Query(100, ge=1, le=1000),
) -> CallbackPage:
    criteria = callbacks.CallbackFilter(queue_id, agent_id, state, slot_from, slot_to)
    with db.transaction() as session:
        rows = callbacks.list_callbacks(session, actor, criteria, after_id=after_id, limit=limit)
        items = [CallbackOut.model_validate(callbacks.represent_callback(row)) for row in rows]
    return CallbackPage(items=items, next_after_id=items[-1].id if len(items) == limit else None)


@router.get("/callbacks/{callback_id}", response_model=CallbackOut, summary="A callback")
def get_callback(actor: CurrentActor, db: DB, callback_id: PathId) -> dict[str, Any]:
    with db.transaction() as session:
        return callbacks.represent_callback(callbacks.get_callback(session, actor, callback_id))


@router.post(
    "/callbacks/{callback_id}/cancel",
    response_model=CallbackOut,
    summary="Cancel a callback",
    responses={409: {"description": "An agent is connected, or it already ended"}},
)
def cancel_callback(
    request: Request, actor: CurrentActor, db: DB, callback_id: PathId
) -> dict[str, Any]:
    """Withdraw a scheduled callback; a routed one whose contact still waits for an agent is
    abandoned with it. Once an agent is connected it is kept (409): end the call instead."""
    callbacks.cancel_callback(get_routing(request), actor, callback_id)
    return get_callback(actor, db, callback_id)
