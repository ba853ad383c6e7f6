"""Request dependencies: the database and the authenticated actor."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import Depends, Request
from starlette.requests import HTTPConnection

from helpline.config import Settings
from helpline.errors import AuthenticationFailed, PermissionDenied
from helpline.services.actor import Actor
from helpline.services.identity import organizations
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
    if method not in SAFE_METHODS and not digests_match(
        found.csrf_token, connection.headers.get(CSRF_HEADER, "")
    ):
        raise PermissionDenied(f"missing or wrong {CSRF_HEADER} header for a cookie session")
    return found.actor


def _same_origin(connection: HTTPConnection) -> bool:
    """Whether a browser's ``Origin`` (absent for programs) is the host the request was sent to."""
    origin = connection.headers.get("origin")
    return origin is None or urlsplit(origin).netloc == connection.headers.get("host", "")


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
