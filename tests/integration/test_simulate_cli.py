"""``helpline simulate`` reads a stored forecast (``forecast_id``) of the organization named by --org."""

from __future__ import annotations

import csv
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from helpline.bootstrap import open_database
from helpline.cli import app
from helpline.config import Settings
from helpline.services.acd import configuration
from helpline.services.actor import system_actor
from helpline.services.identity import organizations
from helpline.services.planning import forecasts
from tests.unit.cli.test_cli_simulate import SCENARIO

pytestmark = pytest.mark.integration
runner = CliRunner()


def test_a_scenario_takes_its_arrivals_from_a_stored_forecast(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'sim.db'}"
    assert runner.invoke(app, ["db", "upgrade", "--database-url", url]).exit_code == 0
    db = open_database(Settings(database_url=url))
    try:
        with db.transaction() as session:
            org = organizations.create_organization(session, "Twin", "UTC", "GB")
            actor = system_actor(org.id)
            queue = configuration.create(
                session, actor, configuration.QUEUE, {"name": "q", "channel": "voice"}
            )
            start = datetime(2026, 9, 7)  # noqa: DTZ001 - uploaded histories are local wall clock
            history = [
                forecasts.HistoryPoint(start + timedelta(hours=h), 40.0 * (9 <= h % 24 < 17), None)
                for h in range(14 * 24)
            ]
            forecast = forecasts.create_forecast(
                session,
                actor,
                forecasts.ForecastRequest(
                    queue_id=queue["id"], interval_minutes=60, horizon_days=1, history=history
                ),
            )
            first = forecast.series["timestamps"][0]
            volumes = forecast.series["volume"]
            forecast_id = forecast.id
    finally:
        db.dispose()
    scenario = SCENARIO.replace(
        "arrivals: [{queue_id: q, calls_per_interval: [90, 100]}]",
        f'start: "{first}"\narrivals: [{{queue_id: q, forecast_id: {forecast_id}}}]',
    ).replace("horizon_seconds: 7200", "horizon_seconds: 86400")
    (tmp_path / "what_if.yaml").write_text(scenario, encoding="utf-8")
    out = tmp_path / "kpis.csv"
    arguments = ["simulate", str(tmp_path / "what_if.yaml"), "-r", "2", "--out", str(out)]
    refused = runner.invoke(app, arguments)
    assert refused.exit_code == 2
    assert "forecast_id" in refused.output
    result = runner.invoke(app, [*arguments, "--org", "Twin", "--database-url", url])
    assert result.exit_code == 0, result.output
    with out.open(encoding="utf-8") as handle:
        offered = [float(row["offered"]) for row in csv.DictReader(handle)][:-1]
    assert len(offered) == 24
    for simulated, expected in zip(offered, volumes, strict=True):
        assert (simulated == 0) == (expected == 0)
    assert sum(offered) == pytest.approx(sum(volumes), rel=0.2)
