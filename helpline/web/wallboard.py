"""The supervisor wallboard (live over the real-time WebSocket) and its drill-down pages."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from helpline.analytics import GroupBy, Interval, bucket_start
from helpline.domain.enums import ContactState
from helpline.errors import NotFound
from helpline.http.bounds import PathId
from helpline.http.deps import get_db, get_now
from helpline.services.acd import configuration as config
from helpline.services.acd import directory
from helpline.services.conversations import contacts
from helpline.services.reporting import realtime, reports
from helpline.web.render import page
from helpline.web.viewer import SUPERVISING, Viewer, current_viewer

router = APIRouter(include_in_schema=False)
PageViewer = Annotated[Viewer, Depends(current_viewer)]

ABANDONMENT_TARGET = 0.05
"""Abandonment above this share of offered contacts shows as breaching on the wallboard."""
HANDLING_STATES = (ContactState.CONNECTED, ContactState.ON_HOLD, ContactState.WRAP_UP)


def queue_targets(request: Request, viewer: Viewer) -> dict[int, dict[str, Any]]:
    """Each queue's service-level target (percent within seconds) and channel, by id."""
    with get_db(request).transaction() as session:
        rows = directory.queues(session, viewer.actor)
    return {
        row.id: {
            "channel": row.channel,
            "service_level": row.service_level_percent / 100,
            "service_level_seconds": row.service_level_seconds,
            "asa_seconds": row.service_level_seconds,
            "abandonment": ABANDONMENT_TARGET,
        }
        for row in rows
    }


def _board(request: Request, viewer: Viewer) -> dict[str, Any]:
    viewer.require(*SUPERVISING)
    with get_db(request).transaction() as session:
        return realtime.represent(session, viewer.actor, get_now(request))


@router.get("/wallboard", response_class=HTMLResponse)
def wallboard(request: Request, viewer: PageViewer) -> HTMLResponse:
    """Queues and agents now; the script keeps it live over ``/api/v1/realtime/stream``."""
    board = _board(request, viewer)
    return page(
        request,
        "wallboard.html",
        viewer,
        wall={
            "board": board,
            "targets": queue_targets(request, viewer),
            "time_zone": viewer.time_zone,
        },
    )


def _today(request: Request, viewer: Viewer, group_by: GroupBy) -> dict[Any, Any]:
    now: datetime = get_now(request)
    midnight = bucket_start(now, Interval.DAY, viewer.zone)
    with get_db(request).transaction() as session:
        report = reports.interval_report(
            session, viewer.actor, midnight, now, Interval.DAY, group_by, fcr_days=0
        )
    return {row.group: row.metrics for row in report.rows}


@router.get("/wallboard/queues/{queue_id}", response_class=HTMLResponse)
def queue_detail(request: Request, viewer: PageViewer, queue_id: PathId) -> HTMLResponse:
    """One queue: its settings, today's KPIs, contacts waiting and the agents who serve it."""
    board = _board(request, viewer)
    with get_db(request).transaction() as session:
        queue = config.represent(
            session, config.QUEUE, config.get_row(session, viewer.actor, config.QUEUE, queue_id)
        )
        waiting = [
            contacts.represent_contact(c)
            for state in (ContactState.QUEUED, ContactState.OFFERED)
            for c in contacts.list_contacts(
                session,
                viewer.actor,
                contacts.ContactFilter(state=state, queue_id=queue_id),
                after_id=0,
                limit=200,
            )
        ]
        serving = directory.agents_serving(session, viewer.actor, queue_id)
    now_row = next((q for q in board["queues"] if q["queue_id"] == queue_id), None)
    agents = [a for a in board["agents"] if a["agent_id"] in serving]
    return page(
        request,
        "queue_detail.html",
        viewer,
        queue=queue,
        now=now_row,
        waiting=sorted(waiting, key=lambda c: c["queued_at"] or c["created_at"]),
        agents=agents,
        target=queue_targets(request, viewer).get(queue_id),
        at=get_now(request),
    )


@router.get("/wallboard/agents/{agent_id}", response_class=HTMLResponse)
def agent_detail(request: Request, viewer: PageViewer, agent_id: PathId) -> HTMLResponse:
    """One agent: state and time in it, contacts in hand, and today's KPIs."""
    board = _board(request, viewer)
    with get_db(request).transaction() as session:
        agent = config.represent(
            session, config.AGENT, config.get_row(session, viewer.actor, config.AGENT, agent_id)
        )
        team = directory.team_name(session, viewer.actor, agent["team_id"])
        in_hand = [
            contacts.represent_contact(c)
            for state in HANDLING_STATES
            for c in contacts.list_contacts(
                session,
                viewer.actor,
                contacts.ContactFilter(state=state, agent_id=agent_id),
                after_id=0,
                limit=50,
            )
        ]
        queue_names = directory.queue_names(session, viewer.actor)
    state = next((a for a in board["agents"] if a["agent_id"] == agent_id), None)
    if agent is None:  # pragma: no cover - get_row raises first
        raise NotFound(f"agent {agent_id} not found")
    return page(
        request,
        "agent_detail.html",
        viewer,
        agent=agent,
        team=team,
        state=state,
        in_hand=in_hand,
        queue_names=queue_names,
        today=_today(request, viewer, GroupBy.AGENT).get(agent_id),
    )
