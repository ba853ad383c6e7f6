"""Provider webhooks for SMS and social messages: ``/hooks/{provider}/{connection_id}[/status]``.

These live outside ``/api/v1`` because providers cannot send our API keys: each request is
authenticated by its signature with the connection's secret instead (``channels.signatures``). A
request with a missing, wrong or stale signature is answered 401, logged, and changes nothing.
See docs/channels-sms-social.md.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import parse_qsl

from fastapi import APIRouter, Path, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from helpline.api.deps import get_db, get_now, get_settings
from helpline.channels.inbox import Inbox
from helpline.channels.providers import (
    parse_generic_json,
    parse_inbound,
    parse_status,
    receive_webhook,
)
from helpline.channels.signatures import (
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    TWILIO_HEADER,
    SignatureRejected,
    verify_generic,
    verify_twilio,
)
from helpline.errors import NotFound
from helpline.services import messaging
from helpline.services.actor import system_actor
from helpline.services.provider_connections import Connection, ProviderKind, webhook_connection

logger = logging.getLogger(__name__)
router = APIRouter(prefix="/hooks", tags=["Provider webhooks"])

TWIML_EMPTY = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'


def _connection(request: Request, provider: ProviderKind, connection_id: int) -> Connection:
    with get_db(request).transaction() as session:
        try:
            return webhook_connection(session, connection_id, provider)
        except NotFound:
            logger.warning(
                "webhook rejected: no active %s connection %s (from %s)",
                provider,
                connection_id,
                request.client.host if request.client else "?",
            )
            raise


def _signed_url(request: Request) -> str:
    """The URL the provider signed: our public address when configured (behind a proxy)."""
    base = get_settings(request).public_url.rstrip("/")
    if not base:
        return str(request.url)
    query = f"?{request.url.query}" if request.url.query else ""
    return f"{base}{request.url.path}{query}"


async def _verified_payload(
    request: Request, provider: ProviderKind, connection: Connection
) -> dict[str, Any]:
    """The webhook's fields once its signature checks out; raises SignatureRejected otherwise."""
    raw = await request.body()
    if provider is ProviderKind.TWILIO:
        # Twilio posts application/x-www-form-urlencoded (never multipart): the stdlib parses it.
        params = parse_qsl(raw.decode("utf-8", "replace"), keep_blank_values=True)
        verify_twilio(
            connection.secret, _signed_url(request), params, request.headers.get(TWILIO_HEADER)
        )
        return dict(params)
    verify_generic(
        connection.secret,
        raw,
        request.headers.get(SIGNATURE_HEADER),
        request.headers.get(TIMESTAMP_HEADER),
        get_now(request).timestamp(),
    )
    return parse_generic_json(raw)


def _rejected(request: Request, connection: Connection, error: SignatureRejected) -> Response:
    logger.warning(
        "webhook rejected: %s connection %s (organization %s) from %s: %s",
        connection.provider,
        connection.id,
        connection.organization_id,
        request.client.host if request.client else "?",
        error.reason,
    )
    return JSONResponse({"detail": f"webhook signature rejected: {error.reason}"}, status_code=401)


def _answer(provider: ProviderKind, body: dict[str, Any]) -> Response:
    if provider is ProviderKind.TWILIO:  # Twilio expects TwiML; an empty one sends no auto-reply
        return Response(TWIML_EMPTY, media_type="text/xml")
    return JSONResponse(body)


@router.post(
    "/{provider}/{connection_id}",
    summary="A provider delivers an inbound SMS or social message",
    responses={401: {"description": "Missing, wrong or stale signature; nothing stored"}},
)
async def inbound_message(
    request: Request, provider: ProviderKind, connection_id: int = Path(ge=1)
) -> Response:
    """Stored once per provider message id: a retried webhook answers 200 and stores nothing new."""
    connection = await run_in_threadpool(_connection, request, provider, connection_id)
    try:
        payload = await _verified_payload(request, provider, connection)
    except SignatureRejected as error:
        return _rejected(request, connection, error)
    parsed = parse_inbound(provider, payload)
    inbox: Inbox = request.app.state.inbox
    received = await run_in_threadpool(receive_webhook, inbox, connection, parsed)
    return _answer(
        provider,
        {
            "status": "duplicate" if received.duplicate else "stored",
            "contact_id": received.contact_id,
            "message_id": received.message_id,
        },
    )


def _update_status(request: Request, connection: Connection, provider_id: str, status: Any) -> None:
    with get_db(request).transaction() as session:
        found = messaging.update_delivery_status(
            session,
            system_actor(connection.organization_id),
            connection.channel,
            provider_id,
            status,
        )
        if found is None:
            raise NotFound(f"no message sent with provider id {provider_id!r}")


@router.post(
    "/{provider}/{connection_id}/status",
    summary="A provider reports the delivery status of a message we sent",
    responses={401: {"description": "Missing, wrong or stale signature; nothing stored"}},
)
async def delivery_status(
    request: Request, provider: ProviderKind, connection_id: int = Path(ge=1)
) -> Response:
    """``delivered`` and ``failed`` update the message; interim statuses are acknowledged only."""
    connection = await run_in_threadpool(_connection, request, provider, connection_id)
    try:
        payload = await _verified_payload(request, provider, connection)
    except SignatureRejected as error:
        return _rejected(request, connection, error)
    receipt = parse_status(provider, payload)
    if receipt.status is not None:
        await run_in_threadpool(
            _update_status, request, connection, receipt.provider_id, receipt.status
        )
    return _answer(
        provider,
        {"message_id": receipt.provider_id, "updated": receipt.status is not None},
    )
