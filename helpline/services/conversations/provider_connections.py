"""Provider connections (SMS and social messaging accounts) and voice numbers: stored configuration
the webhooks, the outbound adapter and the CTI events API look up.

Both are configuration resources (``services.acd.configuration``): CRUD, events and organization checks
come from there; this module adds their rules and the look-ups the channels need.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from helpline.domain.enums import Channel, ContactState, Direction, IdentityKind
from helpline.domain.identity import InvalidIdentity, normalize_identity, normalize_phone
from helpline.errors import InvalidInput, NotFound
from helpline.services.access import any_member, owned, owned_by
from helpline.services.acd.configuration import ResourceKind
from helpline.services.actor import Actor
from helpline.services.identity.customers import organization_region
from helpline.storage.tables import Contact, Message, ProviderConnection, Queue, VoiceNumber

CONNECTION_ATTRIBUTE = "provider_connection_id"
"""The contact attribute naming the connection a conversation came in through (replies go back there)."""

OPEN_STATES = tuple(
    s.value
    for s in (
        ContactState.CREATED,
        ContactState.QUEUED,
        ContactState.OFFERED,
        ContactState.CONNECTED,
        ContactState.ON_HOLD,
        ContactState.WRAP_UP,
    )
)


class ProviderKind(StrEnum):
    """The wire format of a provider's webhooks and API."""

    GENERIC_JSON = "generic_json"  # signed JSON both ways (X-Helpline-Signature)
    TWILIO = "twilio"  # Twilio-compatible forms (X-Twilio-Signature, Messages.json)


MESSAGING_CHANNELS = (Channel.SMS, Channel.SOCIAL)


@dataclass(frozen=True)
class Connection:
    """What the channel needs of a provider connection (secrets included: never leave the server)."""

    id: int
    organization_id: int
    provider: ProviderKind
    channel: Channel
    address: str
    network: str
    queue_id: int | None
    secret: str
    outbound_url: str
    outbound_username: str
    outbound_password: str

    @classmethod
    def of(cls, row: ProviderConnection) -> Connection:
        """The plain value of a stored connection."""
        return cls(
            id=row.id,
            organization_id=row.organization_id,
            provider=ProviderKind(row.provider),
            channel=Channel(row.channel),
            address=row.address,
            network=row.network,
            queue_id=row.queue_id,
            secret=row.secret,
            outbound_url=row.outbound_url,
            outbound_username=row.outbound_username,
            outbound_password=row.outbound_password,
        )

    def customer_identity(self, sender: str, region: str) -> tuple[IdentityKind, str]:
        """The customer's normalised identity for a sender address (E.164, or ``network:handle``)."""
        if self.channel is Channel.SMS:
            return IdentityKind.PHONE, normalize_phone(sender, region)
        handle = sender.strip()
        value = handle if handle.startswith(f"{self.network}:") else f"{self.network}:{handle}"
        return IdentityKind.SOCIAL, normalize_identity(IdentityKind.SOCIAL, value, region)


def _check_connection(session: Session, actor: Actor, row: Any) -> None:
    channel = Channel(row.channel)
    if channel not in MESSAGING_CHANNELS:
        raise InvalidInput("channel", "a provider connection is for sms or social")
    region = organization_region(session, actor)
    if channel is Channel.SMS:
        try:
            row.address = normalize_phone(row.address, region)
        except InvalidIdentity as error:
            raise InvalidInput("address", str(error)) from None
    elif not row.network:
        raise InvalidInput("network", "a social connection names its network, e.g. facebook")
    if row.provider == ProviderKind.TWILIO and not row.outbound_username:
        raise InvalidInput("outbound_username", "a Twilio connection needs the Account SID")
    if row.queue_id is not None:
        queue_channel = session.scalar(select(Queue.channel).where(Queue.id == row.queue_id))
        if queue_channel != channel.value:
            raise InvalidInput("queue_id", f"queue {row.queue_id} is not a {channel} queue")


def _check_voice_number(session: Session, actor: Actor, row: Any) -> None:
    try:
        row.number = normalize_phone(row.number, organization_region(session, actor))
    except InvalidIdentity as error:
        raise InvalidInput("number", str(error)) from None
    queue_channel = session.scalar(select(Queue.channel).where(Queue.id == row.queue_id))
    if queue_channel != Channel.VOICE.value:
        raise InvalidInput("queue_id", f"queue {row.queue_id} is not a voice queue")


PROVIDER_CONNECTION = ResourceKind(
    "provider connection",
    "ProviderConnection",
    ProviderConnection,
    unique_fields=("name",),
    references={"queue_id": Queue},
    write_only=("secret", "outbound_password"),
    check=_check_connection,
)
VOICE_NUMBER = ResourceKind(
    "voice number",
    "VoiceNumber",
    VoiceNumber,
    unique_fields=("number",),
    references={"queue_id": Queue},
    check=_check_voice_number,
)


def webhook_connection(session: Session, connection_id: int, provider: ProviderKind) -> Connection:
    """The active connection a webhook URL names, of any organization (the signature, checked next
    with its secret, proves the caller is the provider); NotFound otherwise."""
    row = session.scalar(
        select(ProviderConnection).where(
            ProviderConnection.id == connection_id,
            ProviderConnection.provider == provider.value,
            ProviderConnection.is_active.is_(True),
        )
    )
    if row is None:
        raise NotFound(f"no active {provider} connection {connection_id}")
    return Connection.of(row)


def connection_of_contact(
    session: Session, organization_id: int, contact_id: int, channel: Channel
) -> Connection | None:
    """The connection replies on a contact go through: the one it came in by, else the
    organization's first active connection of the channel."""
    attributes = session.scalar(
        select(Contact.attributes).where(
            Contact.id == contact_id, owned_by(organization_id, Contact)
        )
    )
    wanted = (attributes or {}).get(CONNECTION_ATTRIBUTE)
    query = owned(organization_id, ProviderConnection).where(
        ProviderConnection.channel == channel.value,
        ProviderConnection.is_active.is_(True),
    )
    if isinstance(wanted, int):
        row = session.scalar(query.where(ProviderConnection.id == wanted))
        if row is not None:
            return Connection.of(row)
    row = session.scalar(query.order_by(ProviderConnection.id).limit(1))
    return Connection.of(row) if row is not None else None


def open_conversation(session: Session, connection: Connection, sender: str) -> int | None:
    """The unfinished contact a sender is already writing on through ``connection``, if any."""
    found: int | None = session.scalar(
        select(Contact.id)
        .join(Message, Message.contact_id == Contact.id)
        .where(
            owned_by(connection.organization_id, Message),
            Message.channel == connection.channel.value,
            Message.direction == Direction.INBOUND.value,
            Message.sender == sender,
            Contact.state.in_(OPEN_STATES),
        )
        .order_by(Contact.id.desc())
        .limit(1)
    )
    return found


@any_member
def queue_of_number(session: Session, actor: Actor, dialed_number: str) -> int | None:
    """The voice queue a dialed number (E.164) is mapped to, if it is mapped."""
    queue_id: int | None = session.scalar(
        select(VoiceNumber.queue_id).where(
            owned_by(actor, VoiceNumber),
            VoiceNumber.number == dialed_number,
        )
    )
    return queue_id
