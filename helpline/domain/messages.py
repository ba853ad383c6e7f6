"""The messages that cross a channel adapter's port: what came in, what goes out, how delivery went."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from helpline.domain.enums import Channel, IdentityKind


@dataclass(frozen=True)
class Attachment:
    """A file sent with a message."""

    filename: str
    content_type: str
    data: bytes


@dataclass(frozen=True)
class InboundMessage:
    """A message from a customer, as a channel adapter understood it.

    ``external_id`` is the channel's own id of the message (provider message id, email Message-ID, chat
    client message id): receiving the same id twice stores it once.
    """

    channel: Channel
    external_id: str
    body: str
    sender: str = ""
    """The address the message came from, as shown to agents (phone, email, handle)."""
    customer_name: str = ""
    identities: Mapping[IdentityKind, str] = field(default_factory=dict)
    subject: str = ""
    headers: Mapping[str, Any] = field(default_factory=dict)
    """Channel metadata kept with the message (email threading headers, provider fields)."""
    attachments: tuple[Attachment, ...] = ()


class DeliveryStatus(StrEnum):
    """Where an outbound message is on its way to the customer."""

    QUEUED = "queued"  # stored, not yet handed to the channel
    SENT = "sent"  # the channel accepted it
    DELIVERED = "delivered"  # the provider reported delivery to the customer
    FAILED = "failed"  # given up after retries, or refused by the provider


@dataclass(frozen=True)
class OutboundMessage:
    """A stored message for the customer, handed to the adapter of its channel for delivery."""

    organization_id: int
    contact_id: int
    message_id: int
    channel: Channel
    recipient: str
    """The customer's address on this channel (email, E.164 phone, handle, chat session)."""
    body: str
    subject: str = ""
    headers: Mapping[str, Any] = field(default_factory=dict)
    attachments: tuple[Attachment, ...] = ()


@dataclass(frozen=True)
class DeliveryReport:
    """What an adapter reports after trying to deliver a message."""

    status: DeliveryStatus
    provider_id: str | None = None
    """The channel's id for the sent message (email Message-ID, provider message sid)."""
    error: str = ""
    retry: bool = False
    """For a failure: whether trying again later may succeed (timeouts, 5xx, 4xx SMTP replies)."""
    headers: Mapping[str, Any] = field(default_factory=dict)
    """Metadata to keep with the message (e.g. the Message-ID and References an email was sent with)."""
