"""Login sessions for the browser: log in (with an optional TOTP second step), log out, who am I."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse

from helpline.api.account_schemas import (
    ChallengeIn,
    LoginCodeIn,
    LoginOut,
    SecondStepOut,
    TotpEnrolmentOut,
)
from helpline.api.schemas import LoginIn, OrganizationOut, UserOut
from helpline.errors import AuthenticationFailed, TooManyAttempts
from helpline.http.deps import (
    DB,
    SESSION_COOKIE,
    CurrentActor,
    get_settings,
    login_client,
    login_limits,
)
from helpline.http.hardening import is_https
from helpline.services.identity import login, organizations
from helpline.services.privacy import audit
from helpline.services.records import User

router = APIRouter(prefix="/auth", tags=["Auth"])

REFUSALS: dict[int | str, dict[str, Any]] = {
    401: {"description": "Wrong email or password (the same for an unknown or deactivated user)"},
    429: {"description": "Too many failed logins for this account or address; see Retry-After"},
}


def _opened(request: Request, response: Response, opened: login.LoginSession) -> LoginOut:
    settings = get_settings(request)
    response.set_cookie(
        SESSION_COOKIE,
        opened.token,
        max_age=settings.session_hours * 3600,
        httponly=True,
        samesite="lax",
        secure=is_https(request, settings),
    )
    return LoginOut(
        user=UserOut.model_validate(opened.user, from_attributes=True),
        organization=OrganizationOut.model_validate(opened.organization, from_attributes=True),
        csrf_token=opened.csrf_token,
        recovery_codes=opened.recovery_codes,
    )


@router.post(
    "/login",
    response_model=LoginOut,
    summary="Log in with email and password",
    responses={202: {"model": SecondStepOut, "description": "A TOTP code is due"}, **REFUSALS},
)
def log_in(body: LoginIn, request: Request, response: Response, db: DB) -> Any:
    """Open a session: sets the ``helpline_session`` cookie and returns the CSRF token. A user with
    two-factor authentication (or whose role requires it) gets 202 and a challenge token instead,
    for ``/auth/login/code``."""
    settings = get_settings(request)
    try:
        result = login.log_in(
            db,
            body.email,
            body.password,
            hours=settings.session_hours,
            limits=login_limits(settings),
            client=login_client(request),
        )
    except (AuthenticationFailed, TooManyAttempts):
        audit.record_failed_login(db, body.email)
        raise
    if isinstance(result, login.SecondStep):
        step = SecondStepOut(
            two_factor="enrolment_required" if result.must_enrol else "code_required",
            challenge_token=result.challenge_token,
            expires_at=result.expires_at,
        )
        return JSONResponse(step.model_dump(mode="json"), status_code=202)
    return _opened(request, response, result)


@router.post(
    "/login/enrolment",
    response_model=TotpEnrolmentOut,
    summary="Set up an authenticator during a login that requires one",
    responses={401: {"description": "The challenge expired or is unknown"}},
)
def enrol_during_login(body: ChallengeIn, db: DB) -> TotpEnrolmentOut:
    """For ``enrolment_required``: a new TOTP secret (shown once); confirm it by sending its first
    code to ``/auth/login/code``, which opens the session and returns recovery codes."""
    enrolment = login.enrol_during_login(db, body.challenge_token)
    return TotpEnrolmentOut(secret=enrolment.secret, otpauth_uri=enrolment.otpauth_uri)


@router.post(
    "/login/code",
    response_model=LoginOut,
    summary="Finish a login with a TOTP or recovery code",
    responses=REFUSALS,
)
def log_in_with_code(body: LoginCodeIn, request: Request, response: Response, db: DB) -> LoginOut:
    """The second step: the current code of the authenticator app (or an unused recovery code)."""
    settings = get_settings(request)
    opened = login.complete_login(
        db,
        body.challenge_token,
        body.code,
        hours=settings.session_hours,
        limits=login_limits(settings),
        client=login_client(request),
    )
    return _opened(request, response, opened)


@router.post("/logout", status_code=204, summary="End the browser session")
def logout(request: Request, db: DB) -> Response:
    """Forget the session behind the cookie (safe to call when not logged in)."""
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        with db.transaction() as session:
            organizations.log_out(session, token)
    response = Response(status_code=204)
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.get("/me", response_model=UserOut, summary="The logged-in user")
def me(actor: CurrentActor, db: DB) -> User:
    """The user behind the session (404 for API keys, which have no user)."""
    with db.read() as session:
        return organizations.current_user(session, actor)
