"""Migrations create the schema from empty on both backends, and match the models exactly."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from helpline.bootstrap import open_database
from helpline.config import Settings
from helpline.storage import migrations
from helpline.storage.tables import Base

pytestmark = pytest.mark.integration


@pytest.mark.parametrize("empty_database_url", ["sqlite", "postgres"], indirect=True)
def test_upgrade_from_empty_creates_every_table_and_matches_the_models(
    empty_database_url: str,
) -> None:
    db = open_database(Settings(database_url=empty_database_url))
    try:
        assert migrations.current_revision(db.engine) is None
        migrations.upgrade(db.engine)
        assert migrations.current_revision(db.engine) == migrations.head_revision()
        tables = set(inspect(db.engine).get_table_names())
        assert set(Base.metadata.tables) <= tables
        with db.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            assert compare_metadata(context, Base.metadata) == []
        migrations.upgrade(db.engine)  # a second run is a no-op
        assert migrations.current_revision(db.engine) == migrations.head_revision()
    finally:
        db.dispose()


def test_sqlite_database_runs_in_wal_mode_with_foreign_keys(tmp_path: object) -> None:
    db = open_database(Settings(database_url=f"sqlite:///{tmp_path}/wal.db"))
    try:
        with db.engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    finally:
        db.dispose()
