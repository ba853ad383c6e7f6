"""Whether a queue is open: its open intervals over a span and its state at an instant, computed by
the expansion the routing engine is given (``engine_config.queue_hours``), so the answer is the
routing's own (weekly hours, public holidays, closures, special opening hours)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from helpline.errors import InvalidInput
from helpline.routing import OpenIntervals
from helpline.services.access import any_member
from helpline.services.acd.engine_config import HOURS_HORIZON, epoch, from_epoch, queue_hours
from helpline.services.actor import Actor
from helpline.storage.database import session_now

MAX_SPAN = timedelta(days=62)
"""Longest span of open intervals answered at once."""
DEFAULT_SPAN = timedelta(days=7)
"""Span of open intervals answered when no end is given."""


def _aware(field: str, moment: datetime) -> None:
    if moment.tzinfo is None:
        raise InvalidInput(field, "give a time zone, e.g. 2026-12-24T09:00:00Z")


@any_member
def open_intervals_between(
    session: Session,
    actor: Actor,
    queue_id: int,
    start: datetime | None = None,
    end: datetime | None = None,
) -> list[tuple[datetime, datetime]]:
    """The queue's open intervals clipped to ``[start, end)`` (UTC), in order; one interval from
    ``start`` to ``end`` for a queue open throughout. Default: from now, for ``DEFAULT_SPAN``."""
    start = start or session_now(session)
    end = end or start + DEFAULT_SPAN
    _aware("from", start)
    _aware("to", end)
    if end <= start:
        raise InvalidInput("to", "must be after from")
    if end - start > MAX_SPAN:
        raise InvalidInput("to", f"ask for at most {MAX_SPAN.days} days at once")
    hours = queue_hours(session, actor.organization_id, queue_id, start, end)
    if not isinstance(hours, OpenIntervals):
        return [(from_epoch(epoch(start)), from_epoch(epoch(end)))]
    lower, upper = epoch(start), epoch(end)
    return [
        (from_epoch(max(opens, lower)), from_epoch(min(closes, upper)))
        for opens, closes in hours.intervals
        if opens < upper and closes > lower
    ]


@dataclass(frozen=True)
class OpenState:
    """A queue's state at an instant: open or closed, and until or from when (within the horizon)."""

    at: datetime
    is_open: bool
    open_until: datetime | None  # when open: the end of the open interval (None: not within reach)
    next_open_at: datetime | None  # when closed: the start of the next one (None: not within reach)


@any_member
def open_state(
    session: Session, actor: Actor, queue_id: int, at: datetime | None = None
) -> OpenState:
    """Whether the queue is open at ``at`` (default now), and when that changes within 14 days."""
    if at is None:
        at = session_now(session)
    _aware("at", at)
    hours = queue_hours(session, actor.organization_id, queue_id, at, at + HOURS_HORIZON)
    moment = epoch(at)
    if not isinstance(hours, OpenIntervals):
        return OpenState(from_epoch(moment), hours.is_open(moment), None, None)
    reach = epoch(at + HOURS_HORIZON)
    for opens, closes in hours.intervals:
        if opens <= moment < closes:
            until = from_epoch(closes) if closes < reach else None
            return OpenState(from_epoch(moment), True, until, None)
        if opens > moment:
            return OpenState(from_epoch(moment), False, None, from_epoch(opens))
    return OpenState(from_epoch(moment), False, None, None)
