"""Schedule adherence: approved exceptions, adherence and conformance reports, who is out now."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response, WebSocket, WebSocketDisconnect
from fastapi.concurrency import run_in_threadpool

from helpline.api.schemas import (
    AdherenceExceptionIn,
    AdherenceExceptionOut,
    AdherenceOut,
    OutOfAdherenceOut,
)
from helpline.errors import HelplineError
from helpline.http.bounds import Id, PathId
from helpline.http.deps import DB, CurrentActor, Now, authenticate, get_db, get_settings
from helpline.services import records
from helpline.services.actor import Actor
from helpline.services.planning import adherence
from helpline.services.planning.plans import READING_ROLES
from helpline.services.unit_of_work import Database

router = APIRouter(tags=["Adherence"])


@router.post(
    "/adherence-exceptions",
    response_model=AdherenceExceptionOut,
    status_code=201,
    summary="Approve an adherence exception",
)
def create_exception(
    body: AdherenceExceptionIn, actor: CurrentActor, db: DB
) -> records.AdherenceException:
    """During the period the agent counts as adherent whatever their state (coaching, outage...)."""
    with db.transaction() as session:
        return adherence.create_exception(
            session, actor, adherence.NewException(**body.model_dump())
        )


@router.get(
    "/adherence-exceptions",
    response_model=list[AdherenceExceptionOut],
    summary="List adherence exceptions",
)
def list_exceptions(
    actor: CurrentActor,
    db: DB,
    agent_id: Annotated[Id | None, Query()] = None,
    starts_at: datetime | None = Query(None, alias="from"),
    ends_at: datetime | None = Query(None, alias="to"),
) -> list[records.AdherenceException]:
    """By start; optionally one agent's, overlapping `[from, to)`."""
    with db.transaction() as session:
        return adherence.list_exceptions(
            session, actor, agent_id=agent_id, starts_at=starts_at, ends_at=ends_at
        )


@router.delete(
    "/adherence-exceptions/{adherence_exception_id}",
    status_code=204,
    summary="Withdraw an adherence exception",
)
def delete_exception(actor: CurrentActor, db: DB, adherence_exception_id: PathId) -> Response:
    with db.transaction() as session:
        adherence.delete_exception(session, actor, adherence_exception_id)
    return Response(status_code=204)


@router.get("/adherence", response_model=list[AdherenceOut], summary="Adherence and conformance")
def adherence_report(
    actor: CurrentActor,
    db: DB,
    starts_at: datetime = Query(alias="from"),
    ends_at: datetime = Query(alias="to"),
    group_by: Literal["agent", "team"] = "agent",
) -> list[AdherenceOut]:
    """Minute by minute against the published schedules over `[from, to)` (at most 31 days); the
    state-to-activity rules are in the README ("Adherence")."""
    with db.transaction() as session:
        lines = adherence.adherence_report(session, actor, starts_at, ends_at, group_by)
    return [
        AdherenceOut(
            agent_id=line.figures.key if group_by == "agent" else None,
            team_id=line.figures.key if group_by == "team" else None,
            name=line.name,
            measured_minutes=line.figures.measured_minutes,
            adherent_minutes=line.figures.adherent_minutes,
            excused_minutes=line.figures.excused_minutes,
            scheduled_work_minutes=line.figures.scheduled_work_minutes,
            worked_minutes=line.figures.worked_minutes,
            adherence_percent=line.figures.adherence_percent,
            conformance_percent=line.figures.conformance_percent,
        )
        for line in lines
    ]


def _out_line(line: adherence.OutOfAdherenceLine) -> OutOfAdherenceOut:
    return OutOfAdherenceOut(
        agent_id=line.item.agent,
        name=line.name,
        team_id=line.team_id,
        expected=line.item.expected.value,
        state=line.item.state,
        reason=line.item.reason,
        since=line.item.since,
        minutes=line.item.minutes,
    )


@router.get(
    "/adherence/now", response_model=list[OutOfAdherenceOut], summary="Agents out of adherence now"
)
def out_of_adherence_now(actor: CurrentActor, db: DB, now: Now) -> list[OutOfAdherenceOut]:
    """Longest first, with since when (looking back at most 12 hours)."""
    with db.transaction() as session:
        lines = adherence.out_of_adherence_now(session, actor, now)
    return [_out_line(line) for line in lines]


def _feed(db: Database, actor: Actor, now: datetime) -> adherence.OutOfAdherenceFeed:
    with db.transaction() as session:
        return adherence.out_of_adherence_feed(session, actor, now)


def _identity(feed: adherence.OutOfAdherenceFeed) -> list[tuple[object, ...]]:
    """The part of the list whose change makes a new message (minutes grow on their own: clients
    count them from ``since``)."""
    return [
        (line.item.agent, line.item.expected, line.item.state, line.item.reason, line.item.since)
        for line in feed.lines
    ]


@router.websocket("/adherence/stream")
async def out_of_adherence_stream(websocket: WebSocket) -> None:
    """Send the agents out of adherence at once, then again after every agent state change, and
    whenever the list changes as the schedule moves on (checked every
    ``HELPLINE_EVENT_POLL_SECONDS``). Each message: ``{"at", "agents": [...]}`` as
    ``GET /adherence/now``, longest first.

    Authenticate with ``Authorization: Bearer <key>`` or the session cookie (supervisors and
    planners).
    """
    db = get_db(websocket)
    try:
        actor = await run_in_threadpool(authenticate, websocket, db, "GET")
        actor.require(*READING_ROLES)
    except HelplineError as error:
        await websocket.close(
            code=4401 if "log in" in error.message else 4403, reason=error.message
        )
        return
    await websocket.accept()
    poll = get_settings(websocket).event_poll_seconds
    sent: tuple[int, list[tuple[object, ...]]] | None = None
    try:
        while True:
            feed = await run_in_threadpool(_feed, db, actor, db.clock())
            current = (feed.last_state_sequence, _identity(feed))
            if current != sent:
                await websocket.send_json(
                    {
                        "at": feed.at.isoformat(),
                        "agents": [_out_line(line).model_dump(mode="json") for line in feed.lines],
                    }
                )
                sent = current
            await db.notifier.wait(actor.organization_id, poll)
    except WebSocketDisconnect:
        return
