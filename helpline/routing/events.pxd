# Compiled layout of the events (Cython): each event is an extension type built by Cython's
# dataclass support (same fields, equality, hash, repr and dataclasses.asdict as the pure module).
# The events of every simulated contact are allocated from free lists.

cimport cython


cdef class Event:
    cdef readonly double at


@cython.freelist(16)
cdef class AgentStateChanged(Event):
    cdef readonly object agent_id
    cdef readonly object state
    cdef readonly object reason

cdef class ContactQueued(Event):
    cdef readonly object contact_id
    cdef readonly object queue_id
    cdef readonly long queue_sequence
    cdef readonly object personal_agent_id
    cdef readonly bint is_callback


@cython.freelist(16)
cdef class ContactOffered(Event):
    cdef readonly object contact_id
    cdef readonly object agent_id
    cdef readonly object queue_id
    cdef readonly double wait_seconds
    cdef readonly double expires_at
    cdef readonly bint is_callback

cdef class OfferMissed(Event):
    cdef readonly object contact_id
    cdef readonly object agent_id
    cdef readonly object reason

cdef class OfferWithdrawn(Event):
    cdef readonly object contact_id
    cdef readonly object agent_id


@cython.freelist(16)
cdef class ContactConnected(Event):
    cdef readonly object contact_id
    cdef readonly object agent_id
    cdef readonly object queue_id
    cdef readonly double wait_seconds


@cython.freelist(16)
cdef class ContactAbandoned(Event):
    cdef readonly object contact_id
    cdef readonly object queue_id
    cdef readonly double wait_seconds

cdef class ContactEscalated(Event):
    cdef readonly object contact_id
    cdef readonly object queue_id
    cdef readonly long step_index

cdef class ContactOverflowed(Event):
    cdef readonly object contact_id
    cdef readonly object from_queue_id
    cdef readonly object to_queue_id

cdef class CallbackProposed(Event):
    cdef readonly object contact_id
    cdef readonly object queue_id

cdef class CallbackRequested(Event):
    cdef readonly object contact_id
    cdef readonly object callback_contact_id
    cdef readonly object queue_id

cdef class ContactArrivedWhileClosed(Event):
    cdef readonly object contact_id
    cdef readonly object queue_id
    cdef readonly object treatment

cdef class ContactHeld(Event):
    cdef readonly object contact_id
    cdef readonly object agent_id

cdef class ContactResumed(Event):
    cdef readonly object contact_id
    cdef readonly object agent_id

cdef class ContactTransferred(Event):
    cdef readonly object contact_id
    cdef readonly object from_agent_id
    cdef readonly object to_queue_id
    cdef readonly object to_agent_id
    cdef readonly bint is_consult

cdef class ConsultStarted(Event):
    cdef readonly object contact_id
    cdef readonly object consult_contact_id
    cdef readonly object agent_id


@cython.freelist(16)
cdef class AfterContactWorkStarted(Event):
    cdef readonly object contact_id
    cdef readonly object agent_id
    cdef readonly object ends_at

cdef class ContactWrappedUp(Event):
    cdef readonly object contact_id
    cdef readonly object agent_id
    cdef readonly object wrap_up_code
    cdef readonly object notes


@cython.freelist(16)
cdef class ContactClosed(Event):
    cdef readonly object contact_id
    cdef readonly object agent_id
    cdef readonly object reason


@cython.locals(event=AgentStateChanged)
cpdef AgentStateChanged agent_state_changed(double at, object agent_id, object state, object reason)
@cython.locals(event=ContactConnected)
cpdef ContactConnected contact_connected(double at, object contact_id, object agent_id, object queue_id, double wait_seconds)
@cython.locals(event=ContactClosed)
cpdef ContactClosed contact_closed(double at, object contact_id, object agent_id, object reason)
