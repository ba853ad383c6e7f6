"""The ``helpline`` command line: one Typer app; each command group lives in its own module."""

from __future__ import annotations

import typer

from helpline import __version__

app = typer.Typer(
    name="helpline",
    help="Helpline contact center: serve the API, manage the database, run WFM tools.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _print_version(value: bool) -> None:
    if value:
        typer.echo(f"helpline {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False,
        "--version",
        callback=_print_version,
        is_eager=True,
        help="Print the version and exit.",
    ),
) -> None:
    """Helpline contact center."""


def main() -> None:
    """Entry point of the ``helpline`` console script."""
    app()


# Command groups, each in its own module (imported here so `helpline --help` lists them all).
from helpline.cli import admin as _admin  # noqa: E402
from helpline.cli import demo as _demo  # noqa: E402
from helpline.cli import forecast as _forecast  # noqa: E402
from helpline.cli import imports as _imports  # noqa: E402
from helpline.cli import report as _report  # noqa: E402
from helpline.cli import schedule as _schedule  # noqa: E402
from helpline.cli import simulate as _simulate  # noqa: E402
from helpline.cli import staff as _staff  # noqa: E402

app.add_typer(_admin.db_app, name="db")
app.add_typer(_admin.org_app, name="org")
app.add_typer(_admin.apikey_app, name="apikey")
app.command("serve")(_admin.serve)
app.command("demo-data")(_demo.demo_data)
app.add_typer(_forecast.app, name="forecast")
app.command("staff")(_staff.staff)
app.command("schedule")(_schedule.schedule)
app.command("simulate")(_simulate.simulate_command)
app.add_typer(_imports.import_app, name="import")
app.command("report")(_report.report)
_admin.db_app.command("rebuild-facts")(_report.rebuild_facts)
