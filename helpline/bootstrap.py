"""The one place where concrete adapters are chosen and wired: database engine, sessions, notifier."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from helpline.clock import Clock, utc_now
from helpline.config import Settings
from helpline.storage.database import make_engine, make_session_factory, transaction
from helpline.storage.notify import EventNotifier


@dataclass
class Database:
    """A database and the ways the application uses it, with the clock its units of work carry."""

    engine: Engine
    sessions: sessionmaker[Session]
    notifier: EventNotifier
    clock: Clock = utc_now

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One unit of work (state and events commit together), timed by :attr:`clock`."""
        with transaction(self.sessions, self.clock) as session:
            yield session

    def with_clock(self, clock: Clock) -> Database:
        """The same database whose units of work carry ``clock`` (a test's or a simulation's)."""
        return replace(self, clock=clock)

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()


def open_database(settings: Settings, clock: Clock = utc_now) -> Database:
    """Connect to ``settings.database_url`` (migrations are run separately by ``helpline db``)."""
    engine = make_engine(settings.database_url, busy_timeout_ms=settings.sqlite_busy_timeout_ms)
    sessions = make_session_factory(engine, clock)
    notifier = EventNotifier()
    notifier.watch(sessions)
    return Database(engine=engine, sessions=sessions, notifier=notifier, clock=clock)
