"""ACD operations: agent state and offers, and what agents do with contacts."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, WebSocket, WebSocketDisconnect
from fastapi.concurrency import run_in_threadpool

from helpline.api.case_schemas import ContactContextOut, OfferWithContextOut
from helpline.api.schemas import (
    AgentChoice,
    AgentStateIn,
    AgentStateOut,
    CallbackIn,
    CallbackOut,
    ContactOut,
    TransferIn,
    TransferOut,
    WrapUpIn,
)
from helpline.errors import HelplineError
from helpline.http.bounds import PathId
from helpline.http.deps import (
    DB,
    CurrentActor,
    authenticate,
    closed_when_logged_out,
    get_db,
    get_settings,
)
from helpline.services.acd import commands as acd
from helpline.services.acd.engine_config import from_epoch
from helpline.services.acd.routing import RoutingService, load_agent
from helpline.services.actor import Actor
from helpline.services.conversations import contacts
from helpline.services.conversations.context import context_of
from helpline.services.unit_of_work import Database

router = APIRouter(tags=["ACD"])


def get_routing(request: Request) -> RoutingService:
    """The application's routing service."""
    routing: RoutingService = request.app.state.routing
    return routing


def _contact(db: Database, actor: Actor, contact_id: int) -> dict[str, Any]:
    with db.transaction() as session:
        return contacts.represent_contact(contacts.get_contact(session, actor, contact_id))


def _agent_state(request: Request, db: Database, actor: Actor, agent_id: int) -> AgentStateOut:
    with db.transaction() as session:
        load_agent(session, actor, agent_id)
    view = get_routing(request).agent_view(actor, agent_id)
    return AgentStateOut(
        agent_id=agent_id,
        state=view.state.value,
        status=view.status.value,
        reason=view.reason,
        idle_since=from_epoch(view.idle_since) if view.idle_since > 0 else None,
        contact_ids=[int(c) for c in view.contact_ids],
    )


@router.post("/agents/{agent_id}/state", response_model=AgentStateOut, summary="Change agent state")
def set_agent_state(
    body: AgentStateIn, request: Request, actor: CurrentActor, db: DB, agent_id: PathId
) -> AgentStateOut:
    """Agents set their own state; supervisors may set anyone's. Offers follow at once."""
    acd.set_agent_state(get_routing(request), actor, agent_id, body.state, body.reason)
    return _agent_state(request, db, actor, agent_id)


@router.get("/agents/{agent_id}/state", response_model=AgentStateOut, summary="Agent state now")
def get_agent_state(
    request: Request, actor: CurrentActor, db: DB, agent_id: PathId
) -> AgentStateOut:
    return _agent_state(request, db, actor, agent_id)


def _offers(db: Database, actor: Actor, agent_id: int) -> list[OfferWithContextOut]:
    with db.transaction() as session:
        return [
            OfferWithContextOut(
                contact=ContactOut.model_validate(contacts.represent_contact(offer.contact)),
                expires_at=from_epoch(offer.expires_at),
                context=ContactContextOut.model_validate(context_of(session, offer.contact)),
            )
            for offer in acd.pending_offers(session, actor, agent_id)
        ]


@router.get(
    "/agents/{agent_id}/offers",
    response_model=list[OfferWithContextOut],
    summary="Pending offers, each with the customer's context",
)
def get_offers(actor: CurrentActor, db: DB, agent_id: PathId) -> list[OfferWithContextOut]:
    """Each offer carries the customer's recent contacts, open cases and what the IVR or pre-chat
    form collected, so the customer never repeats their story."""
    return _offers(db, actor, agent_id)


@router.websocket("/agents/{agent_id}/offers/stream")
async def stream_offers(websocket: WebSocket, agent_id: PathId) -> None:
    """Push each new offer to the agent the moment it is made (and the pending ones on connect)."""
    db = get_db(websocket)
    try:
        actor = await run_in_threadpool(authenticate, websocket, db, "GET")
        await run_in_threadpool(_offers, db, actor, agent_id)
    except HelplineError as error:
        await websocket.close(code=4403, reason=error.message)
        return
    await websocket.accept()
    poll = get_settings(websocket).event_poll_seconds
    sent: set[tuple[int, float]] = set()
    try:
        while True:
            if await closed_when_logged_out(websocket, db):  # revoked, deactivated: disconnected
                return
            offers = await run_in_threadpool(_offers, db, actor, agent_id)
            for offer in offers:
                key = (offer.contact.id, offer.expires_at.timestamp())
                if key not in sent:
                    sent.add(key)
                    await websocket.send_text(offer.model_dump_json())
            await db.notifier.wait(actor.organization_id, poll)
    except WebSocketDisconnect:
        return


def _contact_action(path: str, summary: str, action: Any) -> None:
    @router.post(f"/contacts/{{contact_id}}/{path}", response_model=ContactOut, summary=summary)
    def handler(
        request: Request, actor: CurrentActor, db: DB, contact_id: PathId
    ) -> dict[str, Any]:
        action(get_routing(request), actor, contact_id)
        return _contact(db, actor, contact_id)

    handler.__name__ = f"contact_{path.replace('-', '_').replace('/', '_')}"


@router.post("/contacts/{contact_id}/accept", response_model=ContactOut, summary="Accept an offer")
def accept(
    request: Request,
    actor: CurrentActor,
    db: DB,
    contact_id: PathId,
    body: AgentChoice | None = None,
) -> dict[str, Any]:
    """Exactly one accept wins; a stale or someone else's offer is a 409."""
    acd.accept_offer(get_routing(request), actor, contact_id, body.agent_id if body else None)
    return _contact(db, actor, contact_id)


@router.post("/contacts/{contact_id}/reject", response_model=ContactOut, summary="Reject an offer")
def reject(
    request: Request,
    actor: CurrentActor,
    db: DB,
    contact_id: PathId,
    body: AgentChoice | None = None,
) -> dict[str, Any]:
    """The contact returns to the head of its place; the agent goes not-ready (missed)."""
    acd.reject_offer(get_routing(request), actor, contact_id, body.agent_id if body else None)
    return _contact(db, actor, contact_id)


_contact_action("hold", "Put the customer on hold", acd.hold)
_contact_action("resume", "Take the customer off hold", acd.resume)
_contact_action("end", "End the conversation (after-contact work starts)", acd.end)
_contact_action("close", "Close the contact now", acd.close)
_contact_action("abandon", "The customer left while waiting", acd.abandon)
_contact_action("consult/complete", "Complete a warm transfer", acd.complete_consult)
_contact_action("consult/cancel", "Cancel a warm transfer", acd.cancel_consult)


@router.post("/contacts/{contact_id}/transfer", response_model=TransferOut, summary="Transfer")
def transfer(
    body: TransferIn, request: Request, actor: CurrentActor, db: DB, contact_id: PathId
) -> TransferOut:
    """Blind transfer to a queue or an agent, or start a consult (warm) transfer."""
    leg = acd.transfer(
        get_routing(request),
        actor,
        contact_id,
        queue_id=body.queue_id,
        agent_id=body.agent_id,
        mode=body.mode,
    )
    return TransferOut(
        contact=ContactOut.model_validate(_contact(db, actor, contact_id)), consult_contact_id=leg
    )


@router.post("/contacts/{contact_id}/wrap-up", response_model=ContactOut, summary="Wrap up")
def wrap_up(
    body: WrapUpIn, request: Request, actor: CurrentActor, db: DB, contact_id: PathId
) -> dict[str, Any]:
    """Record the wrap-up code and notes (closes the contact when in after-contact work)."""
    acd.wrap_up(get_routing(request), actor, contact_id, body.wrap_up_code_id, body.notes)
    return _contact(db, actor, contact_id)


@router.post("/contacts/{contact_id}/callback", response_model=CallbackOut, summary="Callback")
def callback(
    request: Request, actor: CurrentActor, contact_id: PathId, body: CallbackIn | None = None
) -> CallbackOut:
    """A queued caller asks to be called back and keeps their place in line."""
    leg = acd.request_callback(
        get_routing(request), actor, contact_id, body.phone if body else None
    )
    return CallbackOut(callback_contact_id=leg)
