"""The ``helpline`` command line: one Typer app; each command group lives in its own module."""

from __future__ import annotations

import typer

from helpline import __version__

app = typer.Typer(
    name="helpline",
    help="Helpline contact center: serve the API, manage the database, run WFM tools.",
    no_args_is_help=True,
    add_completion=False,
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
