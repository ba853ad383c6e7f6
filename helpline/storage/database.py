"""Engines and transactions for SQLite (embedded, WAL) and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from helpline.clock import Clock
from helpline.storage import report_facts
from helpline.storage.notify import EventNotifier

CLOCK_KEY = "helpline.clock"
"""Where a session's ``info`` holds the clock of its unit of work."""


def normalize_url(url: str) -> str:
    """Map the plain URLs users write to the drivers Helpline ships (psycopg 3 for PostgreSQL)."""
    parsed = make_url(url)
    if parsed.drivername in {"postgresql", "postgres"}:
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def make_engine(url: str, *, busy_timeout_ms: int = 10_000, **options: Any) -> Engine:
    """Create an engine for ``url``; SQLite gets WAL, foreign keys and write-locking transactions."""
    url = normalize_url(url)
    if not url.startswith("sqlite"):
        return create_engine(url, pool_pre_ping=True, **options)
    engine = create_engine(url, connect_args={"check_same_thread": False}, **options)

    @event.listens_for(engine, "connect")
    def _configure(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy issue BEGIN itself (below) instead of pysqlite's lazy implicit one.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: Any) -> None:
        # IMMEDIATE takes the write lock up front: a read-then-write transaction can never fail
        # half-way with "database is locked" because another writer upgraded first; WAL keeps
        # readers outside transactions unblocked.
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def make_session_factory(engine: Engine, clock: Clock) -> sessionmaker[Session]:
    """Sessions that keep loaded objects usable after commit (services return them to callers),
    carry ``clock`` (see :func:`session_now`) and refresh the report facts of the contacts whose
    events they wrote before each commit."""
    factory = sessionmaker(engine, expire_on_commit=False, info={CLOCK_KEY: clock})
    event.listen(factory, "before_commit", report_facts.refresh_pending)
    return factory


@contextmanager
def transaction(factory: sessionmaker[Session], clock: Clock | None = None) -> Iterator[Session]:
    """One unit of work: everything written inside commits together or not at all.

    ``clock`` replaces the factory's for this unit of work (an application with its own clock).
    """
    with factory() as session, session.begin():
        if clock is not None:
            session.info[CLOCK_KEY] = clock
        yield session


def session_clock(session: Session) -> Clock:
    """The clock of ``session``'s unit of work: the only source of time for services and storage."""
    clock: Clock = session.info[CLOCK_KEY]
    return clock


def session_now(session: Session) -> datetime:
    """The current time by the clock of ``session``'s unit of work (UTC, timezone-aware)."""
    return session_clock(session)()


@dataclass
class Database:
    """A database and the ways the application uses it, with the clock its units of work carry."""

    engine: Engine
    sessions: sessionmaker[Session]
    notifier: EventNotifier
    clock: Clock

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
