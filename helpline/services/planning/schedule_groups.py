"""The groups of a schedule (queues or skill groups): what each needs per interval of the week, from
the request or the queue's published forecast staffed with Erlang, and which agents may work it.

Times: the week starts at local midnight of a Monday in the organization's time zone.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from helpline.errors import InvalidInput, NotFound
from helpline.services.access import any_member, owned_by, referenced
from helpline.services.actor import Actor
from helpline.storage import tables
from helpline.wfm.scheduling import ServiceLevelCurve, ServiceLevelGoal
from helpline.wfm.scheduling.service_level import erlang_c_curve
from helpline.wfm.staffing import staff_intervals

DAYS = 7
DEFAULT_AHT_SECONDS = 300.0


@dataclass(frozen=True)
class StaffingTarget:
    """How forecast volume becomes required agents (defaults: the queue's service-level target)."""

    service_level: float | None = None
    answer_time_seconds: float | None = None
    aht_seconds: float = DEFAULT_AHT_SECONDS  # where the forecast has no AHT
    shrinkage: float = 0.3
    patience_seconds: float | None = None


@dataclass(frozen=True)
class GroupRequest:
    """One group of a schedule: its name (the shift templates' ``group``), the queue it serves and the
    skills its agents need, and its requirement per interval (None: from the queue's forecast).

    An agent may work the group when they have every skill in ``skill_ids`` and every skill the
    queue requires, at the queue's minimum proficiency.
    """

    name: str
    queue_id: int | None = None
    skill_ids: tuple[int, ...] = ()
    requirements: Sequence[float] | None = None


@dataclass(frozen=True)
class GroupDemand:
    """A group's required agents per interval, with the calls and AHT behind them when forecast."""

    group: GroupRequest
    interval_minutes: int
    required: np.ndarray
    calls: np.ndarray | None
    aht_seconds: np.ndarray | None
    answer_time_seconds: float | None
    source: dict[str, Any]
    notes: list[str]
    target_service_level: float | None = None


@any_member
def organization_zone(session: Session, actor: Actor) -> ZoneInfo:
    """The actor's organization's time zone."""
    org = session.get(tables.Organization, actor.organization_id)
    if org is None:  # pragma: no cover - actors always belong to an organization
        raise NotFound("organization not found")
    return ZoneInfo(org.time_zone)


@any_member
def published_forecast(session: Session, actor: Actor, queue_id: int) -> tables.Forecast | None:
    """The queue's published forecast, if any."""
    return session.scalar(
        select(tables.Forecast)
        .where(
            owned_by(actor, tables.Forecast),
            tables.Forecast.queue_id == queue_id,
            tables.Forecast.status == "published",
        )
        .order_by(tables.Forecast.id.desc())
        .limit(1)
    )


def local_interval_starts(
    week_start: date, zone: ZoneInfo, interval_minutes: int, days: int = DAYS
) -> list[datetime]:
    """UTC instants of the local interval starts of ``days`` days from ``week_start``'s midnight."""
    midnight = datetime.combine(week_start, datetime.min.time())
    count = days * 1440 // interval_minutes
    return [
        (midnight + timedelta(minutes=interval_minutes * i)).replace(tzinfo=zone).astimezone(UTC)
        for i in range(count)
    ]


def demand_from_body(group: GroupRequest, interval: int, field: str) -> GroupDemand:
    """The requirement given in the request, checked against a week of ``interval``-minute steps."""
    values = np.asarray(group.requirements, dtype=np.float64)
    expected = DAYS * 1440 // interval
    if values.shape != (expected,):
        raise InvalidInput(
            field, f"a week of {interval}-minute intervals has {expected} values, got {values.size}"
        )
    if not np.all(np.isfinite(values)) or np.any(values < 0):
        raise InvalidInput(field, "values must be finite and >= 0")
    return GroupDemand(group, interval, values, None, None, None, {"requirements": "body"}, [])


@any_member
def demand_from_forecast(
    session: Session,
    actor: Actor,
    group: GroupRequest,
    *,
    week_start: date,
    zone: ZoneInfo,
    interval_minutes: int | None,
    target: StaffingTarget,
    field: str,
) -> GroupDemand:
    """The group's queue's published forecast for the week, staffed with Erlang C (or A)."""
    if group.queue_id is None:
        raise InvalidInput("requirements", "give requirements, or a queue_id to use its forecast")
    queue = referenced(session, actor, tables.Queue, group.queue_id, field, "queue")
    forecast = published_forecast(session, actor, queue.id)
    if forecast is None:
        raise InvalidInput(field, "the queue has no published forecast; give requirements")
    interval = forecast.interval_minutes
    if interval_minutes is not None and interval_minutes != interval:
        raise InvalidInput(
            "interval_minutes", f"the published forecast has {interval}-minute intervals"
        )
    series = forecast.series
    index = {datetime.fromisoformat(t): i for i, t in enumerate(series["timestamps"])}
    starts = local_interval_starts(week_start, zone, interval)
    found = [index.get(moment) for moment in starts]
    covered = sum(i is not None for i in found)
    if covered == 0:
        raise InvalidInput("week_start", "the queue's published forecast does not cover this week")
    aht_series = series.get("aht_seconds")
    calls = np.array([series["volume"][i] or 0.0 if i is not None else 0.0 for i in found])
    aht = np.array(
        [
            aht_series[i]
            if i is not None and aht_series is not None and aht_series[i]
            else target.aht_seconds
            for i in found
        ],
        dtype=np.float64,
    )
    service_level = target.service_level or queue.service_level_percent / 100.0
    answer_time = target.answer_time_seconds or float(queue.service_level_seconds)
    try:
        staffing = staff_intervals(
            calls,
            aht,
            interval * 60.0,
            service_level,
            answer_time,
            patience=target.patience_seconds,
            shrinkage=target.shrinkage,
        )
    except ValueError as error:
        raise InvalidInput("staffing", str(error)) from None
    notes = []
    if covered < len(starts):
        notes.append(
            f"the published forecast of queue {queue.id} covers {covered} of the week's "
            f"{len(starts)} intervals; the others need no agents"
        )
    source = {
        "requirements": "forecast",
        "forecast_id": forecast.id,
        "service_level": service_level,
        "answer_time_seconds": answer_time,
        "shrinkage": target.shrinkage,
        "patience_seconds": target.patience_seconds,
    }
    return GroupDemand(
        group,
        interval,
        staffing.fte.astype(np.float64),
        calls,
        aht,
        answer_time,
        source,
        notes,
        target_service_level=service_level,
    )


def service_level_goal(demands: Sequence[GroupDemand], shrinkage: float) -> ServiceLevelGoal:
    """The week's service-level goal on Erlang C curves of scheduled (not productive) agents.

    A scheduled agent is on the phones ``1 - shrinkage`` of the time, so the curve of ``n`` scheduled
    agents is Erlang C's at ``n (1 - shrinkage)`` productive agents, interpolated linearly: scaling the
    argument keeps the curve concave above its inflection, which the scheduler's model relies on.
    With several groups, each meets the strictest of their targets.
    """
    curves = {}
    for demand in demands:
        if demand.calls is None or demand.aht_seconds is None:
            raise InvalidInput(
                "objective", "the service-level objective needs forecasts: give queue_id only"
            )
        calls = demand.calls
        weights = calls.sum()
        aht = (
            float((demand.aht_seconds * calls).sum() / weights) if weights else DEFAULT_AHT_SECONDS
        )
        base = erlang_c_curve(
            calls,
            interval_minutes=demand.interval_minutes,
            aht_seconds=aht,
            answer_time_seconds=demand.answer_time_seconds or 20.0,
        ).service_level
        productive = 1.0 - shrinkage
        top = base.shape[1] - 1
        scheduled = np.arange(math.ceil(top / productive) + 1) * productive
        levels = np.array([np.interp(scheduled, np.arange(top + 1), row) for row in base])
        curves[demand.group.name] = ServiceLevelCurve(calls=calls, service_level=levels)
    target = max(d.target_service_level or 0.0 for d in demands)
    return ServiceLevelGoal(target, curves)


@any_member
def check_skills(session: Session, actor: Actor, skill_ids: Sequence[int], field: str) -> None:
    """InvalidInput naming ``field`` unless every skill belongs to the actor's organization."""
    found = set(
        session.scalars(
            select(tables.Skill.id).where(
                owned_by(actor, tables.Skill),
                tables.Skill.id.in_(skill_ids),
            )
        )
    )
    missing = sorted(set(skill_ids) - found)
    if missing:
        raise InvalidInput(field, f"no skill with id {missing[0]}")


@any_member
def groups_of_agents(
    session: Session, actor: Actor, groups: Sequence[GroupRequest]
) -> dict[int, frozenset[str]]:
    """Per active agent of the organization, the groups their skills let them work."""
    needs: dict[str, dict[int, int]] = {}
    for group in groups:
        need = dict.fromkeys(group.skill_ids, 1)
        if group.queue_id is not None:
            for skill_id, level in session.execute(
                select(tables.QueueSkill.skill_id, tables.QueueSkill.min_proficiency)
                .join(tables.Queue, tables.Queue.id == tables.QueueSkill.queue_id)
                .where(
                    owned_by(actor, tables.Queue),
                    tables.QueueSkill.queue_id == group.queue_id,
                )
            ):
                need[skill_id] = max(need.get(skill_id, 1), level)
        needs[group.name] = need
    agents = session.scalars(
        select(tables.Agent.id).where(
            owned_by(actor, tables.Agent),
            tables.Agent.is_active.is_(True),
        )
    ).all()
    skills: dict[int, dict[int, int]] = {agent_id: {} for agent_id in agents}
    for agent_id, skill_id, level in session.execute(
        select(
            tables.AgentSkill.agent_id, tables.AgentSkill.skill_id, tables.AgentSkill.proficiency
        )
        .join(tables.Agent, tables.Agent.id == tables.AgentSkill.agent_id)
        .where(owned_by(actor, tables.Agent))
    ):
        if agent_id in skills:
            skills[agent_id][skill_id] = level
    return {
        agent_id: frozenset(
            name
            for name, need in needs.items()
            if all(have.get(s, 0) >= level for s, level in need.items())
        )
        for agent_id, have in skills.items()
    }
