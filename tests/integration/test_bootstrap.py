"""The composition root wires one clock and one mailer through everything it builds, and runs and
stops the application without closing a database it was given."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest

from helpline.bootstrap import Database, build_application, schema_revision
from helpline.channels.chat.adapter import ChatAdapter
from helpline.channels.email import EmailAdapter
from helpline.config import Settings
from helpline.domain.enums import Channel
from helpline.services.identity import organizations
from helpline.storage.database import session_now

pytestmark = pytest.mark.integration

FIXED = datetime(2031, 5, 6, 7, 8, tzinfo=UTC)


def test_one_clock_and_one_mailer_reach_every_component(sqlite_db: Database) -> None:
    application = build_application(Settings(database_url="sqlite://"), sqlite_db, lambda: FIXED)
    assert application.clock() == FIXED
    assert application.db.clock() == FIXED
    assert application.inbox.db is application.db
    assert application.outbox.db is application.db
    with application.db.transaction() as session:
        assert session_now(session) == FIXED  # units of work carry the application's clock
    chat = application.channels.get(Channel.CHAT)
    email = application.channels.get(Channel.EMAIL)
    assert isinstance(chat, ChatAdapter)
    assert isinstance(email, EmailAdapter)
    assert chat.mailer is email.mailer
    assert application.owns_db is False


def test_running_starts_the_loops_and_stops_them_all(sqlite_db: Database) -> None:
    application = build_application(Settings(database_url="sqlite://"), sqlite_db)

    async def run() -> tuple[int, int]:
        async with application.running():
            await asyncio.sleep(0)
            inside = len(asyncio.all_tasks()) - 1
        return inside, len(asyncio.all_tasks()) - 1

    inside, after = asyncio.run(run())
    assert inside >= 3  # routing timers, case SLAs, outbound delivery
    assert after == 0  # every loop was cancelled and awaited before running() returned
    with sqlite_db.transaction() as session:  # the given database is the caller's to close
        organizations.check_database(session)
    assert schema_revision(sqlite_db) is not None
