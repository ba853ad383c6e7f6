"""The HTTP composition root: one FastAPI application serving the REST API and the web pages over
the :class:`~helpline.bootstrap.Application` that ``helpline.bootstrap`` wires.

``api`` and ``web`` never import each other; this module mounts both.
"""

from __future__ import annotations

from fastapi import FastAPI

from helpline import __version__
from helpline.api.app import install_api
from helpline.bootstrap import Application, Database, build_application
from helpline.channels.base import ChannelRegistry
from helpline.clock import Clock
from helpline.config import Settings
from helpline.http.hardening import HardeningMiddleware
from helpline.http.origin import ClientOriginMiddleware
from helpline.web.install import install_web


def http_app(application: Application) -> FastAPI:
    """The HTTP shell over ``application``: it runs the application for the server's lifetime."""
    app = FastAPI(
        title="Helpline",
        version=__version__,
        description="Open-source contact center: channels, routing, WFM, QA and analytics.",
        lifespan=lambda _app: application.running(),
    )
    app.state.application = application
    app.state.db = application.db
    app.state.routing = application.routing
    app.state.channels = application.channels
    app.state.inbox = application.inbox
    app.state.outbox = application.outbox
    app.state.case_sla = application.case_sla
    app.state.callbacks = application.callbacks
    app.state.settings = application.settings
    install_api(app)
    install_web(app)  # after the API: its error pages answer browsers, JSON still answers programs
    app.add_middleware(ClientOriginMiddleware, behind_proxy=application.settings.behind_proxy)
    app.add_middleware(HardeningMiddleware, settings=application.settings)
    return app


def create_app(
    settings: Settings,
    db: Database | None = None,
    clock: Clock | None = None,
    channels: ChannelRegistry | None = None,
) -> FastAPI:
    """Build the application (see :func:`~helpline.bootstrap.build_application`) and serve it."""
    return http_app(build_application(settings, db, clock, channels))
