"""The live demo drives Demo Bank through the real use cases: customers arrive, simulated agents
accept, reply, end and wrap up, and the agent left to the person trying the demo is never touched."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from helpline.bootstrap import open_database
from helpline.config import Settings
from helpline.demo.organization import load_demo
from helpline.demo.traffic import HUMAN_AGENT_EMAILS, DemoTraffic
from helpline.domain.enums import ContactState
from helpline.services.acd.routing import RoutingService
from helpline.storage import migrations
from helpline.storage.tables import Agent, Contact, Event, Message, User
from tests.center import FakeClock

pytestmark = pytest.mark.integration


def test_demo_traffic_runs_a_living_center_through_the_services(tmp_path: Path) -> None:
    db = open_database(Settings(database_url=f"sqlite:///{tmp_path / 'demo.db'}"))
    clock = FakeClock(datetime(2026, 11, 25, 16, 0, tzinfo=UTC))  # 11:00 in New York, a Wednesday
    try:
        migrations.upgrade(db.engine)
        with db.transaction() as session:
            organization_id = load_demo(session, clock()).organization_id
            last_before = session.scalar(
                select(func.max(Event.sequence)).where(Event.organization_id == organization_id)
            )
        started = clock()
        db = db.with_clock(clock)
        routing = RoutingService(db)
        traffic = DemoTraffic(db, routing, seed=3, peak_per_second=0.5)
        assert traffic.start()
        for _ in range(600):
            clock.advance(1.0)
            routing.advance_due()
            traffic.step()
        with db.transaction() as session:
            new = select(Contact).where(
                Contact.organization_id == organization_id,
                Contact.created_at >= started,
            )
            arrived = session.scalars(new).all()
            by_state = {s: sum(1 for c in arrived if c.state == s.value) for s in ContactState}
            channels = {c.channel for c in arrived}
            replies = session.scalar(
                select(func.count())
                .select_from(Message)
                .where(Message.organization_id == organization_id, Message.direction == "outbound")
            )
            human = session.scalar(
                select(Agent.id)
                .join(User, User.id == Agent.user_id)
                .where(User.email.in_(HUMAN_AGENT_EMAILS), Agent.organization_id == organization_id)
            )
            human_events = session.scalar(
                select(func.count())
                .select_from(Event)
                .where(
                    Event.organization_id == organization_id,
                    Event.sequence > last_before,
                    Event.agent_id == human,
                )
            )
            wrapped = [c for c in arrived if c.wrap_up_code_id is not None]
    finally:
        db.dispose()
    assert len(arrived) > 100  # about 0.5 x the curve's 11:00 share a second for ten minutes
    assert channels == {"voice", "chat", "email"}
    assert by_state[ContactState.CLOSED] > 30
    assert len(wrapped) > 30  # simulated agents pick wrap-up codes
    assert replies > 5  # and reply on chat and email
    assert human_events == 0  # agent01 is left alone for the person trying the demo
