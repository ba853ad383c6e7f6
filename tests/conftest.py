"""Shared fixtures: real databases (SQLite always, PostgreSQL when HELPLINE_TEST_POSTGRES_URL is set).

Each backend database is migrated once per test session; tests isolate themselves by creating their
own organizations, which is the same isolation the product guarantees its tenants.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import time_machine
from hypothesis import HealthCheck, Phase, settings
from hypothesis.database import DirectoryBasedExampleDatabase, ReadOnlyDatabase
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from helpline.bootstrap import Database, open_database
from helpline.config import Settings
from helpline.storage import migrations
from helpline.storage.database import normalize_url

# One fixed key for stored secrets (else each database would generate its own key file).
os.environ.setdefault("HELPLINE_SECRET_KEYS", "aGVscGxpbmUtdGVzdHMtc2VjcmV0LWtleS0zMmJ5dGU=")

POSTGRES_URL_VARIABLE = "HELPLINE_TEST_POSTGRES_URL"
BACKENDS = ["sqlite", "postgres"]

HYPOTHESIS_EXAMPLES = Path(__file__).parent / "hypothesis-examples"
"""Failing examples found while exploring, committed: replayed by ``make unit`` as regressions."""

# "ci" (the default): the same examples on every run, so a red suite means a changed program.
# "explore" (make explore): fresh random examples, many more; failures are saved to
# HYPOTHESIS_EXAMPLES, to be committed with their fix. "replay": only those saved examples.
settings.register_profile(
    "ci",
    derandomize=True,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "explore",
    max_examples=1000,
    deadline=None,
    print_blob=True,
    database=DirectoryBasedExampleDatabase(HYPOTHESIS_EXAMPLES),
)
settings.register_profile(
    "replay",
    deadline=None,
    phases=(Phase.explicit, Phase.reuse),
    database=ReadOnlyDatabase(DirectoryBasedExampleDatabase(HYPOTHESIS_EXAMPLES)),
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

YEARS_AHEAD_VARIABLE = "HELPLINE_TEST_YEARS_AHEAD"
"""Set (e.g. to 5), the wall clock runs that many years ahead for the whole run (``make future``):
every test that reads the real date instead of its clock fails."""


def pytest_configure(config: pytest.Config) -> None:
    """Move the wall clock ahead when HELPLINE_TEST_YEARS_AHEAD asks for it."""
    years = os.environ.get(YEARS_AHEAD_VARIABLE)
    if not years:
        return
    ahead = timedelta(days=round(365.25 * int(years)))
    traveller = time_machine.travel(datetime.now(UTC) + ahead, tick=True)
    traveller.start()
    config.add_cleanup(traveller.stop)


def postgres_admin_url() -> str | None:
    """The PostgreSQL URL tests may create databases through, or None when not configured."""
    return os.environ.get(POSTGRES_URL_VARIABLE) or None


class PostgresDatabases:
    """Creates throw-away PostgreSQL databases next to the configured one and drops them at the end."""

    def __init__(self, admin_url: str) -> None:
        self.admin_url = normalize_url(admin_url)
        self.created: list[str] = []

    def create(self) -> str:
        name = f"helpline_test_{uuid.uuid4().hex[:12]}"
        engine = create_engine(self.admin_url, isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as connection:
                connection.execute(text(f'CREATE DATABASE "{name}"'))
        finally:
            engine.dispose()
        self.created.append(name)
        return make_url(self.admin_url).set(database=name).render_as_string(hide_password=False)

    def drop_all(self) -> None:
        engine = create_engine(self.admin_url, isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as connection:
                for name in self.created:
                    connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        finally:
            engine.dispose()


@pytest.fixture(scope="session")
def postgres_databases() -> Iterator[PostgresDatabases]:
    """Factory of empty PostgreSQL databases; skips when PostgreSQL is not configured.

    When HELPLINE_TEST_POSTGRES_URL is set and the server cannot be reached, tests fail (CI must
    not pass silently without PostgreSQL).
    """
    admin_url = postgres_admin_url()
    if admin_url is None:
        pytest.skip(
            f"PostgreSQL tests need {POSTGRES_URL_VARIABLE} (e.g. postgresql://postgres@127.0.0.1/test)"
        )
    factory = PostgresDatabases(admin_url)
    yield factory
    factory.drop_all()


@pytest.fixture
def empty_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A URL of a brand-new, empty database of the parametrised backend."""
    backend = request.param if hasattr(request, "param") else "sqlite"
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'empty.db'}"
    databases: PostgresDatabases = request.getfixturevalue("postgres_databases")
    return databases.create()


@pytest.fixture(scope="session")
def sqlite_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    """A migrated SQLite database shared by the session's tests."""
    url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'helpline.db'}"
    db = open_database(Settings(database_url=url))
    migrations.upgrade(db.engine)
    yield db
    db.dispose()


@pytest.fixture(scope="session")
def postgres_db(postgres_databases: PostgresDatabases) -> Iterator[Database]:
    """A migrated PostgreSQL database shared by the session's tests."""
    db = open_database(Settings(database_url=postgres_databases.create()))
    migrations.upgrade(db.engine)
    yield db
    db.dispose()


@pytest.fixture(params=BACKENDS)
def db(request: pytest.FixtureRequest) -> Database:
    """The migrated database of each backend in turn."""
    if request.param == "postgres":
        database: Database = request.getfixturevalue("postgres_db")
    else:
        database = request.getfixturevalue("sqlite_db")
    return database
