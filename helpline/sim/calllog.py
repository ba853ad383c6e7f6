"""Call logs to replay: the Anonymous Bank format (Technion SEE lab, 1999) and a plain CSV.

Parsers take lines of text (the shell reads the file) and return :class:`LoggedContact` values on the
simulation clock: seconds since midnight of the first day kept. Malformed lines raise
:class:`~helpline.errors.InvalidInput` naming the line.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
from collections.abc import Iterable
from dataclasses import dataclass

from helpline.errors import InvalidInput
from helpline.sim.scenario import LoggedContact

BANK_COLUMNS = (  # the 17 tab-separated fields of the Anonymous Bank log, in order
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


@dataclass(frozen=True, slots=True)
class BankCall:
    """One call that reached the agents' queue in the Anonymous Bank log (VRU-only calls and
    PHANTOM rows are dropped). ``reached_queue_at`` is clock seconds of ``day``; ``wait_seconds`` the
    logged queue time; ``handle_seconds`` the logged service time (0 when abandoned)."""

    day: dt.date
    call_type: str
    is_high_priority: bool
    customer_id: str | None
    reached_queue_at: float
    wait_seconds: float
    is_answered: bool
    handle_seconds: float


def _clock(text: str, line: int, column: str) -> float:
    try:
        h, m, s = (int(part) for part in text.split(":"))
    except ValueError:
        raise InvalidInput(f"line {line}.{column}", f"{text!r} is not H:MM:SS") from None
    return float(h * 3600 + m * 60 + s)


def parse_anonymous_bank(lines: Iterable[str]) -> list[BankCall]:
    """Parse the tab-separated monthly file (header line first) into the calls that reached the queue.

    A call reached the queue when it was answered or abandoned in the queue (``q_start`` set). It did
    so at ``q_start``, or at ``vru_exit`` when answered without queueing.
    """
    calls = []
    for number, raw in enumerate(lines, start=1):
        text = raw.rstrip("\r\n")
        if number == 1:
            if text.split("\t")[:2] != list(BANK_COLUMNS[:2]):
                raise InvalidInput("line 1", "is not the Anonymous Bank header")
            continue
        if not text:
            continue
        fields = text.split("\t")
        if len(fields) != len(BANK_COLUMNS):
            # Two October rows separate priority and type with spaces (SOURCE.md, quirks).
            fields = text.replace('"', "").split()
            if len(fields) != len(BANK_COLUMNS):
                raise InvalidInput(f"line {number}", f"has {len(fields)} fields, expected 17")
        row = dict(zip(BANK_COLUMNS, fields, strict=True))
        outcome = row["outcome"]
        queued = row["q_start"] != "0:00:00"
        if (
            outcome == "PHANTOM"
            or (outcome == "HANG" and not queued)
            or outcome
            not in (
                "AGENT",
                "HANG",
            )
        ):
            continue
        try:
            stamp = row["date"]  # YYMMDD, all in 1999
            day = dt.date(1900 + int(stamp[:2]), int(stamp[2:4]), int(stamp[4:]))
            wait = float(row["q_time"])
            handle = float(row["ser_time"])
        except ValueError:
            raise InvalidInput(f"line {number}", "has a malformed date or duration") from None
        entry = row["q_start"] if queued else row["vru_exit"]
        calls.append(
            BankCall(
                day=day,
                call_type=row["type"],
                is_high_priority=row["priority"] == "2",
                customer_id=None if row["customer_id"] == "0" else row["customer_id"],
                reached_queue_at=_clock(entry, number, "q_start"),
                wait_seconds=wait,
                is_answered=outcome == "AGENT",
                handle_seconds=handle,
            )
        )
    return calls


def bank_contacts(
    calls: Iterable[BankCall],
    first_day: dt.date,
    days: int,
    *,
    logged_patience: bool = True,
) -> tuple[LoggedContact, ...]:
    """The calls of ``days`` days from ``first_day`` as contacts to replay, one queue per call type.

    Handle times are the logged ones (an abandoned call's is drawn from the queue's model). With
    ``logged_patience``, a call that abandoned after waiting w seconds has patience w and an answered
    call never abandons; otherwise patience is drawn from the queue's model.
    """
    out = []
    for call in calls:
        offset = (call.day - first_day).days
        if not 0 <= offset < days:
            continue
        patience: float | None = None
        if logged_patience:
            patience = math.inf if call.is_answered else call.wait_seconds
        out.append(
            LoggedContact(
                arrival_seconds=offset * 86400.0 + call.reached_queue_at,
                queue_id=call.call_type,
                handle_seconds=call.handle_seconds if call.is_answered else None,
                patience_seconds=patience,
                customer_id=call.customer_id,
                priority=1 if call.is_high_priority else 5,
            )
        )
    return tuple(out)


def parse_csv_log(lines: Iterable[str]) -> tuple[LoggedContact, ...]:
    """Parse ``arrival_seconds,queue_id[,handle_seconds][,patience_seconds][,customer_id]`` with a
    header; empty optional cells mean unknown (drawn from the queue's model)."""
    reader = csv.DictReader(lines)
    if reader.fieldnames is None or not {"arrival_seconds", "queue_id"} <= set(reader.fieldnames):
        raise InvalidInput("line 1", "needs the columns arrival_seconds and queue_id")
    out = []
    for number, row in enumerate(reader, start=2):

        def value(column: str, row: dict[str, str] = row, number: int = number) -> float | None:
            text = (row.get(column) or "").strip()
            if not text:
                return None
            try:
                number_value = float(text)
            except ValueError:
                raise InvalidInput(f"line {number}.{column}", f"{text!r} is not a number") from None
            if not number_value >= 0:
                raise InvalidInput(f"line {number}.{column}", "must be >= 0")
            return number_value

        arrival = value("arrival_seconds")
        if arrival is None or not row.get("queue_id"):
            raise InvalidInput(f"line {number}", "needs arrival_seconds and queue_id")
        out.append(
            LoggedContact(
                arrival,
                row["queue_id"],
                value("handle_seconds"),
                value("patience_seconds"),
                row.get("customer_id") or None,
            )
        )
    return tuple(out)
