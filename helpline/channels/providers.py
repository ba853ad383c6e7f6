"""SMS and social messaging through provider connections: parse their webhooks, send replies.

Two wire formats (``ProviderKind``):

- ``generic_json``: inbound ``{"message_id", "from", "to", "text", "name"?}`` and status
  ``{"message_id", "status"}`` webhooks, signed (see ``signatures``); outbound a signed JSON POST of
  ``{"message_id", "from", "to", "text"}`` to the connection's ``outbound_url``, answered with the
  provider's ``{"message_id": ...}``.
- ``twilio``: Twilio's inbound forms (``MessageSid``, ``From``, ``To``, ``Body``) and status callbacks
  (``MessageSid``, ``MessageStatus``); outbound a form POST of ``To``, ``From``, ``Body`` to
  ``<outbound_url>/Accounts/<Account SID>/Messages.json`` with basic auth, answered with ``{"sid"}``.

Sending retries (``DeliveryReport.retry``) timeouts, connection errors, 5xx and 429; other 4xx
answers are final.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx
from fastapi.concurrency import run_in_threadpool

from helpline.channels.base import (
    ChannelAdapter,
    DeliveryReport,
    DeliveryStatus,
    InboundMessage,
    OutboundMessage,
)
from helpline.channels.inbox import Inbox
from helpline.channels.signatures import SIGNATURE_HEADER, TIMESTAMP_HEADER, generic_signature
from helpline.domain.enums import Channel
from helpline.domain.identity import InvalidIdentity
from helpline.errors import InvalidInput
from helpline.services.actor import system_actor
from helpline.services.conversations.messaging import ReceivedMessage
from helpline.services.conversations.provider_connections import (
    CONNECTION_ATTRIBUTE,
    Connection,
    ProviderKind,
    connection_of_contact,
    open_conversation,
)
from helpline.services.identity.customers import organization_region
from helpline.services.unit_of_work import Database

TWILIO_STATUS = {
    "delivered": DeliveryStatus.DELIVERED,
    "read": DeliveryStatus.DELIVERED,
    "failed": DeliveryStatus.FAILED,
    "undelivered": DeliveryStatus.FAILED,
}
"""Twilio's final message statuses; the interim ones (queued, sending, sent) change nothing."""
GENERIC_STATUS = {"delivered": DeliveryStatus.DELIVERED, "failed": DeliveryStatus.FAILED}


@dataclass(frozen=True)
class ParsedMessage:
    """An inbound provider message before identity normalisation."""

    external_id: str
    sender: str
    body: str
    name: str = ""
    extra: Mapping[str, Any] | None = None
    sender_field: str = "from"


@dataclass(frozen=True)
class ParsedStatus:
    """A provider's delivery receipt: its message id and the final status (None for interim ones)."""

    provider_id: str
    status: DeliveryStatus | None


def _text(payload: Mapping[str, Any], name: str, *, required: bool = True) -> str:
    value = payload.get(name, "")
    if not isinstance(value, str) or (required and not value.strip()):
        raise InvalidInput(name, "a non-empty string is required" if required else "a string")
    return value


def parse_generic_json(raw: bytes) -> dict[str, Any]:
    """The JSON object of a generic webhook body, or InvalidInput."""
    try:
        payload = json.loads(raw)
    except ValueError:
        raise InvalidInput("body", "not JSON") from None
    if not isinstance(payload, dict):
        raise InvalidInput("body", "a JSON object is required")
    return payload


def parse_inbound(provider: ProviderKind, payload: Mapping[str, Any]) -> ParsedMessage:
    """The message in a provider's inbound webhook (JSON object or form fields)."""
    if provider is ProviderKind.TWILIO:
        media = int(payload.get("NumMedia", "0") or 0)
        return ParsedMessage(
            external_id=_text(payload, "MessageSid"),
            sender=_text(payload, "From"),
            body=_text(payload, "Body", required=media == 0),
            extra={"to": payload.get("To", ""), "media": media},
            sender_field="From",
        )
    return ParsedMessage(
        external_id=_text(payload, "message_id"),
        sender=_text(payload, "from"),
        body=_text(payload, "text"),
        name=_text(payload, "name", required=False),
        extra={"to": payload.get("to", "")},
    )


def parse_status(provider: ProviderKind, payload: Mapping[str, Any]) -> ParsedStatus:
    """The delivery receipt in a provider's status webhook."""
    if provider is ProviderKind.TWILIO:
        status = _text(payload, "MessageStatus").lower()
        return ParsedStatus(_text(payload, "MessageSid"), TWILIO_STATUS.get(status))
    status = _text(payload, "status").lower()
    if status not in {*GENERIC_STATUS, "sent", "queued"}:
        raise InvalidInput("status", "use queued, sent, delivered or failed")
    return ParsedStatus(_text(payload, "message_id"), GENERIC_STATUS.get(status))


def receive_webhook(inbox: Inbox, connection: Connection, parsed: ParsedMessage) -> ReceivedMessage:
    """Store a provider's inbound message (once per provider message id) on the sender's open
    conversation, or on a new contact in the connection's queue; the sender becomes the customer's
    E.164 phone (SMS) or ``network:handle`` (social) identity."""
    actor = system_actor(connection.organization_id)
    with inbox.db.transaction() as session:
        try:
            kind, sender = connection.customer_identity(
                parsed.sender, organization_region(session, actor)
            )
        except InvalidIdentity as error:
            raise InvalidInput(parsed.sender_field, str(error)) from None
        contact_id = open_conversation(session, connection, sender)
    inbound = InboundMessage(
        channel=connection.channel,
        external_id=parsed.external_id,
        body=parsed.body,
        sender=sender,
        customer_name=parsed.name,
        identities={kind: sender},
        headers={"connection_id": connection.id, **(parsed.extra or {})},
    )
    return inbox.receive_sync(
        actor,
        inbound,
        queue_id=connection.queue_id,
        contact_id=contact_id,
        attributes={CONNECTION_ATTRIBUTE: connection.id},
    )


def _report(response: httpx.Response, id_field: str) -> DeliveryReport:
    if response.status_code == 429 or response.status_code >= 500:
        return DeliveryReport(
            DeliveryStatus.FAILED, error=f"provider answered {response.status_code}", retry=True
        )
    if response.status_code >= 400:
        return DeliveryReport(
            DeliveryStatus.FAILED,
            error=f"provider refused: {response.status_code} {response.text[:300]}",
        )
    try:
        provider_id = response.json().get(id_field)
    except ValueError:
        provider_id = None
    if not isinstance(provider_id, str) or not provider_id:
        return DeliveryReport(
            DeliveryStatus.FAILED, error=f"provider answer has no {id_field!r}", retry=True
        )
    return DeliveryReport(DeliveryStatus.SENT, provider_id=provider_id)


def _address(connection: Connection, recipient: str) -> str:
    """The provider's address for a customer: the handle without our ``network:`` prefix."""
    return recipient.removeprefix(f"{connection.network}:") if connection.network else recipient


class ProviderAdapter(ChannelAdapter):
    """Sends SMS or social replies through the provider connection of each conversation.

    ``public_url`` (the server's address as providers reach it) makes Twilio post delivery receipts
    back to ``/hooks/twilio/<connection>/status``.
    """

    def __init__(
        self,
        channel: Channel,
        db: Database | None = None,
        *,
        timeout_seconds: float = 10.0,
        public_url: str = "",
    ) -> None:
        self.channel = channel
        self._db = db
        self.timeout_seconds = timeout_seconds
        self.public_url = public_url.rstrip("/")

    async def start(self, inbox: Inbox) -> None:
        """Use the application's database to find each conversation's connection."""
        if self._db is None:
            self._db = inbox.db

    def _now(self) -> datetime:
        if self._db is None:
            raise RuntimeError(f"the {self.channel} adapter is not started")
        return self._db.clock()

    def _connection(self, message: OutboundMessage) -> Connection | None:
        if self._db is None:
            return None
        with self._db.transaction() as session:
            return connection_of_contact(
                session, message.organization_id, message.contact_id, self.channel
            )

    async def send(self, message: OutboundMessage) -> DeliveryReport:
        connection = await run_in_threadpool(self._connection, message)
        if connection is None or not connection.outbound_url:
            return DeliveryReport(
                DeliveryStatus.FAILED, error=f"no {self.channel} provider connection to send with"
            )
        try:
            async with httpx.AsyncClient(timeout=self.timeout_seconds) as client:
                if connection.provider is ProviderKind.TWILIO:
                    return await self._send_twilio(client, connection, message)
                return await self._send_generic(client, connection, message)
        except httpx.TransportError as error:  # timeouts, refused connections, resets
            return DeliveryReport(
                DeliveryStatus.FAILED, error=f"{type(error).__name__}: {error}"[:500], retry=True
            )

    async def _send_generic(
        self, client: httpx.AsyncClient, connection: Connection, message: OutboundMessage
    ) -> DeliveryReport:
        body = json.dumps(
            {
                "message_id": str(message.message_id),
                "from": connection.address,
                "to": _address(connection, message.recipient),
                "text": message.body,
            }
        ).encode()
        timestamp = int(self._now().timestamp())
        headers = {
            "Content-Type": "application/json",
            TIMESTAMP_HEADER: str(timestamp),
            SIGNATURE_HEADER: generic_signature(connection.secret, timestamp, body),
        }
        if connection.outbound_username:
            auth = httpx.BasicAuth(connection.outbound_username, connection.outbound_password)
            response = await client.post(
                connection.outbound_url, content=body, headers=headers, auth=auth
            )
        else:
            response = await client.post(connection.outbound_url, content=body, headers=headers)
        return _report(response, "message_id")

    async def _send_twilio(
        self, client: httpx.AsyncClient, connection: Connection, message: OutboundMessage
    ) -> DeliveryReport:
        account = connection.outbound_username
        url = f"{connection.outbound_url.rstrip('/')}/Accounts/{account}/Messages.json"
        form = {
            "To": _address(connection, message.recipient),
            "From": connection.address,
            "Body": message.body,
        }
        if self.public_url:
            form["StatusCallback"] = f"{self.public_url}/hooks/twilio/{connection.id}/status"
        auth = httpx.BasicAuth(account, connection.outbound_password or connection.secret)
        response = await client.post(url, data=form, auth=auth)
        return _report(response, "sid")
