"""Adherence through the REST API, with the ACD's state events on a controlled clock.

The schedule: one agent works Tuesday 2026-12-01 09:00-17:00 (UTC, London in winter). The agent logs
in at 09:10, takes an unscheduled break 09:40-09:50, and has an approved exception 09:40-09:45.
"""

from __future__ import annotations

import pytest
from starlette.websockets import WebSocketDisconnect

from helpline.bootstrap import Database
from helpline.domain.enums import Role
from tests.factories import schedule_body
from tests.integration.wfm_center import WfmCenter, build_wfm_center

pytestmark = pytest.mark.integration
HOUR = {"from": "2026-12-01T09:00:00Z", "to": "2026-12-01T10:00:00Z"}


def published_tuesday(center: WfmCenter) -> None:
    schedule = center.ok(center.post("schedules", schedule_body()), 201)
    center.ok(center.post(f"schedules/{schedule['id']}/publish"))


def test_adherence_minute_by_minute_with_an_exception_and_the_now_list(db: Database) -> None:
    center = build_wfm_center(db)
    [agent] = center.agent_ids
    published_tuesday(center)
    center.at("2026-12-01T09:10:00+00:00")
    center.set_state(agent, "available")
    center.at("2026-12-01T09:40:00+00:00")
    center.set_state(agent, "not_ready", "break")
    exception = {
        "agent_id": agent,
        "starts_at": "2026-12-01T09:40:00Z",
        "ends_at": "2026-12-01T09:45:00Z",
        "reason": "Coaching",
    }
    created = center.ok(center.post("adherence-exceptions", exception, Role.WFM_ANALYST), 201)
    assert created["approved_by"].startswith("apikey:")

    center.at("2026-12-01T09:47:00+00:00")
    [late] = center.ok(center.get("adherence/now", Role.SUPERVISOR))
    assert (late["agent_id"], late["expected"], late["state"], late["reason"]) == (
        agent,
        "work",
        "not_ready",
        "break",
    )
    assert (late["since"], late["minutes"]) == ("2026-12-01T09:45:00Z", 2)

    center.at("2026-12-01T09:50:00+00:00")
    center.set_state(agent, "available")
    assert center.ok(center.get("adherence/now")) == []
    center.at("2026-12-01T10:00:00+00:00")
    # Samples 09:00-09:09 offline (10 out), 09:10-09:39 available (30 in), 09:40-09:44 excused (5 in),
    # 09:45-09:49 on break (5 out), 09:50-09:59 available (10 in): 45 of 60. Worked 40, plus 5
    # excused minutes of scheduled work: conformance 45 of 60.
    [line] = center.ok(center.get("adherence", Role.SUPERVISOR, **HOUR))
    assert line == {
        "agent_id": agent,
        "team_id": None,
        "name": "Agent 0",
        "measured_minutes": 60,
        "adherent_minutes": 45,
        "excused_minutes": 5,
        "scheduled_work_minutes": 60,
        "worked_minutes": 40,
        "adherence_percent": 75.0,
        "conformance_percent": 75.0,
    }
    [team] = center.ok(center.get("adherence", group_by="team", **HOUR))
    assert (team["team_id"], team["name"], team["adherence_percent"]) == (
        center.team_id,
        "Red",
        75.0,
    )

    # Withdrawing the exception makes those five minutes count against the agent again.
    listed = center.ok(center.get("adherence-exceptions", agent_id=agent))
    assert [e["id"] for e in listed] == [created["id"]]
    deleted = center.client.delete(
        f"/api/v1/adherence-exceptions/{created['id']}", headers=center.tenant.headers()
    )
    assert deleted.status_code == 204
    [line] = center.ok(center.get("adherence", **HOUR))
    assert line["adherent_minutes"] == 40


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"from": "2026-12-01T10:00:00Z", "to": "2026-12-01T09:00:00Z"}, "to"),
        ({"from": "2026-12-01T09:00:00", "to": "2026-12-01T10:00:00"}, "from"),
        ({"from": "2026-11-01T00:00:00Z", "to": "2026-12-15T00:00:00Z"}, "to"),
        ({**HOUR, "group_by": "queue"}, "group_by"),
    ],
)
def test_bad_adherence_windows_get_422_naming_the_parameter(
    sqlite_db: Database, params: dict[str, str], field: str
) -> None:
    center = build_wfm_center(sqlite_db)
    response = center.get("adherence", **params)
    assert response.status_code == 422, response.text
    assert any(field in map(str, error["loc"]) for error in response.json()["detail"])


def test_out_of_adherence_list_is_pushed_on_every_agent_state_change(sqlite_db: Database) -> None:
    center = build_wfm_center(sqlite_db)
    [agent] = center.agent_ids
    published_tuesday(center)
    center.at("2026-12-01T09:05:00+00:00")
    headers = center.tenant.headers(Role.SUPERVISOR)
    with center.client.websocket_connect("/api/v1/adherence/stream", headers=headers) as socket:
        # Scheduled to work since 09:00 but still offline.
        first = socket.receive_json()
        assert first["at"] == "2026-12-01T09:05:00+00:00"
        [late] = first["agents"]
        assert (late["agent_id"], late["expected"], late["state"]) == (agent, "work", "offline")
        assert (late["since"], late["minutes"]) == ("2026-12-01T09:00:00Z", 5)

        center.at("2026-12-01T09:10:00+00:00")
        center.set_state(agent, "available")
        assert socket.receive_json()["agents"] == []

        center.at("2026-12-01T09:40:00+00:00")
        center.set_state(agent, "not_ready", "break")
        [on_break] = socket.receive_json()["agents"]
        assert (on_break["state"], on_break["reason"], on_break["since"]) == (
            "not_ready",
            "break",
            "2026-12-01T09:40:00Z",
        )
        # Another out-of-adherence state is a change too: pushed with the new state.
        center.at("2026-12-01T09:42:00+00:00")
        center.set_state(agent, "not_ready", "lunch")
        [at_lunch] = socket.receive_json()["agents"]
        assert (at_lunch["reason"], at_lunch["since"]) == ("lunch", "2026-12-01T09:40:00Z")


def test_adherence_stream_is_for_supervisors_and_planners(sqlite_db: Database) -> None:
    center = build_wfm_center(sqlite_db)
    headers = center.tenant.headers(Role.AGENT)
    with (
        pytest.raises(WebSocketDisconnect) as refused,
        center.client.websocket_connect("/api/v1/adherence/stream", headers=headers) as socket,
    ):
        socket.receive_json()
    assert refused.value.code == 4403
