"""``helpline demo-data``: load the Demo Bank organization."""

from __future__ import annotations

import typer

from helpline.bootstrap import open_database
from helpline.cli.admin import DatabaseOption, settings_with
from helpline.demo.organization import DEMO_LOGINS, DEMO_ORGANIZATION, DEMO_PASSWORD, load_demo
from helpline.services.identity.organizations import count_organizations


def demo_data(
    if_empty: bool = typer.Option(
        False, "--if-empty", help="Only load when the database has no organization yet."
    ),
    database_url: str | None = DatabaseOption,
) -> None:
    """Load the demo organization "Demo Bank" (running it again changes nothing)."""
    db = open_database(settings_with(database_url))
    try:
        with db.transaction() as session:
            organizations = count_organizations(session)
            if if_empty and organizations:
                typer.echo("database already has organizations; demo data not loaded")
            else:
                summary = load_demo(session, db.clock())
                if summary.created:
                    typer.echo(
                        f"loaded {DEMO_ORGANIZATION}: {summary.agents} agents, "
                        f"{summary.customers} customers, {summary.contacts} past contacts"
                    )
                else:
                    typer.echo(f"{DEMO_ORGANIZATION} is already loaded")
    finally:
        db.dispose()
    typer.echo(f"Demo logins (password {DEMO_PASSWORD!r}):")
    for email, _name, role in DEMO_LOGINS:
        typer.echo(f"  {role.value:<12} {email}")
    typer.echo("  agent        agent01@demo-bank.example .. agent20@demo-bank.example")
