"""GET /api/v1/realtime and its WebSocket, driven by the live ACD with a hand-moved clock."""

from __future__ import annotations

from typing import Any

import pytest

from helpline.bootstrap import Database
from helpline.domain.enums import Role
from tests.center import build_center
from tests.factories import make_tenant

pytestmark = pytest.mark.integration


def test_wallboard_shows_waiting_contacts_agent_states_and_today_so_far(db: Database) -> None:
    center = build_center(db)
    first, second = center.agents
    center.available(first)
    handled = center.contact()
    center.tick(1)
    assert center.post(f"contacts/{handled['id']}/accept", {"agent_id": first}).status_code == 200
    center.tick(9)
    waiting = center.contact()
    center.tick(30)
    board = center.get("realtime")
    voice = next(q for q in board["queues"] if q["queue_id"] == center.queues["voice"])
    assert voice["name"] == "Voice"
    assert (voice["waiting"], voice["longest_wait_seconds"]) == (1, 30.0)
    assert voice["agents_by_state"] == {"busy": 1}
    assert (voice["today"]["offered"], voice["today"]["answered"]) == (2, 1)
    assert voice["today"]["asa_seconds"] == pytest.approx(1.0)
    assert voice["today"]["service_level"] == pytest.approx(1.0)
    agents = {a["agent_id"]: a for a in board["agents"]}
    assert (agents[first]["state"], agents[first]["seconds_in_state"]) == ("busy", 39.0)
    assert second not in agents  # never changed state
    assert waiting["id"] != handled["id"]


def _waiting(board: dict[str, Any], queue_id: int) -> int:
    return next(int(q["waiting"]) for q in board["queues"] if q["queue_id"] == queue_id)


def test_wallboard_is_pushed_on_every_change(sqlite_db: Database) -> None:
    center = build_center(sqlite_db)
    headers = center.tenant.headers(Role.SUPERVISOR)
    with center.client.websocket_connect("/api/v1/realtime/stream", headers=headers) as socket:
        before = socket.receive_json()
        center.contact()
        # Creating and queueing commit separately: each commit pushes a board.
        boards = [socket.receive_json()]
        while len(boards) < 5 and not _waiting(boards[-1], center.queues["voice"]):
            boards.append(socket.receive_json())
    assert _waiting(boards[-1], center.queues["voice"]) == 1
    assert [b["last_sequence"] for b in boards] == sorted({b["last_sequence"] for b in boards})
    assert boards[0]["last_sequence"] > before["last_sequence"]


def test_wallboard_is_for_supervisors_of_the_organization_only(sqlite_db: Database) -> None:
    center = build_center(sqlite_db)
    center.contact()
    response = center.client.get("/api/v1/realtime", headers=center.tenant.headers(Role.AGENT))
    assert response.status_code == 403
    other = make_tenant(sqlite_db)
    board = center.client.get("/api/v1/realtime", headers=other.headers()).json()
    assert (board["queues"], board["agents"]) == ([], [])
