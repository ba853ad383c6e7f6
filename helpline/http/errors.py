"""The one mapping from domain errors to HTTP responses."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from helpline.errors import (
    AuthenticationFailed,
    Conflict,
    HelplineError,
    InvalidInput,
    NotFound,
    PermissionDenied,
    TooManyAttempts,
    Unavailable,
)
from helpline.services.errors import CONCURRENT_CHANGE_ERRORS, CONCURRENT_CHANGE_MESSAGE

STATUS = {
    InvalidInput: 422,
    NotFound: 404,
    Conflict: 409,
    AuthenticationFailed: 401,
    PermissionDenied: 403,
    TooManyAttempts: 429,
    Unavailable: 503,
}


def _location(field: str, request: Request | None) -> str:
    """Where the caller sent ``field``: a path or query parameter of the request, else the body."""
    name = field.split(".", 1)[0]
    if request is not None and name in request.path_params:
        return "path"
    if request is not None and name in request.query_params:
        return "query"
    return "body"


def error_response(error: HelplineError, request: Request | None = None) -> JSONResponse:
    """The JSON response for a domain error; InvalidInput uses FastAPI's 422 shape (``loc`` names it,
    starting with where it was sent: body, query or path)."""
    status = next((code for kind, code in STATUS.items() if isinstance(error, kind)), 400)
    if isinstance(error, InvalidInput):
        location = _location(error.field, request)
        body: object = [
            {"loc": [location, *error.field.split(".")], "msg": error.reason, "type": "value_error"}
        ]
    else:
        body = error.message
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    if isinstance(error, TooManyAttempts):
        headers = {"Retry-After": str(error.retry_after_seconds)}
    return JSONResponse({"detail": body}, status_code=status, headers=headers)


def install_error_handlers(app: FastAPI) -> None:
    """Register the handler for every HelplineError."""

    async def handle(request: Request, error: Exception) -> JSONResponse:
        if not isinstance(error, HelplineError):  # pragma: no cover - registered for this type only
            raise error
        return error_response(error, request)

    async def handle_concurrent_change(_request: Request, _error: Exception) -> JSONResponse:
        # Services check uniqueness first; this only fires when a concurrent request won a race.
        return JSONResponse({"detail": CONCURRENT_CHANGE_MESSAGE}, status_code=409)

    app.add_exception_handler(HelplineError, handle)
    for kind in CONCURRENT_CHANGE_ERRORS:
        app.add_exception_handler(kind, handle_concurrent_change)
