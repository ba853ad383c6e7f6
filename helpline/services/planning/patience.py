"""Callers' patience for a queue, estimated from the database's own history (issue 24).

The same censored estimate as the simulator and ``helpline staff --patience-from``
(:mod:`helpline.wfm.patience`): over a lookback window, the wait of every abandoned contact (short
abandons included) is an observed patience, the wait of every answered contact is right-censored by the
answer. The exponential maximum-likelihood mean (total waiting time / abandonments) is Erlang A's
patience. Waits come from the stored report facts (``contact_report_facts``), where a finished contact's
``longest_wait_seconds`` is its own wait, answered or abandoned.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from helpline.analytics.intervals import to_epoch_us
from helpline.services.access import owned_by, requires
from helpline.services.actor import Actor
from helpline.services.planning.plans import READING_ROLES
from helpline.storage import tables
from helpline.wfm.patience import CensoredWaits, fit_exponential

LOOKBACK = timedelta(weeks=8)
"""How far back, before the day being planned, waits are read."""
MIN_ABANDONMENTS = 20
"""Fewer abandonments than this in the window: no estimate (staff with Erlang C)."""


@dataclass(frozen=True)
class PatienceEstimate:
    """A queue's mean patience (exponential, seconds) and what it rests on: ``abandonments`` observed
    patiences and ``answered`` censored waits of contacts that arrived in ``[since, until)``."""

    mean_seconds: float
    abandonments: int
    answered: int
    since: datetime
    until: datetime


@requires(*READING_ROLES)
def queue_waits(
    session: Session, actor: Actor, queue_id: int, since: datetime, until: datetime
) -> CensoredWaits:
    """The waits of the queue's answered and abandoned contacts that arrived in ``[since, until)``."""
    fact = tables.ContactReportFact
    rows = session.execute(
        select(fact.longest_wait_seconds, fact.abandoned).where(
            owned_by(actor, fact),
            fact.queue_id == queue_id,
            fact.arrived_at_us >= to_epoch_us(since),
            fact.arrived_at_us < to_epoch_us(until),
            or_(fact.answered > 0, fact.abandoned > 0),
        )
    ).all()
    return CensoredWaits.of([float(w) for w, _ in rows], [bool(a) for _, a in rows])


@requires(*READING_ROLES)
def estimate_patience(
    session: Session,
    actor: Actor,
    queue_id: int,
    until: datetime,
    *,
    lookback: timedelta = LOOKBACK,
    min_abandonments: int = MIN_ABANDONMENTS,
) -> PatienceEstimate | None:
    """The queue's exponential patience fitted to the censored waits of the ``lookback`` before
    ``until``; None with fewer than ``min_abandonments`` abandonments (too little to go on)."""
    since = until - lookback
    waits = queue_waits(session, actor, queue_id, since, until)
    if waits.events < max(min_abandonments, 1):
        return None
    fit = fit_exponential(waits)
    return PatienceEstimate(
        mean_seconds=fit.mean_seconds,
        abandonments=fit.events,
        answered=fit.waits - fit.events,
        since=since,
        until=until,
    )
