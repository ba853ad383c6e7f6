"""The ``helpline`` command line: one Typer app; each command group lives in its own module.

The modules are imported only when their command runs: ``helpline --version`` and ``helpline --help``
load neither SQLAlchemy, scipy nor the simulator. :data:`COMMANDS` lists every command with its one-line
help (what ``--help`` shows); tests/unit/cli/test_lazy_loading.py checks it against the commands themselves.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import typer
from typer import _click as click  # Typer vendors Click; its groups are built on that copy
from typer.core import TyperCommand, TyperGroup

from helpline import __version__


@dataclass(frozen=True)
class LazyCommand:
    """A top-level command (or group) whose module is imported when it runs."""

    module: str  # under helpline.cli
    attribute: str  # a typer.Typer (a group) or a function (a command)
    help: str  # the first paragraph of its help: `helpline --help` shows it without importing


# Name -> where it lives, in the order `helpline --help` lists them.
COMMANDS: dict[str, LazyCommand] = {
    "db": LazyCommand("admin", "db_app", "Manage the database schema."),
    "org": LazyCommand("admin", "org_app", "Manage organizations."),
    "apikey": LazyCommand("admin", "apikey_app", "Manage API keys."),
    "secrets": LazyCommand(
        "admin", "secrets_app", "Manage the keys that encrypt stored secrets (rotation)."
    ),
    "serve": LazyCommand("admin", "serve", "Serve the REST API and the web pages."),
    "demo-data": LazyCommand(
        "demo",
        "demo_data",
        'Load the demo organization "Demo Bank" (running it again changes nothing).',
    ),
    "forecast": LazyCommand(
        "forecast",
        "app",
        "Forecast contact volume and AHT per interval; `backtest` scores the forecasts on history.",
    ),
    "staff": LazyCommand(
        "staff",
        "staff",
        "Required agents, scheduled FTE and predicted SL, ASA, abandonment, occupancy per interval.",
    ),
    "schedule": LazyCommand(
        "schedule",
        "schedule",
        "Turn required agents per interval into the cheapest shifts, and optionally a roster.",
    ),
    "simulate": LazyCommand(
        "simulate",
        "simulate_app",
        "Simulate a what-if scenario with the real routing engine: KPIs per interval and queue, with\n"
        "confidence intervals over the replications.",
    ),
    "import": LazyCommand("imports", "import_app", "Import history from other systems."),
    "report": LazyCommand(
        "report", "report", "Print KPIs per interval and group (definitions: docs/metrics.md)."
    ),
}


def _extend_db(group: typer.Typer) -> None:
    """`db rebuild-facts` lives with the reports."""
    from helpline.cli import report

    group.command("rebuild-facts")(report.rebuild_facts)


# Commands added to a group defined elsewhere, when that group is loaded.
_EXTENSIONS: dict[str, Callable[[typer.Typer], None]] = {"db": _extend_db}
_extended: set[str] = set()


def load_command(name: str) -> click.Command:
    """The click command of the top-level command ``name``, importing its module."""
    entry = COMMANDS[name]
    target: Any = getattr(importlib.import_module(f"helpline.cli.{entry.module}"), entry.attribute)
    wrapper = typer.Typer(add_completion=False)  # registered as the eager CLI registered it
    if isinstance(target, typer.Typer):
        if name in _EXTENSIONS and name not in _extended:
            _EXTENSIONS[name](target)
            _extended.add(name)
        wrapper.add_typer(target, name=name)
    else:
        wrapper.command(name)(target)
    command = typer.main.get_group(wrapper).commands[name]
    return command


class _Placeholder(TyperCommand):
    """Stands for a command not imported yet: its name and help, for listings."""


class LazyGroup(TyperGroup):
    """The root group: lists :data:`COMMANDS` from their placeholders, loads one when it runs."""

    def __init__(self, **attrs: Any) -> None:
        super().__init__(**attrs)
        for name, entry in COMMANDS.items():
            self.add_command(_Placeholder(name, help=entry.help or None), name)

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        name, command, rest = super().resolve_command(ctx, args)
        if name is not None and isinstance(command, _Placeholder):
            command = self.commands[name] = load_command(name)
        return name, command, rest


app = typer.Typer(
    name="helpline",
    cls=LazyGroup,
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
