"""Intraday re-planning through the REST API: the published forecast, today's contacts so far and
the published schedule, on a controlled clock (Tuesday 2026-12-01, London = UTC in winter)."""

from __future__ import annotations

import pytest

from helpline.bootstrap import Database
from helpline.domain.enums import Role
from tests.factories import schedule_body, tuesday_requirements
from tests.integration.wfm_center import WfmCenter, build_wfm_center

pytestmark = pytest.mark.integration


def published_tuesday(center: WfmCenter) -> None:
    schedule = center.ok(center.post("schedules", schedule_body()), 201)
    center.ok(center.post(f"schedules/{schedule['id']}/publish"))


def test_intraday_re_forecasts_the_rest_of_today_and_suggests_overtime(db: Database) -> None:
    center = build_wfm_center(db)
    forecast_id = center.upload_forecast("2026-11-03T00:00", 28, "2026-12-01T00:00:00Z", 1)
    published_tuesday(center)
    # Eight contacts an hour from 09:00 to 12:00 against five forecast; the agent stays offline.
    for hour in (9, 10, 11):
        for minute in range(0, 60, 7)[:8]:
            center.at(f"2026-12-01T{hour:02d}:{minute:02d}:00+00:00")
            center.ok(
                center.post("contacts", {"channel": "voice", "queue_id": center.queue_id}), 201
            )
    center.at("2026-12-01T12:00:00+00:00")
    plan = center.ok(center.get("intraday", Role.SUPERVISOR, queue_id=center.queue_id))
    assert (plan["forecast_id"], plan["interval_minutes"]) == (forecast_id, 60)
    assert plan["method"] == "scaled published forecast"  # no stored history before today
    intervals = plan["intervals"]
    assert len(intervals) == 24
    assert [i["is_completed"] for i in intervals] == [True] * 12 + [False] * 12
    assert [i["actual"] for i in intervals[9:12]] == [8.0, 8.0, 8.0]
    assert [i["volume"] for i in intervals[9:12]] == [8.0, 8.0, 8.0]
    assert [i["scheduled_agents"] for i in intervals] == [0.0] * 9 + [1.0] * 8 + [0.0] * 7
    for interval in intervals:
        assert interval["gap"] == pytest.approx(
            interval["scheduled_agents"] - interval["required_agents"]
        )
    afternoon = intervals[12:17]
    assert all(i["volume"] > i["forecast"] for i in afternoon)  # today runs busier than forecast
    overtime = [a for a in plan["actions"] if a["action"] == "offer_overtime"]
    assert {a["starts_at"] for a in overtime} == {i["starts_at"] for i in afternoon if i["gap"] < 0}
    assert all(a["starts_at"] >= "2026-12-01T12:00:00Z" for a in plan["actions"])


def test_intraday_needs_a_published_forecast(sqlite_db: Database) -> None:
    center = build_wfm_center(sqlite_db)
    response = center.get("intraday", queue_id=center.queue_id)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "queue_id"


def test_intraday_counts_only_the_agents_scheduled_for_the_queue(sqlite_db: Database) -> None:
    center = build_wfm_center(sqlite_db, agents=2)
    center.upload_forecast("2026-11-03T00:00", 28, "2026-12-01T00:00:00Z", 1)
    support = center.ok(center.post("queues", {"name": "Support", "channel": "voice"}), 201)
    tuesday = tuesday_requirements()
    body = schedule_body(
        requirements=None,
        shifts={
            "templates": [
                {"name": f"{g}_day", "length": "8h", "starts": ["09:00"], "group": g}
                for g in ("sales", "support")
            ]
        },
        groups=[
            {"name": "sales", "queue_id": center.queue_id, "requirements": tuesday},
            {"name": "support", "queue_id": support["id"], "requirements": tuesday},
        ],
    )
    schedule = center.ok(center.post("schedules", body), 201)
    assert len({a["agent_id"] for a in schedule["activities"]}) == 2
    center.ok(center.post(f"schedules/{schedule['id']}/publish"))
    center.at("2026-12-01T12:00:00+00:00")
    plan = center.ok(center.get("intraday", Role.SUPERVISOR, queue_id=center.queue_id))
    scheduled = [i["scheduled_agents"] for i in plan["intervals"]]
    assert scheduled == [0.0] * 9 + [1.0] * 8 + [0.0] * 7
