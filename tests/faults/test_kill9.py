"""kill -9 under load (issue 17): the real server, started by the ``helpline`` command on a file
database, is killed with SIGKILL three times while customers call in and agents take the calls, and
is restarted each time on the same database.

Afterwards every contact whose creation was answered 2xx is there, once (its Idempotency-Key gives
back the same contact), and ended answered (closed, connected once) or abandoned; no contact was
connected twice and no agent ever held more contacts than its capacity (one voice contact).

Not part of ``make integration``/``coverage`` (they run tests/integration twice): ``make faults``.
Timing only bounds liveness (a server that does not come back, a queue that does not drain); the
assertions are about what the database and the event log hold.
"""

from __future__ import annotations

import os
import random
import re
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, create_engine, select
from typer.testing import CliRunner

from helpline.cli import app
from helpline.storage.database import normalize_url
from helpline.storage.tables import Contact
from tests.conftest import BACKENDS
from tests.network import free_port

pytestmark = pytest.mark.faults

ROOT = Path(__file__).resolve().parents[2]
CLI = "from helpline.cli import main; main()"
"""The ``helpline`` command of this checkout (the console script may belong to another one)."""

KILLS = 3
CREATORS = 2
AGENTS = 4
OFFER_TIMEOUT_SECONDS = 5
START_DEADLINE = 90.0  # liveness only: a slow machine is slow, not wrong
DRAIN_DEADLINE = 45.0
RINGING_OUT = 0.3
"""The share of its offers the first agent lets time out."""
ANSWERED = "closed"
ABANDONED = ("abandoned", "short_abandoned")


def helpline(database_url: str, *arguments: str) -> str:
    """Run a ``helpline`` command (in this process: only ``serve`` needs one of its own) and
    return what it printed."""
    result = CliRunner().invoke(app, [*arguments, "--database-url", database_url])
    assert result.exit_code == 0, f"helpline {' '.join(arguments)}: {result.output}"
    return result.stdout


class Server:
    """``helpline serve`` in a child process on a fixed free port; killed and restarted at will."""

    def __init__(self, database_url: str, logs: Path) -> None:
        self.database_url = database_url
        self.logs = logs
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None
        self.starts = 0
        self.kills = 0
        self.start_seconds: list[float] = []  # how long each start took until /healthz answered

    def start(self) -> None:
        log = (self.logs / f"server-{self.starts}.log").open("wb")
        self.starts += 1
        env = {k: v for k, v in os.environ.items() if not k.startswith("HELPLINE_")}
        if "HELPLINE_PURE_PYTHON" in os.environ:
            env["HELPLINE_PURE_PYTHON"] = os.environ["HELPLINE_PURE_PYTHON"]
        arguments = ["serve", "--host", "127.0.0.1", "--port", str(self.port)]
        try:
            self.process = subprocess.Popen(  # noqa: S603 - fixed arguments
                [sys.executable, "-c", CLI, *arguments, "--database-url", self.database_url],
                cwd=ROOT,
                stdout=log,
                stderr=subprocess.STDOUT,
                env=env,
            )
        finally:
            log.close()  # the child has its own copy
        began = time.monotonic()
        deadline = began + START_DEADLINE
        while True:
            assert self.process.poll() is None, f"the server exited:\n{self.log_text()}"
            try:
                if httpx.get(f"{self.url}/healthz", timeout=2).status_code == 200:
                    self.start_seconds.append(round(time.monotonic() - began, 1))
                    return
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, f"the server did not start:\n{self.log_text()}"
            time.sleep(0.1)

    def kill(self) -> None:
        """SIGKILL: no shutdown hook runs, transactions in flight are lost."""
        assert self.process is not None
        assert self.process.poll() is None, f"the server died by itself:\n{self.log_text()}"
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)
        self.kills += 1

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=15)

    def log_text(self) -> str:
        return "\n".join(
            f"--- {path.name}\n{path.read_text(errors='replace')[-6000:]}"
            for path in sorted(self.logs.glob("server-*.log"))
        )

    def tracebacks(self) -> list[str]:
        """Errors the server logged (a killed server logs none: it is gone before it could)."""
        found = []
        for path in sorted(self.logs.glob("server-*.log")):
            text = path.read_text(errors="replace")
            found += [
                f"{path.name}: {m}" for m in re.findall(r"Traceback.*?\n\S[^\n]*", text, re.S)
            ]
        return found


@dataclass
class Record:
    """What the load saw, shared by its threads."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    acknowledged: dict[str, int] = field(default_factory=dict)  # idempotency key -> contact id
    statuses: Counter[str] = field(default_factory=Counter)
    unexpected: list[str] = field(default_factory=list)  # 5xx, and 4xx other than known conflicts
    refused: int = 0  # requests made while the server was down
    cut_off: int = 0  # requests in flight when the server was killed
    creates_in_flight: set[str] = field(default_factory=set)  # their idempotency keys

    def count(self, what: str) -> None:
        with self.lock:
            self.statuses[what] += 1

    def lost(self, error: httpx.TransportError) -> None:
        with self.lock:
            if isinstance(error, httpx.ConnectError):
                self.refused += 1
            else:
                self.cut_off += 1

    def check(self, response: httpx.Response, allowed: tuple[int, ...] = ()) -> bool:
        """True for a 2xx; an allowed status is counted, anything else is recorded as unexpected."""
        request = response.request
        path = re.sub(r"/\d+", "/{id}", request.url.path)
        self.count(f"{request.method} {path} {response.status_code}")
        if response.is_success:
            return True
        if response.status_code not in allowed:
            with self.lock:
                self.unexpected.append(
                    f"{request.method} {request.url.path} -> {response.status_code}: "
                    f"{response.text[:300]}"
                )
        return False


class Load:
    """Customers calling in (with an Idempotency-Key each) and agents answering, in threads."""

    def __init__(self, server: Server, key: str, queue_id: int, agents: list[int]) -> None:
        self.server = server
        self.headers = {"Authorization": f"Bearer {key}"}
        self.queue_id = queue_id
        self.agents = agents
        self.record = Record()
        self.stop_creating = threading.Event()
        self.stop_agents = threading.Event()
        self.threads: list[threading.Thread] = []
        self.creators: list[threading.Thread] = []

    def client(self) -> httpx.Client:
        return httpx.Client(base_url=f"{self.server.url}/api/v1", headers=self.headers, timeout=30)

    def start(self) -> None:
        for number in range(CREATORS):
            thread = threading.Thread(target=self._creator, args=(number,), daemon=True)
            self.creators.append(thread)
        self.threads = [
            *self.creators,
            *(
                threading.Thread(target=self._agent, args=(a, n), daemon=True)
                for n, a in enumerate(self.agents)
            ),
        ]
        for thread in self.threads:
            thread.start()

    def kill_mid_create(self, database: Engine, patience: float) -> str:
        """Kill the server, at best once a contact in flight is committed but not yet answered
        (watching the database), else while a creation is in flight, else after ``patience``."""
        deadline = time.monotonic() + patience
        moment = "between creates"
        while time.monotonic() < deadline:
            with self.record.lock:
                keys = set(self.record.creates_in_flight)
            if keys:
                moment = "during a create"
                with database.connect() as connection:
                    committed = connection.scalars(
                        select(Contact.idempotency_key).where(Contact.idempotency_key.in_(keys))
                    ).all()
                with self.record.lock:
                    if set(committed) & self.record.creates_in_flight:
                        moment = "after a commit, before its answer"
                        break
            time.sleep(0.002)
        self.server.kill()
        return moment

    def finish_creating(self) -> None:
        self.stop_creating.set()
        for thread in self.creators:
            thread.join(timeout=START_DEADLINE * 2)
            assert not thread.is_alive(), "a creator never got an answer"

    def finish(self) -> None:
        self.stop_agents.set()
        for thread in self.threads:
            thread.join(timeout=60)
            assert not thread.is_alive(), "a load thread did not stop"

    # -- customers ---------------------------------------------------------------------------------

    def _creator(self, number: int) -> None:
        rng = random.Random(number)
        with self.client() as client:
            while not self.stop_creating.is_set():
                key = f"kill9-{number}-{uuid.uuid4().hex}"
                contact_id = self._create(client, key)
                if contact_id is None:
                    continue
                with self.record.lock:
                    self.record.acknowledged[key] = contact_id
                if rng.random() < 0.2:  # this customer hangs up at once (if still waiting)
                    self._post(client, f"contacts/{contact_id}/abandon", None, (409,))
                time.sleep(rng.uniform(0.1, 0.3))

    def _create(self, client: httpx.Client, key: str) -> int | None:
        """POST the contact until answered, the same key each time (the answer may be lost).

        None when the answer is an error (recorded as unexpected: the test fails).
        """
        body = {"channel": "voice", "queue_id": self.queue_id, "subject": key}
        while True:
            with self.record.lock:
                self.record.creates_in_flight.add(key)
            try:
                response = client.post("contacts", json=body, headers={"Idempotency-Key": key})
            except httpx.TransportError as error:
                self.record.lost(error)
                time.sleep(0.1)
                continue
            finally:
                with self.record.lock:
                    self.record.creates_in_flight.discard(key)
            if self.record.check(response):
                contact_id: int = response.json()["id"]
                return contact_id
            return None

    # -- agents ------------------------------------------------------------------------------------

    def _post(
        self, client: httpx.Client, path: str, body: Any, allowed: tuple[int, ...]
    ) -> dict[str, Any] | None:
        try:
            response = client.post(path, json=body)
        except httpx.TransportError as error:
            self.record.lost(error)
            return None
        if self.record.check(response, allowed):
            data: dict[str, Any] = response.json()
            return data
        return None

    def _get(self, client: httpx.Client, path: str) -> Any:
        try:
            response = client.get(path)
        except httpx.TransportError as error:
            self.record.lost(error)
            return None
        return response.json() if self.record.check(response) else None

    def _agent(self, agent_id: int, number: int) -> None:
        """Go available, accept offers, talk a little, end and close; finish what a kill left.

        The first agent lets some offers ring out (missed: the contact goes to another agent).
        """
        rng = random.Random(100 + number)
        ignores = RINGING_OUT if number == 0 else 0.0
        ignored: set[int] = set()
        with self.client() as client:
            while not self.stop_agents.is_set():
                state = self._get(client, f"agents/{agent_id}/state")
                if state is None:
                    time.sleep(0.2)
                    continue
                if state["status"] != "available":  # missed an offer, or never set
                    self._post(client, f"agents/{agent_id}/state", {"state": "available"}, ())
                offered = [
                    o["contact"]["id"] for o in self._get(client, f"agents/{agent_id}/offers") or []
                ]
                for contact_id in offered:
                    if contact_id not in ignored and rng.random() < ignores:
                        ignored.add(contact_id)
                # Contacts held: e.g. accepted, then the server died before it answered.
                for contact_id in dict.fromkeys([*state["contact_ids"], *offered]):
                    if contact_id not in ignored:
                        self._finish(client, agent_id, contact_id, rng)
                time.sleep(rng.uniform(0.05, 0.15))

    def _finish(
        self, client: httpx.Client, agent_id: int, contact_id: int, rng: random.Random
    ) -> None:
        contact = self._get(client, f"contacts/{contact_id}")
        if contact is None or contact["agent_id"] != agent_id:
            return
        # 409: the offer timed out, the customer left, or an earlier answer was lost in a kill.
        if contact["state"] == "offered":
            accepted = self._post(
                client, f"contacts/{contact_id}/accept", {"agent_id": agent_id}, (409,)
            )
            if accepted is None:
                return
            time.sleep(rng.uniform(0.0, 0.3))  # the conversation
            contact = accepted
        if contact["state"] in ("connected", "on_hold"):
            ended = self._post(client, f"contacts/{contact_id}/end", None, (409,))
            if ended is None:
                return
            contact = ended
        if contact["state"] == "wrap_up":
            self._post(client, f"contacts/{contact_id}/close", None, (409,))


def all_contacts(client: httpx.Client) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    after = 0
    while True:
        response = client.get("contacts", params={"after_id": after, "limit": 1000})
        assert response.status_code == 200, response.text
        page = response.json()
        found += page["items"]
        if page["next_after_id"] is None:
            return found
        after = page["next_after_id"]


def all_events(client: httpx.Client) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    after = 0
    while True:
        response = client.get("events", params={"after": after, "limit": 1000})
        assert response.status_code == 200, response.text
        page = response.json()
        if not page["events"]:
            return found
        found += page["events"]
        after = page["last_sequence"]


def setup_center(server: Server) -> tuple[str, int, list[int]]:
    """An organization and admin key (the CLI), a voice queue, a profile and agents (the API)."""
    url = server.database_url
    helpline(url, "db", "upgrade")
    helpline(url, "org", "create", "Kill Nine")
    key = helpline(url, "apikey", "create", "--org", "Kill Nine", "--role", "admin").strip()
    server.start()
    with httpx.Client(
        base_url=f"{server.url}/api/v1", headers={"Authorization": f"Bearer {key}"}, timeout=30
    ) as api:

        def create(path: str, body: dict[str, Any]) -> int:
            response = api.post(path, json=body)
            assert response.status_code == 201, response.text
            created: int = response.json()["id"]
            return created

        queue = create(
            "queues",
            {
                "name": "Voice",
                "channel": "voice",
                "offer_timeout_seconds": OFFER_TIMEOUT_SECONDS,
                "after_contact_work_seconds": 30,
            },
        )
        profile = create(
            "routing-profiles",
            {
                "name": "Voice",
                "channels": [{"channel": "voice", "concurrency": 1}],
                "queues": [{"queue_id": queue, "priority": 1}],
            },
        )
        agents = []
        for number in range(AGENTS):
            user = create(
                "users",
                {
                    "email": f"agent{number}@kill-nine.example",
                    "display_name": f"Agent {number}",
                    "role": "agent",
                    "password": "agent-password",
                },
            )
            agents.append(
                create(
                    "agents",
                    {
                        "user_id": user,
                        "display_name": f"Agent {number}",
                        "routing_profile_id": profile,
                    },
                )
            )
    return key, queue, agents


@pytest.fixture
def server(empty_database_url: str, tmp_path: Path) -> Iterator[Server]:
    running = Server(empty_database_url, tmp_path)
    try:
        yield running
    finally:
        running.stop()


def capacity_breaches(events: list[dict[str, Any]]) -> list[str]:
    """Offers made to an agent who already held a contact (offered, connected or in ACW)."""
    held: dict[int, set[int]] = defaultdict(set)
    holder: dict[int, int] = {}
    breaches = []
    for event in events:
        contact, agent = event["contact_id"], event["agent_id"]
        if event["type"] == "ContactOffered":
            if held[agent]:
                breaches.append(
                    f"#{event['sequence']}: {contact} offered to {agent} holding {held[agent]}"
                )
            held[agent].add(contact)
            holder[contact] = agent
        elif event["type"] == "ContactConnected" and holder.get(contact) != agent:
            breaches.append(f"#{event['sequence']}: {contact} connected to {agent}, not offered")
        elif (
            event["type"]
            in (
                "OfferMissed",
                "OfferWithdrawn",
                "ContactAbandoned",
                "ContactClosed",
            )
            and contact in holder
        ):
            held[holder.pop(contact)].discard(contact)
    return breaches


def offers_withdrawn_by_rebuild(events: list[dict[str, Any]]) -> list[str]:
    """Offers withdrawn other than because the customer left (ContactAbandoned in the same batch)."""
    found = []
    for event, after in zip(events, [*events[1:], None], strict=True):
        if event["type"] != "OfferWithdrawn":
            continue
        if after is None or (after["type"], after["contact_id"]) != (
            "ContactAbandoned",
            event["contact_id"],
        ):
            found.append(f"#{event['sequence']}: {event['contact_id']} from {event['agent_id']}")
    return found


@pytest.mark.parametrize("empty_database_url", BACKENDS, indirect=True)
def test_killed_and_restarted_under_load_loses_and_duplicates_no_contact(server: Server) -> None:
    began = time.monotonic()
    key, queue, agents = setup_center(server)
    load = Load(server, key, queue, agents)
    load.start()
    pace = random.Random(7)
    kills: Counter[str] = Counter()
    database = create_engine(normalize_url(server.database_url))
    try:
        for _ in range(KILLS):
            time.sleep(pace.uniform(2.0, 4.0))
            kills[load.kill_mid_create(database, patience=2.0)] += 1
            server.start()
    finally:
        database.dispose()
    time.sleep(2.0)  # the last restart serves the load for a while
    load.finish_creating()
    acknowledged = dict(load.record.acknowledged)
    ids = set(acknowledged.values())

    api = load.client()
    # Drain: agents take what waits; what still waits halfway to the deadline is abandoned.
    drain_began = time.monotonic()
    abandoned_at_end = 0
    gave_up_waiting = False
    while True:
        states = {c["id"]: c["state"] for c in all_contacts(api)}
        open_ids = [i for i, s in states.items() if s not in (ANSWERED, *ABANDONED)]
        if not open_ids:
            break
        waited = time.monotonic() - drain_began
        if waited > DRAIN_DEADLINE / 2 and not gave_up_waiting:
            gave_up_waiting = True
            for contact_id in open_ids:
                if states[contact_id] in ("queued", "offered"):
                    response = api.post(f"contacts/{contact_id}/abandon")
                    assert response.status_code in (200, 409), response.text
                    abandoned_at_end += response.status_code == 200
        assert waited < DRAIN_DEADLINE, f"never finished: { {i: states[i] for i in open_ids} }"
        time.sleep(0.5)
    load.finish()
    holding = {a: api.get(f"agents/{a}/state").json()["contact_ids"] for a in agents}

    contacts = {c["id"]: c for c in all_contacts(api)}
    events = all_events(api)
    # Every key still names its one contact (asked again after the kills: that contact, 200).
    replayed = {}
    for idempotency_key, contact_id in acknowledged.items():
        again = api.post(
            "contacts",
            json={"channel": "voice", "queue_id": queue, "subject": idempotency_key},
            headers={"Idempotency-Key": idempotency_key},
        )
        if (again.status_code, again.json().get("id")) != (200, contact_id):
            replayed[idempotency_key] = f"{contact_id}: {again.status_code} {again.text[:200]}"
    api.close()
    assert server.process is not None
    assert server.process.poll() is None, server.log_text()
    wall = time.monotonic() - began

    per_contact: dict[int, Counter[str]] = defaultdict(Counter)
    for event in events:
        if event["contact_id"] is not None:
            per_contact[event["contact_id"]][event["type"]] += 1
    answered = [i for i, c in contacts.items() if c["state"] == ANSWERED]
    abandoned = [i for i, c in contacts.items() if c["state"] in ABANDONED]
    withdrawn_by_rebuild = offers_withdrawn_by_rebuild(events)
    print(
        f"\nkill -9 on {server.database_url.split(':')[0]}: kills {server.kills}, "
        f"starts {server.starts} (seconds each {server.start_seconds}), acknowledged {len(acknowledged)}, answered {len(answered)}, "
        f"abandoned {len(abandoned)} (of which abandoned by the drain {abandoned_at_end}), "
        f"kill moments {dict(kills)}, "
        f"requests cut off by kills {load.record.cut_off}, "
        f"refused while down {load.record.refused}, "
        f"creates answered 200 on retry {load.record.statuses['POST /api/v1/contacts 200']}, "
        f"offers missed {sum(c['OfferMissed'] for c in per_contact.values())}, "
        f"offers withdrawn {sum(c['OfferWithdrawn'] for c in per_contact.values())} "
        f"(by a rebuild {len(withdrawn_by_rebuild)}), "
        f"wall time {wall:.1f} s"
    )
    print("responses:", dict(sorted(load.record.statuses.items())))

    assert server.kills == KILLS
    assert load.record.unexpected == [], load.record.unexpected[:20]
    assert server.tracebacks() == [], server.tracebacks()[:5]
    assert len(ids) == len(acknowledged), "two keys answered with one contact"
    assert replayed == {}, "a key answered with another contact or an error"
    assert set(contacts) == ids, (
        f"lost: {sorted(ids - set(contacts))}, unacknowledged extra: {sorted(set(contacts) - ids)}"
    )
    assert answered, "the load should have answered contacts"
    assert abandoned, "the load should have lost some callers"
    for contact_id, contact in contacts.items():
        kinds = per_contact[contact_id]
        assert kinds["ContactCreated"] == 1, (contact_id, kinds)
        assert kinds["ContactConnected"] <= 1, (contact_id, kinds)
        if contact["state"] == ANSWERED:
            assert contact["connected_at"] is not None, contact
            assert kinds["ContactConnected"] == 1, (contact_id, kinds)
            assert kinds["ContactClosed"] == 1, (contact_id, kinds)
        else:
            assert contact["state"] in ABANDONED, contact
            assert contact["connected_at"] is None, contact
            assert kinds["ContactConnected"] == 0, (contact_id, kinds)
            assert kinds["ContactAbandoned"] == 1, (contact_id, kinds)
    assert capacity_breaches(events) == []
    assert holding == {a: [] for a in agents}, "the engine still gives agents finished contacts"
    # A rebuild after a kill keeps open offers open (the agents' capacity never changes here).
    assert withdrawn_by_rebuild == []
