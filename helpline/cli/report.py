"""``helpline report``: the interval report of the API, printed as a table or CSV."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import typer

from helpline.analytics import GroupBy, Interval
from helpline.bootstrap import open_database
from helpline.cli.admin import DatabaseOption, fail, settings_with
from helpline.errors import HelplineError
from helpline.services.actor import system_actor
from helpline.services.identity import organizations
from helpline.services.reporting import exports, facts, reports


class OutputFormat(enum.StrEnum):
    """How the report is printed."""

    TABLE = "table"
    CSV = "csv"


TABLE_COLUMNS = (
    ("interval_start", "interval", 16),
    ("group_name", "group", 14),
    ("offered", "offered", 7),
    ("answered", "answered", 8),
    ("abandoned", "abandoned", 9),
    ("service_level", "SL %", 6),
    ("asa_seconds", "ASA s", 6),
    ("aht_seconds", "AHT s", 7),
    ("abandonment_rate", "aband %", 7),
    ("occupancy", "occ %", 6),
)
PERCENT = {"service_level", "abandonment_rate", "occupancy"}


def _cell(name: str, value: Any, width: int) -> str:
    if value is None:
        text = "-"
    elif name == "interval_start":
        text = str(value)[:16].replace("T", " ")
    elif name in PERCENT:
        text = f"{100 * value:.1f}"
    elif isinstance(value, float):
        text = f"{value:.1f}"
    else:
        text = str(value)
    return (
        text[:width].rjust(width)
        if name not in ("interval_start", "group_name")
        else text[:width].ljust(width)
    )


def table(records: list[dict[str, Any]]) -> str:
    """A fixed-width table of the main KPIs (every KPI is in the CSV)."""
    lines = [" ".join(_cell("group_name", title, w) for _, title, w in TABLE_COLUMNS)]
    lines += [
        " ".join(_cell(name, record.get(name), w) for name, _, w in TABLE_COLUMNS)
        for record in records
    ]
    return "\n".join(lines)


def _moment(text: str, zone: ZoneInfo, option: str) -> datetime:
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise fail(f"{option}: {text!r} is not an ISO 8601 date or date-time") from None
    return value if value.tzinfo is not None else value.replace(tzinfo=zone)


def report(
    org: str = typer.Option(..., "--org", help="Organization name."),
    start: str = typer.Option(
        ..., "--from", help="Start (inclusive), ISO 8601; local if no offset."
    ),
    end: str = typer.Option(..., "--to", help="End (exclusive), ISO 8601; local if no offset."),
    interval: str = typer.Option("30m", "--interval", help="15m, 30m, 60m or 1d."),
    group_by: GroupBy = typer.Option(GroupBy.NONE, "--group-by", help="Break rows down by."),
    output: OutputFormat = typer.Option(OutputFormat.TABLE, "--format", help="table or csv."),
    fcr_days: int = typer.Option(7, "--fcr-days", min=1, max=90, help="FCR repeat window."),
    database_url: str | None = DatabaseOption,
) -> None:
    """Print KPIs per interval and group (definitions: docs/metrics.md)."""
    try:
        length = Interval.parse(interval)
    except ValueError as error:
        raise fail(f"--interval: {error}") from None
    db = open_database(settings_with(database_url))
    try:
        with db.transaction() as session:
            actor = system_actor(organizations.organization_by_name(session, org).id)
            zone = reports.organization_zone(session, actor)
            result = reports.interval_report(
                session,
                actor,
                _moment(start, zone, "--from"),
                _moment(end, zone, "--to"),
                length,
                group_by,
                fcr_days=fcr_days,
            )
    except HelplineError as error:
        raise fail(error.message) from None
    finally:
        db.dispose()
    records = result.records()
    if output is OutputFormat.CSV:
        typer.echo(exports.to_csv(records, reports.REPORT_COLUMNS), nl=False)
    else:
        typer.echo(table(records))


def rebuild_facts(
    org: str = typer.Option(..., "--org", help="Organization name."),
    database_url: str | None = DatabaseOption,
) -> None:
    """Recompute the organization's report facts from its events (after upgrading a database that
    already held events, or to judge history by changed queue thresholds)."""
    db = open_database(settings_with(database_url))
    try:
        with db.transaction() as session:
            organization_id = organizations.organization_by_name(session, org).id
            count = facts.rebuild_facts(session, system_actor(organization_id))
    except HelplineError as error:
        raise fail(error.message) from None
    finally:
        db.dispose()
    typer.echo(f"rebuilt the report facts of {count} contacts")
