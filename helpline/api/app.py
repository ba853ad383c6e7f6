"""The FastAPI application: REST under /api/v1, OpenAPI at /openapi.json."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI
from fastapi.concurrency import run_in_threadpool
from sqlalchemy import select

from helpline import __version__
from helpline.api.errors import install_error_handlers
from helpline.api.routes import (
    acd,
    adherence,
    admin,
    auth,
    cases,
    chat,
    contact_context,
    contacts,
    cti,
    customers,
    events,
    forecasts,
    hooks,
    intraday,
    messages,
    realtime,
    reports,
    rostering,
    schedules,
    simulations,
    surveys,
)
from helpline.api.routes.configuration import configuration_routers
from helpline.bootstrap import Database, open_database
from helpline.channels.base import ChannelRegistry
from helpline.channels.inbox import Inbox
from helpline.channels.outbox import Outbox
from helpline.channels.setup import channel_registry
from helpline.clock import Clock
from helpline.config import Settings
from helpline.demo.traffic import TICK_SECONDS, DemoTraffic
from helpline.services.acd.routing import RoutingService
from helpline.services.cases.sla import CaseSlaMonitor
from helpline.storage.tables import Organization
from helpline.web.install import install_web

API_PREFIX = "/api/v1"
TIMER_TICK_SECONDS = 0.5
"""Longest sleep of the routing timer loop (it wakes earlier when a timer is due sooner)."""
SLA_TICK_SECONDS = 1.0
"""How often case SLAs falling due, and cases touched by replies or answers, are evaluated."""
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


async def _run_case_sla(monitor: CaseSlaMonitor) -> None:
    """Evaluate case SLAs on the app clock: first responses, warnings, breaches, escalations."""
    while True:
        try:
            await run_in_threadpool(monitor.evaluate_changed)
            await run_in_threadpool(monitor.evaluate)
        except Exception:  # a failed tick must not stop SLA tracking; the next one retries
            logger.exception("case SLA evaluation failed")
        await asyncio.sleep(SLA_TICK_SECONDS)


async def _run_demo_traffic(traffic: DemoTraffic) -> None:
    """Drive the demo's simulated customers and agents about once a second."""
    if not await run_in_threadpool(traffic.start):
        logger.warning("--demo-traffic: the demo organization is not loaded (helpline demo-data)")
        return
    while True:
        try:
            await run_in_threadpool(traffic.step)
        except Exception:  # a failed tick must not end the demo; the next one starts afresh
            logger.exception("demo traffic step failed")
        await asyncio.sleep(TICK_SECONDS)


def create_app(
    settings: Settings,
    db: Database | None = None,
    clock: Clock | None = None,
    channels: ChannelRegistry | None = None,
) -> FastAPI:
    """Build the application around ``db`` (opened from ``settings`` when not given).

    ``clock`` (default: the database's) times every unit of work, routing timer and decision (tests
    pass a controllable one); ``channels`` are the channel adapters to run (default: those
    ``settings`` enable).
    """
    database = db if db is not None else open_database(settings)
    if clock is not None:
        database = database.with_clock(clock)
    clock = database.clock
    routing = RoutingService(database)
    registry = channels if channels is not None else channel_registry(settings)
    inbox = Inbox(database, routing)
    outbox = Outbox(database, registry)
    database.notifier.subscribe(outbox.on_events)
    case_sla = CaseSlaMonitor(database)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        await run_in_threadpool(routing.start, await run_in_threadpool(_organization_ids, database))
        timers = asyncio.create_task(_run_timers(routing))
        sla = asyncio.create_task(_run_case_sla(case_sla))
        await registry.start(inbox)
        delivery = asyncio.create_task(outbox.run(settings.outbox_poll_seconds))
        demo = (
            asyncio.create_task(_run_demo_traffic(DemoTraffic(database, routing)))
            if settings.demo_traffic
            else None
        )
        yield
        # Wait for the background tasks to end here, while the event loop's thread pool still
        # serves them: a task left cancelling past shutdown can hang the loop's close.
        for task in (demo, delivery, sla, timers):
            if task is None:
                continue
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
    app.state.case_sla = case_sla
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
    for router in (surveys.router, surveys.public_router):
        api.include_router(router)
    for router in (schedules.router, rostering.router, adherence.router, intraday.router):
        api.include_router(router)
    for router in (simulations.router, cti.router, *cti.channel_configuration_routers()):
        api.include_router(router)
    for router in (cases.router, contact_context.router):
        api.include_router(router)
    for router in (chat.widgets_router, chat.agent_router):
        api.include_router(router)
    app.include_router(api)
    app.include_router(hooks.router)  # signed by providers, outside the API-key routes
    app.include_router(chat.router)

    @app.get("/healthz", tags=["Health"], summary="Liveness and database check")
    def healthz() -> dict[str, str]:
        with database.transaction() as session:
            session.connection().exec_driver_sql("SELECT 1")
        return {"status": "ok", "version": __version__}

    install_web(app)
    return app
