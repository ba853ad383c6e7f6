"""CRUD routes for the configuration resources (teams, skills, agents, queues, routing profiles,
wrap-up codes, email addresses). Each resource gets the same five routes from ``resource_router``."""

# No ``from __future__ import annotations``: FastAPI must see the body models of each closure.

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Response
from pydantic import BaseModel

from helpline.api import schemas
from helpline.http.bounds import Cursor, Id, PathId
from helpline.http.deps import DB, CurrentActor
from helpline.services.acd import configuration as config
from helpline.services.acd.configuration import ResourceKind
from helpline.services.conversations import email_verification


def resource_router(
    kind: ResourceKind,
    path: str,
    id_name: str,
    body_in: type[BaseModel],
    body_out: type[BaseModel],
) -> APIRouter:
    """List, create, read, update (PATCH) and delete routes for one configuration resource."""
    body_patch = schemas.partial(body_in, body_in.__name__.removesuffix("In") + "Patch")
    router = APIRouter(prefix=f"/{path}", tags=[path.replace("-", " ").title()])
    plural = f"{kind.name}s"

    @router.get("", response_model=list[body_out], summary=f"List {plural}")  # type: ignore[valid-type]
    def list_resources(
        actor: CurrentActor,
        db: DB,
        limit: int = Query(100, ge=1, le=1000),
        offset: Annotated[Cursor, Query()] = 0,
    ) -> list[dict[str, Any]]:
        with db.read() as session:
            return config.list_rows(session, actor, kind, limit=limit, offset=offset)

    @router.post("", response_model=body_out, status_code=201, summary=f"Create a {kind.name}")
    def create_resource(body: body_in, actor: CurrentActor, db: DB) -> dict[str, Any]:  # type: ignore[valid-type]
        with db.transaction() as session:
            return config.create(session, actor, kind, body.model_dump(mode="json"))  # type: ignore[attr-defined]

    @router.get(f"/{{{id_name}}}", response_model=body_out, summary=f"Get a {kind.name}")
    def get_resource(
        actor: CurrentActor, db: DB, item_id: Annotated[Id, Path(alias=id_name)]
    ) -> dict[str, Any]:
        with db.read() as session:
            return config.represent(session, kind, config.get_row(session, actor, kind, item_id))

    @router.patch(f"/{{{id_name}}}", response_model=body_out, summary=f"Change a {kind.name}")
    def update_resource(
        body: body_patch,  # type: ignore[valid-type]
        actor: CurrentActor,
        db: DB,
        item_id: Annotated[Id, Path(alias=id_name)],
    ) -> dict[str, Any]:
        values = body.model_dump(mode="json", exclude_unset=True)  # type: ignore[attr-defined]
        with db.transaction() as session:
            return config.update(session, actor, kind, item_id, values)

    @router.delete(f"/{{{id_name}}}", status_code=204, summary=f"Delete a {kind.name}")
    def delete_resource(
        actor: CurrentActor, db: DB, item_id: Annotated[Id, Path(alias=id_name)]
    ) -> Response:
        with db.transaction() as session:
            config.remove(session, actor, kind, item_id)
        return Response(status_code=204)

    return router


email_verification_router = APIRouter(prefix="/email-addresses", tags=["Email Addresses"])


@email_verification_router.post(
    "/{email_address_id}/verification",
    response_model=schemas.EmailAddressOut,
    status_code=202,
    summary="Send a new confirmation link to an unverified email address",
    responses={409: {"description": "The address is already verified"}},
)
def resend_email_verification(
    actor: CurrentActor, db: DB, email_address_id: PathId
) -> dict[str, Any]:
    """Email a new one-time confirmation link to the address (earlier links stop working); its
    mail is routed to this organization once someone reading it confirms."""
    with db.transaction() as session:
        row = email_verification.resend_confirmation(session, actor, email_address_id)
        return config.represent(session, config.EMAIL_ADDRESS, row)


def configuration_routers() -> list[APIRouter]:
    """The routers of every configuration resource."""
    return [
        resource_router(config.TEAM, "teams", "team_id", schemas.TeamIn, schemas.TeamOut),
        resource_router(config.SKILL, "skills", "skill_id", schemas.SkillIn, schemas.SkillOut),
        resource_router(
            config.WRAP_UP_CODE,
            "wrap-up-codes",
            "wrap_up_code_id",
            schemas.WrapUpCodeIn,
            schemas.WrapUpCodeOut,
        ),
        resource_router(config.QUEUE, "queues", "queue_id", schemas.QueueIn, schemas.QueueOut),
        resource_router(
            config.ROUTING_PROFILE,
            "routing-profiles",
            "routing_profile_id",
            schemas.RoutingProfileIn,
            schemas.RoutingProfileOut,
        ),
        resource_router(config.AGENT, "agents", "agent_id", schemas.AgentIn, schemas.AgentOut),
        resource_router(
            config.EMAIL_ADDRESS,
            "email-addresses",
            "email_address_id",
            schemas.EmailAddressIn,
            schemas.EmailAddressOut,
        ),
        email_verification_router,
    ]
