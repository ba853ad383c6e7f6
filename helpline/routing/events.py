"""Events the routing engine emits: one per transition, past tense, in the order they happened.

The service layer persists them in the append-only events table (same transaction as the state change)
and pushes offers to agents. ``at`` is the engine-clock time of the transition, which for timer-driven
transitions (offer timeouts, escalations, ACW timeouts) is the timer's due time, not the time the driver
happened to call ``advance``: the simulator and the live server then record the same history.

Each event is a frozen dataclass. Compiled (``events.pxd``), Cython's dataclass support makes it an
extension type with the same fields, equality, hash and repr, which ``dataclasses.asdict`` serialises as
before; Cython refuses ``slots=True``, and an extension type needs no slots.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

import cython

from helpline.routing.model import AgentState, ClosedTreatment


class MissReason(enum.StrEnum):
    """Why an offer was missed (RONA: redirect on no answer)."""

    REJECTED = "rejected"
    TIMED_OUT = "timed_out"


class CloseReason(enum.StrEnum):
    """Why a contact was closed."""

    WRAPPED_UP = "wrapped_up"  # the agent submitted the wrap-up
    ACW_TIMED_OUT = "acw_timed_out"  # after-contact work ran out
    CLOSED_BY_AGENT = "closed_by_agent"  # closed without after-contact work
    TRANSFERRED_OUT = "transferred_out"  # a consult leg merged into the transferred contact
    CONSULT_CANCELLED = "consult_cancelled"  # a consult leg ended without a transfer
    CLOSED_OUT_OF_HOURS = "closed_out_of_hours"  # arrived while closed, got the closed message


@dataclass(frozen=True)
class Event:
    """Base of every routing event."""

    at: float


@dataclass(frozen=True)
class AgentStateChanged(Event):
    """The agent's reported state changed (``reason`` for not-ready)."""

    agent_id: str
    state: AgentState
    reason: str | None


@dataclass(frozen=True)
class ContactQueued(Event):
    """The contact entered a queue (or an agent's personal queue when ``personal_agent_id`` is set).

    ``queue_sequence`` is the contact's FIFO tie-breaker: persist it and pass it back in a snapshot so a
    rebuilt engine keeps the same order.
    """

    contact_id: str
    queue_id: str
    queue_sequence: int
    personal_agent_id: str | None
    is_callback: bool


@dataclass(frozen=True)
class ContactOffered(Event):
    """The agent was reserved and offered the contact until ``expires_at``."""

    contact_id: str
    agent_id: str
    queue_id: str
    wait_seconds: float
    expires_at: float
    is_callback: bool


@dataclass(frozen=True)
class OfferMissed(Event):
    """The agent rejected or let the offer time out; the contact went back to its place in line."""

    contact_id: str
    agent_id: str
    reason: MissReason


@dataclass(frozen=True)
class OfferWithdrawn(Event):
    """An offer ended without the agent's doing (customer left, engine rebuilt); no penalty."""

    contact_id: str
    agent_id: str


@dataclass(frozen=True)
class ContactConnected(Event):
    """The agent accepted (or auto-accepted) and is now handling the contact."""

    contact_id: str
    agent_id: str
    queue_id: str
    wait_seconds: float


@dataclass(frozen=True)
class ContactAbandoned(Event):
    """The customer left while queued or offered."""

    contact_id: str
    queue_id: str
    wait_seconds: float


@dataclass(frozen=True)
class ContactEscalated(Event):
    """A criteria step expired; ``step_index`` now applies (past the last step: any agent)."""

    contact_id: str
    queue_id: str
    step_index: int


@dataclass(frozen=True)
class ContactOverflowed(Event):
    """The contact moved to another queue by the queue's overflow or closed treatment."""

    contact_id: str
    from_queue_id: str
    to_queue_id: str


@dataclass(frozen=True)
class CallbackProposed(Event):
    """The customer should be offered a callback (overflow); they keep waiting until they accept."""

    contact_id: str
    queue_id: str


@dataclass(frozen=True)
class CallbackRequested(Event):
    """The customer asked to be called back; ``callback_contact_id`` holds their place in line."""

    contact_id: str
    callback_contact_id: str
    queue_id: str


@dataclass(frozen=True)
class ContactArrivedWhileClosed(Event):
    """The contact arrived outside the queue's hours; ``treatment`` follows."""

    contact_id: str
    queue_id: str
    treatment: ClosedTreatment


@dataclass(frozen=True)
class ContactHeld(Event):
    """The agent put the customer on hold."""

    contact_id: str
    agent_id: str


@dataclass(frozen=True)
class ContactResumed(Event):
    """The agent took the customer off hold."""

    contact_id: str
    agent_id: str


@dataclass(frozen=True)
class ContactTransferred(Event):
    """The contact left ``from_agent_id`` for a queue or an agent (``is_consult``: after a warm consult)."""

    contact_id: str
    from_agent_id: str
    to_queue_id: str | None
    to_agent_id: str | None
    is_consult: bool


@dataclass(frozen=True)
class ConsultStarted(Event):
    """The agent started a consult; ``consult_contact_id`` is the leg routed to the colleague."""

    contact_id: str
    consult_contact_id: str
    agent_id: str


@dataclass(frozen=True)
class AfterContactWorkStarted(Event):
    """The conversation ended; the agent is wrapping up until ``ends_at`` (None: until they finish)."""

    contact_id: str
    agent_id: str
    ends_at: float | None


@dataclass(frozen=True)
class ContactWrappedUp(Event):
    """The agent recorded a wrap-up code and notes."""

    contact_id: str
    agent_id: str
    wrap_up_code: str
    notes: str


@dataclass(frozen=True)
class ContactClosed(Event):
    """The contact is finished and the agent's capacity freed."""

    contact_id: str
    agent_id: str | None
    reason: CloseReason


# Builders of the events every routed contact produces. Each returns exactly the event its class would
# build; compiled (events.pxd), it fills the fields one by one instead of going through a Python-level
# constructor call and its argument parsing, which cost about a tenth of a simulated contact. The field
# assignments only run compiled, where the fields are C fields (to Python code they are read-only).


def agent_state_changed(
    at: float, agent_id: str, state: AgentState, reason: str | None
) -> AgentStateChanged:
    """``AgentStateChanged(at, agent_id, state, reason)``."""
    if cython.compiled:
        event = AgentStateChanged.__new__(AgentStateChanged)
        event.at = at  # type: ignore[misc]
        event.agent_id = agent_id  # type: ignore[misc]
        event.state = state  # type: ignore[misc]
        event.reason = reason  # type: ignore[misc]
        return event
    return AgentStateChanged(at, agent_id, state, reason)


def contact_connected(
    at: float, contact_id: str, agent_id: str, queue_id: str, wait_seconds: float
) -> ContactConnected:
    """``ContactConnected(at, contact_id, agent_id, queue_id, wait_seconds)``."""
    if cython.compiled:
        event = ContactConnected.__new__(ContactConnected)
        event.at = at  # type: ignore[misc]
        event.contact_id = contact_id  # type: ignore[misc]
        event.agent_id = agent_id  # type: ignore[misc]
        event.queue_id = queue_id  # type: ignore[misc]
        event.wait_seconds = wait_seconds  # type: ignore[misc]
        return event
    return ContactConnected(at, contact_id, agent_id, queue_id, wait_seconds)


def contact_closed(
    at: float, contact_id: str, agent_id: str | None, reason: CloseReason
) -> ContactClosed:
    """``ContactClosed(at, contact_id, agent_id, reason)``."""
    if cython.compiled:
        event = ContactClosed.__new__(ContactClosed)
        event.at = at  # type: ignore[misc]
        event.contact_id = contact_id  # type: ignore[misc]
        event.agent_id = agent_id  # type: ignore[misc]
        event.reason = reason  # type: ignore[misc]
        return event
    return ContactClosed(at, contact_id, agent_id, reason)
