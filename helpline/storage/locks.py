"""Transaction-scoped locks on names, so concurrent requests about the same thing take turns."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session


def lock_name(session: Session, name: str) -> None:
    """Hold a lock on ``name`` until the transaction ends.

    PostgreSQL: an advisory transaction lock on the name's hash. SQLite needs nothing: its
    transactions already hold the database write lock from BEGIN IMMEDIATE.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(select(func.pg_advisory_xact_lock(func.hashtextextended(name, 0))))
