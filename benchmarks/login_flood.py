"""Benchmark: latency of normal API requests while clients flood the login with wrong passwords on
SQLite; print ONE JSON line.

A fresh SQLite file database holds an organization, an admin API key and a user. The server runs
in a child process (uvicorn, as ``helpline serve`` does) and this process drives it over HTTP:
``--normal-clients`` clients alternate ``GET /api/v1/teams`` (a read) and ``POST /api/v1/teams``
(a write) while ``--flooders`` clients send wrong-password logins as fast as answers come.

Peers in the same run:

- ``idle``: the normal requests without a flood (the floor);
- ``before``: the server as it was: the password checked inside the login's write transaction
  (``BEGIN IMMEDIATE`` on SQLite) and every read (authentication, GET lists) in a write
  transaction too;
- ``after``: the user read in a read transaction, the hash checked outside any transaction, only
  the session written; reads in read transactions.

Figures: ``p50_ms``/``p99_ms`` of the normal requests, how many answered something else than
200/201 (``errors``), and what the flood's logins answered (``flood_statuses``: 401 expected).

Run: ``.venv/bin/python benchmarks/login_flood.py [--flooders 6 --normal-clients 2 --seconds 8]``
"""

from __future__ import annotations

import argparse
import contextlib
import json
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from typing import Any

import httpx
import numpy as np
from sqlalchemy import select

from helpline.bootstrap import open_database
from helpline.config import Settings
from helpline.domain.enums import Role
from helpline.errors import AuthenticationFailed
from helpline.services.actor import system_actor
from helpline.services.identity import login, organizations, security
from helpline.storage import migrations
from helpline.storage.database import Database
from helpline.storage.tables import User

EMAIL = "flooded@example.com"
PASSWORD = "correct horse battery"  # noqa: S105 - a throw-away benchmark user


def _legacy_log_in(db: Database, email: str, password: str, *, hours: int, **_: Any) -> Any:
    """Login as it was before read transactions: lookup and hash check inside the write lock."""
    with db.transaction() as session:
        user = session.scalar(select(User).where(User.email == email.strip().lower()))
        if (
            user is None
            or not user.is_active
            or not security.verify_password(user.password_hash, password)
        ):
            raise AuthenticationFailed("wrong email or password")
        return login.open_session(session, user, hours=hours, client=login.Client())


def serve(url: str, port: int, mode: str) -> None:
    """The child process: serve the database at ``url`` on ``port``, as before or after the fix."""
    import uvicorn

    from helpline.asgi import create_app

    if mode == "before":
        Database.read = Database.transaction  # type: ignore[method-assign]
        login.log_in = _legacy_log_in
    # The flood measures the password checks themselves: lockout (which would refuse it cheaply) off.
    unlimited = 10**9
    settings = Settings(
        database_url=url,
        login_account_max_failures=unlimited,
        login_address_max_failures=unlimited,
    )
    app = create_app(settings)
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="error")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _prepare(url: str) -> str:
    db = open_database(Settings(database_url=url))
    migrations.upgrade(db.engine)
    with db.transaction() as session:
        org = organizations.create_organization(
            session, f"Flood {uuid.uuid4().hex[:6]}", "UTC", "GB"
        )
        actor = system_actor(org.id)
        key = organizations.create_api_key(session, actor, name="bench", role=Role.ADMIN).key
        organizations.create_user(
            session, actor, email=EMAIL, display_name="Flooded", role=Role.AGENT, password=PASSWORD
        )
    db.dispose()
    return key


@contextlib.contextmanager
def _server(url: str, mode: str) -> Iterator[str]:
    port = _free_port()
    child = subprocess.Popen(  # noqa: S603 - our own interpreter and script
        [sys.executable, __file__, "--serve", url, "--port", str(port), "--mode", mode]
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                    break
            time.sleep(0.2)
        yield base
    finally:
        child.terminate()
        child.wait(30)


def _normal(base: str, key: str, stop: threading.Event, out: list[tuple[float, int]]) -> None:
    headers = {"Authorization": f"Bearer {key}"}
    with httpx.Client(base_url=base, headers=headers, timeout=60) as client:
        n = 0
        while not stop.is_set():
            started = time.perf_counter()
            if n % 2:
                name = f"team {uuid.uuid4().hex[:10]}"
                status = client.post("/api/v1/teams", json={"name": name}).status_code
            else:
                status = client.get("/api/v1/teams?limit=20").status_code
            out.append((time.perf_counter() - started, status))
            n += 1


def _flood(base: str, stop: threading.Event, out: Counter[int]) -> None:
    with httpx.Client(base_url=base, timeout=60) as client:
        while not stop.is_set():
            body = {"email": EMAIL, "password": "wrong " + uuid.uuid4().hex[:6]}
            out[client.post("/api/v1/auth/login", json=body).status_code] += 1


def _phase(base: str, key: str, *, flooders: int, clients: int, seconds: float) -> dict[str, Any]:
    stop = threading.Event()
    samples: list[tuple[float, int]] = []
    flood: Counter[int] = Counter()
    threads = [
        threading.Thread(target=_flood, args=(base, stop, flood)) for _ in range(flooders)
    ] + [threading.Thread(target=_normal, args=(base, key, stop, samples)) for _ in range(clients)]
    for thread in threads:
        thread.start()
    time.sleep(seconds)
    stop.set()
    for thread in threads:
        thread.join()
    latencies = np.array([seconds for seconds, _ in samples]) * 1000
    return {
        "requests": len(samples),
        "p50_ms": round(float(np.percentile(latencies, 50)), 1),
        "p99_ms": round(float(np.percentile(latencies, 99)), 1),
        "errors": sum(status not in (200, 201) for _, status in samples),
        "flood_statuses": {str(k): v for k, v in sorted(flood.items())},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--flooders", type=int, default=6)
    parser.add_argument("--normal-clients", type=int, default=2)
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--serve", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--mode", choices=("before", "after"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve, args.port, args.mode)
        return
    result: dict[str, Any] = {
        "benchmark": "login_flood",
        "flooders": args.flooders,
        "normal_clients": args.normal_clients,
        "seconds": args.seconds,
    }
    with tempfile.TemporaryDirectory() as directory:
        for mode in ("after", "before"):
            url = f"sqlite:///{directory}/{mode}.db"
            key = _prepare(url)
            with _server(url, mode) as base:
                if mode == "after":
                    result["idle"] = _phase(
                        base, key, flooders=0, clients=args.normal_clients, seconds=args.seconds
                    )
                result[mode] = _phase(
                    base,
                    key,
                    flooders=args.flooders,
                    clients=args.normal_clients,
                    seconds=args.seconds,
                )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
