"""Commands during a contact: hold/resume, after-contact work and wrap-up, close, blind and consult
(warm) transfers. Part of ``RoutingEngine``; see engine.py for the conventions."""

from __future__ import annotations

from dataclasses import replace

from helpline.routing import events as ev
from helpline.routing.errors import InvalidTransitionError
from helpline.routing.index import invalidate_contact
from helpline.routing.members import (
    CLOSE_CLOSED_BY_AGENT,
    CLOSE_CONSULT_CANCELLED,
    CLOSE_TRANSFERRED_OUT,
    CLOSE_WRAPPED_UP,
    CLOSED,
    CONNECTED,
    IN_ACW,
    ON_HOLD,
)
from helpline.routing.model import ContactSpec, ContactState
from helpline.routing.records import AgentRecord, ContactRecord, new_contact_record
from helpline.routing.snapshot import SnapshotCore

_ACTIVE = (CONNECTED, ON_HOLD)


class HandlingCore(SnapshotCore):
    """What agents do with a contact once connected."""

    # -- during the contact ---------------------------------------------------------------------------

    def _handled(self, contact_id: str, *states: ContactState) -> tuple[ContactRecord, AgentRecord]:
        contact = self._contact(contact_id)
        if contact.state not in states or contact.agent is None:
            raise InvalidTransitionError(f"contact {contact_id} is {contact.state}")
        return contact, contact.agent

    def hold_contact(self, contact_id: str, now: float) -> list[ev.Event]:
        """Put a connected customer on hold."""
        out = self._start(now)
        contact, agent = self._handled(contact_id, CONNECTED)
        contact.state = ON_HOLD
        out.append(ev.ContactHeld(now, contact_id, agent.agent_id))
        return self._finish()

    def resume_contact(self, contact_id: str, now: float) -> list[ev.Event]:
        """Take a held customer off hold."""
        out = self._start(now)
        contact, agent = self._handled(contact_id, ON_HOLD)
        contact.state = CONNECTED
        out.append(ev.ContactResumed(now, contact_id, agent.agent_id))
        return self._finish()

    def end_contact(self, contact_id: str, now: float) -> list[ev.Event]:
        """The conversation is over: after-contact work starts (or the contact closes if the queue has
        no ACW). The capacity stays taken until the wrap-up or the ACW timeout."""
        out = self._start(now)
        contact = self._contacts.get(contact_id)  # inlined _handled: one call less per contact
        if contact is None or contact.state not in _ACTIVE or contact.agent is None:
            contact, agent = self._handled(contact_id, *_ACTIVE)  # raises
        else:
            agent = contact.agent
        if contact.consult_leg is not None:
            self._cancel_leg(contact)
        timeout = contact.queue.acw_timeout_seconds
        if timeout == 0:
            self._close(contact, CLOSE_CLOSED_BY_AGENT)
            return self._finish()
        agent.n_connected -= 1
        agent.n_acw += 1
        contact.state = IN_ACW
        contact.gen += 1
        contact.acw_ends_at = None if timeout is None else now + timeout
        out.append(ev.AfterContactWorkStarted(now, contact_id, agent.agent_id, contact.acw_ends_at))
        if contact.acw_ends_at is not None:
            self._schedule_acw_timeout(contact)
        self._report(agent)
        return self._finish()

    def wrap_up(self, contact_id: str, wrap_up_code: str, notes: str, now: float) -> list[ev.Event]:
        """Record the wrap-up code and notes; in after-contact work this also closes the contact."""
        out = self._start(now)
        contact, agent = self._handled(contact_id, IN_ACW, *_ACTIVE)
        out.append(ev.ContactWrappedUp(now, contact_id, agent.agent_id, wrap_up_code, notes))
        if contact.state is IN_ACW:
            self._close(contact, CLOSE_WRAPPED_UP)
        return self._finish()

    def close_contact(self, contact_id: str, now: float) -> list[ev.Event]:
        """Close a handled contact at once (no or no more after-contact work) and free the capacity."""
        self._start(now)
        contact, _ = self._handled(contact_id, IN_ACW, *_ACTIVE)
        if contact.consult_leg is not None:
            self._cancel_leg(contact)
        self._close(contact, CLOSE_CLOSED_BY_AGENT)
        return self._finish()

    # -- transfers ------------------------------------------------------------------------------------

    def transfer_to_queue(self, contact_id: str, queue_id: str, now: float) -> list[ev.Event]:
        """Blind transfer: the contact joins the back of ``queue_id`` under that queue's criteria; the
        transferring agent's capacity is freed at once (no after-contact work)."""
        out = self._start(now)
        contact, agent = self._handled(contact_id, *_ACTIVE)
        queue = self._queue(queue_id)
        if contact.consult_leg is not None:
            raise InvalidTransitionError("finish or cancel the consult first")
        out.append(ev.ContactTransferred(now, contact_id, agent.agent_id, queue_id, None, False))
        self._unhold(contact)
        contact.spec = replace(contact.spec, last_agent_id=None)
        self._enter_queue(contact, queue, new_place=True)
        self._report(agent)
        self._fill(agent)
        return self._finish()

    def transfer_to_agent(self, contact_id: str, agent_id: str, now: float) -> list[ev.Event]:
        """Blind transfer to one agent: the contact waits in that agent's personal queue, which comes
        before all their queues, and is offered as soon as they have capacity."""
        out = self._start(now)
        contact, agent = self._handled(contact_id, *_ACTIVE)
        target = self._agent(agent_id)
        if contact.consult_leg is not None:
            raise InvalidTransitionError("finish or cancel the consult first")
        out.append(ev.ContactTransferred(now, contact_id, agent.agent_id, None, agent_id, False))
        self._unhold(contact)
        contact.personal_agent = target
        self._enter_queue(contact, contact.queue, new_place=True)
        self._report(agent)
        self._fill(agent)
        return self._finish()

    def start_consult(
        self,
        contact_id: str,
        consult_contact_id: str,
        now: float,
        *,
        queue_id: str | None = None,
        agent_id: str | None = None,
    ) -> list[ev.Event]:
        """Warm transfer, step 1: route a consult leg (a new contact id) to a queue or an agent while
        the agent keeps the customer (usually on hold). Then :meth:`complete_consult` or
        :meth:`cancel_consult`."""
        out = self._start(now)
        contact, agent = self._handled(contact_id, *_ACTIVE)
        if (queue_id is None) == (agent_id is None):
            raise InvalidTransitionError("consult a queue or an agent, not both or neither")
        if contact.consult_leg is not None:
            raise InvalidTransitionError(f"contact {contact_id} already has a consult")
        self._check_new_contact_id(consult_contact_id)
        queue = contact.queue if queue_id is None else self._queue(queue_id)
        if queue.channel is not contact.channel:
            raise InvalidTransitionError(f"queue {queue.queue_id} is not on {contact.channel}")
        target = None if agent_id is None else self._agent(agent_id)
        if target is agent:
            # A consult is two agents talking: the leg would take a second slot of the agent's
            # own capacity and could be offered back to them.
            raise InvalidTransitionError(f"agent {agent.agent_id} cannot consult themselves")
        leg_spec = ContactSpec(consult_contact_id, queue.queue_id, contact.priority)
        leg = new_contact_record(leg_spec, queue, 0, now)
        leg.consult_of = contact
        leg.personal_agent = target
        contact.consult_leg = leg
        self._contacts[consult_contact_id] = leg
        out.append(ev.ConsultStarted(now, contact_id, consult_contact_id, agent.agent_id))
        self._enter_queue(leg, queue, new_place=True)
        return self._finish()

    def complete_consult(self, contact_id: str, now: float) -> list[ev.Event]:
        """Warm transfer, step 2: the consulted agent (leg connected) takes over the customer; the
        consult leg closes and the first agent's capacity is freed."""
        out = self._start(now)
        contact, agent = self._handled(contact_id, *_ACTIVE)
        leg = contact.consult_leg
        if leg is None or leg.state not in _ACTIVE or leg.agent is None:
            raise InvalidTransitionError(f"contact {contact_id} has no connected consult")
        target = leg.agent
        out.append(
            ev.ContactTransferred(now, contact_id, agent.agent_id, None, target.agent_id, True)
        )
        leg.state = CLOSED
        del target.held[leg.contact_id]
        del self._contacts[leg.contact_id]
        out.append(ev.contact_closed(now, leg.contact_id, target.agent_id, CLOSE_TRANSFERRED_OUT))
        contact.consult_leg = None
        state = contact.state
        self._unhold(contact)
        target.held[contact_id] = contact  # the leg's slot (same channel) now carries the customer
        contact.agent = target
        contact.state = state
        contact.queue = leg.queue
        self._report(agent)
        self._fill(agent)
        return self._finish()

    def cancel_consult(self, contact_id: str, now: float) -> list[ev.Event]:
        """Warm transfer abandoned: the consult leg ends wherever it is; the first agent keeps the customer."""
        self._start(now)
        contact, _ = self._handled(contact_id, *_ACTIVE)
        if contact.consult_leg is None:
            raise InvalidTransitionError(f"contact {contact_id} has no consult")
        self._cancel_leg(contact)
        return self._finish()

    def _cancel_leg(self, contact: ContactRecord) -> None:
        leg = contact.consult_leg
        assert leg is not None  # noqa: S101 -- callers check
        contact.consult_leg = None
        leg.consult_of = None
        if leg.agent is not None:
            self._close(leg, CLOSE_CONSULT_CANCELLED)
            return
        invalidate_contact(leg)
        leg.state = CLOSED
        del self._contacts[leg.contact_id]
        self._out.append(
            ev.contact_closed(self._now, leg.contact_id, None, CLOSE_CONSULT_CANCELLED)
        )

    def _detach_consult(self, contact: ContactRecord) -> None:
        """An abandoned consult leg no longer belongs to its customer contact."""
        if contact.consult_of is not None:
            contact.consult_of.consult_leg = None
            contact.consult_of = None
