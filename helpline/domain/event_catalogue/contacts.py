"""Contact lifecycle and agent state events: most come from the routing engine (persisted by
``services/acd/store.py``, which moves the contact and agent ids to the event's own columns), the rest
from the contact services (creation, and contacts recorded after the fact by imports and demo data).

Ids in payloads are integers. Times inside payloads (``expires_at``, ``ends_at``) are seconds since
the Unix epoch (UTC) on the routing engine's clock; the event's own ``occurred_at`` is ISO 8601.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from helpline.domain.enums import Channel, ClosedTreatment, Direction
from helpline.domain.event_catalogue.base import EventPayload

AgentStateName = Literal["offline", "available", "reserved", "busy", "acw", "not_ready"]
CloseReasonName = Literal[
    "wrapped_up",
    "acw_timed_out",
    "closed_by_agent",
    "transferred_out",
    "consult_cancelled",
    "closed_out_of_hours",
]
AbandonedState = Literal["abandoned", "short_abandoned"]


class ContactCreated(EventPayload):
    """A contact was recorded (API, channel message, CTI call, import); first event of every contact."""

    channel: Channel = Field(strict=False, description="Channel of the contact.")
    direction: Direction = Field(
        strict=False, description="Inbound (customer-initiated) or outbound."
    )
    customer_id: int | None = Field(description="The customer, when identified.")
    queue_id: int | None = Field(description="The queue it is routed to, if any.")
    priority: int = Field(description="Routing priority, 1 (most urgent) to 10.")
    subject: str = Field(description="Subject line or first words; may be empty.")


class ContactQueued(EventPayload):
    """The contact entered a queue (or an agent's personal queue), from the routing engine; also
    written by imports of past contacts, with ``priority`` instead of the engine's fields."""

    queue_id: int | None = Field(description="The queue entered.")
    queue_sequence: int | None = Field(
        None, description="FIFO tie-breaker within the queue (routing engine only)."
    )
    personal_agent_id: int | None = Field(
        None, description="Set when queued for one agent only (e.g. a direct transfer)."
    )
    is_callback: bool | None = Field(
        None, description="Whether this is a callback keeping a customer's place (engine only)."
    )
    priority: int | None = Field(None, description="Contact priority (imported contacts only).")


class ContactOffered(EventPayload):
    """The routing engine reserved an agent (the event's ``agent_id``) and offered them the contact."""

    queue_id: int = Field(description="The queue the contact waited in.")
    wait_seconds: float = Field(description="Seconds waited in queue until this offer.")
    expires_at: float = Field(description="When the offer times out (epoch seconds).")
    is_callback: bool = Field(description="Whether the contact is a callback.")


class OfferMissed(EventPayload):
    """The agent rejected the offer or let it time out (RONA); the contact is back at its place in
    line and the agent goes not-ready."""

    reason: Literal["rejected", "timed_out"] = Field(description="How the offer was missed.")


class OfferWithdrawn(EventPayload):
    """An offer ended without the agent's doing (the customer left, the engine was rebuilt)."""


class ContactConnected(EventPayload):
    """The agent (the event's ``agent_id``) accepted or auto-accepted and now handles the contact."""

    queue_id: int | None = Field(description="The queue the contact was answered from.")
    wait_seconds: float | None = Field(
        None, description="Seconds waited in queue (absent for contacts recorded after the fact)."
    )


class ContactAbandoned(EventPayload):
    """The customer left while queued or offered (engine), or an imported contact was abandoned."""

    queue_id: int | None = Field(description="The queue the customer left.")
    wait_seconds: float | None = Field(None, description="Seconds waited before leaving.")
    state: AbandonedState | None = Field(
        None,
        description="Abandoned or short-abandoned (contacts recorded after the fact only; the "
        "engine's consumers compare wait_seconds with the queue's short_abandon_seconds).",
    )


class ContactDeflected(EventPayload):
    """A contact recorded after the fact ended in self-service without needing an agent."""

    queue_id: int | None = Field(description="The queue it would have gone to.")
    state: Literal["deflected"] = Field(description="Always ``deflected``.")


class ContactEscalated(EventPayload):
    """A routing step of the queue expired; the contact's criteria widened to step ``step_index``."""

    queue_id: int = Field(description="The queue the contact waits in.")
    step_index: int = Field(description="The step now applying (past the last: any agent).")


class ContactOverflowed(EventPayload):
    """The contact moved to another queue (the queue's overflow or closed treatment)."""

    from_queue_id: int = Field(description="The queue left.")
    to_queue_id: int = Field(description="The queue entered.")


class CallbackProposed(EventPayload):
    """The queue's overflow says to propose a callback; the customer keeps waiting until they accept."""

    queue_id: int = Field(description="The queue the customer waits in.")


class CallbackRequested(EventPayload):
    """The customer asked to be called back; a callback contact keeps their place in line."""

    callback_contact_id: int = Field(description="The callback contact queued in their place.")
    queue_id: int = Field(description="The queue.")


class ContactArrivedWhileClosed(EventPayload):
    """The contact arrived outside its queue's hours; ``treatment`` follows."""

    queue_id: int = Field(description="The closed queue.")
    treatment: ClosedTreatment = Field(
        strict=False, description="What happens next: message, callback, overflow."
    )


class ContactHeld(EventPayload):
    """The agent put the customer on hold."""


class ContactResumed(EventPayload):
    """The agent took the customer off hold."""


class ContactTransferred(EventPayload):
    """The contact left ``from_agent_id`` for a queue or an agent (blind, or after a warm consult)."""

    from_agent_id: int = Field(description="The agent who transferred (also the event's agent_id).")
    to_queue_id: int | None = Field(description="The target queue, for a transfer to a queue.")
    to_agent_id: int | None = Field(description="The target agent, for a transfer to an agent.")
    is_consult: bool = Field(description="Whether it completed a warm consult.")


class ConsultStarted(EventPayload):
    """The agent started a consult; a consult leg is routed to the colleague."""

    consult_contact_id: int = Field(description="The consult leg (a contact of its own).")


class AfterContactWorkStarted(EventPayload):
    """The conversation ended; the agent is in after-contact work (ACW)."""

    ends_at: float | None = Field(
        description="When ACW times out (epoch seconds); null: until the agent wraps up."
    )


class ContactWrappedUp(EventPayload):
    """The agent recorded a wrap-up code and notes."""

    wrap_up_code: str = Field(description="The wrap-up code's id, as a decimal string.")
    notes: str = Field(description="The agent's notes; may be empty.")


class ContactClosed(EventPayload):
    """The contact is finished and the agent's capacity freed (engine), or a contact recorded after
    the fact was closed (then with ``queue_id`` and ``state`` instead of ``reason``)."""

    reason: CloseReasonName | None = Field(None, description="Why it closed (engine, imports).")
    queue_id: int | None = Field(None, description="The queue (contacts recorded after the fact).")
    state: Literal["closed"] | None = Field(
        None, description="Always ``closed`` (contacts recorded after the fact)."
    )


class AgentStateChanged(EventPayload):
    """The agent's (the event's ``agent_id``) reported state changed."""

    state: AgentStateName = Field(description="The new state.")
    reason: str | None = Field(
        description="Reason code for not-ready (break, lunch...) or why the state changed."
    )


EVENTS: tuple[type[EventPayload], ...] = (
    ContactCreated,
    ContactQueued,
    ContactOffered,
    OfferMissed,
    OfferWithdrawn,
    ContactConnected,
    ContactAbandoned,
    ContactDeflected,
    ContactEscalated,
    ContactOverflowed,
    CallbackProposed,
    CallbackRequested,
    ContactArrivedWhileClosed,
    ContactHeld,
    ContactResumed,
    ContactTransferred,
    ConsultStarted,
    AfterContactWorkStarted,
    ContactWrappedUp,
    ContactClosed,
    AgentStateChanged,
)
