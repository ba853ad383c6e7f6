"""The FastAPI application: REST under /api/v1, OpenAPI at /openapi.json."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI
from fastapi.responses import HTMLResponse

from helpline import __version__
from helpline.api.errors import install_error_handlers
from helpline.api.routes import admin, auth, contacts, customers, events
from helpline.api.routes.configuration import configuration_routers
from helpline.bootstrap import Database, open_database
from helpline.config import Settings

API_PREFIX = "/api/v1"


def create_app(settings: Settings, db: Database | None = None) -> FastAPI:
    """Build the application around ``db`` (opened from ``settings`` when not given)."""
    database = db if db is not None else open_database(settings)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        if db is None:
            database.dispose()

    app = FastAPI(
        title="Helpline",
        version=__version__,
        description="Open-source contact center: channels, routing, WFM, QA and analytics.",
        lifespan=lifespan,
    )
    app.state.db = database
    app.state.settings = settings
    install_error_handlers(app)

    api = APIRouter(prefix=API_PREFIX)
    for router in (auth.router, admin.router, *configuration_routers()):
        api.include_router(router)
    for router in (customers.router, contacts.router, events.router):
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
