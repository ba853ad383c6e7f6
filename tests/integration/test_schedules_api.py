"""Schedules through the REST API on both backends: generate, version, publish, read the roster."""

from __future__ import annotations

import pytest

from helpline.bootstrap import Database
from helpline.domain.enums import Role
from tests.factories import schedule_body, tuesday_requirements
from tests.integration.wfm_center import build_wfm_center

pytestmark = pytest.mark.integration
WEEK = {"from": "2026-11-30T00:00:00Z", "to": "2026-12-07T00:00:00Z"}


def test_generated_schedule_rosters_the_agent_and_publishing_supersedes_the_previous_version(
    db: Database,
) -> None:
    center = build_wfm_center(db)
    [agent] = center.agent_ids
    first = center.ok(center.post("schedules", schedule_body(name="v1")), 201)
    assert (first["version"], first["status"], first["week_start"]) == (1, "draft", "2026-11-30")
    summary = first["summary"]
    assert (summary["shifts"], summary["paid_hours"], summary["understaffed_intervals"]) == (
        1,
        8,
        0,
    )
    assert summary["lp_bound"] == pytest.approx(8.0)
    assert summary["roster"]["agents_rostered"] == 1
    assert summary["roster"]["unfilled_shifts"] == 0
    assert first["activities"] == [
        {
            "agent_id": agent,
            "kind": "work",
            "template": "day",
            "starts_at": "2026-12-01T09:00:00Z",
            "ends_at": "2026-12-01T17:00:00Z",
        }
    ]
    assert len(first["coverage"]["required"]) == 168
    assert first["coverage"]["scheduled"][24 + 9 : 24 + 17] == [1.0] * 8

    # Drafts are not anyone's schedule yet.
    assert center.ok(center.get(f"agents/{agent}/schedule", **WEEK)) == []
    second = center.ok(center.post("schedules", schedule_body(name="v2")), 201)
    assert second["version"] == 2
    center.ok(center.post(f"schedules/{first['id']}/publish"))
    published = center.ok(center.post(f"schedules/{second['id']}/publish"))
    assert published["status"] == "published"
    statuses = {s["id"]: s["status"] for s in center.ok(center.get("schedules"))}
    assert statuses == {first["id"]: "superseded", second["id"]: "published"}
    [activity] = center.ok(center.get(f"agents/{agent}/schedule", **WEEK))
    assert activity["starts_at"] == "2026-12-01T09:00:00Z"
    fetched = center.ok(center.get(f"schedules/{second['id']}", Role.SUPERVISOR))
    assert fetched["activities"] == second["activities"]


def test_breaks_become_their_own_activities(db: Database) -> None:
    center = build_wfm_center(db)
    shifts = {
        "templates": [
            {
                "name": "day",
                "length": "9h",
                "starts": ["09:00"],
                "days": ["tue"],
                "breaks": [
                    {"name": "lunch", "duration": "1h", "paid": False, "window": ["4h", "4h"]}
                ],
            }
        ]
    }
    body = schedule_body(shifts=shifts, requirements=[0.0] * 168)
    schedule = center.ok(center.post("schedules", body), 201)
    assert schedule["summary"]["shifts"] == 0  # nothing required: nothing scheduled
    required = tuesday_requirements()
    required[24 + 13] = 0.0  # nobody needed over lunch
    required[24 + 17] = 1.0
    schedule = center.ok(
        center.post("schedules", schedule_body(shifts=shifts, requirements=required)), 201
    )
    kinds = [
        (a["kind"], a["starts_at"][11:16], a["ends_at"][11:16]) for a in schedule["activities"]
    ]
    assert kinds == [
        ("work", "09:00", "13:00"),
        ("lunch", "13:00", "14:00"),
        ("work", "14:00", "18:00"),
    ]


def test_a_requirement_that_cannot_be_met_returns_the_best_schedule_with_its_shortfalls(
    db: Database,
) -> None:
    center = build_wfm_center(db)
    double = [2 * value for value in tuesday_requirements()]
    capped = {
        "templates": [
            {"name": "day", "length": "8h", "starts": ["09:00"], "days": ["tue"], "max_shifts": 1}
        ]
    }
    schedule = center.ok(
        center.post("schedules", schedule_body(requirements=double, shifts=capped)), 201
    )
    summary = schedule["summary"]
    assert summary["understaffed_intervals"] == 8
    assert [s["starts_at"] for s in summary["shortfalls"]] == [
        f"2026-12-01T{hour:02d}:00:00+00:00" for hour in range(9, 17)
    ]
    assert {s["short_agents"] for s in summary["shortfalls"]} == {1.0}
    # Uncapped, the schedule covers it, but one agent cannot work two shifts: one is unfilled.
    schedule = center.ok(center.post("schedules", schedule_body(requirements=double)), 201)
    assert schedule["summary"]["understaffed_intervals"] == 0
    assert schedule["summary"]["roster"]["unfilled_shifts"] == 1
    assert len(schedule["activities"]) == 1


def test_schedule_from_the_published_forecast_staffs_it_with_erlang(db: Database) -> None:
    center = build_wfm_center(db)
    forecast_id = center.upload_forecast("2026-11-02T00:00", 28, "2026-11-30T00:00:00Z", 7)
    shifts = {
        "templates": [
            {
                "name": "day",
                "length": "8h",
                "starts": {"from": "06:00", "to": "12:00", "every": "1h"},
            }
        ]
    }
    body = {"week_start": "2026-11-30", "queue_id": center.queue_id, "shifts": shifts}
    schedule = center.ok(center.post("schedules", body), 201)
    assert schedule["inputs"]["requirements"] == "forecast"
    assert schedule["inputs"]["forecast_id"] == forecast_id
    assert schedule["interval_minutes"] == 60
    coverage = schedule["coverage"]
    calls, required = coverage["calls"], coverage["required"]
    assert all(r > 0 for c, r in zip(calls, required, strict=True) if c > 0.5)
    assert all(r == 0 for c, r in zip(calls, required, strict=True) if c == 0)
    assert 0 < schedule["summary"]["predicted_service_level"] <= 1
    assert schedule["summary"]["understaffed_intervals"] == 0


def test_supervisors_read_schedules_but_only_planners_change_them(db: Database) -> None:
    center = build_wfm_center(db)
    assert center.post("schedules", schedule_body(), Role.SUPERVISOR).status_code == 403
    schedule = center.ok(center.post("schedules", schedule_body(), Role.WFM_ANALYST), 201)
    assert (
        center.post(f"schedules/{schedule['id']}/publish", role=Role.SUPERVISOR).status_code == 403
    )
    center.ok(center.post(f"schedules/{schedule['id']}/publish", role=Role.MANAGER))
    center.ok(center.get("schedules", Role.SUPERVISOR))
    assert center.get("schedules", Role.AGENT).status_code == 403


def test_service_level_objective_meets_the_weekly_target_for_less(db: Database) -> None:
    center = build_wfm_center(db)
    center.upload_forecast("2026-11-02T00:00", 28, "2026-11-30T00:00:00Z", 7)
    shifts = {
        "templates": [
            {
                "name": "day",
                "length": "4h",
                "starts": {"from": "06:00", "to": "16:00", "every": "1h"},
            }
        ]
    }
    body = {"week_start": "2026-11-30", "queue_id": center.queue_id, "shifts": shifts}
    by_interval = center.ok(center.post("schedules", body), 201)["summary"]
    weekly = center.ok(center.post("schedules", body | {"objective": "service_level"}), 201)
    assert weekly["inputs"]["objective"] == "service_level"
    summary = weekly["summary"]
    assert summary["predicted_service_level"] >= 0.8 - 1e-6
    assert summary["paid_hours"] <= by_interval["paid_hours"]
    response = center.post("schedules", schedule_body(objective="service_level"))
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "objective"


def test_agents_read_their_own_published_schedule_only(sqlite_db: Database) -> None:
    center = build_wfm_center(sqlite_db, agents=2)
    schedule = center.ok(center.post("schedules", schedule_body()), 201)
    center.ok(center.post(f"schedules/{schedule['id']}/publish"))
    [rostered] = {a["agent_id"] for a in schedule["activities"]}
    other = next(a for a in center.agent_ids if a != rostered)
    email = center.agent_emails[center.agent_ids.index(rostered)]
    login = center.client.post(
        "/api/v1/auth/login", json={"email": email, "password": "agent-password"}
    )
    assert login.status_code == 200, login.text
    own = center.client.get(f"/api/v1/agents/{rostered}/schedule", params=WEEK)
    assert [a["kind"] for a in own.json()] == ["work"]
    assert center.client.get(f"/api/v1/agents/{other}/schedule", params=WEEK).status_code == 403
    assert center.client.get("/api/v1/schedules").status_code == 403
