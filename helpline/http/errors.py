"""The one mapping from domain errors to HTTP responses."""

from __future__ import annotations

import math
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel

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


class ErrorOut(BaseModel):
    """The body of an error other than a 422: what went wrong, for a person to read."""

    detail: str


def _error(description: str) -> dict[str, Any]:
    return {"model": ErrorOut, "description": description}


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: _error("No valid credentials (API key or session)"),
    403: _error("The caller's role may not do this"),
    404: _error("No such object in the caller's organization"),
    409: _error("The change conflicts with the current state"),
    503: _error("Not available right now (e.g. routing is starting); retry"),
}
"""The error answers any API operation may give (helpline.errors), declared on every route so the
OpenAPI schema tells clients their shape; 422s are FastAPI's own ``HTTPValidationError``."""


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


def printable(value: Any) -> Any:
    """``value`` (decoded JSON) as JSON can always write it: NaN and infinities as text, lone
    surrogates escaped (``\\udfff``). A 422 echoes the refused input; the echo must not fail."""
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, str):
        return value.encode("utf-8", "backslashreplace").decode("utf-8")
    if isinstance(value, list | tuple):
        return [printable(item) for item in value]
    if isinstance(value, dict):
        return {printable(key): printable(item) for key, item in value.items()}
    return value


def validation_response(error: RequestValidationError) -> JSONResponse:
    """FastAPI's 422 for a request its declared types refuse, whatever the refused input holds."""
    return JSONResponse({"detail": printable(jsonable_encoder(error.errors()))}, status_code=422)


def install_error_handlers(app: FastAPI) -> None:
    """Register the handler for every HelplineError."""

    async def handle(request: Request, error: Exception) -> JSONResponse:
        if not isinstance(error, HelplineError):  # pragma: no cover - registered for this type only
            raise error
        return error_response(error, request)

    async def handle_concurrent_change(_request: Request, _error: Exception) -> JSONResponse:
        # Services check uniqueness first; this only fires when a concurrent request won a race.
        return JSONResponse({"detail": CONCURRENT_CHANGE_MESSAGE}, status_code=409)

    async def handle_validation(_request: Request, error: Exception) -> JSONResponse:
        if not isinstance(error, RequestValidationError):  # pragma: no cover - registered for it
            raise error
        return validation_response(error)

    app.add_exception_handler(HelplineError, handle)
    app.add_exception_handler(RequestValidationError, handle_validation)
    for kind in CONCURRENT_CHANGE_ERRORS:
        app.add_exception_handler(kind, handle_concurrent_change)
