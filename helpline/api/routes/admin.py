"""The caller's organization, its users and API keys (admins only for changes)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from helpline.api.account_schemas import LoginPolicyBody, PasswordResetIn, SessionOut, UserPatch
from helpline.api.routes.acd import get_routing
from helpline.api.routes.me import sessions_out
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
from helpline.services.identity import accounts, organizations, passwords, two_factor
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


@router.patch("/users/{user_id}", response_model=UserOut, summary="Deactivate or reactivate a user")
def update_user(
    body: UserPatch, request: Request, actor: CurrentActor, db: DB, user_id: PathId
) -> User:
    """``active: false`` ends all the user's sessions at once (their agent desk disconnects), takes
    their agents offline (routing offers them nothing) and refuses their logins like a wrong
    password; ``active: true`` lets them log in again (their agents stay offline until they go
    available). API keys belong to the organization, not to a user: none are revoked."""
    if body.active is None:
        with db.read() as session:
            return accounts.user(session, actor, user_id)
    return accounts.set_user_active(db, get_routing(request), actor, user_id, body.active)


@router.post("/users/{user_id}/password", status_code=204, summary="Reset a user's password")
def reset_password(body: PasswordResetIn, actor: CurrentActor, db: DB, user_id: PathId) -> Response:
    """Set a new password (it must follow the password rules); the user's sessions end and a
    lockout of the account is lifted."""
    with db.transaction() as session:
        passwords.reset_password(session, actor, user_id, body.new_password)
    return Response(status_code=204)


@router.get(
    "/users/{user_id}/sessions", response_model=list[SessionOut], summary="A user's sessions"
)
def list_user_sessions(
    request: Request, actor: CurrentActor, db: DB, user_id: PathId
) -> list[SessionOut]:
    with db.read() as session:
        return sessions_out(request, accounts.user_sessions(session, actor, user_id))


@router.delete(
    "/users/{user_id}/sessions/{session_id}", status_code=204, summary="End a user's session"
)
def revoke_user_session(
    actor: CurrentActor, db: DB, user_id: PathId, session_id: PathId
) -> Response:
    with db.transaction() as session:
        accounts.revoke_user_session(session, actor, user_id, session_id)
    return Response(status_code=204)


@router.delete(
    "/users/{user_id}/totp", response_model=UserOut, summary="Turn a user's two-factor login off"
)
def reset_two_factor(actor: CurrentActor, db: DB, user_id: PathId) -> User:
    """For a user who lost their authenticator and recovery codes; if their role requires two
    factors they set up a new authenticator at their next login."""
    with db.transaction() as session:
        return two_factor.reset_for_user(session, actor, user_id)


@router.get(
    "/organization/login-policy", response_model=LoginPolicyBody, summary="The login policy"
)
def get_login_policy(actor: CurrentActor, db: DB) -> LoginPolicyBody:
    with db.read() as session:
        return LoginPolicyBody(
            two_factor_roles=sorted(accounts.two_factor_roles(session, actor), key=str)
        )


@router.put(
    "/organization/login-policy", response_model=LoginPolicyBody, summary="Set the login policy"
)
def set_login_policy(body: LoginPolicyBody, actor: CurrentActor, db: DB) -> LoginPolicyBody:
    """Which roles must use two-factor authentication; their users without it set it up at their
    next login (sessions already open stay open)."""
    with db.transaction() as session:
        roles = accounts.set_two_factor_roles(session, actor, body.two_factor_roles)
    return LoginPolicyBody(two_factor_roles=sorted(roles, key=str))
