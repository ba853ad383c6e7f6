"""Forecasts of contact volume and AHT, and the calendar of special events they use."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response

from helpline.api.schemas import (
    CalendarEventIn,
    CalendarEventOut,
    ForecastAccuracyOut,
    ForecastIn,
    ForecastOut,
    ForecastSummary,
)
from helpline.http.bounds import Id, PathId
from helpline.http.deps import DB, CurrentActor
from helpline.services import records
from helpline.services.planning import forecasts

router = APIRouter(tags=["Forecasts"])


@router.post("/forecasts", response_model=ForecastOut, status_code=201, summary="Make a forecast")
def create_forecast(body: ForecastIn, actor: CurrentActor, db: DB) -> records.Forecast:
    """Forecast a queue from its stored contacts (or an uploaded history); the model is picked by a
    rolling-origin backtest and stored with its accuracy. The new forecast is a draft."""
    request = forecasts.ForecastRequest(
        queue_id=body.queue_id,
        interval_minutes=body.interval_minutes,
        horizon_days=body.horizon_days,
        start=body.start,
        coverage=body.coverage,
        name=body.name,
        history=[
            forecasts.HistoryPoint(p.timestamp, p.volume, p.aht_seconds) for p in body.history
        ],
    )
    with db.transaction() as session:
        return forecasts.create_forecast(session, actor, request)


@router.get("/forecasts", response_model=list[ForecastSummary], summary="List forecasts")
def list_forecasts(
    actor: CurrentActor,
    db: DB,
    queue_id: Annotated[Id | None, Query()] = None,
    status: Literal["draft", "published", "superseded"] | None = None,
    limit: int = Query(50, ge=1, le=500),
) -> list[records.Forecast]:
    """Newest first; compare them by their ``accuracy``."""
    with db.transaction() as session:
        return forecasts.list_forecasts(
            session, actor, queue_id=queue_id, status=status, limit=limit
        )


@router.get("/forecasts/{forecast_id}", response_model=ForecastOut, summary="Get a forecast")
def get_forecast(actor: CurrentActor, db: DB, forecast_id: PathId) -> records.Forecast:
    with db.transaction() as session:
        return forecasts.get_forecast(session, actor, forecast_id)


@router.get(
    "/forecasts/{forecast_id}/accuracy",
    response_model=ForecastAccuracyOut,
    summary="Forecast against the contacts that arrived",
)
def forecast_accuracy(actor: CurrentActor, db: DB, forecast_id: PathId) -> dict[str, object]:
    with db.transaction() as session:
        return forecasts.forecast_accuracy(session, actor, forecast_id)


@router.post(
    "/forecasts/{forecast_id}/publish", response_model=ForecastSummary, summary="Publish a forecast"
)
def publish_forecast(actor: CurrentActor, db: DB, forecast_id: PathId) -> records.Forecast:
    """The queue's published forecast is what staffing and schedules use."""
    with db.transaction() as session:
        return forecasts.publish_forecast(session, actor, forecast_id)


@router.delete("/forecasts/{forecast_id}", status_code=204, summary="Delete a draft forecast")
def delete_forecast(actor: CurrentActor, db: DB, forecast_id: PathId) -> Response:
    with db.transaction() as session:
        forecasts.delete_forecast(session, actor, forecast_id)
    return Response(status_code=204)


@router.get(
    "/calendar-events", response_model=list[CalendarEventOut], summary="List calendar events"
)
def list_calendar_events(actor: CurrentActor, db: DB) -> list[records.CalendarEvent]:
    with db.transaction() as session:
        return forecasts.list_calendar_events(session, actor)


@router.post(
    "/calendar-events",
    response_model=CalendarEventOut,
    status_code=201,
    summary="Add a campaign, outage or billing day",
)
def create_calendar_event(
    body: CalendarEventIn, actor: CurrentActor, db: DB
) -> records.CalendarEvent:
    with db.transaction() as session:
        return forecasts.create_calendar_event(
            session, actor, forecasts.NewCalendarEvent(**body.model_dump())
        )


@router.delete(
    "/calendar-events/{calendar_event_id}", status_code=204, summary="Delete a calendar event"
)
def delete_calendar_event(actor: CurrentActor, db: DB, calendar_event_id: PathId) -> Response:
    with db.transaction() as session:
        forecasts.delete_calendar_event(session, actor, calendar_event_id)
    return Response(status_code=204)
