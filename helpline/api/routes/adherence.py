"""Schedule adherence: approved exceptions, adherence and conformance reports, who is out now."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from fastapi import APIRouter, Path, Query, Response

from helpline.api.deps import DB, CurrentActor, Now
from helpline.api.schemas import (
    AdherenceExceptionIn,
    AdherenceExceptionOut,
    AdherenceOut,
    OutOfAdherenceOut,
)
from helpline.services import adherence
from helpline.storage import tables

router = APIRouter(tags=["Adherence"])


@router.post(
    "/adherence-exceptions",
    response_model=AdherenceExceptionOut,
    status_code=201,
    summary="Approve an adherence exception",
)
def create_exception(
    body: AdherenceExceptionIn, actor: CurrentActor, db: DB
) -> tables.AdherenceException:
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
    agent_id: int | None = Query(None, ge=1),
    starts_at: datetime | None = Query(None, alias="from"),
    ends_at: datetime | None = Query(None, alias="to"),
) -> list[tables.AdherenceException]:
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
def delete_exception(actor: CurrentActor, db: DB, adherence_exception_id: int = Path()) -> Response:
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


@router.get(
    "/adherence/now", response_model=list[OutOfAdherenceOut], summary="Agents out of adherence now"
)
def out_of_adherence_now(actor: CurrentActor, db: DB, now: Now) -> list[OutOfAdherenceOut]:
    """Longest first, with since when (looking back at most 12 hours)."""
    with db.transaction() as session:
        lines = adherence.out_of_adherence_now(session, actor, now)
    return [
        OutOfAdherenceOut(
            agent_id=line.item.agent,
            name=line.name,
            team_id=line.team_id,
            expected=line.item.expected.value,
            state=line.item.state,
            reason=line.item.reason,
            since=line.item.since,
            minutes=line.item.minutes,
        )
        for line in lines
    ]
