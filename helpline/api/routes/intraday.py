"""Intraday: the rest of today re-forecast and re-staffed, with suggested actions."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from helpline.api.schemas import IntradayActionOut, IntradayIntervalOut, IntradayOut
from helpline.http.bounds import Id
from helpline.http.deps import DB, CurrentActor, Now
from helpline.services.planning import intraday

router = APIRouter(tags=["Intraday"])


@router.get("/intraday", response_model=IntradayOut, summary="Re-plan the rest of today")
def intraday_plan(
    actor: CurrentActor, db: DB, now: Now, queue_id: Annotated[Id, Query()]
) -> IntradayOut:
    """Today's actuals re-forecast the rest of the day (queue's published forecast and history),
    which is re-staffed against the published schedules: the gap per interval, and suggestions to
    move breaks, offer overtime or voluntary time off. Required agents are Erlang A with the patience
    fitted to the queue's censored waits of the 8 weeks before today (Erlang C below 20 abandonments)."""
    with db.transaction() as session:
        view = intraday.intraday_plan(session, actor, queue_id, now)
    plan, patience = view.plan, view.patience
    return IntradayOut(
        queue_id=view.queue_id,
        forecast_id=view.forecast_id,
        interval_minutes=view.interval_minutes,
        method=plan.method,
        staffing_model=view.staffing_model,
        patience_seconds=round(patience.mean_seconds, 4) if patience is not None else None,
        patience_abandonments=patience.abandonments if patience is not None else None,
        patience_answered=patience.answered if patience is not None else None,
        intervals=[
            IntradayIntervalOut(
                starts_at=start,
                is_completed=i < plan.completed,
                forecast=round(view.forecast_volume[i], 4),
                actual=view.actual_volume[i],
                volume=round(float(plan.volume[i]), 4),
                required_agents=float(plan.required_agents[i]),
                scheduled_agents=round(float(plan.scheduled_agents[i]), 4),
                gap=round(float(plan.gap[i]), 4),
                service_level=round(float(plan.service_level[i]), 4),
            )
            for i, start in enumerate(view.starts)
        ],
        actions=[
            IntradayActionOut(
                starts_at=view.starts[action.interval],
                action=action.kind.value,
                agents=action.agents,
                to_starts_at=view.starts[action.to_interval]
                if action.to_interval is not None
                else None,
            )
            for action in plan.actions
        ],
    )
