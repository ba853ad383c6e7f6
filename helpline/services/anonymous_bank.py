"""The Anonymous Bank call-center log (Technion SEE Lab, 1999): parse it, and import it as history.

The format (``tests/data/anonymous_bank/SOURCE.md``): one header line, then tab-separated rows of 17
fields ``vru+line, call_id, customer_id, priority, type, date, vru_entry, vru_exit, vru_time, q_start,
q_exit, q_time, outcome, ser_start, ser_exit, ser_time, server``. Quirks handled here:

- CRLF or LF line endings, and no newline after the last row;
- a few rows whose ``priority`` and ``type`` are joined by spaces inside quotes (16 fields);
- negative ``vru_time`` (the VRU exit and queue start logged up to a minute before the entry: the
  call is created at the earliest of its times); ``q_exit < q_start`` or ``ser_exit < ser_start``
  when a call crosses midnight: durations come from the ``*_time`` columns, which are right modulo
  24 h, and a clock time more than 12 hours before the call's VRU entry is on the next day;
- ``ser_start`` 1-2 s (sometimes more) before ``q_exit``: not an error, the queue wait is ``q_time``;
- ``AGENT`` rows without a server (``NO_SERVER``) are answered by an unknown agent; ``HANG`` rows
  with a server name are abandoned all the same; ``PHANTOM`` rows are virtual calls and skipped;
- the undocumented call type ``AA`` becomes a queue like any other;
- not in the source note: some ``customer_id`` values went through a spreadsheet and read like
  ``6.02E+11`` (digits lost); they are kept as text, as every customer id is (``0``: unidentified).

Mapping to Helpline (one contact per call, in the organization's zone, Asia/Jerusalem by default):
created at VRU entry; queued at ``q_start`` (calls answered straight from the VRU queue at
``ser_start`` with a zero wait); answered ``q_time`` seconds after queueing and closed ``ser_time``
seconds later; ``HANG`` after queueing is abandoned after ``q_time``; ``HANG`` in the VRU without
queueing is deflected (the caller used the voice response unit and left without asking for an agent).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from helpline.domain.enums import Role
from helpline.errors import InvalidInput
from helpline.services import configuration as config
from helpline.services import organizations
from helpline.services.actor import Actor
from helpline.services.history import (
    CallEnd,
    KeyedCall,
    PastCall,
    known_import_keys,
    record_past_calls,
)
from helpline.sim.calllog import BANK_COLUMNS
from helpline.storage.tables import Agent, Organization, Queue

FIELDS = BANK_COLUMNS  # one column list for the importer and the simulator's replay
NO_SERVER = "NO_SERVER"
HALF_DAY = timedelta(hours=12)
UNUSABLE_PASSWORD = "!imported"  # noqa: S105 - not a secret: no argon2 hash looks like this
"""Password hash of imported agents' users: matches no password until an admin sets one."""
CALL_TYPES = {
    "PS": "Regular activity",
    "PE": "Regular activity in English",
    "IN": "Internet site support",
    "NE": "Stock exchange activity",
    "NW": "Prospective customers",
    "TT": "Customers who left a message for a call back",
}


class Outcome(enum.StrEnum):
    """How a call ended, as the log says."""

    AGENT = "AGENT"  # served by an agent
    HANG = "HANG"  # the caller hung up (in the VRU or in the queue)
    PHANTOM = "PHANTOM"  # a virtual call, to be ignored


class FormatError(ValueError):
    """A row that cannot be read; ``line`` is its 1-based line number in the file."""

    def __init__(self, line: int, reason: str) -> None:
        super().__init__(f"line {line}: {reason}")
        self.line = line
        self.reason = reason


@dataclass(frozen=True, slots=True)
class BankCall:
    """One row of the log; times are local wall-clock datetimes (no zone), durations seconds."""

    line: int
    vru_line: str
    call_id: int
    customer_id: str | None
    priority: int
    call_type: str
    vru_entry: datetime
    vru_exit: datetime
    queue_start: datetime | None
    queue_seconds: int
    outcome: Outcome
    service_start: datetime | None
    service_seconds: int
    server: str | None

    @property
    def key(self) -> str:
        """An idempotency key unique across the whole log (call ids are unique per VRU and month)."""
        return f"anonymous-bank:{self.vru_entry:%y%m%d}:{self.vru_line}:{self.call_id}"

    @property
    def was_queued(self) -> bool:
        """Whether the call entered the agents' queue."""
        return self.queue_start is not None


def _clock(text: str, line: int, name: str) -> time:
    try:
        hours, minutes, seconds = (int(part) for part in text.split(":"))
        return time(hours, minutes, seconds)
    except ValueError:
        raise FormatError(line, f"{name} {text!r} is not H:MM:SS") from None


def _on_or_after(day: date, clock: time, start: datetime) -> datetime:
    """``clock`` on ``day``, or on the next day when it is more than 12 hours before ``start``.

    A call crossing midnight logs small clock times after a late entry; a clock a minute *before*
    the entry (rows with negative ``vru_time``) is the same day.
    """
    moment = datetime.combine(day, clock)
    return moment + timedelta(days=1) if moment < start - HALF_DAY else moment


def _split(raw: str, line: int) -> list[str]:
    parts = raw.split("\t")
    if len(parts) == len(FIELDS) - 1:
        # ``0       NW``-style rows: priority and type separated by spaces, sometimes quoted.
        joined = parts[3].strip().strip('"').split()
        if len(joined) == 2:
            parts = [*parts[:3], *joined, *parts[4:]]
    if len(parts) != len(FIELDS):
        raise FormatError(line, f"expected {len(FIELDS)} tab-separated fields, found {len(parts)}")
    return [part.strip().strip('"') for part in parts]


def parse_row(raw: str, line: int) -> BankCall:
    """One data row as a ``BankCall``; FormatError when it cannot be read."""
    values = dict(zip(FIELDS, _split(raw, line), strict=True))
    try:
        day = datetime.strptime(values["date"], "%y%m%d").date()  # noqa: DTZ007 - local wall clock
        call_id, customer = int(values["call_id"]), values["customer_id"]
        priority, queue_seconds = int(values["priority"]), int(values["q_time"])
        service_seconds = int(values["ser_time"])
        outcome = Outcome(values["outcome"])
    except ValueError as error:
        raise FormatError(line, str(error)) from None
    entry = datetime.combine(day, _clock(values["vru_entry"], line, "vru_entry"))
    exit_clock = _clock(values["vru_exit"], line, "vru_exit")
    vru_exit = _on_or_after(day, exit_clock, entry)
    queue_clock = _clock(values["q_start"], line, "q_start")
    queue_start = None if queue_clock == time() else _on_or_after(day, queue_clock, entry)
    service_clock = _clock(values["ser_start"], line, "ser_start")
    service_start = None if service_clock == time() else _on_or_after(day, service_clock, entry)
    server = values["server"] if values["server"] not in ("", NO_SERVER) else None
    return BankCall(
        line=line,
        vru_line=values["vru+line"],
        call_id=call_id,
        customer_id=customer if customer not in ("", "0") else None,
        priority=priority,
        call_type=values["type"],
        vru_entry=entry,
        vru_exit=vru_exit,
        queue_start=queue_start,
        queue_seconds=max(0, queue_seconds),
        outcome=outcome,
        service_start=service_start,
        service_seconds=max(0, service_seconds),
        server=server,
    )


def parse_calls(lines: Iterable[str]) -> Iterator[BankCall]:
    """The calls of a log file's lines (header first), PHANTOM rows included; blank lines skipped."""
    rows = iter(lines)
    header = next(rows, "")
    if header.rstrip("\r\n").split("\t")[:2] != list(FIELDS[:2]):
        raise FormatError(1, "not an Anonymous Bank log (header vru+line, call_id, ... expected)")
    for number, raw in enumerate(rows, start=2):
        text = raw.rstrip("\r\n")
        if text.strip():
            yield parse_row(text, number)


KEY_PREFIX = "anonymous-bank:"
DEFAULT_TIME_ZONE = "Asia/Jerusalem"
"""The bank's zone: the log's clock times are local (Israel Standard Time in winter, IDT in summer)."""


@dataclass
class ImportSummary:
    """What an import did, in calls (``PHANTOM`` rows are not calls: they are skipped)."""

    read: int = 0
    imported: int = 0
    already_imported: int = 0
    phantom: int = 0
    queues_created: int = 0
    agents_created: int = 0

    def add(self, other: ImportSummary) -> None:
        """Add the counts of ``other``."""
        for name in vars(self):
            setattr(self, name, getattr(self, name) + getattr(other, name))


def _utc(local: datetime, zone: ZoneInfo) -> datetime:
    return local.replace(tzinfo=zone).astimezone(UTC)


def past_call(call: BankCall, queue_id: int, agent_id: int | None, zone: ZoneInfo) -> PastCall:
    """The Helpline history of one (non-phantom) call (mapping in the module docstring)."""
    attributes = {
        "source": "anonymous-bank",
        "vru_line": call.vru_line,
        "call_id": call.call_id,
        "customer_id": call.customer_id,
        "priority": call.priority,
        "call_type": call.call_type,
    }
    if call.outcome is Outcome.AGENT:
        queued = call.queue_start or call.service_start or call.vru_exit
        wait = call.queue_seconds if call.was_queued else 0
        connected = queued + timedelta(seconds=wait)
        ended = connected + timedelta(seconds=call.service_seconds)
        return PastCall(
            queue_id=queue_id,
            end=CallEnd.ANSWERED,
            created_at=_utc(min(call.vru_entry, queued), zone),
            queued_at=_utc(queued, zone),
            ended_at=_utc(ended, zone),
            wait_seconds=float(wait),
            connected_at=_utc(connected, zone),
            agent_id=agent_id,
            attributes=attributes,
        )
    if call.queue_start is not None:
        ended = call.queue_start + timedelta(seconds=call.queue_seconds)
        return PastCall(
            queue_id=queue_id,
            end=CallEnd.ABANDONED,
            created_at=_utc(min(call.vru_entry, call.queue_start), zone),
            queued_at=_utc(call.queue_start, zone),
            ended_at=_utc(ended, zone),
            wait_seconds=float(call.queue_seconds),
            attributes=attributes,
        )
    return PastCall(
        queue_id=queue_id,
        end=CallEnd.DEFLECTED,
        created_at=_utc(min(call.vru_entry, call.vru_exit), zone),
        queued_at=None,
        ended_at=_utc(call.vru_exit, zone),
        attributes=attributes,
    )


class AnonymousBankImporter:
    """Imports calls into one organization, creating a queue per call type and an agent per server.

    Keeps the queues, agents and already-imported keys it has seen, so import batches in several
    transactions (one per ``import_calls`` call) with the same importer.
    """

    def __init__(self, session: Session, actor: Actor) -> None:
        actor.require()
        self.actor = actor
        organization = session.get(Organization, actor.organization_id)
        if organization is None:
            raise InvalidInput("organization", f"no organization {actor.organization_id}")
        self.zone = ZoneInfo(organization.time_zone)
        self.known = known_import_keys(session, actor, KEY_PREFIX)
        self.queues: dict[str, Queue] = {}
        self.agents: dict[str, int] = {}

    def _queue(self, session: Session, call_type: str, summary: ImportSummary) -> Queue:
        if call_type not in self.queues:
            name = call_type or "unknown"
            queue = session.scalar(
                select(Queue).where(
                    Queue.organization_id == self.actor.organization_id, Queue.name == name
                )
            )
            if queue is None:
                created = config.create(
                    session, self.actor, config.QUEUE, {"name": name, "channel": "voice"}
                )
                queue = session.get(Queue, created["id"])
                summary.queues_created += 1
            if queue is None:  # pragma: no cover - created just above
                raise LookupError(f"queue {name!r} vanished")
            self.queues[call_type] = queue
        return self.queues[call_type]

    def _agent(self, session: Session, server: str | None, summary: ImportSummary) -> int | None:
        if server is None:
            return None
        if server not in self.agents:
            agent_id = session.scalar(
                select(Agent.id).where(
                    Agent.organization_id == self.actor.organization_id,
                    Agent.display_name == server,
                )
            )
            if agent_id is None:
                user = organizations.create_user(
                    session,
                    self.actor,
                    email=f"{server.lower()}.{self.actor.organization_id}@anonymous-bank.invalid",
                    display_name=server,
                    role=Role.AGENT,
                    password_hash=UNUSABLE_PASSWORD,
                )
                created = config.create(
                    session,
                    self.actor,
                    config.AGENT,
                    {"user_id": user.id, "display_name": server},
                )
                agent_id = int(created["id"])
                summary.agents_created += 1
            self.agents[server] = agent_id
        return self.agents[server]

    def import_calls(self, session: Session, calls: Iterable[BankCall]) -> ImportSummary:
        """Store each new non-phantom call of ``calls`` in ``session`` (one transaction)."""
        summary = ImportSummary()
        batch: list[KeyedCall] = []
        for call in calls:
            summary.read += 1
            if call.outcome is Outcome.PHANTOM:
                summary.phantom += 1
                continue
            if call.key in self.known:
                summary.already_imported += 1
                continue
            queue = self._queue(session, call.call_type, summary)
            agent_id = self._agent(session, call.server, summary)
            if call.outcome is Outcome.HANG:
                agent_id = None  # a hang-up is not served, whatever the server column says
            batch.append(
                KeyedCall(
                    past_call(call, queue.id, agent_id, self.zone),
                    call.key,
                    queue.short_abandon_seconds,
                )
            )
            self.known.add(call.key)
        record_past_calls(session, self.actor, batch)
        summary.imported += len(batch)
        return summary
