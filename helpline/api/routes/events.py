"""The event log: page through it, or stream it live over a WebSocket."""

from __future__ import annotations

from fastapi import APIRouter, Query, WebSocket, WebSocketDisconnect
from fastapi.concurrency import run_in_threadpool

from helpline.api.schemas import EventOut, EventPage
from helpline.errors import HelplineError
from helpline.http.bounds import MAX_SEQUENCE
from helpline.http.deps import (
    DB,
    CurrentActor,
    authenticate,
    closed_when_logged_out,
    get_db,
    get_settings,
)
from helpline.services.actor import Actor
from helpline.services.reporting.event_log import EVENT_READER_ROLES, read_events
from helpline.services.unit_of_work import Database

router = APIRouter(prefix="/events", tags=["Events"])

STREAM_BATCH = 500


def _page(db: Database, actor: Actor, after: int, limit: int) -> list[EventOut]:
    with db.read() as session:
        rows = read_events(session, actor, after, limit)
        return [EventOut.model_validate(row, from_attributes=True) for row in rows]


@router.get("", response_model=EventPage, summary="Events after a sequence number, oldest first")
def list_events(
    actor: CurrentActor,
    db: DB,
    after: int = Query(
        0, ge=0, le=MAX_SEQUENCE, description="Return events with a larger sequence number"
    ),
    limit: int = Query(100, ge=1, le=1000),
) -> EventPage:
    actor.require(*EVENT_READER_ROLES)
    events = _page(db, actor, after, limit)
    return EventPage(events=events, last_sequence=events[-1].sequence if events else after)


@router.websocket("/stream")
async def stream_events(websocket: WebSocket, after: int = Query(0, ge=0, le=MAX_SEQUENCE)) -> None:
    """Send every event after ``after`` as JSON, then each new one as it is committed.

    Authenticate with ``Authorization: Bearer <key>`` or the session cookie. Events committed by
    this process arrive at once; those from other nodes within ``HELPLINE_EVENT_POLL_SECONDS``.
    """
    db = get_db(websocket)
    try:
        actor = await run_in_threadpool(authenticate, websocket, db, "GET")
        actor.require(*EVENT_READER_ROLES)
    except HelplineError as error:
        await websocket.close(
            code=4401 if "log in" in error.message else 4403, reason=error.message
        )
        return
    await websocket.accept()
    poll = get_settings(websocket).event_poll_seconds
    last = after
    try:
        while True:
            if await closed_when_logged_out(websocket, db):
                return
            events = await run_in_threadpool(_page, db, actor, last, STREAM_BATCH)
            for event in events:
                await websocket.send_text(event.model_dump_json())
                last = event.sequence
            if len(events) < STREAM_BATCH:
                await db.notifier.wait(actor.organization_id, poll)
    except WebSocketDisconnect:
        return
