"""Login sessions for the browser: log in, log out, who am I."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from helpline.api.schemas import LoginIn, LoginOut, OrganizationOut, UserOut
from helpline.errors import AuthenticationFailed
from helpline.http.deps import DB, SESSION_COOKIE, CurrentActor, get_settings
from helpline.http.hardening import is_https
from helpline.services.identity import organizations
from helpline.services.privacy import audit
from helpline.services.records import User

router = APIRouter(prefix="/auth", tags=["Auth"])


@router.post("/login", response_model=LoginOut, summary="Log in with email and password")
def login(body: LoginIn, request: Request, response: Response, db: DB) -> LoginOut:
    """Open a session: sets the ``helpline_session`` cookie and returns the CSRF token."""
    settings = get_settings(request)
    try:
        opened = organizations.log_in(db, body.email, body.password, hours=settings.session_hours)
    except AuthenticationFailed:
        audit.record_failed_login(db, body.email)
        raise
    result = LoginOut(
        user=UserOut.model_validate(opened.user, from_attributes=True),
        organization=OrganizationOut.model_validate(opened.organization, from_attributes=True),
        csrf_token=opened.csrf_token,
    )
    response.set_cookie(
        SESSION_COOKIE,
        opened.token,
        max_age=settings.session_hours * 3600,
        httponly=True,
        samesite="lax",
        secure=is_https(request, settings),
    )
    return result


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
