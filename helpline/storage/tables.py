"""The database schema: one set of tables for SQLite and PostgreSQL.

Every row except ``organizations`` belongs to exactly one organization (``organization_id``); queries are
always scoped by it (see ``repositories``). Alembic migrations in ``migrations/`` create these tables; a
test checks that the migrations and these models agree.
"""

from __future__ import annotations

import secrets
from datetime import date, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from helpline.storage.secrets import EncryptedText
from helpline.storage.types import BigId, Json, UTCDateTime

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base with a naming convention so migrations name constraints the same everywhere."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        dict[str, Any]: Json,
        list[dict[str, Any]]: Json,
        datetime: UTCDateTime(),
    }


def _org_fk() -> Mapped[int]:
    return mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), index=True)


class Organization(Base):
    """A tenant: a contact-center operation isolated from every other."""

    __tablename__ = "organizations"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    time_zone: Mapped[str] = mapped_column(String(64))
    country: Mapped[str] = mapped_column(String(2))
    created_at: Mapped[datetime]
    redaction_patterns: Mapped[list[str]] = mapped_column(Json, default=list, server_default="[]")
    """Patterns redacted from stored text besides payment cards (names of
    ``helpline.domain.redaction.OPTIONAL_PATTERNS``)."""
    two_factor_roles: Mapped[str] = mapped_column(String(200), default="", server_default="")
    """Comma-separated roles whose users must use two-factor authentication (empty: none)."""


class EventCounter(Base):
    """The last event sequence number of an organization; its row lock serialises event writers."""

    __tablename__ = "event_counters"
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), primary_key=True
    )
    last_sequence: Mapped[int] = mapped_column(BigId, default=0)


class User(Base):
    """A person who logs in; their role decides what they may do."""

    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = _org_fk()
    email: Mapped[str] = mapped_column(String(320), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(32))
    password_hash: Mapped[str] = mapped_column(String(200))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime]
    totp_secret: Mapped[str | None] = mapped_column(EncryptedText, default=None)
    """Base32 TOTP secret once two-factor authentication is on (stored as is: see
    docs/security-login.md)."""
    totp_pending_secret: Mapped[str | None] = mapped_column(EncryptedText, default=None)
    """A secret shown for enrolment, waiting for its first code."""
    totp_last_step: Mapped[int | None] = mapped_column(BigInteger, default=None)
    """The TOTP time step of the last code accepted (each code works once)."""

    @property
    def two_factor_enabled(self) -> bool:
        """Whether the user logs in with a TOTP code after the password."""
        return self.totp_secret is not None


class UserSession(Base):
    """A browser login; the cookie holds the token, the database only its hash."""

    __tablename__ = "user_sessions"
    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = _org_fk()
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    last_used_at: Mapped[datetime | None] = mapped_column(default=None)
    client_address: Mapped[str | None] = mapped_column(String(64), default=None)
    user_agent: Mapped[str | None] = mapped_column(String(300), default=None)


class LoginThrottle(Base):
    """Failed logins counted for one subject: an account's email or a client address.

    Not scoped to an organization: emails are unique across Helpline and an unknown email is
    counted exactly like a known one (the answer must not reveal which exist).
    """

    __tablename__ = "login_throttles"
    __table_args__ = (UniqueConstraint("scope", "subject"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    scope: Mapped[str] = mapped_column(String(16))
    """``account`` (subject: lowercased email) or ``address`` (subject: client IP address)."""
    subject: Mapped[str] = mapped_column(String(320))
    failures: Mapped[int] = mapped_column(Integer)
    window_started_at: Mapped[datetime] = mapped_column(index=True)
    locked_until: Mapped[datetime | None]


class LoginChallenge(Base):
    """The second step of a login: the password was right, a TOTP code (or enrolment) is due."""

    __tablename__ = "login_challenges"
    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = _org_fk()
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime] = mapped_column(index=True)


class RecoveryCode(Base):
    """A one-time code that replaces a TOTP code (lost phone); only its hash is stored."""

    __tablename__ = "user_recovery_codes"
    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = _org_fk()
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    used_at: Mapped[datetime | None]


class ApiKey(Base):
    """A bearer key for integrations; stored hashed and shown once."""

    __tablename__ = "api_keys"
    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = _org_fk()
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(32))
    prefix: Mapped[str] = mapped_column(String(16), unique=True)
    key_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]


class Team(Base):
    """A group of agents with a common supervisor."""

    __tablename__ = "teams"
    __table_args__ = (UniqueConstraint("organization_id", "name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = _org_fk()
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")


class Skill(Base):
    """Something an agent can do and a contact may need (a product, a language...)."""

    __tablename__ = "skills"
    __table_args__ = (UniqueConstraint("organization_id", "name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = _org_fk()
    name: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(Text, default="")


class RoutingProfile(Base):
    """Which queues an agent serves, and how many contacts per channel at once."""

    __tablename__ = "routing_profiles"
    __table_args__ = (UniqueConstraint("organization_id", "name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = _org_fk()
    name: Mapped[str] = mapped_column(String(200))
    voice_blocks_other_channels: Mapped[bool] = mapped_column(Boolean, default=True)


class RoutingProfileChannel(Base):
    """Per-channel settings of a routing profile."""

    __tablename__ = "routing_profile_channels"
    __table_args__ = (CheckConstraint("concurrency >= 1", name="concurrency_positive"),)
    routing_profile_id: Mapped[int] = mapped_column(
        ForeignKey("routing_profiles.id", ondelete="CASCADE"), primary_key=True
    )
    channel: Mapped[str] = mapped_column(String(16), primary_key=True)
    organization_id: Mapped[int] = _org_fk()
    concurrency: Mapped[int] = mapped_column(Integer)
    is_enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    auto_accept: Mapped[bool] = mapped_column(Boolean, default=False)


class RoutingProfileQueue(Base):
    """A queue served by a routing profile, with its priority (1 first) and delay before eligibility."""

    __tablename__ = "routing_profile_queues"
    routing_profile_id: Mapped[int] = mapped_column(
        ForeignKey("routing_profiles.id", ondelete="CASCADE"), primary_key=True
    )
    queue_id: Mapped[int] = mapped_column(
        ForeignKey("queues.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    organization_id: Mapped[int] = _org_fk()
    priority: Mapped[int] = mapped_column(Integer, default=1)
    delay_seconds: Mapped[int] = mapped_column(Integer, default=0)


class Agent(Base):
    """A user who handles contacts."""

    __tablename__ = "agents"
    __table_args__ = (
        Index("ix_agents_organization_id_extension", "organization_id", "extension", unique=True),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = _org_fk()
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    team_id: Mapped[int | None] = mapped_column(
        ForeignKey("teams.id", ondelete="SET NULL"), index=True
    )
    routing_profile_id: Mapped[int | None] = mapped_column(
        ForeignKey("routing_profiles.id", ondelete="SET NULL"), index=True
    )
    hourly_cost: Mapped[float | None] = mapped_column(Float)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    extension: Mapped[str | None] = mapped_column(String(32))
    """The agent's phone extension, returned to an external phone system with a routing decision."""


class AgentSkill(Base):
    """An agent's proficiency (1 novice .. 5 expert) in a skill."""

    __tablename__ = "agent_skills"
    __table_args__ = (CheckConstraint("proficiency BETWEEN 1 AND 5", name="proficiency_1_5"),)
    agent_id: Mapped[int] = mapped_column(
        ForeignKey("agents.id", ondelete="CASCADE"), primary_key=True
    )
    skill_id: Mapped[int] = mapped_column(
        ForeignKey("skills.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    organization_id: Mapped[int] = _org_fk()
    proficiency: Mapped[int] = mapped_column(Integer)


class Queue(Base):
    """Where contacts of one channel wait for an agent, with a service-level target and hours."""

    __tablename__ = "queues"
    __table_args__ = (UniqueConstraint("organization_id", "name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = _org_fk()
    name: Mapped[str] = mapped_column(String(200))
    channel: Mapped[str] = mapped_column(String(16))
    priority: Mapped[int] = mapped_column(Integer, default=1)
    service_level_percent: Mapped[float] = mapped_column(Float, default=80.0)
    service_level_seconds: Mapped[int] = mapped_column(Integer, default=20)
    short_abandon_seconds: Mapped[int] = mapped_column(Integer, default=5)
    after_contact_work_seconds: Mapped[int] = mapped_column(Integer, default=60)
    offer_timeout_seconds: Mapped[int] = mapped_column(Integer, default=20)
    agent_selection: Mapped[str] = mapped_column(String(32), default="longest_idle")
    hours: Mapped[dict[str, Any]] = mapped_column(
        default=lambda: {"always_open": True, "weekly": {}}
    )
    closed_treatment: Mapped[str] = mapped_column(String(16), default="message")
    closed_message: Mapped[str] = mapped_column(Text, default="")
    overflow_queue_id: Mapped[int | None] = mapped_column(
        ForeignKey("queues.id", ondelete="SET NULL")
    )
    overflow_after_seconds: Mapped[int | None] = mapped_column(Integer)
    sticky_seconds: Mapped[int | None] = mapped_column(Integer)
    routing_steps: Mapped[list[dict[str, Any]]] = mapped_column(default=list)
    callback_slot_minutes: Mapped[int] = mapped_column(Integer, default=30)
    """Length of a scheduled-callback slot (slots are aligned from local midnight)."""
    callbacks_per_slot: Mapped[int] = mapped_column(Integer, default=5)
    """How many scheduled callbacks one slot takes; 0: the queue takes none."""


class EmailAddress(Base):
    """An address customers write to (``support@demo-bank.example``): which organization and queue its
    mail belongs to, and optionally the IMAP mailbox Helpline polls for it.

    Several organizations may claim an address, but mail to it is routed only to the one that
    proved control of it (``verified_at``: someone opened the one-time link sent to the address);
    a verified address is unique across organizations, since the SMTP listener finds the
    organization from the recipient. ``verification_token`` is the link's token until the outbox
    sent it (encrypted); ``verification_token_hash`` finds the claim when the link is opened.
    ``imap_state`` is the poller's progress (mailbox, UIDVALIDITY, last UID ingested).
    """

    __tablename__ = "email_addresses"
    __table_args__ = (
        UniqueConstraint("organization_id", "address"),
        Index(
            "uq_email_addresses_verified_address",
            "address",
            unique=True,
            sqlite_where=text("verified_at IS NOT NULL"),
            postgresql_where=text("verified_at IS NOT NULL"),
        ),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = _org_fk()
    address: Mapped[str] = mapped_column(String(320))
    queue_id: Mapped[int | None] = mapped_column(
        ForeignKey("queues.id", ondelete="SET NULL"), index=True
    )
    display_name: Mapped[str] = mapped_column(String(200), default="")
    acknowledges_new_contacts: Mapped[bool] = mapped_column(Boolean, default=True)
    imap_host: Mapped[str] = mapped_column(String(255), default="")
    imap_port: Mapped[int] = mapped_column(Integer, default=993)
    imap_security: Mapped[str] = mapped_column(String(16), default="ssl")
    imap_username: Mapped[str] = mapped_column(String(320), default="")
    imap_password: Mapped[str] = mapped_column(EncryptedText, default="")
    imap_folder: Mapped[str] = mapped_column(String(200), default="INBOX")
    poll_interval_seconds: Mapped[int] = mapped_column(Integer, default=60)
    imap_state: Mapped[dict[str, Any]] = mapped_column(default=dict)
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    verification_token: Mapped[str] = mapped_column(EncryptedText, default="")
    verification_token_hash: Mapped[str] = mapped_column(String(64), default="", index=True)
    verification_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class QueueSkill(Base):
    """A skill a queue's contacts need, at a minimum proficiency."""

    __tablename__ = "queue_skills"
    __table_args__ = (
        CheckConstraint("min_proficiency BETWEEN 1 AND 5", name="min_proficiency_1_5"),
    )
    queue_id: Mapped[int] = mapped_column(
        ForeignKey("queues.id", ondelete="CASCADE"), primary_key=True
    )
    skill_id: Mapped[int] = mapped_column(
        ForeignKey("skills.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    organization_id: Mapped[int] = _org_fk()
    min_proficiency: Mapped[int] = mapped_column(Integer, default=1)


class WrapUpCode(Base):
    """A disposition an agent picks when wrapping up a contact (the contact reason/outcome)."""

    __tablename__ = "wrap_up_codes"
    __table_args__ = (UniqueConstraint("organization_id", "code"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = _org_fk()
    code: Mapped[str] = mapped_column(String(64))
    label: Mapped[str] = mapped_column(String(200))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)


class CannedResponse(Base):
    """A reply template agents insert on the desk; ``text`` may hold placeholders such as
    ``{customer_name}`` (see ``services.conversations.canned_responses``)."""

    __tablename__ = "canned_responses"
    __table_args__ = (UniqueConstraint("organization_id", "title"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = _org_fk()
    title: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)


class Customer(Base):
    """A person or business who contacts the organization, on any channel."""

    __tablename__ = "customers"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    organization_id: Mapped[int] = _org_fk()
    display_name: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime]
    merged_into_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("customers.id", ondelete="SET NULL")
    )
    """Set when this record was merged into another customer (the survivor)."""


class CustomerIdentity(Base):
    """A normalised phone, email or handle that identifies one customer within an organization."""

    __tablename__ = "customer_identities"
    __table_args__ = (UniqueConstraint("organization_id", "kind", "value"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    organization_id: Mapped[int] = _org_fk()
    customer_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("customers.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16))
    value: Mapped[str] = mapped_column(String(320))


class Contact(Base):
    """One customer interaction on one channel: a call, a chat, an email thread, an SMS exchange."""

    __tablename__ = "contacts"
    __table_args__ = (
        UniqueConstraint("organization_id", "idempotency_key"),
        Index("ix_contacts_org_state", "organization_id", "state"),
        Index("ix_contacts_org_created", "organization_id", "created_at"),
    )
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    organization_id: Mapped[int] = _org_fk()
    customer_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("customers.id", ondelete="SET NULL"), index=True
    )
    channel: Mapped[str] = mapped_column(String(16))
    direction: Mapped[str] = mapped_column(String(16))
    queue_id: Mapped[int | None] = mapped_column(
        ForeignKey("queues.id", ondelete="SET NULL"), index=True
    )
    agent_id: Mapped[int | None] = mapped_column(
        ForeignKey("agents.id", ondelete="SET NULL"), index=True
    )
    priority: Mapped[int] = mapped_column(Integer, default=5)
    state: Mapped[str] = mapped_column(String(32))
    subject: Mapped[str] = mapped_column(String(500), default="")
    attributes: Mapped[dict[str, Any]] = mapped_column(default=dict)
    idempotency_key: Mapped[str | None] = mapped_column(String(200))
    idempotency_fingerprint: Mapped[str | None] = mapped_column(String(64))
    wrap_up_code_id: Mapped[int | None] = mapped_column(
        ForeignKey("wrap_up_codes.id", ondelete="SET NULL")
    )
    notes: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime]
    queued_at: Mapped[datetime | None]
    connected_at: Mapped[datetime | None]
    ended_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    routing_state: Mapped[dict[str, Any]] = mapped_column(default=dict)
    """What the routing engine needs to rebuild this contact's place after a restart."""


class AgentStatus(Base):
    """An agent's chosen status (available, not-ready with a reason, offline) and reported state."""

    __tablename__ = "agent_statuses"
    agent_id: Mapped[int] = mapped_column(
        ForeignKey("agents.id", ondelete="CASCADE"), primary_key=True
    )
    organization_id: Mapped[int] = _org_fk()
    status: Mapped[str] = mapped_column(String(16), default="offline")
    reason: Mapped[str | None] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(16), default="offline")
    state_since: Mapped[datetime]
    idle_since: Mapped[datetime | None]


class Message(Base):
    """A message of a text-channel contact (chat line, email, SMS, social post).

    Inbound messages are stored once per ``(channel, external_id)``: the channel's own id makes a retried
    webhook or a re-polled mailbox harmless. Outbound messages carry their delivery state; the outbox
    delivers those ``queued`` whose ``next_attempt_at`` has come.
    """

    __tablename__ = "messages"
    __table_args__ = (
        Index("ix_messages_contact_created", "contact_id", "created_at"),
        UniqueConstraint("organization_id", "channel", "external_id"),
        Index("ix_messages_delivery_due", "delivery_status", "next_attempt_at"),
    )
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    organization_id: Mapped[int] = _org_fk()
    contact_id: Mapped[int] = mapped_column(BigId, ForeignKey("contacts.id", ondelete="CASCADE"))
    channel: Mapped[str] = mapped_column(String(16), default="", server_default="")
    direction: Mapped[str] = mapped_column(String(16))
    sender: Mapped[str] = mapped_column(String(320), default="")
    subject: Mapped[str] = mapped_column(String(500), default="", server_default="")
    body: Mapped[str] = mapped_column(Text)
    external_id: Mapped[str | None] = mapped_column(String(500))
    headers: Mapped[dict[str, Any]] = mapped_column(default=dict, server_default="{}")
    author_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    delivery_status: Mapped[str | None] = mapped_column(String(16))
    delivery_attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    next_attempt_at: Mapped[datetime | None]
    delivery_error: Mapped[str] = mapped_column(Text, default="", server_default="")
    created_at: Mapped[datetime]


class MessageAttachment(Base):
    """A file sent with a message, kept in the database with its declared type and size."""

    __tablename__ = "message_attachments"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    organization_id: Mapped[int] = _org_fk()
    message_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("messages.id", ondelete="CASCADE"), index=True
    )
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(127))
    size: Mapped[int] = mapped_column(Integer)
    data: Mapped[bytes] = mapped_column(LargeBinary)


class ProviderConnection(Base):
    """An account with an SMS or social messaging provider: where its webhooks come from and where
    replies go. ``secret`` signs webhooks (and is the Twilio auth token); it is never returned."""

    __tablename__ = "provider_connections"
    __table_args__ = (UniqueConstraint("organization_id", "name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = _org_fk()
    name: Mapped[str] = mapped_column(String(200))
    provider: Mapped[str] = mapped_column(String(32))
    channel: Mapped[str] = mapped_column(String(16))
    address: Mapped[str] = mapped_column(String(320))
    """Our side of the conversation: an E.164 number (SMS) or a page handle (social)."""
    network: Mapped[str] = mapped_column(String(64), default="")
    queue_id: Mapped[int | None] = mapped_column(ForeignKey("queues.id", ondelete="SET NULL"))
    secret: Mapped[str] = mapped_column(EncryptedText)
    outbound_url: Mapped[str] = mapped_column(String(500), default="")
    outbound_username: Mapped[str] = mapped_column(String(200), default="")
    outbound_password: Mapped[str] = mapped_column(EncryptedText, default="")
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)


class VoiceNumber(Base):
    """A dialed number of the external phone system and the voice queue its calls go to."""

    __tablename__ = "voice_numbers"
    __table_args__ = (UniqueConstraint("organization_id", "number"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = _org_fk()
    number: Mapped[str] = mapped_column(String(32))
    queue_id: Mapped[int] = mapped_column(ForeignKey("queues.id", ondelete="CASCADE"), index=True)
    description: Mapped[str] = mapped_column(String(200), default="")


class Event(Base):
    """An append-only record of something that happened; ``sequence`` is gap-free per organization."""

    __tablename__ = "events"
    __table_args__ = (
        UniqueConstraint("organization_id", "sequence"),
        Index("ix_events_org_contact", "organization_id", "contact_id"),
        Index("ix_events_org_agent", "organization_id", "agent_id"),
        Index("ix_events_org_occurred", "organization_id", "occurred_at"),
        Index("ix_events_org_type_occurred", "organization_id", "type", "occurred_at"),
    )
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    sequence: Mapped[int] = mapped_column(BigId)
    type: Mapped[str] = mapped_column(String(64))
    contact_id: Mapped[int | None] = mapped_column(BigId)
    agent_id: Mapped[int | None] = mapped_column(Integer)
    actor: Mapped[str] = mapped_column(String(64), default="")
    occurred_at: Mapped[datetime]
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)


class CalendarEvent(Base):
    """A user-entered special period (campaign, outage, billing day) and its effect on volume."""

    __tablename__ = "calendar_events"
    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = _org_fk()
    queue_id: Mapped[int | None] = mapped_column(ForeignKey("queues.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    volume_multiplier: Mapped[float] = mapped_column(Float, default=1.0)


class HolidaySettings(Base):
    """Which country's public holidays close an organization's routing (one row per organization)."""

    __tablename__ = "holiday_settings"
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), primary_key=True
    )
    country: Mapped[str | None] = mapped_column(String(2))
    subdivision: Mapped[str | None] = mapped_column(String(16))
    close_routing: Mapped[bool] = mapped_column(Boolean, default=True)


class HoursOverride(Base):
    """A dated closure or special opening hours of the organization or of one queue.

    ``kind`` "closed": closed from ``first_day`` at ``closed_from`` to ``last_day`` at
    ``closed_until`` (``HH:MM``; none = the whole days); "open": ``spans`` replace the weekly hours
    on each day from ``first_day`` to ``last_day``. Dates are in the organization's time zone.
    """

    __tablename__ = "hours_overrides"
    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = _org_fk()
    queue_id: Mapped[int | None] = mapped_column(
        ForeignKey("queues.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16))
    first_day: Mapped[date] = mapped_column(Date)
    last_day: Mapped[date] = mapped_column(Date)
    closed_from: Mapped[str | None] = mapped_column(String(5))
    closed_until: Mapped[str | None] = mapped_column(String(5))
    spans: Mapped[list[dict[str, Any]]] = mapped_column(default=list)


class Forecast(Base):
    """A stored volume/AHT forecast for a queue, with the model that made it and its accuracy."""

    __tablename__ = "forecasts"
    __table_args__ = (
        Index("ix_forecasts_org_queue_status", "organization_id", "queue_id", "status"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = _org_fk()
    queue_id: Mapped[int | None] = mapped_column(ForeignKey("queues.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[str] = mapped_column(String(16), default="draft")
    source: Mapped[str] = mapped_column(String(16))
    interval_minutes: Mapped[int] = mapped_column(Integer)
    starts_at: Mapped[datetime]
    horizon_minutes: Mapped[int] = mapped_column(Integer)
    coverage: Mapped[float] = mapped_column(Float)
    model: Mapped[str] = mapped_column(String(200))
    accuracy: Mapped[dict[str, Any]] = mapped_column(default=dict)
    series: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime]
    published_at: Mapped[datetime | None]


class Schedule(Base):
    """A generated week of shifts and its named-agent roster: one version, draft until published.

    ``week_start`` is the Monday of the week in the organization's time zone and ``starts_at`` its
    local midnight in UTC. ``inputs`` keeps what the schedule was made from (requirement source,
    shift templates, contract rules); ``summary`` the result (paid hours, LP bound and gap,
    shortfalls, roster status); ``coverage`` the per-interval series (required vs scheduled).
    """

    __tablename__ = "schedules"
    __table_args__ = (
        Index("ix_schedules_org_week_status", "organization_id", "week_start", "status"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = _org_fk()
    queue_id: Mapped[int | None] = mapped_column(ForeignKey("queues.id", ondelete="SET NULL"))
    name: Mapped[str] = mapped_column(String(200), default="")
    week_start: Mapped[date] = mapped_column(Date)
    starts_at: Mapped[datetime]
    interval_minutes: Mapped[int] = mapped_column(Integer)
    version: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), default="draft")
    inputs: Mapped[dict[str, Any]] = mapped_column(default=dict)
    summary: Mapped[dict[str, Any]] = mapped_column(default=dict)
    coverage: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_by: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime]
    published_at: Mapped[datetime | None]


class ScheduleActivity(Base):
    """What one agent is scheduled to do in ``[starts_at, ends_at)``: work, break, lunch..."""

    __tablename__ = "schedule_activities"
    __table_args__ = (
        Index("ix_schedule_activities_schedule_agent", "schedule_id", "agent_id"),
        Index("ix_schedule_activities_org_agent_start", "organization_id", "agent_id", "starts_at"),
    )
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    schedule_id: Mapped[int] = mapped_column(ForeignKey("schedules.id", ondelete="CASCADE"))
    agent_id: Mapped[int] = mapped_column(ForeignKey("agents.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    template: Mapped[str] = mapped_column(String(200), default="")
    group: Mapped[str] = mapped_column(String(200), default="", server_default="")
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]


class AdherenceException(Base):
    """An approved deviation from the schedule: the agent counts as adherent during the period."""

    __tablename__ = "adherence_exceptions"
    __table_args__ = (
        Index(
            "ix_adherence_exceptions_org_agent_start", "organization_id", "agent_id", "starts_at"
        ),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    agent_id: Mapped[int] = mapped_column(ForeignKey("agents.id", ondelete="CASCADE"))
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    reason: Mapped[str] = mapped_column(String(500))
    approved_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]


class AgentRosteringProfile(Base):
    """What rostering needs to know about one agent besides skills: contract, availability, wishes.

    ``availability`` is a list of weekly windows ``{"day": "mon", "start": "08:00", "end": "18:00"}``
    in the organization's time zone (null: any time). ``preferred_days_off`` are weekdays
    (``mon``..``sun``); ``preferred_templates`` shift template names.
    """

    __tablename__ = "agent_rostering_profiles"
    agent_id: Mapped[int] = mapped_column(
        ForeignKey("agents.id", ondelete="CASCADE"), primary_key=True
    )
    organization_id: Mapped[int] = _org_fk()
    employment: Mapped[str] = mapped_column(String(16), default="full_time")
    min_hours_per_week: Mapped[float] = mapped_column(Float, default=0.0)
    max_hours_per_week: Mapped[float] = mapped_column(Float, default=40.0)
    max_days_in_a_row: Mapped[int] = mapped_column(Integer, default=5)
    min_consecutive_days_off: Mapped[int] = mapped_column(Integer, default=2)
    min_rest_hours: Mapped[float] = mapped_column(Float, default=11.0)
    availability: Mapped[list[dict[str, Any]] | None] = mapped_column(Json, nullable=True)
    preferred_templates: Mapped[list[str]] = mapped_column(Json, default=list)
    preferred_days_off: Mapped[list[str]] = mapped_column(Json, default=list)
    avoids_nights: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_by: Mapped[str] = mapped_column(String(64), default="")
    updated_at: Mapped[datetime]


class TimeOff(Base):
    """A dated period an agent is away (holiday, training...): requested, then approved or rejected.

    Only approved time off keeps rostering from giving the agent shifts that overlap it.
    """

    __tablename__ = "time_off"
    __table_args__ = (
        Index("ix_time_off_org_agent_start", "organization_id", "agent_id", "starts_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    agent_id: Mapped[int] = mapped_column(ForeignKey("agents.id", ondelete="CASCADE"))
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    reason: Mapped[str] = mapped_column(String(500))
    status: Mapped[str] = mapped_column(String(16), default="requested")
    decided_by: Mapped[str | None] = mapped_column(String(64))
    created_by: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime]


class CustomerMerge(Base):
    """One merge of a customer record into a survivor, with exactly what moved, so it can be undone."""

    __tablename__ = "customer_merges"
    __table_args__ = (Index("ix_customer_merges_org_merged", "organization_id", "merged_id"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    organization_id: Mapped[int] = _org_fk()
    survivor_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("customers.id", ondelete="CASCADE"), index=True
    )
    merged_id: Mapped[int] = mapped_column(BigId, ForeignKey("customers.id", ondelete="CASCADE"))
    moved: Mapped[dict[str, Any]] = mapped_column(default=dict)
    """Ids that moved to the survivor: ``{"identities": [...], "contacts": [...], "cases": [...]}``."""
    merged_by: Mapped[str] = mapped_column(String(64))
    merged_at: Mapped[datetime]
    unmerged_by: Mapped[str | None] = mapped_column(String(64))
    unmerged_at: Mapped[datetime | None]


class SlaPolicy(Base):
    """Targets for cases, in business seconds, with warning share and escalation on breach."""

    __tablename__ = "sla_policies"
    __table_args__ = (UniqueConstraint("organization_id", "name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = _org_fk()
    name: Mapped[str] = mapped_column(String(200))
    first_response_seconds: Mapped[int] = mapped_column(Integer)
    resolution_seconds: Mapped[int] = mapped_column(Integer)
    warn_ratio: Mapped[float] = mapped_column(Float, default=0.8)
    hours: Mapped[dict[str, Any]] = mapped_column(
        default=lambda: {"always_open": True, "weekly": {}}
    )
    hours_queue_id: Mapped[int | None] = mapped_column(ForeignKey("queues.id", ondelete="SET NULL"))
    """When set, business hours are this queue's (else ``hours``)."""
    escalate_to_agent_id: Mapped[int | None] = mapped_column(
        ForeignKey("agents.id", ondelete="SET NULL")
    )
    escalate_to_team_id: Mapped[int | None] = mapped_column(
        ForeignKey("teams.id", ondelete="SET NULL")
    )
    is_default: Mapped[bool] = mapped_column(Boolean, default=False)
    skip_public_holidays: Mapped[bool] = mapped_column(Boolean, default=False)
    """Public holidays of the organization's country are not business time."""


class Case(Base):
    """A customer's issue grouping the contacts about it, with status, assignee and SLA state."""

    __tablename__ = "cases"
    __table_args__ = (
        UniqueConstraint("organization_id", "reference"),
        Index("ix_cases_org_status", "organization_id", "status"),
        Index("ix_cases_sla_check_at", "sla_check_at"),
    )
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    organization_id: Mapped[int] = _org_fk()
    number: Mapped[int] = mapped_column(Integer)
    reference: Mapped[str] = mapped_column(String(32))
    subject: Mapped[str] = mapped_column(String(500))
    customer_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("customers.id", ondelete="SET NULL"), index=True
    )
    status: Mapped[str] = mapped_column(String(32))
    priority: Mapped[str] = mapped_column(String(16))
    assignee_agent_id: Mapped[int | None] = mapped_column(
        ForeignKey("agents.id", ondelete="SET NULL"), index=True
    )
    assignee_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id", ondelete="SET NULL"))
    sla_policy_id: Mapped[int | None] = mapped_column(
        ForeignKey("sla_policies.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    first_response_at: Mapped[datetime | None]
    solved_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    sla_warnings: Mapped[dict[str, Any]] = mapped_column(default=dict)
    """Targets already warned about: ``{"first_response": iso time, ...}`` (each warned once)."""
    sla_breaches: Mapped[dict[str, Any]] = mapped_column(default=dict)
    """Targets already breached (and escalated): ``{"resolution": iso time, ...}``."""
    is_breached: Mapped[bool] = mapped_column(Boolean, default=False)
    sla_check_at: Mapped[datetime | None]
    """When the SLA evaluation must next look at this case (a warning or breach falls due, or
    something changed); None when nothing can happen until the case changes."""


class CaseContact(Base):
    """A contact linked to a case."""

    __tablename__ = "case_contacts"
    case_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True
    )
    contact_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("contacts.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    organization_id: Mapped[int] = _org_fk()
    linked_at: Mapped[datetime]


class CaseStatusChange(Base):
    """A case's status history: the SLA clock runs or pauses by it."""

    __tablename__ = "case_status_changes"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    organization_id: Mapped[int] = _org_fk()
    case_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("cases.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[str] = mapped_column(String(32))
    changed_at: Mapped[datetime]
    changed_by: Mapped[str] = mapped_column(String(64))


def _new_widget_key() -> str:
    return "hlw_" + secrets.token_urlsafe(18)


def _new_signing_secret() -> str:
    return secrets.token_urlsafe(32)


class ChatWidget(Base):
    """An organization's web chat widget: its public key, queue, allowed origins and file limits.

    ``public_key`` goes into the embedding page's script tag; ``signing_secret`` signs visitor
    session tokens and never leaves the server.
    """

    __tablename__ = "chat_widgets"
    __table_args__ = (UniqueConstraint("organization_id", "name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = _org_fk()
    name: Mapped[str] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(String(200), default="")
    public_key: Mapped[str] = mapped_column(String(64), unique=True, default=_new_widget_key)
    signing_secret: Mapped[str] = mapped_column(EncryptedText, default=_new_signing_secret)
    queue_id: Mapped[int | None] = mapped_column(
        ForeignKey("queues.id", ondelete="SET NULL"), index=True
    )
    allowed_origins: Mapped[list[str]] = mapped_column(Json, default=list)
    max_attachment_bytes: Mapped[int] = mapped_column(Integer)
    attachment_types: Mapped[list[str]] = mapped_column(Json, default=list)
    is_enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    callback_queue_id: Mapped[int | None] = mapped_column(
        ForeignKey("queues.id", ondelete="SET NULL")
    )
    """The voice queue visitors may book a callback on (None: the widget offers no callbacks)."""


class ChatSession(Base):
    """A visitor's conversation through a widget, resumable with a signed token.

    ``contact_ids`` lists every contact of the session (a follow-up opens when the visitor writes
    after the contact finished); ``contact_id`` is the current one.
    """

    __tablename__ = "chat_sessions"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    organization_id: Mapped[int] = _org_fk()
    widget_id: Mapped[int] = mapped_column(
        ForeignKey("chat_widgets.id", ondelete="CASCADE"), index=True
    )
    uid: Mapped[str] = mapped_column(String(64), unique=True)
    visitor_id: Mapped[str] = mapped_column(String(64))
    visitor_name: Mapped[str] = mapped_column(String(200))
    visitor_email: Mapped[str] = mapped_column(String(320))
    topic: Mapped[str] = mapped_column(String(500))
    contact_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("contacts.id", ondelete="SET NULL"), index=True
    )
    contact_ids: Mapped[list[int]] = mapped_column(Json, default=list)
    created_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]


class ContactReportFact(Base):
    """What one contact adds to reports, refreshed from its events whenever they are written.

    Instants are microseconds since the Unix epoch (UTC) so reports group them into intervals in the
    database; the tally columns are ``analytics.contact_tallies`` of the contact (``ARRIVAL_FIELDS``
    count where it arrived, ``HANDLING_FIELDS`` where its handling ended), judged against its
    queue's thresholds when it was written. Reports sum them; they never recompute a metric.
    """

    __tablename__ = "contact_report_facts"
    __table_args__ = (
        Index("ix_contact_report_facts_org_arrived", "organization_id", "arrived_at_us"),
        Index("ix_contact_report_facts_org_ended", "organization_id", "handling_ended_at_us"),
    )
    contact_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("contacts.id", ondelete="CASCADE"), primary_key=True
    )
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    arrived_at_us: Mapped[int] = mapped_column(BigInteger)
    handling_ended_at_us: Mapped[int | None] = mapped_column(BigInteger)
    queue_id: Mapped[int | None] = mapped_column(Integer)
    agent_id: Mapped[int | None] = mapped_column(Integer)
    channel: Mapped[str | None] = mapped_column(String(16))
    customer_id: Mapped[int | None] = mapped_column(BigInteger)
    reason: Mapped[str | None] = mapped_column(String(64))
    offered: Mapped[int] = mapped_column(Integer)
    answered: Mapped[int] = mapped_column(Integer)
    abandoned: Mapped[int] = mapped_column(Integer)
    short_abandoned: Mapped[int] = mapped_column(Integer)
    deflected: Mapped[int] = mapped_column(Integer)
    callbacks_requested: Mapped[int] = mapped_column(Integer)
    answered_within_threshold: Mapped[int] = mapped_column(Integer)
    removed_within_threshold: Mapped[int] = mapped_column(Integer)
    answered_wait_seconds: Mapped[float] = mapped_column(Float)
    longest_wait_seconds: Mapped[float] = mapped_column(Float)
    transferred: Mapped[int] = mapped_column(Integer)
    handled: Mapped[int] = mapped_column(Integer)
    talk_seconds: Mapped[float] = mapped_column(Float)
    hold_seconds: Mapped[float] = mapped_column(Float)
    acw_seconds: Mapped[float] = mapped_column(Float)


class ReportTally(Base):
    """The contact report facts of one UTC quarter hour summed per queue, agent or channel.

    Kept by ``report_facts`` as facts are written (old values subtracted, new ones added), so a
    report of whole quarter hours reads at most one row per quarter hour and group, however many
    contacts there were. ``dimension`` is queue, agent or channel; ``group_key`` the id or channel
    ('' for none); arrival columns count at the contact's arrival, handling ones where it ended.
    """

    __tablename__ = "report_tallies"
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), primary_key=True
    )
    dimension: Mapped[str] = mapped_column(String(8), primary_key=True)
    group_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    grain_start_us: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    offered: Mapped[int] = mapped_column(Integer)
    answered: Mapped[int] = mapped_column(Integer)
    abandoned: Mapped[int] = mapped_column(Integer)
    short_abandoned: Mapped[int] = mapped_column(Integer)
    deflected: Mapped[int] = mapped_column(Integer)
    callbacks_requested: Mapped[int] = mapped_column(Integer)
    answered_within_threshold: Mapped[int] = mapped_column(Integer)
    removed_within_threshold: Mapped[int] = mapped_column(Integer)
    answered_wait_seconds: Mapped[float] = mapped_column(Float)
    longest_wait_seconds: Mapped[float] = mapped_column(Float)
    transferred: Mapped[int] = mapped_column(Integer)
    handled: Mapped[int] = mapped_column(Integer)
    talk_seconds: Mapped[float] = mapped_column(Float)
    hold_seconds: Mapped[float] = mapped_column(Float)
    acw_seconds: Mapped[float] = mapped_column(Float)
    attributions: Mapped[int] = mapped_column(Integer)
    """Arrivals plus handling ends counted in the row; 0 once every contact moved away from it."""
    slot_weighted_handling_seconds: Mapped[float] = mapped_column(Float)
    """Agent rows only: the agent's slot-weighted handling in the quarter hour from its finished
    handling spans (recomputed, not added, whenever one of them changes)."""


class HandlingSpan(Base):
    """An agent handled a contact from ``started_at_us`` to ``ended_at_us`` (None: still does);
    epoch microseconds, refreshed with the contact's report fact (concurrency-aware occupancy)."""

    __tablename__ = "handling_spans"
    __table_args__ = (
        Index("ix_handling_spans_org_started", "organization_id", "started_at_us"),
        Index(
            "ix_handling_spans_org_agent_started", "organization_id", "agent_id", "started_at_us"
        ),
        Index("ix_handling_spans_contact", "contact_id"),
        Index("ix_handling_spans_org_ended", "organization_id", "ended_at_us"),
    )
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    contact_id: Mapped[int] = mapped_column(BigId, ForeignKey("contacts.id", ondelete="CASCADE"))
    agent_id: Mapped[int] = mapped_column(Integer)
    started_at_us: Mapped[int] = mapped_column(BigInteger)
    ended_at_us: Mapped[int | None] = mapped_column(BigInteger)


class SurveySettings(Base):
    """An organization's post-contact survey: which questions it asks and its CES scale."""

    __tablename__ = "survey_settings"
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), primary_key=True
    )
    asks_csat: Mapped[bool] = mapped_column(Boolean, default=True)
    asks_nps: Mapped[bool] = mapped_column(Boolean, default=True)
    asks_ces: Mapped[bool] = mapped_column(Boolean, default=True)
    ces_scale_max: Mapped[int] = mapped_column(Integer, default=7)
    expires_after_hours: Mapped[int] = mapped_column(Integer, default=168)


class Survey(Base):
    """A survey issued for a closed contact: answered once, by link, before it expires.

    The link carries a random token; only its SHA-256 hash is stored.
    """

    __tablename__ = "surveys"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    organization_id: Mapped[int] = _org_fk()
    contact_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("contacts.id", ondelete="CASCADE"), index=True
    )
    agent_id: Mapped[int | None] = mapped_column(
        ForeignKey("agents.id", ondelete="SET NULL"), index=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    questions: Mapped[list[dict[str, Any]]] = mapped_column()
    delivery: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    answered_at: Mapped[datetime | None]


class SurveyAnswer(Base):
    """One answered question of a survey, linked to its contact and agent."""

    __tablename__ = "survey_answers"
    __table_args__ = (UniqueConstraint("survey_id", "question"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    organization_id: Mapped[int] = _org_fk()
    survey_id: Mapped[int] = mapped_column(BigId, ForeignKey("surveys.id", ondelete="CASCADE"))
    contact_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("contacts.id", ondelete="CASCADE"), index=True
    )
    agent_id: Mapped[int | None] = mapped_column(
        ForeignKey("agents.id", ondelete="SET NULL"), index=True
    )
    question: Mapped[str] = mapped_column(String(8))
    score: Mapped[int] = mapped_column(Integer)
    scale_max: Mapped[int] = mapped_column(Integer)
    answered_at: Mapped[datetime]


class Callback(Base):
    """A callback the customer booked for a time slot, routed to the queue when the slot starts.

    ``agent_id`` is the agent who promised it (a personal callback): they are offered it first, for
    ``personal_seconds``, then any agent of the queue. ``contact_id`` is the outbound voice contact
    created when it was routed. States: see ``helpline.domain.callbacks.CallbackState``.
    """

    __tablename__ = "callbacks"
    __table_args__ = (
        Index("ix_callbacks_org_queue_slot", "organization_id", "queue_id", "slot_start"),
        Index("ix_callbacks_state_slot", "state", "slot_start"),
    )
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    organization_id: Mapped[int] = _org_fk()
    queue_id: Mapped[int] = mapped_column(ForeignKey("queues.id", ondelete="CASCADE"))
    customer_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("customers.id", ondelete="SET NULL")
    )
    phone: Mapped[str] = mapped_column(String(32))
    subject: Mapped[str] = mapped_column(String(500), default="")
    slot_start: Mapped[datetime]
    slot_end: Mapped[datetime]
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id", ondelete="SET NULL"))
    personal_seconds: Mapped[int] = mapped_column(Integer, default=0)
    source: Mapped[str] = mapped_column(String(16))
    state: Mapped[str] = mapped_column(String(16))
    contact_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("contacts.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime]
    routed_at: Mapped[datetime | None]
    ended_at: Mapped[datetime | None]


class AuditEntry(Base):
    """One line of the append-only audit log: who (``actor``: ``user:3``, ``apikey:7``, ``system``
    or empty for an anonymous caller), when, what (action, resource kind and id) and from where.

    Administrative changes, reads of customers' personal data and security events (failed logins,
    rejected webhooks). Rows are never updated or deleted (on PostgreSQL a trigger refuses it);
    they hold ids, not names or texts. ``organization_id`` is None for a security event that
    belongs to no known organization (a login with an unknown email); it is not a foreign key so
    that the log outlives what it talks about.
    """

    __tablename__ = "audit_log"
    __table_args__ = (
        Index("ix_audit_log_org_occurred", "organization_id", "occurred_at"),
        Index("ix_audit_log_org_resource", "organization_id", "resource_kind", "resource_id"),
    )
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    organization_id: Mapped[int | None] = mapped_column(Integer)
    occurred_at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(64))
    resource_kind: Mapped[str] = mapped_column(String(64))
    resource_id: Mapped[str] = mapped_column(String(64))
    client_ip: Mapped[str] = mapped_column(String(64))
    is_security: Mapped[bool] = mapped_column(Boolean)
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)
    """Non-personal context: counts of a retention run, the email tried by a failed login."""


class RetentionPolicy(Base):
    """How long an organization keeps the content of one channel's contacts (see
    ``helpline.domain.privacy.RetentionPolicy``)."""

    __tablename__ = "retention_policies"
    __table_args__ = (UniqueConstraint("organization_id", "channel"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = _org_fk()
    channel: Mapped[str] = mapped_column(String(16))
    keep_days: Mapped[int] = mapped_column(Integer)
    mode: Mapped[str] = mapped_column(String(16))
    applied_until: Mapped[datetime | None]
    """Contacts created before this instant were already processed by the policy."""
