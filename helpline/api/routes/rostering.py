"""Per-agent rostering inputs: each agent's rostering profile (contract, availability, preferences)
and time off. Schedule generation rosters agents with them."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response

from helpline.api.rostering_schemas import (
    RosteringProfileIn,
    RosteringProfileOut,
    TimeOffIn,
    TimeOffOut,
)
from helpline.http.bounds import Id, PathId
from helpline.http.deps import DB, CurrentActor
from helpline.services import records
from helpline.services.planning import rostering_inputs

router = APIRouter(tags=["Rostering inputs"])


def _profile_out(view: rostering_inputs.ProfileView) -> RosteringProfileOut:
    return RosteringProfileOut.model_validate(
        {
            **asdict(view.profile),
            "agent_id": view.agent_id,
            "skills": view.skills,
            "is_default": view.is_default,
            "updated_by": view.updated_by,
            "updated_at": view.updated_at,
        }
    )


@router.get(
    "/agents/{agent_id}/rostering-profile",
    response_model=RosteringProfileOut,
    summary="An agent's rostering profile",
)
def get_profile(actor: CurrentActor, db: DB, agent_id: PathId) -> RosteringProfileOut:
    """Contract, weekly availability and preferences (the defaults when none was set), and the
    agent's skills. Agents read their own."""
    with db.transaction() as session:
        return _profile_out(rostering_inputs.get_profile(session, actor, agent_id))


@router.put(
    "/agents/{agent_id}/rostering-profile",
    response_model=RosteringProfileOut,
    summary="Set an agent's rostering profile",
)
def put_profile(
    body: RosteringProfileIn, actor: CurrentActor, db: DB, agent_id: PathId
) -> RosteringProfileOut:
    """Create or replace the profile; generated schedules roster the agent under it."""
    profile = rostering_inputs.RosteringProfile(
        **body.model_dump(exclude={"availability", "preferred_templates", "preferred_days_off"}),
        availability=None
        if body.availability is None
        else tuple(
            rostering_inputs.AvailabilityWindow(**w.model_dump()) for w in body.availability
        ),
        preferred_templates=tuple(body.preferred_templates),
        preferred_days_off=tuple(body.preferred_days_off),
    )
    with db.transaction() as session:
        return _profile_out(rostering_inputs.put_profile(session, actor, agent_id, profile))


@router.delete(
    "/agents/{agent_id}/rostering-profile",
    status_code=204,
    summary="Remove an agent's rostering profile",
)
def delete_profile(actor: CurrentActor, db: DB, agent_id: PathId) -> Response:
    """The agent is rostered under the schedule request's contract again."""
    with db.transaction() as session:
        rostering_inputs.delete_profile(session, actor, agent_id)
    return Response(status_code=204)


@router.post("/time-off", response_model=TimeOffOut, status_code=201, summary="Record time off")
def create_time_off(body: TimeOffIn, actor: CurrentActor, db: DB) -> records.TimeOff:
    """An agent requests their own; planners record requests or approved time off. Approved time
    off keeps rostering from giving the agent shifts that overlap it."""
    with db.transaction() as session:
        return rostering_inputs.create_time_off(
            session, actor, rostering_inputs.NewTimeOff(**body.model_dump())
        )


@router.get("/time-off", response_model=list[TimeOffOut], summary="List time off")
def list_time_off(
    actor: CurrentActor,
    db: DB,
    agent_id: Annotated[Id | None, Query()] = None,
    status: Literal["requested", "approved", "rejected"] | None = None,
    starts_at: datetime | None = Query(None, alias="from"),
    ends_at: datetime | None = Query(None, alias="to"),
) -> list[records.TimeOff]:
    """By start; optionally one agent's, of one status, overlapping `[from, to)`. Agents see
    their own."""
    with db.transaction() as session:
        return rostering_inputs.list_time_off(
            session, actor, agent_id=agent_id, status=status, starts_at=starts_at, ends_at=ends_at
        )


@router.get("/time-off/{time_off_id}", response_model=TimeOffOut, summary="Get time off")
def get_time_off(actor: CurrentActor, db: DB, time_off_id: PathId) -> records.TimeOff:
    with db.transaction() as session:
        return rostering_inputs.get_time_off(session, actor, time_off_id)


@router.post(
    "/time-off/{time_off_id}/approve", response_model=TimeOffOut, summary="Approve time off"
)
def approve_time_off(actor: CurrentActor, db: DB, time_off_id: PathId) -> records.TimeOff:
    with db.transaction() as session:
        return rostering_inputs.decide_time_off(session, actor, time_off_id, "approved")


@router.post("/time-off/{time_off_id}/reject", response_model=TimeOffOut, summary="Reject time off")
def reject_time_off(actor: CurrentActor, db: DB, time_off_id: PathId) -> records.TimeOff:
    with db.transaction() as session:
        return rostering_inputs.decide_time_off(session, actor, time_off_id, "rejected")


@router.delete("/time-off/{time_off_id}", status_code=204, summary="Withdraw time off")
def delete_time_off(actor: CurrentActor, db: DB, time_off_id: PathId) -> Response:
    """Planners withdraw any; an agent withdraws their own request before it is decided."""
    with db.transaction() as session:
        rostering_inputs.delete_time_off(session, actor, time_off_id)
    return Response(status_code=204)
