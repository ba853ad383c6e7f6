"""The real-time wallboard: per queue and per agent, now; polled or pushed over a WebSocket."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, WebSocket, WebSocketDisconnect
from fastapi.concurrency import run_in_threadpool

from helpline.errors import HelplineError
from helpline.http.deps import (
    DB,
    CurrentActor,
    authenticate,
    closed_when_logged_out,
    get_db,
    get_settings,
)
from helpline.services.actor import Actor
from helpline.services.reporting import realtime
from helpline.services.unit_of_work import Database

router = APIRouter(prefix="/realtime", tags=["Real-time"])


def _board(db: Database, actor: Actor, now: datetime) -> dict[str, Any]:
    with db.transaction() as session:
        return realtime.represent(session, actor, now)


@router.get("", summary="Queues and agents now, and today's KPIs so far")
def wallboard(actor: CurrentActor, db: DB) -> dict[str, Any]:
    """Per queue: contacts waiting, longest current wait, its agents by state, and today's KPIs
    (service level, ASA, abandonment... as in docs/metrics.md). Per agent: state, reason and
    seconds in that state."""
    actor.require(*realtime.REALTIME_ROLES)
    return _board(db, actor, db.clock())


@router.websocket("/stream")
async def wallboard_stream(websocket: WebSocket) -> None:
    """Send the wallboard at once, then again after every committed change of the organization.

    Authenticate with ``Authorization: Bearer <key>`` or the session cookie. Changes committed by
    this process arrive at once; those from other nodes within ``HELPLINE_EVENT_POLL_SECONDS``.
    """
    db = get_db(websocket)
    try:
        actor = await run_in_threadpool(authenticate, websocket, db, "GET")
        actor.require(*realtime.REALTIME_ROLES)
    except HelplineError as error:
        await websocket.close(
            code=4401 if "log in" in error.message else 4403, reason=error.message
        )
        return
    await websocket.accept()
    poll = get_settings(websocket).event_poll_seconds
    sent = -1
    try:
        while True:
            if await closed_when_logged_out(websocket, db):
                return
            board = await run_in_threadpool(_board, db, actor, db.clock())
            if board["last_sequence"] != sent:
                await websocket.send_json(board)
                sent = board["last_sequence"]
            await db.notifier.wait(actor.organization_id, poll)
    except WebSocketDisconnect:
        return
