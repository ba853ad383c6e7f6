"""``helpline report`` prints the same figures as the API, as a table or CSV."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from typer.testing import CliRunner

from helpline.cli import app

pytestmark = pytest.mark.integration

SAMPLE = Path(__file__).parents[1] / "data" / "anonymous_bank" / "january_13_19.txt"
runner = CliRunner()


@pytest.fixture(scope="module")
def bank_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    folder = tmp_path_factory.mktemp("report")
    url = f"sqlite:///{folder / 'bank.db'}"
    sample = folder / "sample.txt"
    sample.write_bytes(b"\r\n".join(SAMPLE.read_bytes().split(b"\r\n")[:501]) + b"\r\n")
    assert runner.invoke(app, ["db", "upgrade", "--database-url", url]).exit_code == 0
    result = runner.invoke(
        app, ["import", "anonymous-bank", str(sample), "--org", "Bank", "--database-url", url]
    )
    assert result.exit_code == 0, result.output
    return url


def test_report_as_csv_and_table(bank_url: str) -> None:
    args = ["report", "--org", "Bank", "--from", "1999-01-13", "--to", "1999-01-20"]
    args += ["--interval", "1d", "--group-by", "queue", "--database-url", bank_url]
    as_csv = runner.invoke(app, [*args, "--format", "csv"])
    assert as_csv.exit_code == 0, as_csv.output
    rows = list(csv.DictReader(io.StringIO(as_csv.output)))
    assert {row["group_name"] for row in rows} >= {"PS", "NW"}
    assert sum(int(row["offered"]) + int(row["deflected"]) for row in rows) == 499  # 1 phantom
    as_table = runner.invoke(app, args)
    assert as_table.exit_code == 0
    assert as_table.output.splitlines()[0].split()[:3] == ["interval", "group", "offered"]


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--interval", "7m", "--interval: interval must be one of"),
        ("--from", "soon", "--from: 'soon' is not an ISO 8601"),
        ("--org", "Nobody", "Nobody"),
    ],
)
def test_bad_options_exit_2(bank_url: str, option: str, value: str, message: str) -> None:
    options = {"--org": "Bank", "--from": "1999-01-13", "--to": "1999-01-14", "--interval": "30m"}
    options[option] = value
    args = ["report", *[part for pair in options.items() for part in pair]]
    result = runner.invoke(app, [*args, "--database-url", bank_url])
    assert result.exit_code == 2
    assert message in result.output


def test_rebuilding_report_facts_keeps_the_report(bank_url: str) -> None:
    args = ["report", "--org", "Bank", "--from", "1999-01-13", "--to", "1999-01-20"]
    args += ["--interval", "1d", "--format", "csv", "--database-url", bank_url]
    before = runner.invoke(app, args)
    rebuilt = runner.invoke(
        app, ["db", "rebuild-facts", "--org", "Bank", "--database-url", bank_url]
    )
    assert rebuilt.exit_code == 0, rebuilt.output
    assert "rebuilt the report facts of 499 contacts" in rebuilt.output  # 500 lines, 1 header
    assert runner.invoke(app, args).output == before.output
    unknown = runner.invoke(
        app, ["db", "rebuild-facts", "--org", "Nope", "--database-url", bank_url]
    )
    assert unknown.exit_code == 2
