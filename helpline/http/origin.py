"""Where each request comes from, for the audit log: a small ASGI middleware that sets the client
address for the request's duration (``services.privacy.audit.request_origin``)."""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

from helpline.services.privacy.audit import request_origin

FORWARDED_FOR = b"x-forwarded-for"


def client_address(scope: Scope, *, behind_proxy: bool) -> str:
    """The client's IP address: the connection's peer, or behind a trusted reverse proxy the last
    ``X-Forwarded-For`` entry (the one the proxy appended; earlier ones the client may have forged)."""
    if behind_proxy:
        headers: list[tuple[bytes, bytes]] = scope.get("headers") or []
        for name, value in headers:
            if name == FORWARDED_FOR:
                last = value.decode("latin-1").split(",")[-1].strip()
                if last:
                    return last[:64]
    client = scope.get("client")
    return str(client[0])[:64] if client else ""


class ClientOriginMiddleware:
    """Records the client address of each HTTP request and WebSocket for the audit log."""

    def __init__(self, app: ASGIApp, *, behind_proxy: bool) -> None:
        """Wrap ``app``; ``behind_proxy`` says whether X-Forwarded-For is to be trusted."""
        self.app = app
        self.behind_proxy = behind_proxy

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        with request_origin(client_address(scope, behind_proxy=self.behind_proxy)):
            await self.app(scope, receive, send)
