"""The CTI events API: an external phone system reports its calls and gets the ACD's decisions.

Authenticate with an API key of role supervisor (or admin). See docs/cti-events.md.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request, Response

from helpline.api.channel_schemas import (
    CallAnsweredIn,
    CallEndedIn,
    CallOfferedIn,
    CallOut,
    CallTransferredIn,
    ProviderConnectionIn,
    ProviderConnectionOut,
    VoiceNumberIn,
    VoiceNumberOut,
)
from helpline.api.routes.acd import get_routing
from helpline.api.routes.configuration import resource_router
from helpline.http.deps import DB, CurrentActor
from helpline.services.conversations import cti
from helpline.services.conversations.cti import CallStatus, OfferedCall
from helpline.services.conversations.provider_connections import PROVIDER_CONNECTION, VOICE_NUMBER

router = APIRouter(prefix="/cti/calls", tags=["CTI events"])

CallIdPath = Annotated[str, Path(min_length=1, max_length=150)]


def _out(status: CallStatus) -> CallOut:
    return CallOut.model_validate(
        {
            "call_id": status.call_id,
            "contact": status.contact,
            "decision": status.decision,
            "duplicate": status.duplicate,
        }
    )


@router.post(
    "",
    response_model=CallOut,
    status_code=201,
    summary="Call offered: queue it with the ACD and return its decision",
    responses={200: {"description": "The call was offered before: its current status"}},
)
def call_offered(
    body: CallOfferedIn, request: Request, response: Response, actor: CurrentActor, db: DB
) -> CallOut:
    """Idempotent by ``call_id``. The queue is ``queue_id`` or the one mapped to ``dialed_number``."""
    status = cti.offer_call(
        db,
        get_routing(request),
        actor,
        OfferedCall(
            call_id=body.call_id,
            caller_number=body.caller_number,
            dialed_number=body.dialed_number,
            queue_id=body.queue_id,
            caller_name=body.caller_name,
            ivr=body.ivr,
        ),
    )
    if status.duplicate:
        response.status_code = 200
    return _out(status)


@router.get("/{call_id}", response_model=CallOut, summary="A call's contact and current decision")
def get_call(call_id: CallIdPath, actor: CurrentActor, db: DB) -> CallOut:
    """Poll this while the caller waits: the decision turns to ``ring_agent`` when an agent frees."""
    return _out(cti.call_status(db, actor, call_id))


@router.post("/{call_id}/answered", response_model=CallOut, summary="An agent answered the call")
def call_answered(
    call_id: CallIdPath,
    request: Request,
    actor: CurrentActor,
    db: DB,
    body: CallAnsweredIn | None = None,
) -> CallOut:
    """Accepts the ACD's offer for the ringing agent (or the agent at ``extension``)."""
    body = body or CallAnsweredIn()
    return _out(
        cti.answer_call(
            db,
            get_routing(request),
            actor,
            call_id,
            agent_id=body.agent_id,
            extension=body.extension,
        )
    )


@router.post("/{call_id}/held", response_model=CallOut, summary="The caller was put on hold")
def call_held(call_id: CallIdPath, request: Request, actor: CurrentActor, db: DB) -> CallOut:
    return _out(cti.hold_call(db, get_routing(request), actor, call_id))


@router.post("/{call_id}/resumed", response_model=CallOut, summary="The caller was taken off hold")
def call_resumed(call_id: CallIdPath, request: Request, actor: CurrentActor, db: DB) -> CallOut:
    return _out(cti.resume_call(db, get_routing(request), actor, call_id))


@router.post("/{call_id}/transferred", response_model=CallOut, summary="The call was transferred")
def call_transferred(
    call_id: CallIdPath, body: CallTransferredIn, request: Request, actor: CurrentActor, db: DB
) -> CallOut:
    """To a queue or an agent (routed again), or to an external number (leaves Helpline)."""
    return _out(
        cti.transfer_call(
            db,
            get_routing(request),
            actor,
            call_id,
            queue_id=body.queue_id,
            agent_id=body.agent_id,
            number=body.number,
        )
    )


@router.post("/{call_id}/ended", response_model=CallOut, summary="The call ended")
def call_ended(
    call_id: CallIdPath,
    request: Request,
    actor: CurrentActor,
    db: DB,
    body: CallEndedIn | None = None,
) -> CallOut:
    """Before an answer: abandoned in queue. After: the agent's after-contact work starts."""
    body = body or CallEndedIn()
    return _out(cti.end_call(db, get_routing(request), actor, call_id, ended_by=body.ended_by))


def channel_configuration_routers() -> list[APIRouter]:
    """CRUD of provider connections and voice numbers (configuration resources)."""
    return [
        resource_router(
            PROVIDER_CONNECTION,
            "provider-connections",
            "provider_connection_id",
            ProviderConnectionIn,
            ProviderConnectionOut,
        ),
        resource_router(
            VOICE_NUMBER, "voice-numbers", "voice_number_id", VoiceNumberIn, VoiceNumberOut
        ),
    ]
