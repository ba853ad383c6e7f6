"""The Anonymous Bank week imports idempotently, and its KPIs from the event log match figures
computed here independently from the raw columns of the file."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from helpline.analytics import GroupBy, Interval, Metrics, Tally
from helpline.bootstrap import Database
from helpline.cli import app
from helpline.demo.anonymous_bank import AnonymousBankImporter
from helpline.domain.anonymous_bank import parse_calls
from helpline.services.actor import system_actor
from helpline.services.reporting.reports import Report, interval_report
from helpline.storage.tables import Contact, Event, Queue
from tests.factories import make_tenant

pytestmark = pytest.mark.integration

SAMPLE = Path(__file__).parents[1] / "data" / "anonymous_bank" / "january_13_19.txt"
ISRAEL = ZoneInfo("Asia/Jerusalem")
START = datetime(1999, 1, 13, tzinfo=ISRAEL)
END = datetime(1999, 1, 21, tzinfo=ISRAEL)  # a day more: calls of the 19th may end on the 20th


def _seconds(clock: str) -> int:
    hours, minutes, seconds = (int(part) for part in clock.split(":"))
    return hours * 3600 + minutes * 60 + seconds


class RawCall:
    """One row, read straight from its columns (independently of the loader)."""

    def __init__(self, line: str) -> None:
        f = line.split("\t")
        self.type, self.outcome = f[4], f[12]
        self.queued = f[9] != "0:00:00"
        self.q_time, self.ser_time = int(f[11]), int(f[15])
        day = date(1900 + int(f[5][:2]), int(f[5][2:4]), int(f[5][4:6]))
        entry = _seconds(f[6])
        # The arrival instant: queue start, else service start, else VRU exit; on the next day
        # when it is over 12 hours before the VRU entry (the call crossed midnight).
        clock = f[9] if self.queued else (f[13] if f[13] != "0:00:00" else f[7])
        offset = _seconds(clock) + (86400 if _seconds(clock) < entry - 43200 else 0)
        self.arrival = datetime.combine(day, time(), tzinfo=ISRAEL) + timedelta(seconds=offset)

    @property
    def half_hour(self) -> str:
        start = self.arrival.replace(minute=self.arrival.minute // 30 * 30, second=0)
        return start.strftime("%Y-%m-%d %H:%M")


def raw_calls() -> list[RawCall]:
    lines = SAMPLE.read_text(encoding="utf-8").splitlines()[1:]
    return [RawCall(line) for line in lines if line.split("\t")[12] != "PHANTOM"]


def import_sample(db: Database) -> int:
    tenant = make_tenant(db, time_zone="Asia/Jerusalem", country="IL")
    lines = SAMPLE.read_text(encoding="utf-8").splitlines()
    with db.transaction() as session:
        importer = AnonymousBankImporter(session, tenant.actor)
        first = importer.import_calls(session, parse_calls(lines))
    assert (first.imported, first.phantom, first.queues_created) == (8667, 79, 7)
    with db.transaction() as session:
        again = AnonymousBankImporter(session, tenant.actor).import_calls(
            session, parse_calls(lines)
        )
    assert (again.imported, again.already_imported) == (0, 8667)
    return tenant.organization_id


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def imported(request: pytest.FixtureRequest) -> tuple[Database, int]:
    db: Database = request.getfixturevalue(f"{request.param}_db")
    return db, import_sample(db)


def _report(db: Database, organization_id: int, interval: Interval, group_by: GroupBy) -> Report:
    with db.transaction() as session:
        return interval_report(
            session, system_actor(organization_id), START, END, interval, group_by
        )


def _totals(db: Database, organization_id: int, group_by: GroupBy) -> dict[object, Metrics]:
    """The week's metrics per group: the daily tallies added up (tallies are additive)."""
    report = _report(db, organization_id, Interval.DAY, group_by)
    sums: dict[object, Tally] = defaultdict(Tally)
    for row in report.rows:
        sums[report.labels.get(row.group, row.group)].add(row.tally)
    return {group: Metrics.from_tally(t) for group, t in sums.items()}


def test_import_is_idempotent_and_creates_queues_per_call_type(
    imported: tuple[Database, int],
) -> None:
    db, organization_id = imported
    with db.transaction() as session:
        contacts = session.scalar(
            select(func.count()).where(Contact.organization_id == organization_id)
        )
        queues = set(
            session.scalars(select(Queue.name).where(Queue.organization_id == organization_id))
        )
        events = session.scalar(
            select(func.count()).where(
                Event.organization_id == organization_id, Event.contact_id.is_not(None)
            )
        )
    assert contacts == 8667  # 8,746 rows less 79 PHANTOM
    assert queues == {"PS", "NW", "NE", "TT", "IN", "PE", "AA"}
    # Created, queued, connected, closed; created, queued, abandoned; created, deflected.
    calls = raw_calls()
    answered = sum(c.outcome == "AGENT" for c in calls)
    abandoned = sum(c.outcome == "HANG" and c.queued for c in calls)
    assert events == 4 * answered + 3 * abandoned + 2 * (len(calls) - answered - abandoned)


def test_week_counts_and_abandonment_match_the_raw_columns(imported: tuple[Database, int]) -> None:
    db, organization_id = imported
    calls = raw_calls()
    week = _totals(db, organization_id, GroupBy.NONE)[None]
    queued = [c for c in calls if c.queued]
    served_directly = [c for c in calls if not c.queued and c.outcome == "AGENT"]
    hung_up_in_queue = [c for c in queued if c.outcome == "HANG"]
    short = [c for c in hung_up_in_queue if c.q_time < 5]
    assert week.offered + week.deflected == len(calls)
    assert week.offered == len(queued) + len(served_directly)
    assert week.answered == sum(c.outcome == "AGENT" for c in calls)
    assert week.abandoned == len(hung_up_in_queue)
    assert week.short_abandoned == len(short)
    # Abandonment among queued calls, the raw way, and by the documented definition.
    assert week.abandoned / len(queued) == pytest.approx(len(hung_up_in_queue) / len(queued))
    assert week.abandonment_rate == pytest.approx(
        (len(hung_up_in_queue) - len(short)) / (week.offered - len(short))
    )


def test_asa_and_aht_per_call_type_match_the_raw_columns(imported: tuple[Database, int]) -> None:
    db, organization_id = imported
    by_type: dict[str, list[RawCall]] = defaultdict(list)
    for call in raw_calls():
        if call.outcome == "AGENT":
            by_type[call.type].append(call)
    totals = _totals(db, organization_id, GroupBy.QUEUE)
    for call_type, served in by_type.items():
        metrics = totals[call_type]
        assert metrics.answered == len(served), call_type
        assert metrics.asa_seconds == pytest.approx(sum(c.q_time for c in served) / len(served))
        assert metrics.aht_seconds == pytest.approx(sum(c.ser_time for c in served) / len(served))


def test_service_level_at_20_seconds_per_half_hour_matches_the_raw_columns(
    imported: tuple[Database, int],
) -> None:
    db, organization_id = imported
    within: dict[str, int] = defaultdict(int)
    denominator: dict[str, int] = defaultdict(int)
    for call in raw_calls():
        if call.outcome == "AGENT":
            denominator[call.half_hour] += 1
            within[call.half_hour] += call.q_time <= 20
        elif call.queued and call.q_time >= 5:  # abandoned after the short-abandon threshold
            denominator[call.half_hour] += 1
    report = _report(db, organization_id, Interval.MINUTES_30, GroupBy.NONE)
    computed = {
        row.interval_start.strftime("%Y-%m-%d %H:%M"): row.metrics.service_level
        for row in report.rows
        if row.metrics.service_level is not None
    }
    expected = {key: within[key] / n for key, n in denominator.items() if n}
    assert len(expected) > 200
    assert computed == pytest.approx(expected)


def test_cli_imports_files_once(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'bank.db'}"
    sample = tmp_path / "sample.txt"
    sample.write_bytes(b"\r\n".join(SAMPLE.read_bytes().split(b"\r\n")[:301]))  # no final newline
    runner = CliRunner()
    assert runner.invoke(app, ["db", "upgrade", "--database-url", url]).exit_code == 0
    args = ["import", "anonymous-bank", str(sample), "--org", "Bank", "--database-url", url]
    first = runner.invoke(app, args)
    assert first.exit_code == 0, first.output
    assert "300 rows: 299 calls imported, 0 already there, 1 phantom skipped" in first.output
    second = runner.invoke(app, args)
    assert "0 calls imported, 299 already there" in second.output


def test_cli_reports_a_bad_file(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'bank.db'}"
    bad = tmp_path / "bad.txt"
    bad.write_text(SAMPLE.read_text(encoding="utf-8").splitlines()[0] + "\nAA01\t1\t2\n")
    runner = CliRunner()
    assert runner.invoke(app, ["db", "upgrade", "--database-url", url]).exit_code == 0
    result = runner.invoke(
        app, ["import", "anonymous-bank", str(bad), "--org", "B", "--database-url", url]
    )
    assert result.exit_code == 2
    assert "line 2: expected 17 tab-separated fields, found 3" in result.output
