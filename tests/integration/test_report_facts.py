"""Reports read stored contact facts; they must equal the pure definitions run on the events.

A live center (real ACD, hand-moved clock) handles holds, after-contact work, wrap-up codes, a
repeat caller, concurrent chats, a blind transfer, an abandon and a callback; every grouping and
interval of the fact path then matches ``analytics.aggregate`` over the same events, and a rebuild
from the events stores the same facts as the ones kept up to date while the events were written.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from helpline.analytics import GroupBy, Interval, Window, aggregate
from helpline.bootstrap import Database
from helpline.services.actor import system_actor
from helpline.services.reporting import reports
from helpline.storage import report_facts
from helpline.storage.tables import ContactReportFact, HandlingSpan, ReportTally
from tests.integration.test_acd_api import Center, build_center

pytestmark = pytest.mark.integration

PHONE = {"customer": {"identities": {"phone": "+44 20 7946 0123"}}}


def ok(response: Any) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()
    return data


def handle(center: Center, agent: int, contact_id: int, talk: float, *, hold: float = 0) -> None:
    ok(center.post(f"contacts/{contact_id}/accept", {"agent_id": agent}))
    if hold:
        ok(center.post(f"contacts/{contact_id}/hold"))
        center.tick(hold)
        ok(center.post(f"contacts/{contact_id}/resume"))
    center.tick(talk)
    ok(center.post(f"contacts/{contact_id}/end"))
    center.tick(10)
    ok(
        center.post(
            f"contacts/{contact_id}/wrap-up", {"wrap_up_code_id": center.wrap_up_code, "notes": ""}
        )
    )


def offered_to(center: Center, contact_id: int) -> int:
    agent: int = center.get(f"contacts/{contact_id}")["agent_id"]
    return agent


def run_day(center: Center) -> None:
    first, second = center.agents
    center.available(first)
    call = center.contact(**PHONE)
    center.tick(4)
    handle(center, first, call["id"], 200, hold=30)
    ok(center.post(f"agents/{first}/state", {"state": "not_ready", "reason": "break"}))
    center.tick(600)
    waiting = center.contact("other")
    center.tick(45)
    ok(center.post(f"contacts/{waiting['id']}/abandon"))
    center.available(first)
    chats = [center.contact("chat"), center.contact("chat")]
    center.tick(5)
    for chat in chats:
        ok(center.post(f"contacts/{chat['id']}/accept", {"agent_id": first}))
    center.tick(400)  # crosses a quarter hour with two chats at once
    for chat in chats:
        ok(center.post(f"contacts/{chat['id']}/close"))
    center.available(first)
    repeat = center.contact(**PHONE)  # the same customer again: c1 is not resolved first time
    center.tick(15)
    ok(center.post(f"contacts/{repeat['id']}/accept", {"agent_id": first}))
    center.tick(60)
    center.available(second)
    ok(center.post(f"contacts/{repeat['id']}/transfer", {"agent_id": second}))
    center.tick(3)
    ok(center.post(f"contacts/{repeat['id']}/accept", {"agent_id": second}))
    center.tick(120)
    ok(center.post(f"contacts/{repeat['id']}/close"))
    for agent in center.agents:
        ok(center.post(f"agents/{agent}/state", {"state": "not_ready", "reason": "break"}))
    queued = center.contact(**PHONE)
    center.tick(12)
    callback = ok(center.post(f"contacts/{queued['id']}/callback", {}))["callback_contact_id"]
    center.tick(900)
    center.available(first)  # takes the callback and is still on it when the report runs
    ok(center.post(f"contacts/{callback}/accept", {"agent_id": first}))
    center.tick(100)


def comparable(rows: list[Any]) -> dict[tuple[str, object], dict[str, Any]]:
    return {
        (row.interval_start.isoformat(), row.group): {
            name: pytest.approx(value) if isinstance(value, float) else value
            for name, value in asdict(row.metrics).items()
        }
        for row in rows
    }


@pytest.fixture
def center(db: Database) -> Center:
    center = build_center(db)
    run_day(center)
    return center


@pytest.mark.parametrize("group_by", list(GroupBy))
@pytest.mark.parametrize("interval", [Interval.MINUTES_15, Interval.DAY])
def test_fact_reports_equal_the_definitions_over_the_events(
    db: Database, center: Center, group_by: GroupBy, interval: Interval
) -> None:
    actor = system_actor(center.tenant.organization_id)
    start = center.clock.now.replace(hour=0, minute=0, second=0, microsecond=0)
    end = start + timedelta(days=1)
    with db.transaction() as session:
        report = reports.interval_report(session, actor, start, end, interval, group_by)
        events = reports.load_events(session, actor.organization_id, start, end, 7)
        dims = reports.load_dimensions(session, actor.organization_id, 7)
    window = Window(start, end, interval, ZoneInfo("Europe/London"))
    expected = aggregate(events, dims, window, group_by)
    assert comparable(report.rows) == comparable(expected)
    assert sum(row.metrics.offered for row in report.rows) == 6
    if group_by is GroupBy.NONE:
        totals = [row.metrics for row in report.rows]
        assert any(m.fcr_rate is not None for m in totals)
        assert any(m.occupancy_concurrent is not None for m in totals)


@pytest.mark.parametrize(
    ("until", "offered"), [(timedelta(minutes=14), 1), (timedelta(minutes=15), 4)]
)
def test_window_edges_inside_a_quarter_hour_count_exactly(
    db: Database, center: Center, until: timedelta, offered: int
) -> None:
    actor = system_actor(center.tenant.organization_id)
    noon = center.clock.now.replace(hour=12, minute=0, second=0, microsecond=0)
    start, end = (
        noon - timedelta(minutes=5),
        noon + until,
    )  # then calls at 12:14:04, chats at 12:14:49
    with db.transaction() as session:
        report = reports.interval_report(
            session, actor, start, end, Interval.MINUTES_30, GroupBy.NONE
        )
        events = reports.load_events(session, actor.organization_id, start, end, 7)
        dims = reports.load_dimensions(session, actor.organization_id, 7)
    window = Window(start, end, Interval.MINUTES_30, ZoneInfo("Europe/London"))
    assert comparable(report.rows) == comparable(aggregate(events, dims, window))
    assert sum(row.metrics.offered for row in report.rows) == offered


def _rounded(row: Any) -> tuple[Any, ...]:
    return tuple(round(value, 6) if isinstance(value, float) else value for value in row)


def stored(db: Database, organization_id: int) -> tuple[list[Any], ...]:
    """The organization's facts, spans and (non-empty) rollup rows."""
    with db.transaction() as session:
        facts = session.execute(
            select(ContactReportFact.__table__)
            .where(ContactReportFact.organization_id == organization_id)
            .order_by(ContactReportFact.contact_id)
        ).all()
        spans = session.execute(
            select(
                HandlingSpan.contact_id,
                HandlingSpan.agent_id,
                HandlingSpan.started_at_us,
                HandlingSpan.ended_at_us,
            )
            .where(HandlingSpan.organization_id == organization_id)
            .order_by(HandlingSpan.contact_id, HandlingSpan.started_at_us)
        ).all()
        rollup = session.execute(
            select(ReportTally.__table__)
            .where(ReportTally.organization_id == organization_id, ReportTally.attributions > 0)
            .order_by(ReportTally.dimension, ReportTally.group_key, ReportTally.grain_start_us)
        ).all()
    return (
        [_rounded(row) for row in facts],
        [tuple(row) for row in spans],
        [_rounded(row) for row in rollup],
    )


def test_rebuild_from_events_stores_the_facts_kept_while_writing(
    db: Database, center: Center
) -> None:
    organization_id = center.tenant.organization_id
    kept = stored(db, organization_id)
    assert len(kept[0]) >= 6
    assert kept[1]
    assert {row[1] for row in kept[2]} == {"queue", "agent", "channel"}
    with db.transaction() as session:
        assert report_facts.rebuild(session, organization_id) == len(kept[0])
    assert stored(db, organization_id) == kept


def test_rebuild_leaves_other_organizations_alone(db: Database, center: Center) -> None:
    other = build_center(db)
    run_day(other)
    before = stored(db, other.tenant.organization_id)
    with db.transaction() as session:
        report_facts.rebuild(session, center.tenant.organization_id)
    assert stored(db, other.tenant.organization_id) == before
    assert isinstance(center.clock.now, datetime)
