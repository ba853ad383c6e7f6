"""Forecast use cases: forecast a queue's volume and AHT from its history (or an uploaded series),
store the result with its model and backtest accuracy, compare forecasts, publish one, and manage the
calendar of special events the forecasts take into account.

Times: the forecaster works in the organization's local wall-clock time (naive datetimes); stored
forecasts keep UTC interval starts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from helpline.domain.hours import is_open
from helpline.errors import Conflict, InvalidInput, NotFound
from helpline.services.access import (
    access_calendar_event,
    access_forecast,
    any_member,
    owned,
    owned_by,
    referenced,
    requires,
)
from helpline.services.actor import Actor
from helpline.services.planning.plans import PLANNING_ROLES, list_plans, publish_plan
from helpline.storage import tables
from helpline.storage.database import session_now
from helpline.storage.events import append_event
from helpline.wfm.forecast import CalendarEvent, ForecastResult, forecast_series

INTERVALS = (15, 30, 60)
MAX_HORIZON_DAYS = 42


@dataclass(frozen=True)
class HistoryPoint:
    """One uploaded interval of history: local interval start, contacts offered, optional AHT."""

    timestamp: datetime
    volume: float
    aht_seconds: float | None = None


@dataclass(frozen=True)
class ForecastRequest:
    """What to forecast: a queue (or the whole organization), the interval and the horizon."""

    queue_id: int | None
    interval_minutes: int = 30
    horizon_days: int = 7
    start: datetime | None = None  # aware; default: the next local midnight
    coverage: float = 0.8
    name: str = ""
    history: Sequence[HistoryPoint] = ()  # empty: use the stored contacts


def _zone(session: Session, actor: Actor) -> tuple[ZoneInfo, str]:
    org = session.get(tables.Organization, actor.organization_id)
    if org is None:  # pragma: no cover - actors always belong to an organization
        raise NotFound("organization not found")
    return ZoneInfo(org.time_zone), org.country


def _queue(session: Session, actor: Actor, queue_id: int | None) -> tables.Queue | None:
    if queue_id is None:
        return None
    return referenced(session, actor, tables.Queue, queue_id, "queue_id")


@any_member
def stored_history(
    session: Session,
    actor: Actor,
    queue_id: int | None,
    zone: ZoneInfo,
    interval_minutes: int,
    until: datetime,
) -> tuple[list[datetime], list[float], list[float]]:
    """Contacts offered per local interval, and their mean handle time (seconds).

    Offered = contacts that entered the queue, counted in the interval they entered it; handle time
    = from connected to closed (talk, hold and after-contact work). Every interval from the first
    day with contacts to the day before ``until`` is present (zero when nothing arrived), so closed
    days teach the model their zeros.
    """
    query = select(
        tables.Contact.queued_at, tables.Contact.connected_at, tables.Contact.closed_at
    ).where(
        owned_by(actor, tables.Contact),
        tables.Contact.queued_at.is_not(None),
        tables.Contact.queued_at < until,
    )
    if queue_id is not None:
        query = query.where(tables.Contact.queue_id == queue_id)
    rows = session.execute(query).all()
    if not rows:
        return [], [], []
    step = timedelta(minutes=interval_minutes)
    counts: dict[datetime, int] = {}
    handle: dict[datetime, list[float]] = {}
    for queued_at, connected_at, closed_at in rows:
        if queued_at is None:  # excluded by the query; keeps the type checker honest
            continue
        local = queued_at.astimezone(zone).replace(tzinfo=None)
        slot = local.replace(
            minute=local.minute - local.minute % interval_minutes, second=0, microsecond=0
        )
        counts[slot] = counts.get(slot, 0) + 1
        if connected_at is not None and closed_at is not None:
            handle.setdefault(slot, []).append((closed_at - connected_at).total_seconds())
    first = datetime.combine(min(counts).date(), datetime.min.time())
    last_day = until.astimezone(zone).replace(tzinfo=None).date()
    timestamps, volumes, aht = [], [], []
    moment = first
    while moment.date() < last_day:
        timestamps.append(moment)
        volumes.append(float(counts.get(moment, 0)))
        samples = handle.get(moment)
        aht.append(float(np.mean(samples)) if samples else float("nan"))
        moment += step
    return timestamps, volumes, aht


def _calendar(
    session: Session, actor: Actor, queue_id: int | None, zone: ZoneInfo
) -> list[CalendarEvent]:
    query = owned(actor, tables.CalendarEvent)
    events = []
    for row in session.scalars(query.order_by(tables.CalendarEvent.starts_at)):
        if row.queue_id is not None and row.queue_id != queue_id:
            continue
        events.append(
            CalendarEvent(
                name=row.name,
                start=row.starts_at.astimezone(zone).replace(tzinfo=None),
                end=row.ends_at.astimezone(zone).replace(tzinfo=None),
                volume_multiplier=row.volume_multiplier,
            )
        )
    return events


def _check(request: ForecastRequest) -> None:
    if request.interval_minutes not in INTERVALS:
        raise InvalidInput("interval_minutes", "use 15, 30 or 60")
    if not 1 <= request.horizon_days <= MAX_HORIZON_DAYS:
        raise InvalidInput("horizon_days", f"forecast 1 to {MAX_HORIZON_DAYS} days ahead")
    if request.start is not None and request.start.tzinfo is None:
        raise InvalidInput("start", "give a time zone, e.g. 2026-12-01T00:00:00Z")
    if not 0 < request.coverage < 1:
        raise InvalidInput("coverage", "a prediction-interval coverage between 0 and 1, e.g. 0.8")
    for index, point in enumerate(request.history):
        if point.volume < 0:
            raise InvalidInput(f"history.{index}.volume", "volumes cannot be negative")


@requires(*PLANNING_ROLES)
def create_forecast(session: Session, actor: Actor, request: ForecastRequest) -> tables.Forecast:
    """Forecast, store as a draft, and record ``ForecastCreated``."""
    _check(request)
    zone, country = _zone(session, actor)
    queue = _queue(session, actor, request.queue_id)
    now = session_now(session)
    start_local = request.start.astimezone(zone).replace(tzinfo=None) if request.start else None
    if request.history:
        points = sorted(request.history, key=lambda p: p.timestamp)
        timestamps = [p.timestamp.replace(tzinfo=None) for p in points]
        volumes = [p.volume for p in points]
        aht_values = [p.aht_seconds for p in points]
        aht: list[float] | None = (
            None
            if all(a is None for a in aht_values)
            else [float("nan") if a is None else a for a in aht_values]
        )
        source = "upload"
    else:
        until = request.start or now
        timestamps, volumes, aht_list = stored_history(
            session, actor, request.queue_id, zone, request.interval_minutes, until
        )
        aht = aht_list
        source = "history"
    if not timestamps:
        raise InvalidInput("history", "no history: this queue has no contacts yet; upload a series")
    try:
        result = forecast_series(
            np.array(timestamps, dtype="datetime64[m]"),
            np.array(volumes, dtype=float),
            interval_minutes=request.interval_minutes,
            horizon_minutes=request.horizon_days * 24 * 60,
            start=start_local,
            aht_seconds=np.array(aht, dtype=float) if aht is not None else None,
            country=country,
            events=_calendar(session, actor, request.queue_id, zone),
            coverage=request.coverage,
        )
    except ValueError as error:
        raise InvalidInput("history", str(error)) from None
    series = _series(result, zone, queue)
    forecast = tables.Forecast(
        organization_id=actor.organization_id,
        queue_id=request.queue_id,
        name=request.name,
        status="draft",
        source=source,
        interval_minutes=request.interval_minutes,
        starts_at=datetime.fromisoformat(series["timestamps"][0]),
        horizon_minutes=request.horizon_days * 24 * 60,
        coverage=request.coverage,
        model=result.model,
        accuracy=_accuracy(result),
        series=series,
        created_at=now,
        published_at=None,
    )
    session.add(forecast)
    session.flush()
    append_event(
        session,
        actor.organization_id,
        "ForecastCreated",
        occurred_at=now,
        actor=actor.label,
        payload={
            "forecast_id": forecast.id,
            "queue_id": request.queue_id,
            "model": result.model,
            "accuracy": forecast.accuracy,
        },
    )
    return forecast


def _accuracy(result: ForecastResult) -> dict[str, Any]:
    scores = [
        {"model": c.name, "wape_interval": c.accuracy.wape_interval} for c in result.candidates
    ]
    if result.backtest is None:
        return {"backtest": None, "candidates": scores}
    b = result.backtest
    return {
        "backtest": {
            "wape_interval": b.wape_interval,
            "wape_daily": b.wape_daily,
            "bias": b.bias,
            "days_within_5pct": b.days_within_5pct,
            "days": b.days,
        },
        "candidates": scores,
    }


def _series(result: ForecastResult, zone: ZoneInfo, queue: tables.Queue | None) -> dict[str, Any]:
    """The forecast as stored: UTC interval starts; closed intervals of the queue forced to zero."""
    starts = [local.replace(tzinfo=zone) for local in result.timestamps]
    open_mask = np.array([is_open(queue.hours, moment) if queue else True for moment in starts])

    def values(array: Any) -> list[float | None]:
        masked = np.where(open_mask, array, 0.0)
        return [None if np.isnan(v) else round(float(v), 4) for v in masked]

    return {
        "timestamps": [moment.astimezone(UTC).isoformat() for moment in starts],
        "volume": values(result.volume),
        "lower": values(result.lower),
        "upper": values(result.upper),
        "aht_seconds": values(result.aht_seconds) if result.aht_seconds is not None else None,
    }


@any_member
def get_forecast(session: Session, actor: Actor, forecast_id: int) -> tables.Forecast:
    """A forecast of the actor's organization, or NotFound."""
    return access_forecast(session, actor, forecast_id)


@any_member
def list_forecasts(
    session: Session, actor: Actor, *, queue_id: int | None, status: str | None, limit: int
) -> list[tables.Forecast]:
    """The organization's forecasts, newest first."""
    where = {} if queue_id is None else {"queue_id": queue_id}
    return list_plans(session, actor, tables.Forecast, where=where, status=status, limit=limit)


@requires(*PLANNING_ROLES)
def publish_forecast(session: Session, actor: Actor, forecast_id: int) -> tables.Forecast:
    """Make a forecast the queue's published one; the previously published one is superseded."""
    forecast = access_forecast(session, actor, forecast_id)
    return publish_plan(
        session,
        actor,
        forecast,
        scope={"queue_id": forecast.queue_id},
        event_type="ForecastPublished",
        payload={"forecast_id": forecast.id, "queue_id": forecast.queue_id},
    )


@requires(*PLANNING_ROLES)
def delete_forecast(session: Session, actor: Actor, forecast_id: int) -> None:
    """Delete a draft (published forecasts are kept: schedules were built on them)."""
    forecast = access_forecast(session, actor, forecast_id)
    if forecast.status == "published":
        raise Conflict("a published forecast cannot be deleted; publish another one first")
    session.delete(forecast)
    append_event(
        session,
        actor.organization_id,
        "ForecastDeleted",
        occurred_at=session_now(session),
        actor=actor.label,
        payload={"forecast_id": forecast_id},
    )


@any_member
def forecast_accuracy(session: Session, actor: Actor, forecast_id: int) -> dict[str, Any]:
    """How the forecast did against the contacts that actually arrived (intervals already past)."""
    forecast = access_forecast(session, actor, forecast_id)
    zone, _country = _zone(session, actor)
    starts = [datetime.fromisoformat(t) for t in forecast.series["timestamps"]]
    predicted = np.array(forecast.series["volume"], dtype=float)
    now = session_now(session)
    step = timedelta(minutes=forecast.interval_minutes)
    past = [i for i, start in enumerate(starts) if start + step <= now]
    if not past:
        return {"intervals": 0, "actual": 0.0, "forecast": 0.0, "wape": None, "bias": None}
    stamps, volumes, _aht = stored_history(
        session, actor, forecast.queue_id, zone, forecast.interval_minutes, starts[past[-1]] + step
    )
    by_local = dict(zip(stamps, volumes, strict=True))
    actual = np.array(
        [by_local.get(starts[i].astimezone(zone).replace(tzinfo=None), 0.0) for i in past]
    )
    expected = predicted[past]
    total = float(actual.sum())
    return {
        "intervals": len(past),
        "actual": total,
        "forecast": float(expected.sum()),
        "wape": float(np.abs(expected - actual).sum() / total) if total else None,
        "bias": float((expected.sum() - total) / total) if total else None,
    }


@dataclass(frozen=True)
class NewCalendarEvent:
    """A special period to take into account: ``starts_at``/``ends_at`` aware, multiplier >= 0."""

    name: str
    starts_at: datetime
    ends_at: datetime
    volume_multiplier: float = 1.0
    queue_id: int | None = None


@requires(*PLANNING_ROLES)
def create_calendar_event(
    session: Session, actor: Actor, event: NewCalendarEvent
) -> tables.CalendarEvent:
    """Add a campaign, outage or billing day to the organization's calendar."""
    for name in ("starts_at", "ends_at"):
        if getattr(event, name).tzinfo is None:
            raise InvalidInput(name, "give a time zone, e.g. 2026-12-01T09:00:00Z")
    if event.ends_at <= event.starts_at:
        raise InvalidInput("ends_at", "must be after starts_at")
    _queue(session, actor, event.queue_id)
    row = tables.CalendarEvent(
        organization_id=actor.organization_id,
        queue_id=event.queue_id,
        name=event.name,
        starts_at=event.starts_at,
        ends_at=event.ends_at,
        volume_multiplier=event.volume_multiplier,
    )
    session.add(row)
    session.flush()
    append_event(
        session,
        actor.organization_id,
        "CalendarEventCreated",
        occurred_at=session_now(session),
        actor=actor.label,
        payload={
            "calendar_event_id": row.id,
            "name": row.name,
            "starts_at": row.starts_at,
            "ends_at": row.ends_at,
            "volume_multiplier": row.volume_multiplier,
        },
    )
    return row


@any_member
def list_calendar_events(session: Session, actor: Actor) -> list[tables.CalendarEvent]:
    """The organization's calendar, by start."""
    return list(
        session.scalars(
            select(tables.CalendarEvent)
            .where(owned_by(actor, tables.CalendarEvent))
            .order_by(tables.CalendarEvent.starts_at, tables.CalendarEvent.id)
        ).all()
    )


@requires(*PLANNING_ROLES)
def delete_calendar_event(session: Session, actor: Actor, event_id: int) -> None:
    """Remove a calendar event (forecasts made before keep what they used)."""
    row = access_calendar_event(session, actor, event_id)
    session.delete(row)
    append_event(
        session,
        actor.organization_id,
        "CalendarEventDeleted",
        occurred_at=session_now(session),
        actor=actor.label,
        payload={"calendar_event_id": event_id},
    )
