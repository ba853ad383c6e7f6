"""The logged-in user's own login settings: password, sessions, two-factor authentication."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from helpline.api.account_schemas import (
    PasswordChangeIn,
    PasswordConfirmIn,
    RecoveryCodesOut,
    SessionOut,
    TotpCodeIn,
    TotpEnrolmentOut,
)
from helpline.http.bounds import PathId
from helpline.http.deps import DB, SESSION_COOKIE, CurrentActor
from helpline.services.identity import accounts, passwords, security, two_factor
from helpline.services.records import UserSession

router = APIRouter(prefix="/me", tags=["Me"])


def sessions_out(request: Request, rows: list[UserSession]) -> list[SessionOut]:
    """Sessions as listed, marking the one the request was made with."""
    current = security.token_digest(request.cookies.get(SESSION_COOKIE, ""))
    return [
        SessionOut.model_validate(
            {
                **SessionOut.model_validate(row, from_attributes=True).model_dump(),
                "is_current": row.token_hash == current,
            }
        )
        for row in rows
    ]


@router.post("/password", status_code=204, summary="Change my password")
def change_password(
    body: PasswordChangeIn, request: Request, actor: CurrentActor, db: DB
) -> Response:
    """The current password confirms the change; the new one must follow the password rules
    (docs/security-login.md). Every other session of the user ends."""
    with db.transaction() as session:
        passwords.change_my_password(
            session,
            actor,
            current_password=body.current_password,
            new_password=body.new_password,
            keep_token=request.cookies.get(SESSION_COOKIE),
        )
    return Response(status_code=204)


@router.get("/sessions", response_model=list[SessionOut], summary="My login sessions")
def list_sessions(request: Request, actor: CurrentActor, db: DB) -> list[SessionOut]:
    with db.read() as session:
        return sessions_out(request, accounts.my_sessions(session, actor))


@router.delete("/sessions/{session_id}", status_code=204, summary="End one of my sessions")
def revoke_session(actor: CurrentActor, db: DB, session_id: PathId) -> Response:
    with db.transaction() as session:
        accounts.revoke_my_session(session, actor, session_id)
    return Response(status_code=204)


@router.post("/totp", response_model=TotpEnrolmentOut, summary="Start two-factor enrolment")
def start_totp(actor: CurrentActor, db: DB) -> TotpEnrolmentOut:
    """A new authenticator secret (shown once); two-factor authentication is on once its first
    code is confirmed at ``/me/totp/confirm``."""
    with db.transaction() as session:
        enrolment = two_factor.start_my_enrolment(session, actor)
    return TotpEnrolmentOut(secret=enrolment.secret, otpauth_uri=enrolment.otpauth_uri)


@router.post(
    "/totp/confirm", response_model=RecoveryCodesOut, summary="Turn two-factor authentication on"
)
def confirm_totp(body: TotpCodeIn, actor: CurrentActor, db: DB) -> RecoveryCodesOut:
    """The first code from the authenticator app; returns ten one-time recovery codes."""
    with db.transaction() as session:
        return RecoveryCodesOut(
            recovery_codes=two_factor.confirm_my_enrolment(session, actor, body.code)
        )


@router.post("/totp/disable", status_code=204, summary="Turn two-factor authentication off")
def disable_totp(body: PasswordConfirmIn, actor: CurrentActor, db: DB) -> Response:
    """The password confirms it; refused (409) when the organization requires two factors for the
    user's role."""
    with db.transaction() as session:
        two_factor.turn_off_mine(session, actor, body.password)
    return Response(status_code=204)
