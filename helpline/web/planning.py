"""Planning pages: the forecasts, staffing (required against scheduled agents) and schedules that
exist, read through ``services.planning.forecasts`` and ``services.planning.schedules``."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from helpline.http.deps import get_db
from helpline.services.acd import directory
from helpline.services.planning import forecasts, schedules
from helpline.web.charts import Chart, Series, render_svg
from helpline.web.render import page
from helpline.web.viewer import PLANNING, Viewer, current_viewer

router = APIRouter(include_in_schema=False)
PageViewer = Annotated[Viewer, Depends(current_viewer)]
LISTED = 50


def _staffing_chart(coverage: dict[str, Any], viewer: Viewer) -> str | None:
    """Required against scheduled agents per interval of a schedule's week."""
    stamps = coverage.get("timestamps") or []
    if not stamps or not coverage.get("required"):
        return None
    times = [datetime.fromisoformat(s).astimezone(viewer.zone) for s in stamps]
    return render_svg(
        Chart(
            "Staffing",
            "agents",
            times,
            [Series("required", coverage["required"]), Series("scheduled", coverage["scheduled"])],
            interval_days=(times[1] - times[0]).total_seconds() / 86400
            if len(times) > 1
            else 1 / 48,
        )
    )


@router.get("/planning", response_class=HTMLResponse)
def planning(request: Request, viewer: PageViewer) -> HTMLResponse:
    """Forecasts, the staffing of the newest schedule, and every schedule version."""
    viewer.require(*PLANNING)
    actor = viewer.actor
    with get_db(request).transaction() as session:
        queue_names = directory.queue_names(session, actor)
        found_forecasts = [
            {
                "id": f.id,
                "name": f.name,
                "queue": queue_names.get(f.queue_id, "all queues") if f.queue_id else "all queues",
                "status": f.status,
                "interval_minutes": f.interval_minutes,
                "starts_at": f.starts_at,
                "horizon_days": f.horizon_minutes / 1440,
                "model": f.model,
                "wape": f.accuracy.get("wape"),
                "total": sum(v or 0 for v in f.series.get("volume", [])),
            }
            for f in forecasts.list_forecasts(
                session, actor, queue_id=None, status=None, limit=LISTED
            )
        ]
        found_schedules = schedules.list_schedules(
            session, actor, week_start=None, status=None, limit=LISTED
        )
        rows = [
            {
                "id": s.id,
                "name": s.name,
                "queue": queue_names.get(s.queue_id, "") if s.queue_id else "",
                "week_start": s.week_start,
                "version": s.version,
                "status": s.status,
                "summary": s.summary,
            }
            for s in found_schedules
        ]
        newest = found_schedules[0] if found_schedules else None
        chart = _staffing_chart(newest.coverage, viewer) if newest else None
    return page(
        request,
        "planning.html",
        viewer,
        forecasts=found_forecasts,
        schedules=rows,
        staffing_chart=chart,
        newest=rows[0] if rows else None,
    )
