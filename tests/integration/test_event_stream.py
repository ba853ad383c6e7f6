"""The WebSocket event stream replays from a sequence number, then follows live."""

from __future__ import annotations

import pytest

from helpline.bootstrap import Database
from tests.factories import create_ok, make_client, make_tenant

pytestmark = pytest.mark.integration


def test_stream_replays_then_follows_new_events(db: Database) -> None:
    client = make_client(db)
    tenant = make_tenant(db)
    create_ok(client, tenant, "teams", {"name": "Early"})
    page = client.get("/api/v1/events?limit=1000", headers=tenant.headers()).json()
    first_sequence = page["events"][0]["sequence"]
    with client.websocket_connect(
        f"/api/v1/events/stream?after={first_sequence}", headers=tenant.headers()
    ) as socket:
        replayed = [socket.receive_json() for _ in range(len(page["events"]) - 1)]
        assert [e["sequence"] for e in replayed] == [e["sequence"] for e in page["events"][1:]]
        create_ok(client, tenant, "teams", {"name": "Live"})
        live = socket.receive_json()
        assert live["type"] == "TeamCreated"
        assert live["payload"]["name"] == "Live"
        assert live["sequence"] == page["last_sequence"] + 1


def test_stream_refuses_missing_credentials(sqlite_db: Database) -> None:
    client = make_client(sqlite_db)
    from starlette.websockets import WebSocketDisconnect

    with (
        pytest.raises(WebSocketDisconnect) as closed,
        client.websocket_connect("/api/v1/events/stream") as socket,
    ):
        socket.receive_json()
    assert closed.value.code == 4401
