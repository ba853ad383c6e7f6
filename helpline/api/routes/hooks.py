"""Provider webhooks for SMS and social messages: ``/hooks/{provider}/{connection_id}[/status]``.

These live outside ``/api/v1`` because providers cannot send our API keys: each request is
authenticated by its signature with the connection's secret instead (``channels.signatures``). A
request with a missing, wrong or stale signature is answered 401, logged, and changes nothing; so
is one for a connection id that does not exist, is inactive or belongs to another provider (the
answers do not tell which ids exist).
See docs/channels-sms-social.md.
"""

from __future__ import annotations

import logging
import secrets
from typing import Any
from urllib.parse import parse_qsl

from fastapi import APIRouter, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

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
from helpline.domain.privacy import AuditAction
from helpline.errors import NotFound
from helpline.http.bounds import PathId
from helpline.http.deps import get_db, get_now, get_settings
from helpline.services.actor import system_actor
from helpline.services.conversations import messaging
from helpline.services.conversations.provider_connections import (
    Connection,
    ProviderKind,
    webhook_connection,
)
from helpline.services.privacy.audit import record_security_event

logger = logging.getLogger(__name__)
router = APIRouter(prefix="/hooks", tags=["Provider webhooks"])

TWIML_EMPTY = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'


def _connection(request: Request, provider: ProviderKind, connection_id: int) -> Connection | None:
    """The active connection of this provider and id, or None (logged)."""
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
            return None


def _signed_url(request: Request) -> str:
    """The URL the provider signed: our public address when configured (behind a proxy)."""
    base = get_settings(request).public_url.rstrip("/")
    if not base:
        return str(request.url)
    query = f"?{request.url.query}" if request.url.query else ""
    return f"{base}{request.url.path}{query}"


async def _verified_payload(
    request: Request, provider: ProviderKind, secret: str
) -> dict[str, Any]:
    """The webhook's fields once its signature checks out; raises SignatureRejected otherwise."""
    raw = await request.body()
    if provider is ProviderKind.TWILIO:
        # Twilio posts application/x-www-form-urlencoded (never multipart): the stdlib parses it.
        params = parse_qsl(raw.decode("utf-8", "replace"), keep_blank_values=True)
        verify_twilio(secret, _signed_url(request), params, request.headers.get(TWILIO_HEADER))
        return dict(params)
    verify_generic(
        secret,
        raw,
        request.headers.get(SIGNATURE_HEADER),
        request.headers.get(TIMESTAMP_HEADER),
        get_now(request).timestamp(),
    )
    return parse_generic_json(raw)


async def _authenticated(
    request: Request, provider: ProviderKind, connection_id: int
) -> tuple[Connection, dict[str, Any]]:
    """The connection and the webhook's fields; raises SignatureRejected (logged) otherwise.

    Without such a connection the signature is checked against a throwaway random secret, so the
    refusal reads exactly as it would for an existing connection: answers do not tell which
    connection ids exist.
    """
    connection = await run_in_threadpool(_connection, request, provider, connection_id)
    secret = connection.secret if connection is not None else secrets.token_urlsafe(32)
    try:
        payload = await _verified_payload(request, provider, secret)
    except SignatureRejected as error:
        await run_in_threadpool(
            record_security_event,
            get_db(request),
            AuditAction.WEBHOOK_REJECTED,
            organization_id=connection.organization_id if connection is not None else None,
            resource_kind="ProviderConnection",
            resource_id=connection_id,
            detail={"provider": str(provider), "reason": error.reason},
        )
        if connection is not None:
            logger.warning(
                "webhook rejected: %s connection %s (organization %s) from %s: %s",
                connection.provider,
                connection.id,
                connection.organization_id,
                request.client.host if request.client else "?",
                error.reason,
            )
        raise
    if connection is None:  # a throwaway secret matched: refuse all the same
        raise SignatureRejected("signature does not match")
    return connection, payload


def _rejected(error: SignatureRejected) -> Response:
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
    request: Request, provider: ProviderKind, connection_id: PathId
) -> Response:
    """Stored once per provider message id: a retried webhook answers 200 and stores nothing new."""
    try:
        connection, payload = await _authenticated(request, provider, connection_id)
    except SignatureRejected as error:
        return _rejected(error)
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
    request: Request, provider: ProviderKind, connection_id: PathId
) -> Response:
    """``delivered`` and ``failed`` update the message; interim statuses are acknowledged only."""
    try:
        connection, payload = await _authenticated(request, provider, connection_id)
    except SignatureRejected as error:
        return _rejected(error)
    receipt = parse_status(provider, payload)
    if receipt.status is not None:
        await run_in_threadpool(
            _update_status, request, connection, receipt.provider_id, receipt.status
        )
    return _answer(
        provider,
        {"message_id": receipt.provider_id, "updated": receipt.status is not None},
    )
