"""Intraday re-planning through the REST API: the published forecast, today's contacts so far and
the published schedule, on a controlled clock (Tuesday 2026-12-01, London = UTC in winter)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

from helpline.bootstrap import Database
from helpline.domain.enums import Channel, ContactState, Role
from helpline.services.conversations.contacts import NewContact, PastOutcome, record_past_contact
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
    assert (plan["staffing_model"], plan["patience_seconds"]) == ("erlang_c", None)
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


TODAY = datetime.fromisoformat("2026-12-01T00:00:00+00:00")


def record_waits(
    db: Database, center: WfmCenter, abandoned: list[float], answered: list[float]
) -> None:
    """Past voice contacts of the center's queue at 10:00 on the days before today, one a day going
    back: ``abandoned`` hung up after their waits, ``answered`` were answered after theirs."""
    spec = NewContact(channel=Channel.VOICE, queue_id=center.queue_id)
    agent = center.agent_ids[0]
    outcomes = []
    for day, wait in enumerate(abandoned, start=1):
        queued = TODAY - timedelta(days=day) + timedelta(hours=10)
        outcomes.append(
            PastOutcome(queued, ContactState.ABANDONED, queued + timedelta(seconds=wait))
        )
    for day, wait in enumerate(answered, start=1):
        queued = TODAY - timedelta(days=day) + timedelta(hours=11)
        connected = queued + timedelta(seconds=wait)
        outcomes.append(
            PastOutcome(
                queued, ContactState.CLOSED, connected + timedelta(minutes=4), agent, connected
            )
        )
    with db.transaction() as session:
        for outcome in outcomes:
            record_past_contact(session, center.tenant.actor, spec, outcome)


def todays_plan(center: WfmCenter) -> dict[str, Any]:
    """Twelve contacts an hour 09:00-12:00 today, then the plan at 12:00."""
    for hour in (9, 10, 11):
        for minute in range(0, 60, 5):
            center.at(f"2026-12-01T{hour:02d}:{minute:02d}:00+00:00")
            center.ok(
                center.post("contacts", {"channel": "voice", "queue_id": center.queue_id}), 201
            )
    center.at("2026-12-01T12:00:00+00:00")
    plan: dict[str, Any] = center.ok(
        center.get("intraday", Role.SUPERVISOR, queue_id=center.queue_id)
    )
    return plan


def test_intraday_staffs_with_erlang_a_and_the_patience_of_the_queues_history(
    db: Database,
) -> None:
    center = build_wfm_center(db)
    center.upload_forecast("2026-11-03T00:00", 28, "2026-12-01T00:00:00Z", 1)
    published_tuesday(center)
    abandoned = [2.0 + k for k in range(20)]  # 20 observed patiences, 230 s in all
    answered = [3.0] * 30  # 30 waits censored by the answer, 90 s in all
    record_waits(db, center, abandoned, answered)
    # Outside the 8 weeks before today: not counted.
    record_waits_before_window(db, center)
    plan = todays_plan(center)
    assert plan["staffing_model"] == "erlang_a"
    assert (plan["patience_abandonments"], plan["patience_answered"]) == (20, 30)
    # Exponential maximum likelihood: total waiting time / abandonments.
    assert plan["patience_seconds"] == pytest.approx((230.0 + 90.0) / 20)

    # The same morning with no history: Erlang C, which never needs fewer agents.
    other = build_wfm_center(db)
    other.upload_forecast("2026-11-03T00:00", 28, "2026-12-01T00:00:00Z", 1)
    published_tuesday(other)
    erlang_c = todays_plan(other)
    assert erlang_c["staffing_model"] == "erlang_c"
    assert erlang_c["patience_seconds"] is None
    morning_a, morning_c = plan["intervals"][9:12], erlang_c["intervals"][9:12]
    assert [i["volume"] for i in morning_a] == [i["volume"] for i in morning_c] == [12.0] * 3
    for with_patience, without in zip(morning_a, morning_c, strict=True):
        assert with_patience["required_agents"] <= without["required_agents"]
    assert sum(i["required_agents"] for i in morning_a) < sum(
        i["required_agents"] for i in morning_c
    )


def record_waits_before_window(db: Database, center: WfmCenter) -> None:
    """Abandoned contacts 9 weeks before today and today: outside the lookback window."""
    spec = NewContact(channel=Channel.VOICE, queue_id=center.queue_id)
    with db.transaction() as session:
        for queued in (TODAY - timedelta(weeks=9), TODAY + timedelta(hours=1)):
            outcome = PastOutcome(queued, ContactState.ABANDONED, queued + timedelta(seconds=500))
            record_past_contact(session, center.tenant.actor, spec, outcome)


def test_intraday_keeps_erlang_c_with_too_few_abandonments(sqlite_db: Database) -> None:
    center = build_wfm_center(sqlite_db)
    center.upload_forecast("2026-11-03T00:00", 28, "2026-12-01T00:00:00Z", 1)
    published_tuesday(center)
    record_waits(sqlite_db, center, [30.0] * 19, [10.0] * 40)
    plan = todays_plan(center)
    assert (plan["staffing_model"], plan["patience_seconds"]) == ("erlang_c", None)
    assert (plan["patience_abandonments"], plan["patience_answered"]) == (None, None)
