"""Benchmark schedule generation end to end through the REST API; print ONE JSON line.

Run: ``.venv/bin/python benchmarks/schedule_api.py`` (needs ``../shared/reference`` or
``HELPLINE_SHARED_DIR``). A fresh SQLite database holds an organization (time zone UTC) with 545
agents, 200 of them with the ``billing`` skill.

- One group: ``POST /api/v1/schedules`` with the reference week's requirement
  (``required_agents_80_20``), 8 h shifts starting every 30 min, every agent on the default contract
  (40 h/week, at most 5 days in a row, 2 days off in a row, 11 h rest): the pure benchmark's roster,
  now with storing the week's activities and answering them as JSON.
- Two groups with per-agent inputs: the same week split into ``voice`` (70% of the requirement,
  rounded up) and ``billing`` (the rest, rounded up, billing skill required), and stored rostering
  profiles: 60 part-timers (at most 24 h/week), 40 agents available only 07:00-21:00 on weekdays,
  20 who avoid nights, and 30 with two days of approved time off.

Each figure is the wall time of one request (schedule + roster + storage + response).
"""

from __future__ import annotations

import contextlib
import csv
import json
import math
import os
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from helpline.asgi import create_app
from helpline.bootstrap import open_database
from helpline.config import Settings
from helpline.domain.enums import Role
from helpline.services.acd import configuration as config
from helpline.services.actor import system_actor
from helpline.services.identity import organizations
from helpline.services.identity.security import hash_password
from helpline.storage import migrations

AGENTS = 545
BILLING_AGENTS = 200
WEEK_START = "2026-11-30"
STARTS = {"from": "00:00", "to": "23:30", "every": "30m"}


def shared_dir() -> Path:
    """``../shared`` beside the repository, or ``HELPLINE_SHARED_DIR``."""
    override = os.environ.get("HELPLINE_SHARED_DIR")
    return Path(override) if override else Path(__file__).resolve().parents[1].parent / "shared"


@contextlib.contextmanager
def native_stdout_to_stderr() -> Iterator[None]:
    """HiGHS prints a banner on C-level stdout; keep stdout for the one JSON line."""
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        os.dup2(2, 1)
        yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)


def requirement(path: Path) -> list[float]:
    with path.open(newline="") as handle:
        return [float(row["required_agents_80_20"]) for row in csv.DictReader(handle)]


def organization(url: str) -> tuple[TestClient, str, list[int], int]:
    """The app on a new database, an admin key, the agents' ids and the billing skill's id."""
    db = open_database(Settings(database_url=url))
    migrations.upgrade(db.engine)
    with db.transaction() as session:
        org = organizations.create_organization(session, "Bench", "UTC", "GB")
        actor = system_actor(org.id)
        key = organizations.create_api_key(session, actor, name="admin", role=Role.ADMIN).key
        billing = config.create(session, actor, config.SKILL, {"name": "billing"})["id"]
        password_hash = hash_password("bench-password")
        agent_ids = []
        for number in range(AGENTS):
            user = organizations.create_user(
                session,
                actor,
                email=f"agent{number:03d}@bench.example",
                display_name=f"Agent {number}",
                role=Role.AGENT,
                password_hash=password_hash,
            )
            skills = [{"skill_id": billing, "proficiency": 3}] if number < BILLING_AGENTS else []
            agent = config.create(
                session,
                actor,
                config.AGENT,
                {"user_id": user.id, "display_name": f"Agent {number}", "skills": skills},
            )
            agent_ids.append(int(agent["id"]))
    client = TestClient(create_app(Settings(database_url=url), db))
    return client, key, agent_ids, billing


def generate(client: TestClient, key: str, body: dict[str, Any]) -> tuple[float, dict[str, Any]]:
    started = time.perf_counter()
    response = client.post(
        "/api/v1/schedules", json=body, headers={"Authorization": f"Bearer {key}"}
    )
    seconds = time.perf_counter() - started
    assert response.status_code == 201, response.text
    data: dict[str, Any] = response.json()
    return seconds, data


def store_profiles(client: TestClient, key: str, agent_ids: list[int]) -> None:
    headers = {"Authorization": f"Bearer {key}"}
    weekdays = [
        {"day": day, "start": "07:00", "end": "21:00"}
        for day in ("mon", "tue", "wed", "thu", "fri")
    ]
    profiles: list[dict[str, Any]] = (
        [{"employment": "part_time", "max_hours_per_week": 24}] * 60
        + [{"availability": weekdays}] * 40
        + [{"avoids_nights": True}] * 20
    )
    # Spread over billing and voice agents alike (every third agent from the 100th).
    chosen = agent_ids[100::3]
    for agent_id, profile in zip(chosen, profiles, strict=False):
        response = client.put(
            f"/api/v1/agents/{agent_id}/rostering-profile", json=profile, headers=headers
        )
        assert response.status_code == 200, response.text
    for number, agent_id in enumerate(agent_ids[1::18][:30]):
        day = 1 + number % 5
        response = client.post(
            "/api/v1/time-off",
            json={
                "agent_id": agent_id,
                "starts_at": f"2026-12-0{day}T00:00:00Z",
                "ends_at": f"2026-12-0{day + 2}T00:00:00Z",
                "reason": "Holiday",
                "status": "approved",
            },
            headers=headers,
        )
        assert response.status_code == 201, response.text


def roster_figures(prefix: str, seconds: float, schedule: dict[str, Any]) -> dict[str, object]:
    summary = schedule["summary"]
    roster = summary["roster"]
    return {
        f"{prefix}_seconds": round(seconds, 3),
        f"{prefix}_paid_hours": summary["paid_hours"],
        f"{prefix}_lp_bound_hours": summary["lp_bound"],
        f"{prefix}_understaffed_intervals": summary["understaffed_intervals"],
        f"{prefix}_shifts": summary["shifts"],
        f"{prefix}_roster_unfilled_shifts": roster["unfilled_shifts"],
        f"{prefix}_roster_proven_optimal": roster["is_proven_optimal"],
        f"{prefix}_roster_gap": roster["gap"],
        f"{prefix}_roster_solver_seconds": roster["solver_seconds"],
        f"{prefix}_activities": len(schedule["activities"]),
    }


def main() -> None:
    reference = shared_dir() / "reference" / "week_requirements_80_20.csv"
    if not reference.exists():
        print(f"skipped: {reference} not found (set HELPLINE_SHARED_DIR)", file=sys.stderr)
        return
    required = requirement(reference)
    shifts = {"templates": [{"name": "full", "length": "8h", "starts": STARTS}]}
    with tempfile.TemporaryDirectory() as folder, native_stdout_to_stderr():
        client, key, agent_ids, billing = organization(f"sqlite:///{folder}/bench.db")
        base = {"week_start": WEEK_START, "interval_minutes": 30, "time_limit_seconds": 30}
        one_seconds, one = generate(
            client, key, base | {"requirements": required, "shifts": shifts}
        )
        store_profiles(client, key, agent_ids)
        voice = [math.ceil(0.7 * r) for r in required]
        split = {
            "templates": [
                {"name": "voice", "length": "8h", "starts": STARTS, "group": "voice"},
                {"name": "billing", "length": "8h", "starts": STARTS, "group": "billing"},
            ]
        }
        groups = [
            {"name": "voice", "requirements": voice},
            {
                "name": "billing",
                "skill_ids": [billing],
                "requirements": [math.ceil(r - v) for r, v in zip(required, voice, strict=True)],
            },
        ]
        two_seconds, two = generate(client, key, base | {"shifts": split, "groups": groups})
    figures: dict[str, object] = {"agents": AGENTS, "billing_agents": BILLING_AGENTS}
    figures |= roster_figures("one_group", one_seconds, one)
    figures |= roster_figures("two_groups_profiles", two_seconds, two)
    figures |= {"cpu_count": os.cpu_count(), "load_average_1m": round(os.getloadavg()[0], 2)}
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
