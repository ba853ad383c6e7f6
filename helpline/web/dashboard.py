"""The manager's KPI dashboard: per-interval and per-day charts filtered by queue, team or channel.

Every number comes from ``services.reporting.reports.interval_report`` (the one definition of each KPI); this
module only picks the window and the group, fills empty intervals and draws.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse

from helpline.analytics import GroupBy, Interval, Metrics, ReportRow, Tally
from helpline.domain.enums import Channel
from helpline.errors import InvalidInput
from helpline.http.deps import get_db, get_now
from helpline.services.acd import directory
from helpline.services.reporting import reports
from helpline.web.charts import Chart, Series, render_svg
from helpline.web.render import page
from helpline.web.viewer import REPORTING, Viewer, current_viewer

router = APIRouter(include_in_schema=False)
PageViewer = Annotated[Viewer, Depends(current_viewer)]

DEFAULT_DAYS = 7
MAX_DAYS = 92
INTERVALS = {"15m": Interval.MINUTES_15, "30m": Interval.MINUTES_30, "60m": Interval.MINUTES_60}
DEFAULT_SL_TARGET = 0.8


@dataclass(frozen=True)
class Filters:
    """The dashboard's choices: a local date range (inclusive), interval and at most one group."""

    first_day: date
    last_day: date
    interval: str
    queue_id: int | None
    team_id: int | None
    channel: str | None

    def group(self) -> tuple[GroupBy, Any]:
        """The report grouping and the group to keep (``NONE``: the whole organization)."""
        chosen = [
            (by, value)
            for by, value in (
                (GroupBy.QUEUE, self.queue_id),
                (GroupBy.TEAM, self.team_id),
                (GroupBy.CHANNEL, self.channel),
            )
            if value is not None
        ]
        if len(chosen) > 1:
            raise InvalidInput("queue_id", "filter by one of queue, team or channel at a time")
        return chosen[0] if chosen else (GroupBy.NONE, None)


def _series_rows(
    rows: Sequence[ReportRow], group_by: GroupBy, group: Any, starts: Sequence[datetime]
) -> list[Metrics | None]:
    """One metrics value per interval start (None where nothing happened)."""
    kept = {
        row.interval_start: row for row in rows if group_by is GroupBy.NONE or row.group == group
    }
    return [kept[s].metrics if s in kept else None for s in starts]


def _starts(start: datetime, end: datetime, interval: Interval, viewer: Viewer) -> list[datetime]:
    """Every interval start of ``[start, end)`` in the viewer's zone (a day is a local day)."""
    if interval is Interval.DAY:
        days = (end.date() - start.date()).days
        return [
            datetime.combine(start.date() + timedelta(days=n), time(), viewer.zone)
            for n in range(days)
        ]
    step = timedelta(minutes=int(interval))
    out = []
    moment = start
    while moment < end:
        out.append(moment.astimezone(viewer.zone))
        moment += step
    return out


def _value(metrics: Metrics | None, pick: Callable[[Metrics], float | None]) -> float | None:
    return None if metrics is None else pick(metrics)


def _pct(value: float | None) -> float | None:
    return None if value is None else 100 * value


def _charts(
    title: str, starts: list[datetime], metrics: list[Metrics | None], sl_target: float, days: bool
) -> list[dict[str, Any]]:
    width = (
        1.0
        if days
        else (starts[1] - starts[0]).total_seconds() / 86400
        if len(starts) > 1
        else 1 / 48
    )

    def count(pick: Callable[[Metrics], int]) -> list[float | None]:
        return [0.0 if m is None else float(pick(m)) for m in metrics]

    specs = [
        replace(spec, interval_days=width)
        for spec in [
            Chart(
                f"Volume {title}",
                "contacts",
                starts,
                [
                    Series("offered", count(lambda m: m.offered)),
                    Series("answered", count(lambda m: m.answered)),
                    Series("abandoned", count(lambda m: m.abandoned)),
                ],
                kind="bar",
            ),
            Chart(
                f"Service level {title}",
                "%",
                starts,
                [
                    Series(
                        "service level",
                        [_pct(_value(m, lambda x: x.service_level)) for m in metrics],
                    )
                ],
                target=100 * sl_target,
            ),
            Chart(
                f"ASA {title}",
                "seconds",
                starts,
                [Series("ASA", [_value(m, lambda x: x.asa_seconds) for m in metrics])],
            ),
            Chart(
                f"AHT {title}",
                "seconds",
                starts,
                [Series("AHT", [_value(m, lambda x: x.aht_seconds) for m in metrics])],
            ),
            Chart(
                f"Abandonment {title}",
                "%",
                starts,
                [
                    Series(
                        "abandoned",
                        [_pct(_value(m, lambda x: x.abandonment_rate)) for m in metrics],
                    )
                ],
            ),
            Chart(
                f"Occupancy {title}",
                "%",
                starts,
                [Series("occupancy", [_pct(_value(m, lambda x: x.occupancy)) for m in metrics])],
            ),
        ]
    ]
    return [
        {
            "title": chart.title,
            "svg": render_svg(chart),
            "unit": chart.unit,
            "rows": [
                (start, [series.values[i] for series in chart.series])
                for i, start in enumerate(starts)
            ],
            "labels": [series.label for series in chart.series],
        }
        for chart in specs
    ]


def _totals(rows: Sequence[ReportRow], group_by: GroupBy, group: Any) -> Metrics:
    total = Tally()
    for row in rows:
        if group_by is GroupBy.NONE or row.group == group:
            total.add(row.tally)
    return Metrics.from_tally(total)


def _options(request: Request, viewer: Viewer) -> dict[str, Any]:
    with get_db(request).transaction() as session:
        queues = directory.queues(session, viewer.actor)
        teams = directory.teams(session, viewer.actor)
    return {
        "queues": [(q.id, q.name) for q in queues],
        "sl_targets": {q.id: q.service_level_percent / 100 for q in queues},
        "teams": [(t.id, t.name) for t in teams],
        "channels": [c.value for c in Channel],
        "intervals": list(INTERVALS),
    }


def _optional_int(text: str | None, field: str) -> int | None:
    if text in (None, ""):
        return None
    try:
        return int(text)
    except ValueError:
        raise InvalidInput(field, "must be a whole number") from None


@router.get("/dashboard", response_class=HTMLResponse)
def dashboard(
    request: Request,
    viewer: PageViewer,
    start: Annotated[date | None, Query(alias="from")] = None,
    end: Annotated[date | None, Query(alias="to")] = None,
    interval: str = "60m",
    queue_id: str | None = None,
    team_id: str | None = None,
    channel: str | None = None,
) -> HTMLResponse:
    """KPI tiles for the range, then charts per interval and per day (all in local time)."""
    viewer.require(*REPORTING)
    today = get_now(request).astimezone(viewer.zone).date()
    last_day = end or today
    first_day = start or (last_day - timedelta(days=DEFAULT_DAYS - 1))
    options = _options(request, viewer)
    error = ""
    try:
        if first_day > last_day:
            raise InvalidInput("from", "must not be after to")
        if (last_day - first_day).days >= MAX_DAYS:
            raise InvalidInput("to", f"the dashboard shows at most {MAX_DAYS} days")
        if interval not in INTERVALS:
            raise InvalidInput("interval", f"one of {', '.join(INTERVALS)}")
        if channel not in (None, "") and channel not in options["channels"]:
            raise InvalidInput("channel", f"one of {', '.join(options['channels'])}")
        filters = Filters(
            first_day,
            last_day,
            interval,
            _optional_int(queue_id, "queue_id"),
            _optional_int(team_id, "team_id"),
            channel or None,
        )
        group_by, group = filters.group()
    except InvalidInput as invalid:
        error = f"{invalid.field}: {invalid.reason}"
        filters = Filters(first_day, last_day, "60m", None, None, None)
        group_by, group = GroupBy.NONE, None
    window_start = datetime.combine(filters.first_day, time(), viewer.zone)
    window_end = datetime.combine(filters.last_day + timedelta(days=1), time(), viewer.zone)
    step = INTERVALS[filters.interval]
    with get_db(request).transaction() as session:
        by_interval = reports.interval_report(
            session, viewer.actor, window_start, window_end, step, group_by
        )
        by_day = reports.interval_report(
            session, viewer.actor, window_start, window_end, Interval.DAY, group_by
        )
    sl_target = (
        options["sl_targets"].get(filters.queue_id, DEFAULT_SL_TARGET)
        if filters.queue_id
        else DEFAULT_SL_TARGET
    )
    interval_starts = _starts(window_start, window_end, step, viewer)
    day_starts = _starts(window_start, window_end, Interval.DAY, viewer)
    return page(
        request,
        "dashboard.html",
        viewer,
        filters=filters,
        options=options,
        error=error,
        totals=_totals(by_day.rows, group_by, group),
        interval_charts=_charts(
            f"per {filters.interval}",
            interval_starts,
            _series_rows(by_interval.rows, group_by, group, interval_starts),
            sl_target,
            days=False,
        ),
        day_charts=_charts(
            "per day",
            day_starts,
            _series_rows(by_day.rows, group_by, group, day_starts),
            sl_target,
            days=True,
        ),
        sl_target=sl_target,
    )
