"""Benchmark: one case-SLA tick over N active cases, indexed next-check versus refreshing them all.

Loads N active cases (office-hours SLA policy, created over the last few days) into a fresh SQLite
database, evaluates them once so each stores its next check time, then times:

- ``due_tick_seconds``: ``CaseSlaMonitor.evaluate`` a minute later (few or no checks due: what the
  server runs every second);
- ``full_refresh_seconds``: the peer, refreshing every active case (what a tick without the
  ``sla_check_at`` index would do).

Prints one JSON line. ``python benchmarks/case_sla.py [--cases 2000]``
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from helpline.bootstrap import open_database
from helpline.config import Settings
from helpline.services.actor import system_actor
from helpline.services.cases.cases import NewCase, create_case
from helpline.services.cases.sla import CaseSlaMonitor, refresh_cases
from helpline.services.cases.sla_policies import create_policy
from helpline.services.identity import organizations
from helpline.storage import migrations
from helpline.storage.tables import Case

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
OFFICE = {
    "always_open": False,
    "weekly": {
        d: [{"open": "09:00", "close": "17:00"}] for d in ("mon", "tue", "wed", "thu", "fri")
    },
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", type=int, default=2000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        db = open_database(Settings(database_url=f"sqlite:///{directory}/bench.db"))
        migrations.upgrade(db.engine)
        with db.transaction() as session:
            org = organizations.create_organization(
                session, f"Bench {uuid.uuid4().hex[:8]}", "UTC", "GB"
            )
            actor = system_actor(org.id)
            create_policy(
                session,
                actor,
                {
                    "name": "Standard",
                    "first_response_seconds": 8 * 3600,
                    "resolution_seconds": 40 * 3600,
                    "hours": OFFICE,
                    "is_default": True,
                },
                now=NOW,
            )
            for n in range(args.cases):
                created = NOW - timedelta(minutes=(n * 7) % (3 * 24 * 60))
                create_case(session, actor, NewCase(subject=f"Case {n}"), now=created)
        clock = {"now": NOW}
        monitor = CaseSlaMonitor(db.with_clock(lambda: clock["now"]))
        started = time.perf_counter()
        first = monitor.evaluate()
        first_seconds = time.perf_counter() - started
        clock["now"] = NOW + timedelta(minutes=1)
        started = time.perf_counter()
        due = monitor.evaluate()
        due_seconds = time.perf_counter() - started
        started = time.perf_counter()
        with db.transaction() as session:
            ids = list(session.scalars(select(Case.id).where(Case.organization_id == org.id)))
            refreshed = refresh_cases(session, org.id, ids, clock["now"])
        full_seconds = time.perf_counter() - started
        db.dispose()
    print(
        json.dumps(
            {
                "cases": args.cases,
                "first_tick_cases": first,
                "first_tick_seconds": round(first_seconds, 3),
                "due_tick_cases": due,
                "due_tick_seconds": round(due_seconds, 4),
                "full_refresh_cases": refreshed,
                "full_refresh_seconds": round(full_seconds, 3),
            }
        )
    )


if __name__ == "__main__":
    main()
