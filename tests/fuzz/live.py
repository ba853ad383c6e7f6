"""A live Helpline server to fuzz: Demo Bank on a fresh database, served by uvicorn on a free port of
127.0.0.1, with an API key per role, an SMTP sink for the outbox and a count of the 5xx it answered.

``python -m tests.fuzz.live [DATABASE_URL]`` serves one and prints its URL and keys (for running
``schemathesis`` by hand against it); ``tests/fuzz/test_fuzz_api.py`` is the ``make fuzz`` stage.
"""

from __future__ import annotations

import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime

import uvicorn
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from helpline.asgi import create_app
from helpline.bootstrap import open_database
from helpline.config import Settings
from helpline.demo.organization import load_demo
from helpline.domain.enums import Role
from helpline.services.actor import system_actor
from helpline.services.identity import organizations
from helpline.storage import migrations
from tests.network import free_port, smtp_sink


@dataclass
class ServerErrors:
    """The 5xx answers a server gave, counted per ``METHOD path``."""

    by_request: Counter[str] = field(default_factory=Counter)

    @property
    def total(self) -> int:
        return sum(self.by_request.values())


class CountServerErrors:
    """ASGI middleware: counts every response with a 5xx status (and every unhandled exception)."""

    def __init__(self, app: ASGIApp, errors: ServerErrors) -> None:
        self.app = app
        self.errors = errors

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        name = f"{scope['method']} {scope['path']}"
        answered = False

        async def counting_send(message: Message) -> None:
            nonlocal answered
            if message["type"] == "http.response.start":
                answered = True
                if message["status"] >= 500:
                    self.errors.by_request[name] += 1
            await send(message)

        try:
            await self.app(scope, receive, counting_send)
        except Exception:
            if not answered:
                self.errors.by_request[name] += 1
            raise


@dataclass(frozen=True)
class FuzzServer:
    """A running server: its URL, an API key per role and the 5xx it answered so far."""

    url: str
    keys: dict[Role, str]
    errors: ServerErrors


def prepare(database_url: str) -> dict[Role, str]:
    """Migrate ``database_url``, load Demo Bank and create an API key per role."""
    db = open_database(Settings(database_url=database_url))
    try:
        migrations.upgrade(db.engine)
        with db.transaction() as session:
            summary = load_demo(session, datetime.now(UTC))
            actor = system_actor(summary.organization_id)
            return {
                role: organizations.create_api_key(
                    session, actor, name=f"fuzz {role}", role=role
                ).key
                for role in Role
            }
    finally:
        db.dispose()


@contextmanager
def fuzz_server(database_url: str) -> Iterator[FuzzServer]:
    """Demo Bank on ``database_url`` (empty) served on a free port, its outbox sent to an SMTP sink."""
    keys = prepare(database_url)
    errors = ServerErrors()
    with smtp_sink() as sink:
        settings = Settings(
            database_url=database_url,
            smtp_port=sink.port,
            event_poll_seconds=0.5,
            outbox_poll_seconds=0.5,
        )
        app = CountServerErrors(create_app(settings), errors)
        port = free_port()
        config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="critical")
        server = uvicorn.Server(config)
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        deadline = time.monotonic() + 30
        while not server.started:
            if time.monotonic() > deadline or not thread.is_alive():
                raise RuntimeError("the fuzzed server did not start")
            time.sleep(0.05)
        try:
            yield FuzzServer(f"http://127.0.0.1:{port}", keys, errors)
        finally:
            server.should_exit = True
            thread.join(timeout=15)


def main() -> None:
    """Serve Demo Bank for fuzzing by hand until interrupted; print the 5xx counts at the end."""
    database_url = sys.argv[1] if len(sys.argv) > 1 else "sqlite:///fuzz.db"
    with fuzz_server(database_url) as server:
        print(server.url, flush=True)
        for role, key in server.keys.items():
            print(f"{role.value} {key}", flush=True)
        try:
            while True:
                time.sleep(1)
        except KeyboardInterrupt:
            pass
        print(f"5xx: {server.errors.total}")
        for name, count in server.errors.by_request.most_common():
            print(f"{count:6d} {name}")


if __name__ == "__main__":
    main()
