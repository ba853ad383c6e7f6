"""The whole API fuzzed with Schemathesis against a live server (``make fuzz``), on SQLite and on
PostgreSQL (when HELPLINE_TEST_POSTGRES_URL is set): every operation of the OpenAPI schema, as an
admin, as an agent and anonymously, seeded (the same requests on every run). Expected: no 5xx at all
and every response conforms to the schema the operation declares.

Budget: about two minutes per backend on two cores (BENCHMARKS.md); ``HELPLINE_FUZZ_EXAMPLES``
raises the random examples per operation for a longer exploration (e.g. 100),
``HELPLINE_FUZZ_SEED`` changes the seed.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from helpline.domain.enums import Role
from tests.conftest import BACKENDS, PostgresDatabases
from tests.fuzz.live import FuzzServer, fuzz_server

pytestmark = pytest.mark.fuzz

EXAMPLES = int(os.environ.get("HELPLINE_FUZZ_EXAMPLES", "3"))
SEED = os.environ.get("HELPLINE_FUZZ_SEED", "23")
CHECKS = "not_a_server_error,response_schema_conformance"
CONFIG = Path(__file__).with_name("schemathesis.toml")
REVOKE_KEY = "DELETE /api/v1/api-keys/{api_key_id}"
"""Revokes the fuzzer's own key sooner or later: fuzzed alone, after everything else."""
PUBLIC = r"^/(hooks|chat|healthz|api/v1/public|api/v1/auth/log)"
"""The operations anyone may call: provider webhooks, the chat widget, surveys, logging in."""

# (label, role or None for no credentials, phases, schemathesis options)
# The coverage phase (every operation's boundary values, ~50 requests each) runs as admin, who may
# call everything; the agent's and anonymous runs add random requests (EXAMPLES each).
RUNS: list[tuple[str, Role | None, str, list[str]]] = [
    ("admin", Role.ADMIN, "coverage,fuzzing", ["--exclude-name", REVOKE_KEY]),
    ("agent", Role.AGENT, "fuzzing", ["--exclude-name", REVOKE_KEY]),
    ("anonymous", None, "coverage,fuzzing", ["--include-path-regex", PUBLIC]),
    ("admin, revoking keys", Role.ADMIN, "coverage,fuzzing", ["--include-name", REVOKE_KEY]),
]
BACKEND_OPTIONS = {"sqlite": [], "postgres": ["--mode", "positive"]}
"""Invalid requests (out-of-range ids, wrong types: two thirds of the coverage phase) are refused
before any query, the same on both backends: sent on SQLite only. PostgreSQL gets every valid
boundary value (longest strings, largest ids, NUL characters...) and the random requests."""


@pytest.fixture(params=BACKENDS)
def server(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, FuzzServer]]:
    """A live Demo Bank server on a fresh database of each backend (and the backend's name)."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'fuzz.db'}"
    else:
        databases: PostgresDatabases = request.getfixturevalue("postgres_databases")
        url = databases.create()
    started = time.monotonic()
    with fuzz_server(url) as running:
        print(f"{request.param}: Demo Bank served in {time.monotonic() - started:.0f} s")
        yield request.param, running


def schemathesis(server: FuzzServer, role: Role | None, phases: str, options: list[str]) -> str:
    """Run the Schemathesis CLI against ``server``; its output when it reports a failure, else ""."""
    command = [
        str(Path(sys.executable).with_name("schemathesis")),
        "--config-file",
        str(CONFIG),
        "run",
        f"{server.url}/openapi.json",
        "--checks",
        CHECKS,
        "--max-examples",
        str(EXAMPLES),
        "--seed",
        SEED,
        "--phases",
        phases,
        "--workers",
        "1",
        "--no-shrink",
        "--suppress-health-check",
        "all",
        "--warnings",
        "off",
        "--request-timeout",
        "30",
        *options,
    ]
    if role is not None:
        command += ["--header", f"Authorization: Bearer {server.keys[role]}"]
    result = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
    return "" if result.returncode == 0 else result.stdout[-20_000:] + result.stderr[-5_000:]


def _cpu_seconds() -> float:
    """CPU time of this process (the server's thread included) and of its finished children."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def test_no_operation_answers_5xx_or_breaks_its_schema(server: tuple[str, FuzzServer]) -> None:
    backend, live = server
    failures = []
    for label, role, phases, options in RUNS:
        started, cpu = time.monotonic(), _cpu_seconds()
        report = schemathesis(live, role, phases, options + BACKEND_OPTIONS[backend])
        took, cpu = time.monotonic() - started, _cpu_seconds() - cpu
        print(f"fuzz {label}: {took:.0f} s ({cpu:.0f} CPU s), 5xx so far: {live.errors.total}")
        if report:
            failures.append(f"--- as {label}:\n{report}")
    by_request = "\n".join(f"{n:5d} {name}" for name, n in live.errors.by_request.most_common())
    assert live.errors.total == 0, f"{live.errors.total} 5xx answers:\n{by_request}"
    assert not failures, "\n".join(failures)
