"""Commands that run the service and manage its database and credentials."""

from __future__ import annotations

import typer

from helpline.bootstrap import (
    Database,
    SecretKeyError,
    check_secret_keys,
    open_database,
    rotate_secrets,
    schema_revision,
    upgrade_schema,
)
from helpline.config import Settings, get_settings
from helpline.demo.organization import DEMO_LOGINS, DEMO_PASSWORD, demo_chat_key
from helpline.demo.traffic import HUMAN_AGENT_EMAILS
from helpline.domain.enums import Role
from helpline.errors import HelplineError
from helpline.services.actor import system_actor
from helpline.services.identity import organizations, redaction_settings

DatabaseOption = typer.Option(
    None, "--database-url", help="Overrides HELPLINE_DATABASE_URL (default sqlite:///helpline.db)."
)


def settings_with(database_url: str | None) -> Settings:
    """The process settings, with the database URL of the command line when given."""
    settings = get_settings()
    try:
        check_secret_keys(settings)
    except SecretKeyError as error:
        raise fail(f"HELPLINE_SECRET_KEYS: {error}") from None
    return settings.model_copy(update={"database_url": database_url}) if database_url else settings


def fail(message: str) -> typer.Exit:
    """Print ``message`` to stderr and return the exit to raise (code 2: bad input)."""
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code=2)


db_app = typer.Typer(help="Manage the database schema.", no_args_is_help=True)


@db_app.command("upgrade")
def db_upgrade(database_url: str | None = DatabaseOption) -> None:
    """Create or migrate the database schema to the newest version."""
    db = open_database(settings_with(database_url))
    try:
        upgrade_schema(db, typer.echo)
    finally:
        db.dispose()


secrets_app = typer.Typer(
    help="Manage the keys that encrypt stored secrets (rotation).", no_args_is_help=True
)


@secrets_app.command("new-key")
def secrets_new_key() -> None:
    """Print a new random key, to put first in HELPLINE_SECRET_KEYS before `secrets rotate`."""
    from cryptography.fernet import Fernet

    typer.echo(Fernet.generate_key().decode("ascii"))


@secrets_app.command("rotate")
def secrets_rotate(database_url: str | None = DatabaseOption) -> None:
    """Re-encrypt every stored secret with the first key of HELPLINE_SECRET_KEYS.

    Put the new key first and keep the old ones after it (comma-separated); once this succeeded,
    the old keys can be removed. Exit code 2 when a key is malformed or none decrypts a secret.
    """
    try:
        db = open_database(settings_with(database_url))
    except SecretKeyError as error:
        raise fail(str(error)) from None
    try:
        count = rotate_secrets(db)
    except SecretKeyError as error:
        raise fail(f"{error}; nothing was changed") from None
    finally:
        db.dispose()
    typer.echo(f"re-encrypted {count} stored secrets with the first key")


def serve(
    host: str = typer.Option(None, help="Interface to listen on (HELPLINE_HOST, 127.0.0.1)."),
    port: int = typer.Option(None, help="Port (HELPLINE_PORT, 8000)."),
    database_url: str | None = DatabaseOption,
    demo_traffic: bool = typer.Option(
        None,
        "--demo-traffic/--no-demo-traffic",
        help="Simulate Demo Bank's customers and agents (HELPLINE_DEMO_TRAFFIC, off).",
    ),
) -> None:
    """Serve the REST API and the web pages."""
    import uvicorn

    from helpline.asgi import create_app

    settings = settings_with(database_url)
    settings = settings.model_copy(
        update={
            "host": host or settings.host,
            "port": port or settings.port,
            "demo_traffic": settings.demo_traffic if demo_traffic is None else demo_traffic,
        }
    )
    db = open_database(settings)
    if schema_revision(db) is None:
        db.dispose()
        raise fail("the database has no schema yet; run `helpline db upgrade` first")
    typer.echo(f"Helpline is serving on http://{settings.host}:{settings.port}")
    if settings.demo_traffic:
        _print_demo_logins()
    _print_channel_entry_points(db, settings)
    uvicorn.run(
        create_app(settings, db),
        host=settings.host,
        port=settings.port,
        log_level="info",
        # Live WebSockets (desks, wallboards, chats) would otherwise hold a shutdown until they close.
        timeout_graceful_shutdown=3,
    )


org_app = typer.Typer(help="Manage organizations.", no_args_is_help=True)


@org_app.command("create")
def org_create(
    name: str = typer.Argument(..., help="Organization name (unique)."),
    time_zone: str = typer.Option("UTC", "--time-zone", help="IANA time zone, e.g. Europe/Paris."),
    country: str = typer.Option("US", help="Two-letter country code (holidays, phone numbers)."),
    database_url: str | None = DatabaseOption,
) -> None:
    """Create an organization."""
    db = open_database(settings_with(database_url))
    try:
        with db.transaction() as session:
            org = organizations.create_organization(session, name, time_zone, country)
            typer.echo(f"created organization {org.name} (id {org.id})")
    except HelplineError as error:
        raise fail(error.message) from None
    finally:
        db.dispose()


@org_app.command("redact-stored")
def org_redact_stored(
    org: str = typer.Option(..., "--org", help="Organization name."),
    batch: int = typer.Option(500, "--batch", min=1, help="Rows per transaction."),
    database_url: str | None = DatabaseOption,
) -> None:
    """Redact card data (and the organization's chosen patterns) from text stored earlier: before
    redaction existed, or before a pattern was chosen. Safe to run again; one transaction per batch."""
    db = open_database(settings_with(database_url))
    try:
        with db.transaction() as session:
            actor = system_actor(organizations.organization_by_name(session, org).id)
        for table in redaction_settings.STORED_TABLES:
            after: int | None = 0
            changed = 0
            while after is not None:
                with db.transaction() as session:
                    after, count = redaction_settings.redact_stored_page(
                        session, actor, table, after, batch
                    )
                changed += count
            typer.echo(f"{table}: {changed} rows redacted")
    except HelplineError as error:
        raise fail(error.message) from None
    finally:
        db.dispose()


apikey_app = typer.Typer(help="Manage API keys.", no_args_is_help=True)


@apikey_app.command("create")
def apikey_create(
    org: str = typer.Option(..., "--org", help="Organization name."),
    role: Role = typer.Option(..., "--role", help="What the key may do."),
    name: str = typer.Option("cli", "--name", help="A label to recognise the key by."),
    database_url: str | None = DatabaseOption,
) -> None:
    """Create an API key and print only the key (shown once; store it safely)."""
    db = open_database(settings_with(database_url))
    try:
        with db.transaction() as session:
            organization = organizations.organization_by_name(session, org)
            issued = organizations.create_api_key(
                session, system_actor(organization.id), name=name, role=role
            )
        typer.echo(issued.key)
    except HelplineError as error:
        raise fail(error.message) from None
    finally:
        db.dispose()


def _print_channel_entry_points(db: Database, settings: Settings) -> None:
    with db.transaction() as session:
        key = demo_chat_key(session)
    base = f"http://{settings.host}:{settings.port}"
    if key is not None:
        typer.echo(f"Demo Bank's chat widget: {base}/chat/demo?key={key}")
    if settings.smtp_listen_port:
        typer.echo(
            f"Inbound email: SMTP on {settings.smtp_listen_host}:{settings.smtp_listen_port}"
            " (Demo Bank: support@demo-bank.example)"
        )


def _print_demo_logins() -> None:
    typer.echo(f"Demo traffic is on. Demo logins (password {DEMO_PASSWORD!r}):")
    for email in sorted(HUMAN_AGENT_EMAILS):
        typer.echo(f"  agent        {email}   <- your agent desk; the other agents are simulated")
    for email, _name, role in DEMO_LOGINS:
        typer.echo(f"  {role.value:<12} {email}")
