"""The chat over a real uvicorn server and the ``websockets`` client library, as a browser meets it."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import uvicorn
import websockets

from helpline.asgi import create_app
from helpline.bootstrap import Database
from helpline.config import Settings
from tests.factories import Tenant, make_tenant
from tests.network import free_port

pytestmark = pytest.mark.integration


@pytest.fixture
def served(db: Database) -> Iterator[tuple[str, Tenant]]:
    settings = Settings(database_url=db.engine.url.render_as_string(hide_password=False))
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(settings, db), host="127.0.0.1", port=free_port(), log_level="error"
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.02)
    try:
        yield f"127.0.0.1:{server.config.port}", make_tenant(db)
    finally:
        server.should_exit = True
        thread.join(10)


async def _frame(ws: Any, kind: str) -> dict[str, Any]:
    while True:
        frame: dict[str, Any] = json.loads(await asyncio.wait_for(ws.recv(), 20))
        if frame["type"] == kind:
            return frame


async def _chat(host: str, key: str) -> tuple[int, int, int]:
    url = f"ws://{host}/chat/ws?key={key}"
    async with websockets.connect(url, origin="https://shop.example") as ws:
        await _frame(ws, "hello")
        form = {"name": "Ana", "email": "ana@example.com", "topic": "Refund"}
        await ws.send(json.dumps({"type": "start"} | form))
        token = (await _frame(ws, "session"))["token"]
        await ws.send(json.dumps({"type": "message", "seq": 1, "body": "Where is my refund?"}))
        first = await _frame(ws, "ack")
    async with websockets.connect(url) as ws:  # a new connection resends the same message
        await _frame(ws, "hello")
        await ws.send(json.dumps({"type": "resume", "token": token, "after": first["id"]}))
        await _frame(ws, "session")
        await ws.send(json.dumps({"type": "message", "seq": 1, "body": "Where is my refund?"}))
        again = await _frame(ws, "ack")
    async with websockets.connect(url, origin="https://evil.example") as ws:
        with pytest.raises(websockets.ConnectionClosed) as closed:
            await ws.recv()
    assert closed.value.rcvd is not None
    return first["id"], again["id"], closed.value.rcvd.code


def test_a_browser_like_client_chats_over_a_real_server(served: tuple[str, Tenant]) -> None:
    host, tenant = served
    with httpx.Client(base_url=f"http://{host}", headers=tenant.headers()) as client:
        queue = client.post("/api/v1/queues", json={"name": "Chat", "channel": "chat"}).json()
        widget = client.post(
            "/api/v1/chat-widgets",
            json={
                "name": "W",
                "queue_id": queue["id"],
                "allowed_origins": ["https://shop.example"],
            },
        ).json()
        first, again, code = asyncio.run(_chat(host, widget["public_key"]))
        assert first == again
        assert code == 4403
        (contact,) = client.get("/api/v1/contacts", params={"channel": "chat"}).json()["items"]
        bodies = [
            m["body"] for m in client.get(f"/api/v1/contacts/{contact['id']}/messages").json()
        ]
        assert bodies == ["Refund", "Where is my refund?"]
