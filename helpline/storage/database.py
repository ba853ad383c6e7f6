"""Engines and transactions for SQLite (embedded, WAL) and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime
from functools import cached_property
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from helpline.clock import Clock
from helpline.storage import redaction, report_facts
from helpline.storage.notify import EventNotifier

CLOCK_KEY = "helpline.clock"
"""Where a session's ``info`` holds the clock of its unit of work."""
READ_ONLY = "helpline_read_only"
"""The execution option of the engine read-only units of work run on (see :meth:`Database.read`)."""


def normalize_url(url: str) -> str:
    """Map the plain URLs users write to the drivers Helpline ships (psycopg 3 for PostgreSQL)."""
    parsed = make_url(url)
    if parsed.drivername in {"postgresql", "postgres"}:
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def make_engine(url: str, *, busy_timeout_ms: int = 10_000, **options: Any) -> Engine:
    """Create an engine for ``url``; SQLite gets WAL, foreign keys and write-locking transactions.

    A connection whose execution options carry :data:`READ_ONLY` begins a read transaction instead:
    a plain deferred ``BEGIN`` with ``PRAGMA query_only`` on SQLite (it takes no lock, so it never
    waits for a writer nor makes one wait), a ``REPEATABLE READ, READ ONLY`` transaction on
    PostgreSQL. Either way it reads one snapshot, and a write inside it fails.
    """
    url = normalize_url(url)
    if not url.startswith("sqlite"):
        engine = create_engine(url, pool_pre_ping=True, **options)

        @event.listens_for(engine, "begin")
        def _begin_postgres(connection: Any) -> None:
            if connection.get_execution_options().get(READ_ONLY):
                connection.exec_driver_sql(
                    "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY"
                )

        return engine
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
        if connection.get_execution_options().get(READ_ONLY):
            # Deferred: a WAL reader sees one snapshot and neither waits for nor blocks writers.
            connection.exec_driver_sql("PRAGMA query_only=ON")
            connection.exec_driver_sql("BEGIN")
            return
        # IMMEDIATE takes the write lock up front: a read-then-write transaction can never fail
        # half-way with "database is locked" because another writer upgraded first; WAL keeps
        # readers outside transactions unblocked.
        connection.exec_driver_sql("PRAGMA query_only=OFF")
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def make_session_factory(engine: Engine, clock: Clock) -> sessionmaker[Session]:
    """Sessions that keep loaded objects usable after commit (services return them to callers),
    carry ``clock`` (see :func:`session_now`), redact typed text before each flush (see
    ``storage.redaction``) and refresh the report facts of the contacts whose events they wrote
    before each commit."""
    factory = sessionmaker(engine, expire_on_commit=False, info={CLOCK_KEY: clock})
    event.listen(factory, "before_flush", redaction.redact_pending)
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


@contextmanager
def read_transaction(
    factory: sessionmaker[Session], engine: Engine, clock: Clock | None = None
) -> Iterator[Session]:
    """A read-only unit of work on ``engine`` (made by :func:`read_only`): one consistent snapshot,
    no write lock (see :func:`make_engine`).

    Closing the session ends it: the connection goes back to the pool rolled back, and the rows it
    loaded stay readable (detached, not expired) for the caller to represent.
    """
    with factory(bind=engine) as session:
        if clock is not None:
            session.info[CLOCK_KEY] = clock
        session.begin()
        yield session


def read_only(engine: Engine) -> Engine:
    """``engine`` (same pool) whose transactions are read transactions (see :func:`make_engine`)."""
    return engine.execution_options(**{READ_ONLY: True})


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
        """One unit of work (state and events commit together), timed by :attr:`clock`.

        On SQLite it holds the database's one write lock from start to end: keep slow work (password
        hashing, HTTP calls) outside, and open work that only reads with :meth:`read`.
        """
        with transaction(self.sessions, self.clock) as session:
            yield session

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A read-only unit of work, timed by :attr:`clock`: it sees one snapshot, never waits for
        nor blocks a writer on SQLite (READ ONLY on PostgreSQL), and any write inside it fails."""
        with read_transaction(self.sessions, self._read_engine, self.clock) as session:
            yield session

    @cached_property
    def _read_engine(self) -> Engine:
        return read_only(self.engine)

    def with_clock(self, clock: Clock) -> Database:
        """The same database whose units of work carry ``clock`` (a test's or a simulation's)."""
        return replace(self, clock=clock)

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()
