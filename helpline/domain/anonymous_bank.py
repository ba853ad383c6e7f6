"""The Anonymous Bank call-center log format (Technion SEE Lab, 1999): one parser for every reader.

The importer (``helpline/demo/anonymous_bank.py``, history for reports and forecasts) and the simulator's
replay (``sim/calllog.py``) both read the log through :func:`parse_calls`, so its quirks are handled
once. The format (``tests/data/anonymous_bank/SOURCE.md``): one header line, then tab-separated rows of
17 fields ``vru+line, call_id, customer_id, priority, type, date, vru_entry, vru_exit, vru_time,
q_start, q_exit, q_time, outcome, ser_start, ser_exit, ser_time, server``. Quirks handled here:

- CRLF or LF line endings, and no newline after the last row;
- a few rows whose ``priority`` and ``type`` are joined by spaces inside quotes (16 fields);
- negative ``vru_time`` (the VRU exit and queue start logged up to a minute before the entry);
  ``q_exit < q_start`` or ``ser_exit < ser_start`` when a call crosses midnight: durations come from
  the ``*_time`` columns, which are right modulo 24 h, and a clock time more than 12 hours before the
  call's VRU entry is on the next day;
- ``ser_start`` 1-2 s (sometimes more) before ``q_exit``: not an error, the queue wait is ``q_time``;
- ``AGENT`` rows without a server (``NO_SERVER``) are answered by an unknown agent; ``HANG`` rows
  with a server name are abandoned all the same; ``PHANTOM`` rows are virtual calls;
- the undocumented call type ``AA`` is a call type like any other;
- not in the source note: some ``customer_id`` values went through a spreadsheet and read like
  ``6.02E+11`` (digits lost); they are kept as text, as every customer id is (``0``: unidentified).

Times are the log's local wall clock (naive datetimes); pure: the caller reads the file.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

FIELDS = (  # the 17 tab-separated fields of a row, in order
    "vru+line",
    "call_id",
    "customer_id",
    "priority",
    "type",
    "date",
    "vru_entry",
    "vru_exit",
    "vru_time",
    "q_start",
    "q_exit",
    "q_time",
    "outcome",
    "ser_start",
    "ser_exit",
    "ser_time",
    "server",
)
NO_SERVER = "NO_SERVER"
HALF_DAY = timedelta(hours=12)


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

    @property
    def reached_agents(self) -> bool:
        """Whether the call asked for an agent: answered, or hung up after queueing."""
        return self.outcome is Outcome.AGENT or (self.outcome is Outcome.HANG and self.was_queued)

    @property
    def queued_at(self) -> datetime:
        """When it started waiting for an agent: ``q_start``, else (answered straight from the VRU)
        ``ser_start``, else the VRU exit."""
        return self.queue_start or self.service_start or self.vru_exit

    @property
    def wait_seconds(self) -> int:
        """The logged queue time (0 when answered without queueing)."""
        return self.queue_seconds if self.was_queued else 0


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
