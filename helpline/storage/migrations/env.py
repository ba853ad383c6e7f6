"""Alembic environment: runs migrations on the connection or URL handed over by ``helpline db``."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from helpline.storage.database import make_engine
from helpline.storage.tables import Base

config = context.config
target_metadata = Base.metadata


def _run(connection: Connection) -> None:
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:
        _sqlite_foreign_keys(connection, on=False)
    try:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=sqlite,
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
    finally:
        if sqlite:
            if connection.in_transaction():  # autobegun by Alembic's reads after its transaction
                connection.commit()
            _sqlite_foreign_keys(connection, on=True)


def _sqlite_foreign_keys(connection: Connection, *, on: bool) -> None:
    """Switch SQLite's foreign keys for the migration: batch mode rebuilds a table by copying it
    and dropping the old one, and with foreign keys on, dropping a parent (``organizations``)
    cascades deletes into every table that points at it. The pragma only acts outside a
    transaction, so it goes to the driver's connection before Alembic begins one."""
    driver_connection = connection.connection.driver_connection
    if connection.in_transaction() or driver_connection is None:
        raise RuntimeError("migrations on SQLite need a connection outside a transaction")
    driver_connection.execute(f"PRAGMA foreign_keys={'ON' if on else 'OFF'}")


connection = config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:
    engine = make_engine(config.get_main_option("sqlalchemy.url") or "")
    with engine.connect() as new_connection:
        _run(new_connection)
    engine.dispose()
