"""A real HTTP server standing in for an SMS/social provider: keeps every request, fails on demand."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from tests.network import free_port


@dataclass(frozen=True)
class ReceivedRequest:
    """One request the provider received."""

    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class FakeProvider:
    """What the provider received, and the failures it should answer with next (status codes)."""

    port: int = 0
    requests: list[ReceivedRequest] = field(default_factory=list)
    fail_with: list[int] = field(default_factory=list)
    """Answer the next requests with these statuses, one each, before accepting again."""
    stall_seconds: list[float] = field(default_factory=list)
    """Keep the next requests waiting this long each before answering (a slow provider)."""

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def _handler(provider: FakeProvider) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            provider.requests.append(
                ReceivedRequest(self.path, {k.lower(): v for k, v in self.headers.items()}, body)
            )
            if provider.stall_seconds:
                time.sleep(provider.stall_seconds.pop(0))  # simulating a slow provider
            if provider.fail_with:
                status = provider.fail_with.pop(0)
                answer = {"error": "simulated"}
            else:
                status = 201 if self.path.endswith("/Messages.json") else 200
                number = len(provider.requests)
                answer = {"sid": f"SM{number:032d}", "message_id": f"prov-{number}"}
            data = json.dumps(answer).encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up waiting (a timeout test): nothing to answer

        def log_message(self, format: str, *args: object) -> None:
            """Quiet: tests read ``provider.requests`` instead."""

    return Handler


@contextmanager
def fake_provider() -> Iterator[FakeProvider]:
    """A provider HTTP server (http.server in a thread) on a free port of 127.0.0.1."""
    provider = FakeProvider(port=free_port())
    server = ThreadingHTTPServer(("127.0.0.1", provider.port), _handler(provider))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield provider
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
