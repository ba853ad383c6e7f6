"""The ``helpline`` command: migrations, demo data, API keys, and clear errors with exit code 2."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from helpline import __version__
from helpline.bootstrap import open_database
from helpline.cli import app
from helpline.config import Settings
from helpline.demo.organization import CANNED_RESPONSES, DEMO_ORGANIZATION
from helpline.services.actor import system_actor
from helpline.services.conversations.canned_responses import list_canned_responses
from helpline.services.identity import login, organizations
from helpline.storage.tables import Agent, Contact, Customer, Organization, Queue, Team, User

pytestmark = pytest.mark.integration

runner = CliRunner()


def _counts(url: str) -> dict[str, int]:
    db = open_database(Settings(database_url=url))
    try:
        with db.transaction() as session:
            return {
                table.__tablename__: session.scalar(select(func.count()).select_from(table)) or 0
                for table in (Organization, User, Team, Agent, Queue, Customer, Contact)
            }
    finally:
        db.dispose()


@pytest.fixture(scope="module")
def demo_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('cli') / 'demo.db'}"
    assert runner.invoke(app, ["db", "upgrade", "--database-url", url]).exit_code == 0
    result = runner.invoke(app, ["demo-data", "--database-url", url])
    assert result.exit_code == 0, result.output
    assert "agent01@demo-bank.example" in result.output
    return url


def test_version() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.output.strip() == f"helpline {__version__}"


def test_demo_data_creates_demo_bank(demo_url: str) -> None:
    counts = _counts(demo_url)
    assert counts["organizations"] == 1
    assert counts["agents"] == 20
    assert counts["teams"] == 3
    assert counts["customers"] == 200
    assert counts["contacts"] >= 200  # one to four past contacts each
    assert counts["queues"] >= 3


def test_demo_data_twice_duplicates_nothing(demo_url: str) -> None:
    before = _counts(demo_url)
    again = runner.invoke(app, ["demo-data", "--database-url", demo_url])
    assert again.exit_code == 0
    assert "already loaded" in again.output
    only_if_empty = runner.invoke(app, ["demo-data", "--if-empty", "--database-url", demo_url])
    assert "not loaded" in only_if_empty.output
    assert _counts(demo_url) == before


def test_demo_login_works_with_the_printed_password(demo_url: str) -> None:
    db = open_database(Settings(database_url=demo_url))
    try:
        opened = login.log_in(db, "agent07@demo-bank.example", "helpline-demo", hours=1)
        assert isinstance(opened, login.LoginSession)
        assert opened.user.role == "agent"
    finally:
        db.dispose()


def test_the_demo_desk_offers_the_demo_canned_responses(demo_url: str) -> None:
    db = open_database(Settings(database_url=demo_url))
    try:
        with db.read() as session:
            org = organizations.organization_by_name(session, DEMO_ORGANIZATION)
            found = list_canned_responses(session, system_actor(org.id))
    finally:
        db.dispose()
    assert sorted((c.title, c.text) for c in found) == sorted(CANNED_RESPONSES)


def test_apikey_create_prints_only_a_working_key(demo_url: str) -> None:
    result = runner.invoke(
        app,
        [
            "apikey",
            "create",
            "--org",
            "Demo Bank",
            "--role",
            "supervisor",
            "--database-url",
            demo_url,
        ],
    )
    assert result.exit_code == 0, result.output
    key = result.stdout.strip()
    assert key.startswith("hl_")
    assert "\n" not in key
    db = open_database(Settings(database_url=demo_url))
    try:
        with db.transaction() as session:
            assert organizations.authenticate_api_key(session, key).role.value == "supervisor"
    finally:
        db.dispose()


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["apikey", "create", "--org", "No Such Org", "--role", "admin"], "no organization"),
        (["apikey", "create", "--org", "Demo Bank", "--role", "emperor"], "emperor"),
        (["org", "create", "Demo Bank"], "already exists"),
        (["org", "create", "Elsewhere", "--time-zone", "Mars/Olympus"], "time zone"),
        (["org", "redact-stored", "--org", "No Such Org"], "no organization"),
    ],
)
def test_bad_input_exits_2_with_a_message(
    demo_url: str, arguments: list[str], message: str
) -> None:
    before = _counts(demo_url)
    result = runner.invoke(app, [*arguments, "--database-url", demo_url])
    assert result.exit_code == 2
    assert message in result.output
    assert _counts(demo_url) == before


def test_serve_refuses_an_unmigrated_database(tmp_path: Path) -> None:
    result = runner.invoke(app, ["serve", "--database-url", f"sqlite:///{tmp_path / 'none.db'}"])
    assert result.exit_code == 2
    assert "db upgrade" in result.output


def test_upgrading_across_report_facts_derives_them_from_stored_events(tmp_path: Path) -> None:
    from alembic import command

    from helpline.storage.migrations import alembic_config
    from helpline.storage.tables import ContactReportFact

    url = f"sqlite:///{tmp_path / 'old.db'}"
    assert runner.invoke(app, ["db", "upgrade", "--database-url", url]).exit_code == 0
    assert runner.invoke(app, ["demo-data", "--database-url", url]).exit_code == 0
    command.downgrade(alembic_config(url), "0009")  # as if the events predate report facts
    result = runner.invoke(app, ["db", "upgrade", "--database-url", url])
    assert result.exit_code == 0, result.output
    assert "report facts of" in result.output
    db = open_database(Settings(database_url=url))
    try:
        with db.transaction() as session:
            facts = session.scalar(select(func.count()).select_from(ContactReportFact))
            contacts = session.scalar(select(func.count()).select_from(Contact))
    finally:
        db.dispose()
    assert contacts
    assert facts == contacts


def test_the_demo_has_a_website_chat_widget_on_its_chat_queue(demo_url: str) -> None:
    from helpline.demo.organization import demo_chat_key
    from helpline.storage.tables import ChatWidget

    db = open_database(Settings(database_url=demo_url))
    try:
        with db.transaction() as session:
            key = demo_chat_key(session)
            widget = session.scalar(select(ChatWidget).where(ChatWidget.public_key == key))
            assert widget is not None
            queue = session.get(Queue, widget.queue_id)
            assert queue is not None
            assert queue.channel == "chat"
            assert widget.allowed_origins == ["*"]
    finally:
        db.dispose()
