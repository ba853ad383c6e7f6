"""The contact-center vocabulary shared by every layer: channels, roles, lifecycle states."""

from __future__ import annotations

from enum import StrEnum


class Channel(StrEnum):
    """A way customers reach the contact center."""

    VOICE = "voice"
    CHAT = "chat"
    EMAIL = "email"
    SMS = "sms"
    SOCIAL = "social"
    TASK = "task"  # back-office work items routed like contacts


class Direction(StrEnum):
    """Who started the contact."""

    INBOUND = "inbound"  # the customer reached us
    OUTBOUND = "outbound"  # we reached the customer (callbacks, campaigns, replies)


class Role(StrEnum):
    """What a user or API key may do inside its organization."""

    ADMIN = "admin"  # everything, including users and API keys
    MANAGER = "manager"  # configuration, reports, planning
    SUPERVISOR = "supervisor"  # real-time operations: agent states, contacts, queues
    WFM_ANALYST = "wfm_analyst"  # forecasts, staffing, schedules
    QA_ANALYST = "qa_analyst"  # evaluations and scorecards
    AGENT = "agent"  # handles contacts; reads what the desktop needs


class ContactState(StrEnum):
    """Where a contact is in its lifecycle (ARCHITECTURE.md, "Contact lifecycle")."""

    CREATED = "created"  # recorded, not yet routed (e.g. still in a flow)
    QUEUED = "queued"  # waiting for an agent
    OFFERED = "offered"  # reserved for one agent, awaiting accept
    CONNECTED = "connected"  # an agent is handling it
    ON_HOLD = "on_hold"  # connected, customer on hold
    WRAP_UP = "wrap_up"  # after-contact work by the agent
    CLOSED = "closed"  # handled and finished
    ABANDONED = "abandoned"  # the customer left while queued
    SHORT_ABANDONED = "short_abandoned"  # left before the queue's short-abandon threshold
    DEFLECTED = "deflected"  # served by self-service, never needed an agent


class IdentityKind(StrEnum):
    """A way to recognise a customer across channels."""

    PHONE = "phone"  # E.164, e.g. +15551234567
    EMAIL = "email"  # lower-cased address
    CHAT = "chat"  # chat widget visitor handle
    SOCIAL = "social"  # "<network>:<handle>", e.g. "twitter:@jane"


class AgentSelection(StrEnum):
    """How a queue picks among several eligible agents for a new contact."""

    LONGEST_IDLE = "longest_idle"
    MOST_SKILLED = "most_skilled"
    LEAST_OCCUPIED = "least_occupied"


class ClosedTreatment(StrEnum):
    """What happens to a contact that arrives while its queue is closed."""

    MESSAGE = "message"  # play/send the closed message and end the contact
    CALLBACK = "callback"  # offer a callback for when the queue opens
    OVERFLOW = "overflow"  # send it to the queue's overflow queue
