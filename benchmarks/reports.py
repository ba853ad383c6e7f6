"""Benchmark: the 30-minute interval report, by queue and by agent, over N contacts' events.

Loads N synthetic finished calls (80% answered, 15% abandoned, 5% deflected; 10 queues, 50 agents,
spread over 30 days) with the bulk history service (``storage/bulk.py``; each batch's contact facts,
handling spans and quarter-hour rollup are written in the same transaction), then times
``services.reporting.reports.interval_report`` over the whole period from the database, grouped by queue and
then by agent. Prints one JSON line:
``{"contacts", "events", "sqlite_seconds", "postgres_seconds", ...}`` (seconds: both reports).

    python benchmarks/reports.py [--contacts 1000000] [--postgres-url postgresql://...]

PostgreSQL is measured when ``--postgres-url`` or HELPLINE_TEST_POSTGRES_URL is given (a throw-away
database is created next to it and dropped afterwards).
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta

import numpy as np
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from helpline.analytics import GroupBy, Interval
from helpline.bootstrap import Database, open_database
from helpline.config import Settings
from helpline.demo.anonymous_bank import UNUSABLE_PASSWORD
from helpline.domain.enums import Role
from helpline.services.acd import configuration as config
from helpline.services.actor import system_actor
from helpline.services.conversations.history import CallEnd, KeyedCall, PastCall, record_past_calls
from helpline.services.identity import organizations
from helpline.services.reporting.reports import interval_report
from helpline.storage import migrations
from helpline.storage.database import normalize_url

START = datetime(2026, 1, 1, tzinfo=UTC)
DAYS = 30
QUEUES = 10
AGENTS = 50
BATCH = 20_000


def load(db: Database, contacts: int, seed: int = 1) -> tuple[int, int]:
    """Create an organization with N past calls; its id and the number of events written."""
    rng = np.random.default_rng(seed)
    with db.transaction() as session:
        org = organizations.create_organization(
            session, f"Bench {uuid.uuid4().hex[:8]}", "UTC", "US"
        )
        actor = system_actor(org.id)
        queues = [
            int(
                config.create(session, actor, config.QUEUE, {"name": f"Q{i}", "channel": "voice"})[
                    "id"
                ]
            )
            for i in range(QUEUES)
        ]
        agents = []
        for i in range(AGENTS):
            user = organizations.create_user(
                session,
                actor,
                email=f"bench{i}.{org.id}.{uuid.uuid4().hex[:6]}@example.invalid",
                display_name=f"Agent {i}",
                role=Role.AGENT,
                password_hash=UNUSABLE_PASSWORD,
            )
            created = config.create(
                session, actor, config.AGENT, {"user_id": user.id, "display_name": f"Agent {i}"}
            )
            agents.append(int(created["id"]))
    arrivals = np.sort(rng.uniform(0, DAYS * 86400 - 3600, contacts))
    kinds = rng.choice(3, size=contacts, p=[0.80, 0.15, 0.05])
    waits = rng.exponential(30.0, contacts)
    talks = rng.exponential(240.0, contacts)
    queue_of = rng.integers(0, QUEUES, contacts)
    agent_of = rng.integers(0, AGENTS, contacts)
    events = 0
    for start in range(0, contacts, BATCH):
        batch = []
        for i in range(start, min(start + BATCH, contacts)):
            arrived = START + timedelta(seconds=float(arrivals[i]))
            wait = float(waits[i])
            if kinds[i] == 0:
                connected = arrived + timedelta(seconds=wait)
                call = PastCall(
                    queue_id=queues[queue_of[i]],
                    end=CallEnd.ANSWERED,
                    created_at=arrived,
                    queued_at=arrived,
                    ended_at=connected + timedelta(seconds=float(talks[i])),
                    wait_seconds=wait,
                    connected_at=connected,
                    agent_id=agents[agent_of[i]],
                )
                events += 4
            elif kinds[i] == 1:
                call = PastCall(
                    queue_id=queues[queue_of[i]],
                    end=CallEnd.ABANDONED,
                    created_at=arrived,
                    queued_at=arrived,
                    ended_at=arrived + timedelta(seconds=wait),
                    wait_seconds=wait,
                )
                events += 3
            else:
                call = PastCall(
                    queue_id=queues[queue_of[i]],
                    end=CallEnd.DEFLECTED,
                    created_at=arrived,
                    queued_at=None,
                    ended_at=arrived + timedelta(seconds=60),
                )
                events += 2
            batch.append(KeyedCall(call, f"bench:{i}", 5.0))
        with db.transaction() as session:
            record_past_calls(session, actor, batch)
    return org.id, events


def time_reports(db: Database, organization_id: int) -> dict[str, float]:
    """Seconds of the 30-minute report over the whole period, by queue and by agent."""
    actor = system_actor(organization_id)
    end = START + timedelta(days=DAYS)
    timings = {}
    for group_by in (GroupBy.QUEUE, GroupBy.AGENT):
        began = time.perf_counter()
        with db.transaction() as session:
            report = interval_report(session, actor, START, end, Interval.MINUTES_30, group_by)
        timings[group_by.value] = time.perf_counter() - began
        assert report.rows
    return timings


def measure(url: str, contacts: int) -> dict[str, float]:
    db = open_database(Settings(database_url=url))
    try:
        migrations.upgrade(db.engine)
        began = time.perf_counter()
        organization_id, events = load(db, contacts)
        loaded = time.perf_counter() - began
        timings = time_reports(db, organization_id)
    finally:
        db.dispose()
    return {"events": events, "load_seconds": loaded, **timings}


def postgres_database(admin_url: str) -> tuple[str, str]:
    name = f"helpline_bench_{uuid.uuid4().hex[:10]}"
    engine = create_engine(normalize_url(admin_url), isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    url = make_url(normalize_url(admin_url)).set(database=name)
    return url.render_as_string(hide_password=False), name


def drop_postgres(admin_url: str, name: str) -> None:
    engine = create_engine(normalize_url(admin_url), isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contacts", type=int, default=1_000_000)
    parser.add_argument("--postgres-url", default=os.environ.get("HELPLINE_TEST_POSTGRES_URL"))
    args = parser.parse_args()
    result: dict[str, object] = {"contacts": args.contacts}
    with tempfile.TemporaryDirectory() as folder:
        sqlite = measure(f"sqlite:///{folder}/bench.db", args.contacts)
    result |= {
        "events": sqlite["events"],
        "sqlite_seconds": round(sqlite["queue"] + sqlite["agent"], 2),
        "sqlite_by_queue_seconds": round(sqlite["queue"], 2),
        "sqlite_by_agent_seconds": round(sqlite["agent"], 2),
        "sqlite_load_seconds": round(sqlite["load_seconds"], 1),
    }
    if args.postgres_url:
        url, name = postgres_database(args.postgres_url)
        try:
            postgres = measure(url, args.contacts)
        finally:
            drop_postgres(args.postgres_url, name)
        result |= {
            "postgres_seconds": round(postgres["queue"] + postgres["agent"], 2),
            "postgres_by_queue_seconds": round(postgres["queue"], 2),
            "postgres_by_agent_seconds": round(postgres["agent"], 2),
            "postgres_load_seconds": round(postgres["load_seconds"], 1),
        }
    else:
        result["postgres_seconds"] = None
    print(json.dumps(result))


if __name__ == "__main__":
    main()
