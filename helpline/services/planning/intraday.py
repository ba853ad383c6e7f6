"""Intraday use case: today's plan for a queue from its published forecast, the contacts that
arrived so far and the published schedules' coverage (see :mod:`helpline.wfm.intraday`)."""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from helpline.errors import InvalidInput
from helpline.services.access import owned_by, referenced, requires
from helpline.services.actor import Actor
from helpline.services.planning import forecasts
from helpline.services.planning.patience import PatienceEstimate, estimate_patience
from helpline.services.planning.plans import READING_ROLES
from helpline.services.planning.schedule_groups import organization_zone, published_forecast
from helpline.services.planning.schedules import published_activities
from helpline.storage import tables
from helpline.wfm.activities import coverage_per_interval
from helpline.wfm.adherence import ActivityKind
from helpline.wfm.intraday import IntradayDay, IntradayPlan, ServiceTarget, replan_intraday


@dataclass(frozen=True)
class IntradayView:
    """The plan, with the UTC interval starts, the published forecast and the actuals it used, and
    the patience estimated from the queue's history (None: too few abandonments, Erlang C)."""

    queue_id: int
    forecast_id: int
    interval_minutes: int
    starts: list[datetime]
    forecast_volume: list[float]
    actual_volume: list[float]
    plan: IntradayPlan
    patience: PatienceEstimate | None = None

    @property
    def staffing_model(self) -> str:
        """``erlang_a`` when required agents allow for abandonment, else ``erlang_c``."""
        return "erlang_c" if self.patience is None else "erlang_a"


def _actuals(
    session: Session, actor: Actor, queue_id: int, starts: list[datetime], now: datetime
) -> np.ndarray:
    """Contacts that entered the queue per interval (by UTC start), up to ``now``."""
    rows = session.scalars(
        select(tables.Contact.queued_at).where(
            owned_by(actor, tables.Contact),
            tables.Contact.queue_id == queue_id,
            tables.Contact.queued_at >= starts[0],
            tables.Contact.queued_at < now,
        )
    ).all()
    counts = np.zeros(len(starts))
    for queued_at in rows:
        if queued_at is None:  # excluded by the query; keeps the type checker honest
            continue
        index = bisect.bisect_right(starts, queued_at) - 1
        if 0 <= index < len(starts):
            counts[index] += 1
    return counts


def _group_queues(
    session: Session, actor: Actor, schedule_ids: set[int]
) -> dict[tuple[int, str], int | None]:
    """(schedule id, group name) -> the queue the group serves, from the schedules' inputs."""
    rows = session.execute(
        select(tables.Schedule.id, tables.Schedule.inputs).where(
            owned_by(actor, tables.Schedule),
            tables.Schedule.id.in_(schedule_ids),
        )
    )
    return {
        (schedule_id, group["name"]): group.get("queue_id")
        for schedule_id, inputs in rows
        for group in inputs.get("groups", ())
    }


def _serves(
    activity: tables.ScheduleActivity,
    queue_id: int,
    group_queues: dict[tuple[int, str], int | None],
) -> bool:
    """Whether a scheduled activity staffs ``queue_id``: its group serves the queue, or no queue in
    particular (a skill group, or a schedule made before schedules had groups)."""
    serves = group_queues.get((activity.schedule_id, activity.group))
    return serves is None or serves == queue_id


@requires(*READING_ROLES)
def intraday_plan(session: Session, actor: Actor, queue_id: int, now: datetime) -> IntradayView:
    """Re-forecast, re-staff and suggest actions for the rest of today (the organization's day).

    Required agents are Erlang A with the patience estimated from the queue's finished contacts of
    the weeks before today (:func:`estimate_patience`), Erlang C when too few of them abandoned."""
    queue = referenced(session, actor, tables.Queue, queue_id, "queue_id")
    forecast = published_forecast(session, actor, queue_id)
    if forecast is None:
        raise InvalidInput("queue_id", "the queue has no published forecast")
    zone = organization_zone(session, actor)
    interval = forecast.interval_minutes
    midnight = datetime.combine(now.astimezone(zone).date(), datetime.min.time())
    local = [midnight + timedelta(minutes=interval * i) for i in range(1440 // interval)]
    starts = [moment.replace(tzinfo=zone).astimezone(UTC) for moment in local]
    series = forecast.series
    index = {datetime.fromisoformat(t): i for i, t in enumerate(series["timestamps"])}
    found = [index.get(moment) for moment in starts]
    if all(i is None for i in found):
        raise InvalidInput("queue_id", "the queue's published forecast does not cover today")
    volume = np.array([(series["volume"][i] or 0.0) if i is not None else 0.0 for i in found])
    aht_series = series.get("aht_seconds")
    aht = np.array(
        [
            aht_series[i] if aht_series is not None and i is not None and aht_series[i] else np.nan
            for i in found
        ],
        dtype=np.float64,
    )
    end = starts[-1] + timedelta(minutes=interval)
    published = published_activities(session, actor, starts[0], end)
    group_queues = _group_queues(session, actor, {a.schedule_id for a in published})
    activities = [
        (ActivityKind(a.kind), a.starts_at, a.ends_at)
        for a in published
        if _serves(a, queue_id, group_queues)
    ]
    on_duty, on_break = coverage_per_interval(activities, starts, interval)
    actual = _actuals(session, actor, queue_id, starts, now)
    history_timestamps, history_volumes, _aht = forecasts.stored_history(
        session, actor, queue_id, zone, interval, starts[0]
    )
    patience = estimate_patience(session, actor, queue_id, starts[0])
    org = session.get(tables.Organization, actor.organization_id)
    day = IntradayDay(
        interval_minutes=interval,
        timestamps=tuple(local),
        forecast_volume=volume,
        aht_seconds=aht,
        scheduled_agents=on_duty,
        on_break=on_break,
        actual_volume=actual,
    )
    try:
        plan = replan_intraday(
            day,
            now.astimezone(zone).replace(tzinfo=None),
            ServiceTarget(
                queue.service_level_percent / 100.0,
                float(queue.service_level_seconds),
                patience_seconds=patience.mean_seconds if patience is not None else None,
            ),
            history_timestamps=history_timestamps,
            history_volumes=history_volumes,
            country=org.country if org is not None else None,
        )
    except ValueError as error:  # e.g. a 100 % service-level target no finite staff can meet
        raise InvalidInput("queue_id", f"cannot staff this queue: {error}") from None
    return IntradayView(
        queue_id=queue_id,
        forecast_id=forecast.id,
        interval_minutes=interval,
        starts=starts,
        forecast_volume=[float(v) for v in volume],
        actual_volume=[float(v) for v in actual],
        plan=plan,
        patience=patience,
    )
