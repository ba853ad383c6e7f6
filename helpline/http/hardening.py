"""Web hardening for every HTTP response: security headers (CSP, framing, nosniff, referrer, HSTS)
and a bound on request bodies (413), as one ASGI middleware around the whole application.

Policies (docs/security-web.md):

- app pages, API and the chat endpoints: scripts only from this origin (no inline script, no
  ``eval``), never framed (``frame-ancestors 'none'`` and ``X-Frame-Options: DENY``). Inline
  *styles* stay allowed: the server-rendered matplotlib charts are inline SVG with style attributes.
- ``/docs`` and ``/redoc`` (Swagger UI, ReDoc): their bootstrap script is inline and their assets
  come from the CDN FastAPI points at, so they get a policy of their own, also never framed.
- the chat widget is a script customers embed on their own pages (not a frame): its page's policy is
  the customer's; ``/chat/demo`` embeds it with the app policy plus inline styles.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from pydantic import AfterValidator
from starlette.datastructures import Headers, MutableHeaders
from starlette.exceptions import HTTPException
from starlette.requests import HTTPConnection
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from helpline.config import Settings

APP_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; font-src 'self'; object-src 'none'; "
    "base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
"""Content-Security-Policy of the pages, the API and the chat endpoints."""
_CDN = "https://cdn.jsdelivr.net"
DOCS_POLICY = (
    f"default-src 'self'; script-src 'self' 'unsafe-inline' {_CDN}; "
    f"style-src 'self' 'unsafe-inline' {_CDN} https://fonts.googleapis.com; "
    "img-src 'self' data: https://fastapi.tiangolo.com; font-src 'self' https://fonts.gstatic.com; "
    "connect-src 'self'; worker-src 'self' blob:; object-src 'none'; base-uri 'self'; "
    "frame-ancestors 'none'"
)
"""Content-Security-Policy of the interactive API documentation (inline bootstrap script)."""
DOCS_PATHS = ("/docs", "/redoc")
HSTS = "max-age=31536000; includeSubDomains"
UPLOAD_PATHS = frozenset({"/chat/attachments"})
"""Routes whose body is a file: bounded by ``max_upload_bytes`` instead of ``max_body_bytes``."""


MAX_FREE_FORM_BYTES = 16 * 1024
"""Largest free-form JSON object (contact attributes, IVR data) as compact JSON."""
MAX_FREE_FORM_KEYS = 100


def _bounded_object(value: dict[str, Any]) -> dict[str, Any]:
    if len(value) > MAX_FREE_FORM_KEYS:
        raise ValueError(f"at most {MAX_FREE_FORM_KEYS} keys")
    size = len(json.dumps(value, separators=(",", ":"), default=str).encode())
    if size > MAX_FREE_FORM_BYTES:
        raise ValueError(f"at most {MAX_FREE_FORM_BYTES} bytes as JSON (got {size})")
    return value


BoundedObject = Annotated[dict[str, Any], AfterValidator(_bounded_object)]
"""A free-form JSON object of bounded size: a request field callers fill with their own data."""


def is_https(connection: HTTPConnection | Scope, settings: Settings) -> bool:
    """Whether the client reached us over HTTPS: directly, or through a proxy whose
    ``X-Forwarded-Proto`` header we trust (``HELPLINE_BEHIND_PROXY``)."""
    scope = connection.scope if isinstance(connection, HTTPConnection) else connection
    if scope.get("scheme") in ("https", "wss"):
        return True
    if not settings.behind_proxy:
        return False
    forwarded = Headers(scope=scope).get("x-forwarded-proto", "")
    return forwarded.split(",", 1)[0].strip().lower() == "https"


def security_headers(scope: Scope, settings: Settings) -> dict[str, str]:
    """The security headers of a response to the request ``scope``."""
    path: str = scope.get("path", "")
    docs = any(path == p or path.startswith(p + "/") for p in DOCS_PATHS)
    headers = {
        "Content-Security-Policy": DOCS_POLICY if docs else APP_POLICY,
        "X-Frame-Options": "DENY",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "strict-origin-when-cross-origin",
    }
    if is_https(scope, settings):
        headers["Strict-Transport-Security"] = HSTS
    return headers


def body_limit(path: str, settings: Settings) -> int:
    """The largest request body (bytes) accepted on ``path``."""
    return settings.max_upload_bytes if path in UPLOAD_PATHS else settings.max_body_bytes


def _too_large(limit: int) -> str:
    return f"the request body is larger than the limit of {limit} bytes"


class HardeningMiddleware:
    """Adds :func:`security_headers` to every HTTP response (headers a route set itself win) and
    answers 413 for a body over :func:`body_limit`, declared or streamed."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = security_headers(scope, self.settings)

        async def send_hardened(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in extra.items():
                    headers.setdefault(name, value)
            await send(message)

        limit = body_limit(scope["path"], self.settings)
        declared = Headers(scope=scope).get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            response = JSONResponse({"detail": _too_large(limit)}, status_code=413)
            await response(scope, receive, send_hardened)
            return
        await self.app(scope, _bounded(receive, limit), send_hardened)


def _bounded(receive: Receive, limit: int) -> Receive:
    """``receive`` raising HTTP 413 once the body streamed so far exceeds ``limit`` (a chunked
    body has no Content-Length to refuse up front). Routes see it like any HTTPException."""
    received = 0

    async def bounded_receive() -> Message:
        nonlocal received
        message = await receive()
        if message["type"] == "http.request":
            received += len(message.get("body", b""))
            if received > limit:
                raise HTTPException(413, _too_large(limit))
        return message

    return bounded_receive
