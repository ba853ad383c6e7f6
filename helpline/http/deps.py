"""Request dependencies: the database and the authenticated actor."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import Depends, Request, WebSocket
from starlette.concurrency import run_in_threadpool
from starlette.requests import HTTPConnection

from helpline.config import Settings
from helpline.domain.login_policy import ThrottleLimit
from helpline.errors import AuthenticationFailed, HelplineError, PermissionDenied
from helpline.http import origin
from helpline.services.actor import Actor
from helpline.services.identity import organizations
from helpline.services.identity.login_throttle import Client, LoginLimits
from helpline.services.identity.security import digests_match
from helpline.services.unit_of_work import Database

SESSION_COOKIE = "helpline_session"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def get_db(connection: HTTPConnection) -> Database:
    """The application's database (set up by the HTTP composition root)."""
    db: Database = connection.app.state.db
    return db


def get_settings(connection: HTTPConnection) -> Settings:
    """The application's settings."""
    settings: Settings = connection.app.state.settings
    return settings


def authenticate(connection: HTTPConnection, db: Database, method: str) -> Actor:
    """The actor behind a request or WebSocket: bearer API key, or session cookie plus CSRF token."""
    header = connection.headers.get("authorization", "")
    scheme, _, credentials = header.partition(" ")
    with db.read() as session:
        if scheme.lower() == "bearer" and credentials:
            return organizations.authenticate_api_key(session, credentials.strip())
        if header:
            raise AuthenticationFailed("use 'Authorization: Bearer <API key>'")
        token = connection.cookies.get(SESSION_COOKIE)
        if not token:
            raise AuthenticationFailed("log in or send an API key")
        found = organizations.authenticate_session(session, token)
    if connection.scope["type"] == "websocket" and not _same_origin(connection):
        # WebSockets have no CORS: without this, any page could open a stream with the cookie.
        raise PermissionDenied("a session cookie opens streams only from Helpline's own pages")
    _note_use(connection, db, found)
    if method not in SAFE_METHODS and not digests_match(
        found.csrf_token, connection.headers.get(CSRF_HEADER, "")
    ):
        raise PermissionDenied(f"missing or wrong {CSRF_HEADER} header for a cookie session")
    return found.actor


def _same_origin(connection: HTTPConnection) -> bool:
    """Whether a browser's ``Origin`` (absent for programs) is the host the request was sent to."""
    origin = connection.headers.get("origin")
    return origin is None or urlsplit(origin).netloc == connection.headers.get("host", "")


def _note_use(connection: HTTPConnection, db: Database, found: organizations.SessionActor) -> None:
    """Refresh the session's last use now and then (a write every few minutes, not per request)."""
    last = found.last_used_at
    if last is not None and db.clock() - last < organizations.SESSION_USE_GRANULARITY:
        return
    with db.transaction() as session:
        organizations.note_session_use(session, found.session_id, client_address(connection))


def client_address(connection: HTTPConnection) -> str | None:
    """The address a request comes from: the peer, or behind a trusted proxy (``behind_proxy``)
    the address the proxy saw (the one the audit log records too)."""
    found = origin.client_address(
        connection.scope, behind_proxy=get_settings(connection).behind_proxy
    )
    return found or None


def login_limits(settings: Settings) -> LoginLimits:
    """The failed-login limits of ``settings``."""
    return LoginLimits(
        account=ThrottleLimit(
            settings.login_account_max_failures,
            settings.login_window_seconds,
            settings.login_lockout_seconds,
        ),
        address=ThrottleLimit(
            settings.login_address_max_failures,
            settings.login_window_seconds,
            settings.login_lockout_seconds,
        ),
    )


def login_client(connection: HTTPConnection) -> Client:
    """Where a login comes from: address and user agent."""
    return Client(client_address(connection), connection.headers.get("user-agent"))


async def closed_when_logged_out(websocket: WebSocket, db: Database) -> bool:
    """Check an open WebSocket's credentials again: when they no longer hold (session revoked or
    expired, user deactivated, key revoked), close it with code 4401 and answer True."""
    try:
        await run_in_threadpool(authenticate, websocket, db, "GET")
    except HelplineError as error:
        await websocket.close(code=4401, reason=error.message[:120])
        return True
    return False


def current_actor(request: Request, db: Annotated[Database, Depends(get_db)]) -> Actor:
    """Dependency: the authenticated actor of an HTTP request."""
    return authenticate(request, db, request.method)


def get_now(connection: HTTPConnection) -> datetime:
    """The current time by the clock the database's units of work carry (the wall clock, or the
    tests' controllable one): the one clock of the application."""
    return get_db(connection).clock()


DB = Annotated[Database, Depends(get_db)]
Now = Annotated[datetime, Depends(get_now)]
CurrentActor = Annotated[Actor, Depends(current_actor)]
