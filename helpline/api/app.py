"""The FastAPI application: REST under /api/v1, OpenAPI at /openapi.json."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import datetime

from fastapi import APIRouter, FastAPI
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse
from sqlalchemy import select

from helpline import __version__
from helpline.api.errors import install_error_handlers
from helpline.api.routes import (
    acd,
    adherence,
    admin,
    auth,
    contacts,
    customers,
    events,
    forecasts,
    intraday,
    messages,
    realtime,
    reports,
    schedules,
)
from helpline.api.routes.configuration import configuration_routers
from helpline.bootstrap import Database, open_database
from helpline.channels.base import ChannelRegistry
from helpline.channels.inbox import Inbox
from helpline.channels.outbox import Outbox
from helpline.channels.setup import channel_registry
from helpline.clock import utc_now
from helpline.config import Settings
from helpline.services.routing import RoutingService
from helpline.storage.tables import Organization

API_PREFIX = "/api/v1"
TIMER_TICK_SECONDS = 0.5
"""Longest sleep of the routing timer loop (it wakes earlier when a timer is due sooner)."""
logger = logging.getLogger(__name__)


def _organization_ids(db: Database) -> list[int]:
    with db.transaction() as session:
        return list(session.scalars(select(Organization.id)).all())


async def _run_timers(routing: RoutingService) -> None:
    """Run routing timers (offer timeouts, escalations, after-contact work) as they fall due."""
    while True:
        await asyncio.sleep(routing.seconds_to_next_timer(TIMER_TICK_SECONDS))
        try:
            await run_in_threadpool(routing.advance_due)
        except Exception:  # a failed tick must not stop routing; the engine rebuilds next time
            logger.exception("routing timers failed")


def create_app(
    settings: Settings,
    db: Database | None = None,
    clock: Callable[[], datetime] = utc_now,
    channels: ChannelRegistry | None = None,
) -> FastAPI:
    """Build the application around ``db`` (opened from ``settings`` when not given).

    ``clock`` drives routing timers and decisions (tests pass a controllable one); ``channels`` are
    the channel adapters to run (default: those ``settings`` enable).
    """
    database = db if db is not None else open_database(settings)
    routing = RoutingService(database, clock)
    registry = channels if channels is not None else channel_registry(settings)
    inbox = Inbox(database, routing, clock)
    outbox = Outbox(database, registry, clock)
    database.notifier.subscribe(outbox.on_events)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        await run_in_threadpool(routing.start, await run_in_threadpool(_organization_ids, database))
        timers = asyncio.create_task(_run_timers(routing))
        await registry.start(inbox)
        delivery = asyncio.create_task(outbox.run(settings.outbox_poll_seconds))
        yield
        # Wait for the background tasks to end here, while the event loop's thread pool still
        # serves them: a task left cancelling past shutdown can hang the loop's close.
        for task in (delivery, timers):
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await registry.stop()
        if db is None:
            database.dispose()

    app = FastAPI(
        title="Helpline",
        version=__version__,
        description="Open-source contact center: channels, routing, WFM, QA and analytics.",
        lifespan=lifespan,
    )
    app.state.db = database
    app.state.routing = routing
    app.state.channels = registry
    app.state.inbox = inbox
    app.state.outbox = outbox
    app.state.settings = settings
    app.state.clock = clock
    install_error_handlers(app)

    api = APIRouter(prefix=API_PREFIX)
    for router in (auth.router, admin.router, *configuration_routers()):
        api.include_router(router)
    for router in (customers.router, contacts.router, acd.router, events.router, forecasts.router):
        api.include_router(router)
    for router in (messages.router, reports.router, realtime.router):
        api.include_router(router)
    for router in (schedules.router, adherence.router, intraday.router):
        api.include_router(router)
    app.include_router(api)

    @app.get("/healthz", tags=["Health"], summary="Liveness and database check")
    def healthz() -> dict[str, str]:
        with database.transaction() as session:
            session.connection().exec_driver_sql("SELECT 1")
        return {"status": "ok", "version": __version__}

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def home() -> str:
        return _HOME

    return app


_HOME = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Helpline</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 3rem auto; line-height: 1.5">
<h1>Helpline</h1>
<p>The contact-center API is running.</p>
<ul>
<li><a href="/docs">Interactive API documentation</a> (log in with
<code>POST /api/v1/auth/login</code> or use an API key)</li>
<li><a href="/openapi.json">OpenAPI schema</a></li>
<li><a href="/healthz">Health check</a></li>
</ul>
</body></html>
"""
