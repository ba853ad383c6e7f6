"""The caller's organization, its users and API keys (admins only for changes)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from helpline.api.schemas import (
    ApiKeyIn,
    ApiKeyOut,
    IssuedApiKeyOut,
    OrganizationOut,
    UserIn,
    UserOut,
)
from helpline.domain.enums import Role
from helpline.http.bounds import Cursor, PathId
from helpline.http.deps import DB, CurrentActor
from helpline.services.identity import organizations
from helpline.services.records import ApiKey, Organization, User

router = APIRouter(tags=["Organization"])


@router.get("/organization", response_model=OrganizationOut, summary="The caller's organization")
def get_organization(actor: CurrentActor, db: DB) -> Organization:
    with db.read() as session:
        return organizations.get_organization(session, actor)


@router.get("/users", response_model=list[UserOut], summary="List users")
def list_users(
    actor: CurrentActor,
    db: DB,
    limit: int = Query(100, ge=1, le=1000),
    offset: Annotated[Cursor, Query()] = 0,
) -> list[User]:
    with db.read() as session:
        return organizations.list_users(session, actor, limit=limit, offset=offset)


@router.post("/users", response_model=UserOut, status_code=201, summary="Create a user")
def create_user(body: UserIn, actor: CurrentActor, db: DB) -> User:
    with db.transaction() as session:
        return organizations.create_user(
            session,
            actor,
            email=body.email,
            display_name=body.display_name,
            role=body.role,
            password=body.password,
        )


@router.get("/api-keys", response_model=list[ApiKeyOut], summary="List API keys")
def list_api_keys(actor: CurrentActor, db: DB) -> list[ApiKey]:
    with db.read() as session:
        return organizations.list_api_keys(session, actor)


@router.post(
    "/api-keys", response_model=IssuedApiKeyOut, status_code=201, summary="Create an API key"
)
def create_api_key(body: ApiKeyIn, actor: CurrentActor, db: DB) -> IssuedApiKeyOut:
    with db.transaction() as session:
        issued = organizations.create_api_key(session, actor, name=body.name, role=body.role)
        return IssuedApiKeyOut(
            id=issued.record.id,
            name=issued.record.name,
            role=Role(issued.record.role),
            created_at=issued.record.created_at,
            revoked_at=None,
            key=issued.key,
        )


@router.delete("/api-keys/{api_key_id}", response_model=ApiKeyOut, summary="Revoke an API key")
def revoke_api_key(actor: CurrentActor, db: DB, api_key_id: PathId) -> ApiKey:
    with db.transaction() as session:
        return organizations.revoke_api_key(session, actor, api_key_id)
