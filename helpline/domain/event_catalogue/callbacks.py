"""Scheduled callback events (``services/acd/callbacks``). Each carries the callback's id and queue;
``CallbackRouted`` also sets the event's ``contact_id`` to the outbound contact it created. Routing,
completion and failure are written by the callback scheduler with actor ``system``.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from helpline.domain.callbacks import CallbackSource, CallbackState
from helpline.domain.event_catalogue.base import EventPayload


class CallbackEvent(EventPayload):
    """Fields every scheduled callback event carries."""

    callback_id: int = Field(description="The scheduled callback.")
    queue_id: int = Field(description="Its voice queue.")


class CallbackScheduled(CallbackEvent):
    """A customer booked a callback for a time slot (the event's ``agent_id``: a personal one)."""

    slot_start: datetime = Field(strict=False, description="When the slot starts (UTC).")
    slot_end: datetime = Field(strict=False, description="When the slot ends (UTC).")
    customer_id: int | None = Field(description="The customer, if known.")
    personal_seconds: int = Field(
        description="How long the promising agent is offered it first (0: not personal)."
    )
    source: CallbackSource = Field(strict=False, description="Where it was asked for.")


class CallbackRouted(CallbackEvent):
    """The slot started with the queue open: the callback's outbound voice contact (the event's
    ``contact_id``) was created and handed to the ACD."""

    late_seconds: float = Field(
        description="Seconds after the slot started (held while closed, or after a restart)."
    )


class CallbackCancelled(CallbackEvent):
    """The callback was withdrawn; a contact still waiting for an agent was abandoned with it."""

    previous_state: CallbackState = Field(strict=False, description="scheduled or routed.")


class CallbackCompleted(CallbackEvent):
    """An agent was connected to the callback's contact."""


class CallbackFailed(CallbackEvent):
    """The callback's contact ended without an agent connected (abandoned, closed, removed)."""

    contact_state: str | None = Field(description="How the contact ended (None: it was removed).")


EVENTS: tuple[type[EventPayload], ...] = (
    CallbackScheduled,
    CallbackRouted,
    CallbackCancelled,
    CallbackCompleted,
    CallbackFailed,
)
