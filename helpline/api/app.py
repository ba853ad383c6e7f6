"""The REST shell: every API router under /api/v1, the provider webhooks, the chat endpoints and
the health check, installed on the HTTP application that ``helpline.asgi`` composes."""

from __future__ import annotations

from fastapi import APIRouter, Depends, FastAPI

from helpline import __version__
from helpline.api.routes import (
    acd,
    adherence,
    admin,
    auth,
    calendar,
    callbacks,
    canned,
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
    me,
    messages,
    privacy,
    realtime,
    redaction,
    reports,
    rostering,
    schedules,
    simulations,
    surveys,
)
from helpline.api.routes.configuration import configuration_routers
from helpline.http.bounds import refuse_unstorable_parameters
from helpline.http.deps import DB
from helpline.http.errors import ERROR_RESPONSES, install_error_handlers
from helpline.services.identity import organizations

API_PREFIX = "/api/v1"


def install_api(app: FastAPI) -> None:
    """Add the REST API (JSON errors for every HelplineError), webhooks, chat and ``/healthz``."""
    install_error_handlers(app)

    # Query and path text is checked once for all routes (bodies by their models: helpline.http.bounds).
    storable = [Depends(refuse_unstorable_parameters)]
    api = APIRouter(prefix=API_PREFIX, dependencies=storable, responses=ERROR_RESPONSES)
    for router in (auth.router, me.router, admin.router, *configuration_routers()):
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
    for router in (cases.router, contact_context.router, calendar.router, callbacks.router):
        api.include_router(router)
    for router in (
        chat.widgets_router,
        chat.agent_router,
        canned.router,
        redaction.router,
        privacy.router,
    ):
        api.include_router(router)
    app.include_router(api)
    # Signed by providers, not API keys; the chat widget's visitors.
    app.include_router(hooks.router, dependencies=storable, responses=ERROR_RESPONSES)
    app.include_router(chat.router, dependencies=storable, responses=ERROR_RESPONSES)

    @app.get("/healthz", tags=["Health"], summary="Liveness and database check")
    def healthz(db: DB) -> dict[str, str]:
        with db.transaction() as session:
            organizations.check_database(session)
        return {"status": "ok", "version": __version__}
