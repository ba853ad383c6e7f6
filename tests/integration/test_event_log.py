"""The event sequence is strictly increasing and gap-free per organization, even under concurrency."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import select

from helpline.bootstrap import Database
from helpline.clock import utc_now
from helpline.storage.events import append_event
from helpline.storage.tables import Event
from tests.factories import make_tenant

pytestmark = pytest.mark.integration

WRITERS = 20
EVENTS_PER_WRITER = 25


def _sequences(db: Database, organization_id: int) -> list[int]:
    with db.transaction() as session:
        return list(
            session.scalars(
                select(Event.sequence)
                .where(Event.organization_id == organization_id)
                .order_by(Event.id)
            ).all()
        )


def test_sequence_is_gap_free_with_20_concurrent_writers_and_rollbacks(db: Database) -> None:
    tenant = make_tenant(db)
    other = make_tenant(db)
    before = len(_sequences(db, tenant.organization_id))
    start = threading.Barrier(WRITERS)

    def writer(number: int) -> None:
        start.wait()
        for index in range(EVENTS_PER_WRITER):
            organization_id = tenant.organization_id if index % 5 else other.organization_id
            try:
                with db.transaction() as session:
                    append_event(
                        session,
                        organization_id,
                        "UserLoggedIn",
                        occurred_at=utc_now(),
                        payload={"user_id": number * EVENTS_PER_WRITER + index},
                    )
                    if index % 7 == 3:
                        raise RuntimeError("roll this transaction back")
            except RuntimeError:
                continue

    with ThreadPoolExecutor(WRITERS) as pool:
        list(pool.map(writer, range(WRITERS)))

    for organization_id in (tenant.organization_id, other.organization_id):
        sequences = _sequences(db, organization_id)
        # Inserted in commit order: the id order must already be the sequence order, 1..n.
        assert sequences == list(range(1, len(sequences) + 1))
    committed_per_writer = sum(1 for i in range(EVENTS_PER_WRITER) if i % 5 and i % 7 != 3)
    assert len(_sequences(db, tenant.organization_id)) == before + WRITERS * committed_per_writer
