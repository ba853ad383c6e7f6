"""Configuration events: ``<Resource>Created``, ``<Resource>Updated`` and ``<Resource>Deleted`` for
every resource of the configuration API (``services/acd/configuration.py`` and the resource kinds of
the channel services). A created event carries the resource as the API represents it (secrets as
``<name>_is_set``); an updated one the changed fields (secrets as ``***``).
"""

from __future__ import annotations

from typing import Any

from pydantic import Field, create_model

from helpline.domain.enums import AgentSelection, Channel, ClosedTreatment
from helpline.domain.event_catalogue.base import EventPayload


class ResourceUpdated(EventPayload):
    """Fields of a configuration resource were changed (``PATCH``)."""

    id: int = Field(description="The resource.")
    changed: dict[str, Any] = Field(
        description="New values of the changed fields, by field name (secrets as ``***``)."
    )


class ResourceDeleted(EventPayload):
    """A configuration resource was deleted."""

    id: int = Field(description="The deleted resource.")


class TeamCreated(EventPayload):
    """A team was created."""

    id: int = Field(description="The team.")
    name: str = Field(description="Unique name.")
    description: str = Field(description="Free text.")


class SkillCreated(EventPayload):
    """A skill was created."""

    id: int = Field(description="The skill.")
    name: str = Field(description="Unique name.")
    description: str = Field(description="Free text.")


class WrapUpCodeCreated(EventPayload):
    """A wrap-up code (disposition) was created."""

    id: int = Field(description="The wrap-up code.")
    code: str = Field(description="Unique short code.")
    label: str = Field(description="What agents see.")
    is_active: bool = Field(description="Whether agents may pick it.")


class QueueSkillPayload(EventPayload):
    """A skill a queue's contacts need."""

    skill_id: int = Field(description="The skill.")
    min_proficiency: int = Field(description="Minimum proficiency, 1 to 5.")


class QueueCreated(EventPayload):
    """A queue was created."""

    id: int = Field(description="The queue.")
    name: str = Field(description="Unique name.")
    channel: Channel = Field(strict=False, description="The channel of its contacts.")
    priority: int = Field(description="1 is served first (against the agent's other queues).")
    service_level_percent: float = Field(description="Service-level target, percent answered...")
    service_level_seconds: int = Field(description="... within this many seconds.")
    short_abandon_seconds: int = Field(description="Abandons before this are short abandons.")
    after_contact_work_seconds: int = Field(description="ACW time limit.")
    offer_timeout_seconds: int = Field(description="Seconds an agent has to accept an offer.")
    agent_selection: AgentSelection = Field(strict=False, description="How an agent is picked.")
    hours: dict[str, Any] = Field(description="Hours of operation.")
    closed_treatment: ClosedTreatment = Field(
        strict=False, description="What happens to contacts when closed."
    )
    closed_message: str = Field(description="Message played or sent when closed.")
    overflow_queue_id: int | None = Field(description="Where contacts overflow to.")
    overflow_after_seconds: int | None = Field(description="Overflow after this wait.")
    sticky_seconds: int | None = Field(description="How long a returning customer's agent is kept.")
    routing_steps: list[dict[str, Any]] = Field(description="Escalation steps of the criteria.")
    skills: list[QueueSkillPayload] = Field(description="Skills the queue's contacts need.")
    callback_slot_minutes: int = Field(description="Length of a scheduled-callback slot.")
    callbacks_per_slot: int = Field(description="Scheduled callbacks one slot takes (0: none).")


class RoutingProfileChannelPayload(EventPayload):
    """Per-channel settings of a routing profile."""

    channel: Channel = Field(strict=False, description="The channel.")
    concurrency: int = Field(description="Contacts of this channel at once.")
    is_enabled: bool = Field(description="Whether the channel is served.")
    auto_accept: bool = Field(description="Whether offers are accepted automatically.")


class RoutingProfileQueuePayload(EventPayload):
    """A queue served by a routing profile."""

    queue_id: int = Field(description="The queue.")
    priority: int = Field(description="1 first.")
    delay_seconds: int = Field(description="Wait before agents of this profile become eligible.")


class RoutingProfileCreated(EventPayload):
    """A routing profile was created."""

    id: int = Field(description="The routing profile.")
    name: str = Field(description="Unique name.")
    voice_blocks_other_channels: bool = Field(description="A voice call blocks other channels.")
    channels: list[RoutingProfileChannelPayload] = Field(description="Per-channel settings.")
    queues: list[RoutingProfileQueuePayload] = Field(description="The queues served.")


class AgentSkillPayload(EventPayload):
    """An agent's proficiency in a skill."""

    skill_id: int = Field(description="The skill.")
    proficiency: int = Field(description="1 (novice) to 5 (expert).")


class AgentCreated(EventPayload):
    """An agent was created (the event's ``agent_id`` is the agent)."""

    id: int = Field(description="The agent.")
    user_id: int = Field(description="The agent's user account.")
    display_name: str = Field(description="Name shown to colleagues.")
    team_id: int | None = Field(description="The agent's team.")
    routing_profile_id: int | None = Field(description="The agent's routing profile.")
    hourly_cost: float | None = Field(description="Cost per paid hour, for planning.")
    is_active: bool = Field(description="Whether the agent may log in to routing.")
    extension: str | None = Field(description="Phone extension for the external phone system.")
    skills: list[AgentSkillPayload] = Field(description="Skills and proficiencies.")


class EmailAddressCreated(EventPayload):
    """An email address (and optionally its polled IMAP mailbox) was configured."""

    id: int = Field(description="The email address resource.")
    address: str = Field(description="The address customers write to.")
    queue_id: int | None = Field(description="The email queue its mail goes to.")
    display_name: str = Field(description="Name on outgoing mail.")
    acknowledges_new_contacts: bool = Field(description="Whether new mail gets an acknowledgement.")
    imap_host: str = Field(description="IMAP server polled (empty: mail arrives by SMTP).")
    imap_port: int = Field(description="IMAP port.")
    imap_security: str = Field(description="ssl, starttls or none.")
    imap_username: str = Field(description="IMAP login.")
    imap_password_is_set: bool = Field(description="Whether an IMAP password is stored.")
    imap_folder: str = Field(description="Mailbox folder polled.")
    poll_interval_seconds: int = Field(description="Seconds between polls.")
    is_verified: bool = Field(description="Whether the address's mail is routed here (confirmed).")


class EmailAddressVerificationRequested(EventPayload):
    """A new confirmation link was requested for an unverified email address (the outbox emails it
    to the address; creating or changing an address requests one too)."""

    id: int = Field(description="The email address resource.")
    address: str = Field(description="The address the link is sent to.")


class EmailAddressVerified(EventPayload):
    """Someone reading an email address opened its confirmation link and confirmed: its mail is
    routed to this organization from now on."""

    id: int = Field(description="The email address resource.")
    address: str = Field(description="The confirmed address.")


class ProviderConnectionCreated(EventPayload):
    """An SMS or social messaging provider account was connected."""

    id: int = Field(description="The connection.")
    name: str = Field(description="Unique name.")
    provider: str = Field(description="The provider kind (e.g. twilio, generic).")
    channel: Channel = Field(strict=False, description="sms or social.")
    address: str = Field(description="Our side: an E.164 number or a page handle.")
    network: str = Field(description="Social network name (social only).")
    queue_id: int | None = Field(description="Queue of its inbound messages.")
    secret_is_set: bool = Field(description="Whether the webhook secret is stored.")
    outbound_url: str = Field(description="Where replies are posted.")
    outbound_username: str = Field(description="Login for outbound_url.")
    outbound_password_is_set: bool = Field(description="Whether an outbound password is stored.")
    is_active: bool = Field(description="Whether it accepts webhooks and sends replies.")


class VoiceNumberCreated(EventPayload):
    """A dialed number of the external phone system was mapped to a voice queue."""

    id: int = Field(description="The voice number resource.")
    number: str = Field(description="The dialed number.")
    queue_id: int = Field(description="The voice queue its calls go to.")
    description: str = Field(description="Free text.")


class ChatWidgetCreated(EventPayload):
    """A web chat widget was created."""

    id: int = Field(description="The widget.")
    name: str = Field(description="Unique name.")
    title: str = Field(description="Title shown to visitors.")
    public_key: str = Field(description="Key the embedding page's script tag carries.")
    queue_id: int | None = Field(description="Queue of its chats.")
    allowed_origins: list[str] = Field(description="Origins allowed to embed it.")
    max_attachment_bytes: int = Field(description="Largest attachment accepted.")
    attachment_types: list[str] = Field(description="Accepted attachment media types.")
    is_enabled: bool = Field(description="Whether visitors can start chats.")
    callback_queue_id: int | None = Field(description="Voice queue visitors book callbacks on.")


class CannedResponseCreated(EventPayload):
    """A canned response (reply template for agents) was created."""

    id: int = Field(description="The canned response.")
    title: str = Field(description="Unique title agents pick it by.")
    text: str = Field(description="The reply, with its placeholders.")


RESOURCES: tuple[tuple[str, str, type[EventPayload]], ...] = (
    ("Team", "a team", TeamCreated),
    ("Skill", "a skill", SkillCreated),
    ("WrapUpCode", "a wrap-up code", WrapUpCodeCreated),
    ("Queue", "a queue", QueueCreated),
    ("RoutingProfile", "a routing profile", RoutingProfileCreated),
    ("Agent", "an agent", AgentCreated),
    ("EmailAddress", "an email address", EmailAddressCreated),
    ("ProviderConnection", "a provider connection", ProviderConnectionCreated),
    ("VoiceNumber", "a voice number", VoiceNumberCreated),
    ("ChatWidget", "a chat widget", ChatWidgetCreated),
    ("CannedResponse", "a canned response", CannedResponseCreated),
)
"""The configuration resources: event prefix, noun with its article, model of the created event."""


def _variant(name: str, base: type[EventPayload], doc: str) -> type[EventPayload]:
    """``base`` under the event type ``name``, with its own docstring."""
    model: type[EventPayload] = create_model(name, __base__=base, __doc__=doc)
    model.__module__ = __name__
    return model


def _events() -> tuple[type[EventPayload], ...]:
    events: list[type[EventPayload]] = []
    for prefix, noun, created in RESOURCES:
        events.append(created)
        events.append(
            _variant(f"{prefix}Updated", ResourceUpdated, f"Fields of {noun} were changed (PATCH).")
        )
        events.append(
            _variant(f"{prefix}Deleted", ResourceDeleted, f"{noun.capitalize()} was deleted.")
        )
    events += [EmailAddressVerificationRequested, EmailAddressVerified]
    return tuple(events)


EVENTS: tuple[type[EventPayload], ...] = _events()
"""Created, updated and deleted events of every configuration resource."""
