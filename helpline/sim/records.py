"""Per-contact traces of a run (Ciw's ``get_all_records`` shape), built on request from the columns."""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass

from helpline.sim.simulation import RunResult


class Outcome(enum.StrEnum):
    """How a simulated contact ended."""

    ANSWERED = "answered"  # connected to an agent
    ABANDONED = "abandoned"  # left while waiting
    CLOSED = "closed"  # arrived while the queue was closed and got the closed message
    UNFINISHED = "unfinished"  # still waiting when the run stopped


@dataclass(frozen=True, slots=True)
class ContactTrace:
    """One contact's life in simulation seconds (None: did not happen)."""

    contact_number: int
    customer_id: str | None
    queue_id: str
    arrival_seconds: float
    outcome: Outcome
    wait_seconds: float | None
    answered_seconds: float | None
    service_end_seconds: float | None
    closed_seconds: float | None
    abandoned_seconds: float | None
    agent_id: str | None
    is_retrial: bool
    is_callback: bool


def _maybe(value: float) -> float | None:
    return None if math.isnan(value) else value


def contact_traces(run: RunResult) -> tuple[ContactTrace, ...]:
    """Every contact of the run, in arrival order of creation (retrials after the scheduled ones)."""
    queue_ids = [m.queue_id for m in run.scenario.queues]
    out = []
    for i in range(run.n_contacts):
        arrival = float(run.arrival_seconds[i])
        answered = _maybe(float(run.answered_seconds[i]))
        abandoned = _maybe(float(run.abandoned_seconds[i]))
        if answered is not None:
            outcome, wait = Outcome.ANSWERED, answered - arrival
        elif abandoned is not None:
            outcome, wait = Outcome.ABANDONED, abandoned - arrival
        elif run.is_closed_unserved[i]:
            outcome, wait = Outcome.CLOSED, None
        else:
            outcome, wait = Outcome.UNFINISHED, None
        out.append(
            ContactTrace(
                contact_number=i,
                customer_id=run.customer_ids[i],
                queue_id=queue_ids[int(run.queue_indexes[i])],
                arrival_seconds=arrival,
                outcome=outcome,
                wait_seconds=wait,
                answered_seconds=answered,
                service_end_seconds=_maybe(float(run.service_end_seconds[i])),
                closed_seconds=_maybe(float(run.closed_seconds[i])),
                abandoned_seconds=abandoned,
                agent_id=run.agent_ids[i],
                is_retrial=bool(run.is_retrial[i]),
                is_callback=bool(run.is_callback[i]),
            )
        )
    return tuple(out)
