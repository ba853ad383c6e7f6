"""Schedules: generate a week's shifts and roster, publish a version, read an agent's schedule."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Literal

from fastapi import APIRouter, Query

from helpline.api.schemas import ActivityOut, ScheduleIn, ScheduleOut, ScheduleSummaryOut
from helpline.http.bounds import PathId
from helpline.http.deps import DB, CurrentActor, Now
from helpline.services import records
from helpline.services.planning import schedules
from helpline.services.planning.schedule_groups import GroupRequest, StaffingTarget

router = APIRouter(tags=["Schedules"])


def _activity(row: records.ScheduleActivity) -> ActivityOut:
    return ActivityOut(
        agent_id=row.agent_id,
        kind=row.kind,
        template=row.template,
        starts_at=row.starts_at,
        ends_at=row.ends_at,
    )


def _out(detail: schedules.ScheduleDetail) -> ScheduleOut:
    summary = ScheduleSummaryOut.model_validate(detail.schedule, from_attributes=True)
    return ScheduleOut(
        **summary.model_dump(),
        inputs=detail.schedule.inputs,
        coverage=detail.schedule.coverage,
        activities=[_activity(a) for a in detail.activities],
    )


@router.post(
    "/schedules", response_model=ScheduleOut, status_code=201, summary="Generate a schedule"
)
def generate_schedule(body: ScheduleIn, actor: CurrentActor, db: DB) -> ScheduleOut:
    """Schedule a week at minimum cost from the requirements in the body, or from the queue's
    published forecast (staffed with Erlang C, or Erlang A with `patience_seconds`, and shrinkage),
    for one group or several (`groups`), then roster the organization's active agents under their
    rostering profiles, approved time off and skills. The result is a new draft version; when the
    requirement cannot be met, the best schedule comes back with its `shortfalls`."""
    request = schedules.ScheduleRequest(
        week_start=body.week_start,
        shifts=body.shifts.as_written,
        queue_id=body.queue_id,
        name=body.name,
        interval_minutes=body.interval_minutes,
        requirements=body.requirements,
        groups=tuple(
            GroupRequest(g.name, g.queue_id, tuple(g.skill_ids), g.requirements)
            for g in body.groups or ()
        ),
        staffing=StaffingTarget(**body.staffing.model_dump()),
        contract=schedules.ContractRules(**body.contract.model_dump()),
        fairness=schedules.Fairness(**body.fairness.model_dump()),
        time_limit_seconds=body.time_limit_seconds,
        objective=body.objective,
    )
    with db.transaction() as session:
        return _out(schedules.generate_schedule(session, actor, request))


@router.get("/schedules", response_model=list[ScheduleSummaryOut], summary="List schedules")
def list_schedules(
    actor: CurrentActor,
    db: DB,
    week_start: date | None = None,
    status: Literal["draft", "published", "superseded"] | None = None,
    limit: int = Query(50, ge=1, le=500),
) -> list[records.Schedule]:
    """Newest first."""
    with db.transaction() as session:
        return schedules.list_schedules(
            session, actor, week_start=week_start, status=status, limit=limit
        )


@router.get("/schedules/{schedule_id}", response_model=ScheduleOut, summary="Get a schedule")
def get_schedule(actor: CurrentActor, db: DB, schedule_id: PathId) -> ScheduleOut:
    """The schedule with its coverage per interval and its roster."""
    with db.transaction() as session:
        return _out(schedules.schedule_detail(session, actor, schedule_id))


@router.post(
    "/schedules/{schedule_id}/publish",
    response_model=ScheduleSummaryOut,
    summary="Publish a schedule",
)
def publish_schedule(actor: CurrentActor, db: DB, schedule_id: PathId) -> records.Schedule:
    """The published version of a week is what agents see and adherence compares against; the
    week's previously published version is superseded."""
    with db.transaction() as session:
        return schedules.publish_schedule(session, actor, schedule_id)


@router.get(
    "/agents/{agent_id}/schedule",
    response_model=list[ActivityOut],
    summary="An agent's published schedule",
)
def agent_schedule(
    actor: CurrentActor,
    db: DB,
    now: Now,
    agent_id: PathId,
    starts_at: datetime | None = Query(None, alias="from", description="Default: now"),
    ends_at: datetime | None = Query(None, alias="to", description="Default: 7 days after from"),
) -> list[ActivityOut]:
    """Published activities overlapping `[from, to)` (at most 42 days)."""
    begin = starts_at or now
    end = ends_at or begin + timedelta(days=7)
    with db.transaction() as session:
        rows = schedules.agent_schedule(session, actor, agent_id, begin, end)
        return [_activity(row) for row in rows]
