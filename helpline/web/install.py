"""Mount the pages, their static files and their error pages on the application."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import Response
from fastapi.staticfiles import StaticFiles

from helpline.errors import HelplineError
from helpline.http.errors import STATUS, error_response
from helpline.web import (
    auth_pages,
    calendar_pages,
    config_pages,
    dashboard,
    desk,
    email_verification,
    planning,
    privacy_pages,
    wallboard,
)
from helpline.web.render import HERE, page
from helpline.web.viewer import LoginRequired, current_viewer

MACHINE_PATHS = ("/api/", "/healthz", "/hooks/", "/chat/")
"""Paths that programs call (REST, provider webhooks, the chat widget): their errors stay JSON."""
_TITLES = {401: "Please log in", 403: "Not allowed", 404: "Not found", 409: "Conflict"}


def install_web(app: FastAPI) -> None:
    """Add the pages (outside ``/api``), ``/static`` and HTML error pages for them."""
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    # calendar_pages before config_pages: /config/hours is not a /config/{slug} resource.
    pages = (
        auth_pages,
        desk,
        wallboard,
        dashboard,
        calendar_pages,
        config_pages,
        planning,
        privacy_pages,
    )
    for module in (*pages, email_verification):
        app.include_router(module.router)

    async def login_required(request: Request, _error: Exception) -> Response:
        return auth_pages.login_redirect(request)

    async def domain_error(request: Request, error: Exception) -> Response:
        if not isinstance(error, HelplineError):  # pragma: no cover - registered for this type only
            raise error
        machine = request.url.path.startswith(MACHINE_PATHS)
        if machine or "text/html" not in request.headers.get("accept", ""):
            return error_response(error, request)
        status = next((code for kind, code in STATUS.items() if isinstance(error, kind)), 400)
        try:
            viewer = current_viewer(request)
        except LoginRequired:
            viewer = None
        return page(
            request,
            "error.html",
            viewer,
            status_code=status,
            title=_TITLES.get(status, "Something went wrong"),
            message=error.message,
        )

    app.add_exception_handler(LoginRequired, login_required)
    app.add_exception_handler(HelplineError, domain_error)
