"""Historical reports: KPIs per interval and group, daily summaries, and exports of both and of the
raw events (JSON, CSV, Parquet). Definitions: docs/metrics.md."""

from __future__ import annotations

import enum
from datetime import datetime
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse, Response

from helpline.analytics import GroupBy, Interval
from helpline.http.deps import DB, CurrentActor
from helpline.services.actor import Actor
from helpline.services.reporting import exports, reports
from helpline.services.unit_of_work import Database

router = APIRouter(prefix="/reports", tags=["Reports"])


class IntervalName(enum.StrEnum):
    """Interval lengths a report may use."""

    MINUTES_15 = "15m"
    MINUTES_30 = "30m"
    MINUTES_60 = "60m"


FROM_DOC = (
    "Start (inclusive): ISO 8601 date or date-time; without an offset it is read in the "
    "organization's time zone"
)
TO_DOC = "End (exclusive), same forms as from; at most 366 days after from"


def _aware(value: datetime, zone: ZoneInfo) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=zone)


def _window(
    db: Database, actor: Actor, start: datetime, end: datetime
) -> tuple[datetime, datetime]:
    with db.transaction() as session:
        zone = reports.organization_zone(session, actor)
    start, end = _aware(start, zone), _aware(end, zone)
    reports.check_window(start, end)
    return start, end


def _report_response(report: reports.Report, output: exports.ExportFormat) -> Response:
    records = report.records()
    if output is exports.ExportFormat.CSV:
        return Response(
            exports.to_csv(records, reports.REPORT_COLUMNS),
            media_type=exports.MEDIA_TYPES[output],
        )
    if output is exports.ExportFormat.PARQUET:
        types = exports.report_types(reports.REPORT_COLUMNS, reports.INTEGER_COLUMNS)
        return Response(
            exports.to_parquet(records, reports.REPORT_COLUMNS, types),
            media_type=exports.MEDIA_TYPES[output],
        )
    return JSONResponse(
        {
            "from": report.start.isoformat(),
            "to": report.end.isoformat(),
            "interval": "1d" if report.interval is Interval.DAY else f"{int(report.interval)}m",
            "group_by": report.group_by.value,
            "time_zone": report.time_zone,
            "rows": records,
        }
    )


def _run(
    db: Database,
    actor: Actor,
    start: datetime,
    end: datetime,
    interval: Interval,
    group_by: GroupBy,
    fcr_days: int,
    output: exports.ExportFormat,
) -> Response:
    actor.require(*reports.REPORT_ROLES)
    start, end = _window(db, actor, start, end)
    with db.transaction() as session:
        report = reports.interval_report(
            session, actor, start, end, interval, group_by, fcr_days=fcr_days
        )
    return _report_response(report, output)


@router.get(
    "/intervals",
    summary="KPIs per interval (aligned in the organization's time zone) and group",
    response_description="JSON rows, or a CSV or Parquet file of the same columns",
)
def interval_report(
    actor: CurrentActor,
    db: DB,
    start: datetime = Query(..., alias="from", description=FROM_DOC),
    end: datetime = Query(..., alias="to", description=TO_DOC),
    interval: IntervalName = Query(IntervalName.MINUTES_30, description="Interval length"),
    group_by: GroupBy = Query(GroupBy.NONE, description="Break rows down by this dimension"),
    fcr_days: int = Query(7, ge=1, le=90, description="FCR repeat window in days"),
    output: exports.ExportFormat = Query(exports.ExportFormat.JSON, alias="format"),
) -> Response:
    """Every KPI of docs/metrics.md for each interval and group with activity.

    A contact counts in the interval it arrived; its handle time where its handling ended."""
    length = Interval.parse(interval.value)
    return _run(db, actor, start, end, length, group_by, fcr_days, output)


@router.get("/daily", summary="KPIs per local day and group")
def daily_report(
    actor: CurrentActor,
    db: DB,
    start: datetime = Query(..., alias="from", description=FROM_DOC),
    end: datetime = Query(..., alias="to", description=TO_DOC),
    group_by: GroupBy = Query(GroupBy.NONE, description="Break rows down by this dimension"),
    fcr_days: int = Query(7, ge=1, le=90, description="FCR repeat window in days"),
    output: exports.ExportFormat = Query(exports.ExportFormat.JSON, alias="format"),
) -> Response:
    """The daily summary: the interval report with whole days of the organization's time zone."""
    return _run(db, actor, start, end, Interval.DAY, group_by, fcr_days, output)


@router.get("/events", summary="Export the raw events of a period")
def export_events(
    actor: CurrentActor,
    db: DB,
    start: datetime = Query(..., alias="from", description=FROM_DOC),
    end: datetime = Query(..., alias="to", description=TO_DOC),
    output: exports.ExportFormat = Query(exports.ExportFormat.CSV, alias="format"),
) -> Response:
    """Events that occurred in the period, in sequence order (payload as JSON text in CSV/Parquet)."""
    actor.require(*reports.REPORT_ROLES)
    start, end = _window(db, actor, start, end)
    with db.transaction() as session:
        rows = list(reports.raw_events(session, actor, start, end))
    columns = reports.EVENT_COLUMNS
    if output is exports.ExportFormat.CSV:
        return Response(exports.to_csv(rows, columns), media_type=exports.MEDIA_TYPES[output])
    if output is exports.ExportFormat.PARQUET:
        return Response(
            exports.to_parquet(rows, columns, exports.EVENT_TYPES),
            media_type=exports.MEDIA_TYPES[output],
        )
    return JSONResponse(
        {"events": [{**row, "occurred_at": row["occurred_at"].isoformat()} for row in rows]}
    )
