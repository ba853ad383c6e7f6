"""Per-agent rostering inputs through the REST API: profiles and time off are stored, guarded by role,
and schedule generation rosters agents under them (contracts, availability, time off, preferences,
skills of several groups)."""

from __future__ import annotations

from typing import Any

import pytest

from helpline.bootstrap import Database
from helpline.domain.enums import Role
from tests.factories import schedule_body, tuesday_requirements
from tests.integration.wfm_center import WfmCenter, build_wfm_center

pytestmark = pytest.mark.integration


# Profiles below state no minimum hours: a full-timer's default 35 h minimum would leave these
# agents of one- or two-shift weeks out of the roster.
ANY_HOURS = {"min_hours_per_week": 0}


def put(center: WfmCenter, path: str, body: dict[str, Any], role: Role = Role.ADMIN) -> Any:
    return center.client.put(f"/api/v1/{path}", json=body, headers=center.tenant.headers(role))


def agent_headers(center: WfmCenter, number: int) -> dict[str, str]:
    """Log in as agent ``number``: the client keeps the session cookie; send these headers too."""
    response = center.client.post(
        "/api/v1/auth/login",
        json={"email": center.agent_emails[number], "password": "agent-password"},
    )
    assert response.status_code == 200, response.text
    return {"X-CSRF-Token": response.json()["csrf_token"]}


def weekday_requirements() -> list[float]:
    """One agent Monday to Friday 09:00-17:00 (hourly intervals)."""
    required = [0.0] * (7 * 24)
    for day in range(5):
        for hour in range(9, 17):
            required[day * 24 + hour] = 1.0
    return required


def day_shift(days: list[str] | None = None, name: str = "day", group: str = "default") -> Any:
    template: dict[str, Any] = {"name": name, "length": "8h", "starts": ["09:00"], "group": group}
    if days is not None:
        template["days"] = days
    return template


def hours_by_agent(schedule: dict[str, Any]) -> dict[int, float]:
    hours: dict[int, float] = {}
    for line in schedule["summary"]["roster"]["per_agent"]:
        hours[line["agent_id"]] = sum(line["paid_hours"])
    return hours


def test_profile_is_stored_read_by_role_and_removed(db: Database) -> None:
    center = build_wfm_center(db, agents=2)
    first, second = center.agent_ids
    default = center.ok(center.get(f"agents/{first}/rostering-profile"))
    assert (default["is_default"], default["max_hours_per_week"], default["skills"]) == (
        True,
        40.0,
        [],
    )
    body = {
        "employment": "part_time",
        "min_hours_per_week": 8,
        "max_hours_per_week": 20,
        "max_days_in_a_row": 3,
        "min_rest_hours": 12,
        "availability": [{"day": "mon", "start": "08:00", "end": "20:00"}],
        "preferred_templates": ["early"],
        "preferred_days_off": ["fri"],
        "avoids_nights": True,
    }
    assert (
        put(center, f"agents/{first}/rostering-profile", body, Role.SUPERVISOR).status_code == 403
    )
    stored = center.ok(put(center, f"agents/{first}/rostering-profile", body, Role.WFM_ANALYST))
    assert stored["is_default"] is False
    assert {key: stored[key] for key in body} == body | {
        "min_hours_per_week": 8.0,
        "max_hours_per_week": 20.0,
        "min_rest_hours": 12.0,
    }
    assert center.ok(center.get(f"agents/{first}/rostering-profile", Role.SUPERVISOR)) == stored
    # Agents read their own profile, not a colleague's.
    mine = center.client.get(
        f"/api/v1/agents/{first}/rostering-profile", headers=agent_headers(center, 0)
    )
    assert mine.status_code == 200
    assert mine.json()["max_hours_per_week"] == 20.0
    theirs = center.client.get(
        f"/api/v1/agents/{second}/rostering-profile", headers=agent_headers(center, 0)
    )
    assert theirs.status_code == 403
    events = center.ok(center.get("events", limit=1000))["events"]
    assert [e["agent_id"] for e in events if e["type"] == "AgentRosteringProfileSet"] == [first]

    deleted = center.client.delete(
        f"/api/v1/agents/{first}/rostering-profile", headers=center.tenant.headers()
    )
    assert deleted.status_code == 204
    assert center.ok(center.get(f"agents/{first}/rostering-profile"))["is_default"] is True
    again = center.client.delete(
        f"/api/v1/agents/{first}/rostering-profile", headers=center.tenant.headers()
    )
    assert again.status_code == 404


def test_agents_request_time_off_and_planners_decide(db: Database) -> None:
    center = build_wfm_center(db, agents=2)
    first, second = center.agent_ids
    mine = agent_headers(center, 0)
    period = {"starts_at": "2026-12-01T00:00:00Z", "ends_at": "2026-12-02T00:00:00Z"}
    request = {"agent_id": first, "reason": "Dentist", **period}
    created = center.client.post("/api/v1/time-off", json=request, headers=mine)
    assert created.status_code == 201, created.text
    assert (created.json()["status"], created.json()["decided_by"]) == ("requested", None)
    self_approved = center.client.post(
        "/api/v1/time-off", json=request | {"status": "approved"}, headers=mine
    )
    assert self_approved.status_code == 422
    for_colleague = center.client.post(
        "/api/v1/time-off", json=request | {"agent_id": second}, headers=mine
    )
    assert for_colleague.status_code == 403
    time_off = created.json()["id"]
    refused = center.client.post(f"/api/v1/time-off/{time_off}/approve", headers=mine)
    assert refused.status_code == 403
    approved = center.ok(center.post(f"time-off/{time_off}/approve", role=Role.WFM_ANALYST))
    assert approved["status"] == "approved"
    assert approved["decided_by"].startswith("apikey:")
    planned = center.ok(
        center.post("time-off", {"agent_id": second, "reason": "Course", **period}, Role.MANAGER),
        201,
    )
    rejected = center.ok(center.post(f"time-off/{planned['id']}/reject", role=Role.MANAGER))
    assert rejected["status"] == "rejected"
    listed = center.ok(center.get("time-off", Role.SUPERVISOR, status="approved"))
    assert [t["id"] for t in listed] == [time_off]
    own = center.client.get("/api/v1/time-off", headers=mine).json()
    assert [t["agent_id"] for t in own] == [first]
    types = [e["type"] for e in center.ok(center.get("events", limit=1000))["events"]]
    assert [t for t in types if t.startswith("TimeOff")] == [
        "TimeOffRequested",
        "TimeOffApproved",
        "TimeOffRequested",
        "TimeOffRejected",
    ]
    withdrawn = center.client.delete(f"/api/v1/time-off/{time_off}", headers=mine)
    assert withdrawn.status_code == 403  # decided: only planners withdraw it now
    assert (
        center.client.delete(
            f"/api/v1/time-off/{time_off}", headers=center.tenant.headers()
        ).status_code
        == 204
    )


def test_rostering_keeps_approved_time_off_and_ignores_requests(db: Database) -> None:
    center = build_wfm_center(db, agents=2)
    first, second = center.agent_ids
    # The first agent prefers the shift: without time off they get it.
    center.ok(
        put(
            center,
            f"agents/{first}/rostering-profile",
            {"preferred_templates": ["day"], **ANY_HOURS},
        )
    )
    schedule = center.ok(center.post("schedules", schedule_body()), 201)
    assert {a["agent_id"] for a in schedule["activities"]} == {first}
    tuesday = {"starts_at": "2026-12-01T00:00:00Z", "ends_at": "2026-12-02T00:00:00Z"}
    requested = center.ok(
        center.post("time-off", {"agent_id": first, "reason": "Away", **tuesday}), 201
    )
    schedule = center.ok(center.post("schedules", schedule_body()), 201)
    assert {a["agent_id"] for a in schedule["activities"]} == {first}
    center.ok(center.post(f"time-off/{requested['id']}/approve"))
    schedule = center.ok(center.post("schedules", schedule_body()), 201)
    assert {a["agent_id"] for a in schedule["activities"]} == {second}


def test_rostering_follows_contracts_availability_and_preferences(db: Database) -> None:
    center = build_wfm_center(db, agents=2)
    first, second = center.agent_ids
    body = schedule_body(requirements=weekday_requirements(), shifts={"templates": [day_shift()]})
    # A part-time contract caps the first agent at 16 hours: the second works the rest.
    part_time = {
        "employment": "part_time",
        "max_hours_per_week": 16,
        "preferred_templates": ["day"],
    }
    center.ok(put(center, f"agents/{first}/rostering-profile", part_time))
    schedule = center.ok(center.post("schedules", body), 201)
    assert schedule["summary"]["roster"]["unfilled_shifts"] == 0
    assert hours_by_agent(schedule) == {first: 16.0, second: 24.0}

    # Available only on Monday and Tuesday mornings, the first agent cannot work 09:00-17:00.
    mornings = [{"day": day, "start": "06:00", "end": "13:00"} for day in ("mon", "tue")]
    center.ok(
        put(center, f"agents/{first}/rostering-profile", {"availability": mornings, **ANY_HOURS})
    )
    schedule = center.ok(center.post("schedules", body), 201)
    assert hours_by_agent(schedule)[first] == 0.0
    assert schedule["summary"]["roster"]["unfilled_shifts"] == 0

    # Preferred shift: of an early and a late shift on Tuesday, each agent gets the one they like.
    shifts = {
        "templates": [
            {"name": "early", "length": "8h", "starts": ["07:00"], "days": ["tue"]},
            {"name": "late", "length": "8h", "starts": ["12:00"], "days": ["tue"]},
        ]
    }
    required = [0.0] * 168
    for hour in range(7, 20):
        required[24 + hour] = 1.0
    center.ok(
        put(
            center,
            f"agents/{first}/rostering-profile",
            {"preferred_templates": ["late"], **ANY_HOURS},
        )
    )
    center.ok(
        put(
            center,
            f"agents/{second}/rostering-profile",
            {"preferred_templates": ["early"], **ANY_HOURS},
        )
    )
    schedule = center.ok(
        center.post("schedules", schedule_body(requirements=required, shifts=shifts)), 201
    )
    templates = {(a["agent_id"], a["template"]) for a in schedule["activities"]}
    assert templates == {(first, "late"), (second, "early")}


def test_several_groups_roster_agents_by_their_skills(db: Database) -> None:
    center = build_wfm_center(db, agents=2)
    first, second = center.agent_ids
    skill = center.ok(center.post("skills", {"name": "billing"}), 201)
    patched = center.client.patch(
        f"/api/v1/agents/{first}",
        json={"skills": [{"skill_id": skill["id"], "proficiency": 3}]},
        headers=center.tenant.headers(),
    )
    assert patched.status_code == 200, patched.text
    # The second agent would rather work billing, but has not the skill.
    center.ok(
        put(
            center,
            f"agents/{second}/rostering-profile",
            {"preferred_templates": ["billing_day"], **ANY_HOURS},
        )
    )
    wednesday = [0.0] * 168
    for hour in range(9, 17):
        wednesday[48 + hour] = 2.0
    body = schedule_body(
        requirements=None,
        shifts={
            "templates": [
                day_shift(["tue"], "billing_day", "billing"),
                day_shift(["wed"], "sales_day", "sales"),
            ]
        },
        groups=[
            {"name": "billing", "skill_ids": [skill["id"]], "requirements": tuesday_requirements()},
            {"name": "sales", "queue_id": center.queue_id, "requirements": wednesday},
        ],
    )
    schedule = center.ok(center.post("schedules", body), 201)
    summary = schedule["summary"]
    assert summary["understaffed_intervals"] == 0
    assert summary["paid_hours"] == 24.0
    assert summary["groups"]["billing"]["scheduled_agent_hours"] == 8.0
    assert summary["groups"]["sales"]["scheduled_agent_hours"] == 16.0
    assert schedule["queue_id"] is None  # the schedule serves several queues
    work = {(a["agent_id"], a["template"]) for a in schedule["activities"]}
    assert work == {(first, "billing_day"), (first, "sales_day"), (second, "sales_day")}
    coverage = schedule["coverage"]
    assert coverage["groups"]["billing"]["scheduled"][24 + 9] == 1.0
    assert coverage["groups"]["sales"]["scheduled"][48 + 9] == 2.0
    assert coverage["required"][48 + 9] == 2.0  # the groups' sum
    assert [g["name"] for g in schedule["inputs"]["groups"]] == ["billing", "sales"]

    # Without anyone skilled for billing, its shift stays unfilled rather than going to anyone.
    center.client.patch(
        f"/api/v1/agents/{first}", json={"skills": []}, headers=center.tenant.headers()
    )
    schedule = center.ok(center.post("schedules", body), 201)
    assert schedule["summary"]["roster"]["unfilled"] == [
        {
            "template": "billing_day",
            "group": "billing",
            "day": 1,
            "start_minutes": 540,
            "missing": 1,
        }
    ]


def test_employment_gives_the_weekly_hours_not_stated(db: Database) -> None:
    center = build_wfm_center(db, agents=1)
    (agent,) = center.agent_ids
    path = f"agents/{agent}/rostering-profile"
    cases = [
        ({"employment": "part_time"}, (0.0, 30.0)),
        ({"employment": "full_time"}, (35.0, 40.0)),
        ({"employment": "full_time", "max_hours_per_week": 30}, (30.0, 30.0)),
        ({"employment": "part_time", "min_hours_per_week": 32}, (32.0, 32.0)),
        ({"employment": "part_time", "min_hours_per_week": 4, "max_hours_per_week": 12}, (4, 12)),
    ]
    for body, hours in cases:
        stored = center.ok(put(center, path, body))
        assert (stored["min_hours_per_week"], stored["max_hours_per_week"]) == hours
        assert center.ok(center.get(path)) == stored


def test_night_fairness_weight_spreads_nights_or_lets_a_preference_gather_them(
    db: Database,
) -> None:
    center = build_wfm_center(db, agents=4)
    fan = center.agent_ids[0]
    center.ok(
        put(
            center,
            f"agents/{fan}/rostering-profile",
            {"preferred_templates": ["night"], **ANY_HOURS},
        )
    )
    required = [0.0] * 168
    for day in range(4):  # one agent 20:00-04:00 on the nights from Monday to Thursday
        for hour in range(20, 28):
            required[day * 24 + hour] = 1.0
    shifts = {
        "templates": [
            {
                "name": "night",
                "length": "8h",
                "starts": ["20:00"],
                "days": ["mon", "tue", "wed", "thu"],
            }
        ]
    }
    body = schedule_body(requirements=required, shifts=shifts)

    def nights(schedule: dict[str, Any]) -> dict[int, int]:
        assert schedule["summary"]["roster"]["is_proven_optimal"] is True
        return {
            a["agent_id"]: a["night_shifts"] for a in schedule["summary"]["roster"]["per_agent"]
        }

    fair = center.ok(center.post("schedules", body), 201)
    assert sorted(nights(fair).values()) == [1, 1, 1, 1]
    off = body | {"fairness": {"night_shifts_squared": 0}}
    gathered = center.ok(center.post("schedules", off), 201)
    assert nights(gathered)[fan] == 4
    assert gathered["inputs"]["fairness"] == {
        "weekend_days_squared": 1.0,
        "night_shifts_squared": 0.0,
    }
