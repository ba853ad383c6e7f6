"""Call logs to replay: the Anonymous Bank format (Technion SEE lab, 1999) and a plain CSV.

The Anonymous Bank log is parsed by :func:`helpline.domain.anonymous_bank.parse_calls` (the importer's
parser too); :func:`bank_contacts` turns its calls into :class:`LoggedContact` values on the simulation
clock: seconds since midnight of the first day kept. CSV lines are parsed here; malformed lines raise
:class:`~helpline.errors.InvalidInput` naming the line.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
from collections.abc import Iterable

from helpline.domain.anonymous_bank import BankCall, Outcome
from helpline.errors import InvalidInput
from helpline.sim.scenario import LoggedContact


def bank_contacts(
    calls: Iterable[BankCall],
    first_day: dt.date,
    days: int,
    *,
    logged_patience: bool = True,
) -> tuple[LoggedContact, ...]:
    """The calls of ``days`` days from ``first_day`` that asked for an agent, as contacts to replay
    (one queue per call type), arriving when they started waiting for an agent (``queued_at``, so
    a call crossing midnight counts on the day it queued).

    Handle times are the logged ones (an abandoned call's is drawn from the queue's model). With
    ``logged_patience``, a call that abandoned after waiting w seconds has patience w and an answered
    call never abandons; otherwise patience is drawn from the queue's model.
    """
    midnight = dt.datetime.combine(first_day, dt.time())
    out = []
    for call in calls:
        if not call.reached_agents:
            continue  # PHANTOM, or a hang-up in the VRU: never asked for an agent
        arrival = (call.queued_at - midnight).total_seconds()
        if not 0 <= arrival < days * 86400.0:
            continue
        is_answered = call.outcome is Outcome.AGENT
        patience: float | None = None
        if logged_patience:
            patience = math.inf if is_answered else float(call.wait_seconds)
        out.append(
            LoggedContact(
                arrival_seconds=arrival,
                queue_id=call.call_type,
                handle_seconds=float(call.service_seconds) if is_answered else None,
                patience_seconds=patience,
                customer_id=call.customer_id,
                priority=1 if call.priority == 2 else 5,
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
