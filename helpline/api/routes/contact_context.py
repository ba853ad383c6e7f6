"""Context travels: what the agent desktop shows about a contact's customer."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from helpline.api.case_schemas import ContactContextOut
from helpline.http.bounds import PathId
from helpline.http.deps import DB, CurrentActor
from helpline.services.conversations.context import RECENT_CONTACTS, contact_context

router = APIRouter(tags=["Contacts"])


@router.get(
    "/contacts/{contact_id}/context",
    response_model=ContactContextOut,
    summary="The customer, recent contacts, open cases and collected data of a contact",
)
def get_context(
    contact_id: PathId,
    actor: CurrentActor,
    db: DB,
    recent: Annotated[int, Query(ge=0, le=50)] = RECENT_CONTACTS,
) -> dict[str, Any]:
    """The same context an offer carries (``GET /agents/{id}/offers`` and its WebSocket stream)."""
    with db.transaction() as session:
        return contact_context(session, actor, contact_id, recent=recent)
