"""Canned responses: the configuration routes (managers and supervisors write, members read) and
the rendering of one for a contact, which the agent desk inserts into its reply box."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Query

from helpline.api.routes.configuration import resource_router
from helpline.http import config_schemas as schemas
from helpline.http.bounds import Id, PathId
from helpline.http.deps import DB, CurrentActor
from helpline.services.conversations import canned_responses as canned

router = resource_router(
    canned.CANNED_RESPONSE,
    "canned-responses",
    "canned_response_id",
    schemas.CannedResponseIn,
    schemas.CannedResponseOut,
)


@router.get(
    "/{canned_response_id}/render",
    response_model=schemas.RenderedCannedResponseOut,
    summary="A canned response filled in for a contact",
)
def render_canned_response(
    actor: CurrentActor,
    db: DB,
    canned_response_id: PathId,
    contact_id: Annotated[
        Id | None, Query(description="The contact the reply is for (none: a preview)")
    ] = None,
) -> dict[str, Any]:
    """Placeholders become the contact's customer name, the caller's agent name, the contact's case
    reference and the organization's name; missing ones fall back as documented in
    ``services.conversations.canned_responses``."""
    with db.read() as session:
        rendered = canned.render_canned_response(session, actor, canned_response_id, contact_id)
    return {
        "id": rendered.id,
        "title": rendered.title,
        "text": rendered.text,
        "values": rendered.values,
    }
