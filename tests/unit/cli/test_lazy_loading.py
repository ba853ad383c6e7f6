"""The CLI imports a command's module only when that command runs: `helpline --version` and
`helpline --help` stay fast (no SQLAlchemy, scipy, simulator), and the help they print is the help of
the commands themselves."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
import typer
from typer.testing import CliRunner

from helpline.cli import COMMANDS, LazyGroup, app, load_command

HEAVY = ("sqlalchemy", "scipy", "helpline.sim", "helpline.routing", "helpline.services", "fastapi")


def _modules_loaded_by(args: list[str]) -> tuple[str, list[str]]:
    code = (
        "import json, sys\n"
        "from helpline.cli import app\n"
        f"try:\n    app({args!r}, prog_name='helpline')\nexcept SystemExit:\n    pass\n"
        "sys.stderr.write(json.dumps(sorted(sys.modules)))\n"
    )
    out = subprocess.run(  # noqa: S603 -- this interpreter, our own code
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    return out.stdout, json.loads(out.stderr)


@pytest.mark.parametrize("args", [["--version"], ["--help"]])
def test_version_and_help_import_no_command_module(args: list[str]) -> None:
    stdout, modules = _modules_loaded_by(args)
    assert "helpline" in stdout
    heavy = [m for m in modules if m.split(".")[0] in HEAVY or m.startswith(HEAVY)]
    assert heavy == []
    assert [m for m in modules if m.startswith("helpline.cli.")] == []


def test_help_lists_every_command() -> None:
    stdout, _ = _modules_loaded_by(["--help"])
    for name in COMMANDS:
        assert f" {name} " in stdout


def test_the_help_listed_is_the_help_of_the_commands_themselves(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "200")
    group = typer.main.get_command(app)
    assert isinstance(group, LazyGroup)

    def render_help() -> str:
        group.main(["--help"], prog_name="helpline", standalone_mode=False)
        return capsys.readouterr().out

    listed = render_help()
    for name in COMMANDS:  # what an eager CLI would list
        group.commands[name] = load_command(name)
    assert render_help() == listed


def test_a_command_runs_once_loaded() -> None:
    result = CliRunner().invoke(app, ["db", "--help"])
    assert result.exit_code == 0, result.output
    assert "upgrade" in result.output
    assert "rebuild-facts" in result.output


def test_an_unknown_command_is_refused_with_a_suggestion() -> None:
    result = CliRunner().invoke(app, ["simulat"])
    assert result.exit_code == 2
    assert "simulate" in result.output
