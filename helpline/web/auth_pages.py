"""Log in and out of the pages (the session cookie of ``/api/v1/auth``), and the start page."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from helpline.errors import AuthenticationFailed, TooManyAttempts
from helpline.http.deps import SESSION_COOKIE, get_db, get_settings, login_client, login_limits
from helpline.http.hardening import is_https
from helpline.services.identity import login, organizations
from helpline.services.privacy import audit
from helpline.web.render import page
from helpline.web.viewer import (
    CSRF_FIELD,
    LOGIN_CSRF_COOKIE,
    LoginRequired,
    Viewer,
    check_csrf,
    current_viewer,
    new_login_csrf,
)

router = APIRouter(include_in_schema=False)
PageViewer = Annotated[Viewer, Depends(current_viewer)]


def _safe_next(target: str) -> str:
    """Only local paths may follow a login (no open redirect to another site)."""
    return target if target.startswith("/") and not target.startswith("//") else "/"


def _login_form(
    request: Request, *, error: str = "", email: str = "", next_path: str = "/", status: int = 200
) -> HTMLResponse:
    token = new_login_csrf()
    response = page(
        request,
        "login.html",
        None,
        status_code=status,
        error=error,
        email=email,
        next=next_path,
        login_csrf=token,
        demo_hint=get_settings(request).demo_traffic,
    )
    response.set_cookie(
        LOGIN_CSRF_COOKIE,
        token,
        httponly=True,
        samesite="strict",
        secure=is_https(request, get_settings(request)),
    )
    return response


def _expired_form(
    request: Request, csrf_token: str, *, email: str = "", next_path: str
) -> HTMLResponse | None:
    """The login form again (403) when a login form's double-submit token does not match its
    cookie; None when it does."""
    expected = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if expected and csrf_token == expected:
        return None
    return _login_form(
        request,
        error="The form expired; please log in again.",
        email=email,
        next_path=next_path,
        status=403,
    )


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, next: str = "/") -> HTMLResponse:
    """The login form."""
    return _login_form(request, next_path=_safe_next(next))


@router.post("/login")
def login_submit(
    request: Request,
    email: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/",
    csrf_token: Annotated[str, Form(alias=CSRF_FIELD)] = "",
) -> Response:
    """Check the form's double-submit token and the password; open a session on success."""
    next_path = _safe_next(next)
    expired = _expired_form(request, csrf_token, email=email, next_path=next_path)
    if expired is not None:
        return expired
    settings = get_settings(request)
    try:
        result = login.log_in(
            get_db(request),
            email,
            password,
            hours=settings.session_hours,
            limits=login_limits(settings),
            client=login_client(request),
        )
    except AuthenticationFailed:
        audit.record_failed_login(get_db(request), email)
        return _login_form(
            request, error="Wrong email or password.", email=email, next_path=next_path, status=401
        )
    except TooManyAttempts as error:
        audit.record_failed_login(get_db(request), email)
        return _too_many(request, error, email=email, next_path=next_path)
    if isinstance(result, login.SecondStep):
        return _code_form(request, result.challenge_token, next_path, must_enrol=result.must_enrol)
    return _logged_in(request, result, next_path)


def _too_many(
    request: Request, error: TooManyAttempts, *, email: str, next_path: str
) -> HTMLResponse:
    minutes = max(1, -(-error.retry_after_seconds // 60))
    response = _login_form(
        request,
        error=f"Too many failed logins. Try again in {minutes} minute(s), "
        "or ask an administrator to reset your password.",
        email=email,
        next_path=next_path,
        status=429,
    )
    response.headers["Retry-After"] = str(error.retry_after_seconds)
    return response


def _logged_in(request: Request, opened: login.LoginSession, next_path: str) -> Response:
    settings = get_settings(request)
    if opened.recovery_codes:  # two factors just turned on: show the codes once, then go on
        response: Response = page(
            request,
            "login_code.html",
            None,
            recovery_codes=opened.recovery_codes,
            next=next_path,
            error="",
            enrolment=None,
            challenge_token="",
            login_csrf="",
        )
    else:
        response = RedirectResponse(next_path, status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        opened.token,
        max_age=settings.session_hours * 3600,
        httponly=True,
        samesite="lax",
        secure=is_https(request, settings),
    )
    response.delete_cookie(LOGIN_CSRF_COOKIE)
    return response


def _code_form(
    request: Request,
    challenge_token: str,
    next_path: str,
    *,
    must_enrol: bool,
    error: str = "",
    status: int = 200,
) -> HTMLResponse:
    """The second step's form (with a new authenticator secret when the user must enrol)."""
    enrolment = login.enrol_during_login(get_db(request), challenge_token) if must_enrol else None
    token = new_login_csrf()
    response = page(
        request,
        "login_code.html",
        None,
        status_code=status,
        error=error,
        next=next_path,
        challenge_token=challenge_token,
        enrolment=enrolment,
        recovery_codes=[],
        login_csrf=token,
    )
    response.set_cookie(LOGIN_CSRF_COOKIE, token, httponly=True, samesite="strict")
    return response


@router.post("/login/code")
def login_code_submit(
    request: Request,
    challenge_token: Annotated[str, Form()] = "",
    code: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/",
    enrolling: Annotated[str, Form()] = "",
    csrf_token: Annotated[str, Form(alias=CSRF_FIELD)] = "",
) -> Response:
    """The second step: the authenticator's code (or a recovery code) opens the session."""
    next_path = _safe_next(next)
    expired = _expired_form(request, csrf_token, next_path=next_path)
    if expired is not None:
        return expired
    settings = get_settings(request)
    try:
        opened = login.complete_login(
            get_db(request),
            challenge_token,
            code,
            hours=settings.session_hours,
            limits=login_limits(settings),
            client=login_client(request),
        )
    except TooManyAttempts as error:
        return _too_many(request, error, email="", next_path=next_path)
    except AuthenticationFailed as error:
        if error.message != "wrong code":
            return _login_form(
                request, error="This login expired; please log in again.", next_path=next_path
            )
        # enrolling, the form shows the same pending secret again: the app was set up with it
        return _code_form(
            request,
            challenge_token,
            next_path,
            must_enrol=bool(enrolling),
            error="Wrong code; enter the current code of your authenticator app.",
            status=401,
        )
    return _logged_in(request, opened, next_path)


@router.post("/logout")
def logout_submit(
    request: Request,
    viewer: PageViewer,
    csrf_token: Annotated[str, Form(alias=CSRF_FIELD)] = "",
) -> Response:
    """End the session (the form carries the session's CSRF token)."""
    check_csrf(viewer.csrf_token, csrf_token)
    token = request.cookies.get(SESSION_COOKIE, "")
    with get_db(request).transaction() as session:
        organizations.log_out(session, token)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.get("/")
def home(request: Request) -> Response:
    """Logged in: the viewer's landing page for their role; otherwise the login form."""
    try:
        viewer = current_viewer(request)
    except LoginRequired:
        return RedirectResponse("/login", status_code=303)
    return RedirectResponse(viewer.home(), status_code=303)


@router.get("/account", response_class=HTMLResponse)
def account(request: Request, viewer: PageViewer) -> HTMLResponse:
    """For roles without pages of their own."""
    return page(request, "account.html", viewer)


def login_redirect(request: Request) -> RedirectResponse:
    """Send a request without a session to the login form, coming back here afterwards."""
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/login?next={quote(target)}", status_code=303)
