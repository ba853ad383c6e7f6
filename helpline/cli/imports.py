"""``helpline import ...``: load history from other systems' logs."""

from __future__ import annotations

from itertools import islice
from pathlib import Path

import typer

from helpline.bootstrap import open_database
from helpline.cli.admin import DatabaseOption, fail, settings_with
from helpline.demo.anonymous_bank import (
    DEFAULT_TIME_ZONE,
    AnonymousBankImporter,
    ImportSummary,
)
from helpline.domain.anonymous_bank import FormatError, parse_calls
from helpline.errors import HelplineError, NotFound
from helpline.services.actor import system_actor
from helpline.services.identity import organizations

BATCH_CALLS = 2000
"""Calls per transaction: a crash loses at most one batch, and a rerun skips what was committed."""

import_app = typer.Typer(help="Import history from other systems.", no_args_is_help=True)


@import_app.command("anonymous-bank")
def import_anonymous_bank(
    paths: list[Path] = typer.Argument(
        ..., exists=True, dir_okay=False, help="Monthly log files (january.txt ...)."
    ),
    org: str = typer.Option(..., "--org", help="Organization name (created when missing)."),
    time_zone: str = typer.Option(
        DEFAULT_TIME_ZONE, "--time-zone", help="Zone of a new organization (the log's clock)."
    ),
    database_url: str | None = DatabaseOption,
) -> None:
    """Import Anonymous Bank call logs: a contact per call, a queue per call type, an agent per
    server. Importing a file again adds nothing."""
    db = open_database(settings_with(database_url))
    total = ImportSummary()
    try:
        with db.transaction() as session:
            try:
                organization_id = organizations.organization_by_name(session, org).id
            except NotFound:
                organization_id = organizations.create_organization(
                    session, org, time_zone, "IL"
                ).id
                typer.echo(f"created organization {org} ({time_zone})")
            importer = AnonymousBankImporter(session, system_actor(organization_id))
        for path in paths:
            with path.open(encoding="utf-8", newline="") as handle:
                lines = handle.read().splitlines()
            calls = parse_calls(lines)
            with typer.progressbar(length=max(0, len(lines) - 1), label=path.name) as bar:
                while batch := list(islice(calls, BATCH_CALLS)):
                    with db.transaction() as session:
                        total.add(importer.import_calls(session, batch))
                    bar.update(len(batch))
    except FormatError as error:
        raise fail(f"{path}: {error}") from None
    except HelplineError as error:
        raise fail(error.message) from None
    finally:
        db.dispose()
    typer.echo(
        f"{total.read} rows: {total.imported} calls imported, {total.already_imported} already "
        f"there, {total.phantom} phantom skipped; {total.queues_created} queues and "
        f"{total.agents_created} agents created"
    )
