# Compiled layout (Cython): the per-contact commands are C calls for compiled drivers (the simulator).

cimport cython

cimport helpline.routing.events as ev
from helpline.routing.records cimport AgentRecord, ContactRecord, new_contact_record
from helpline.routing.snapshot cimport SnapshotCore


# Imported constants and functions as C globals: read without a module dictionary lookup.
cdef object CLOSE_CLOSED_BY_AGENT, CLOSE_CONSULT_CANCELLED, CLOSE_TRANSFERRED_OUT, CLOSE_WRAPPED_UP, CLOSED, CONNECTED, IN_ACW, ON_HOLD
cdef tuple _ACTIVE  # the module's own


cdef class HandlingCore(SnapshotCore):
    @cython.locals(contact=ContactRecord, agent=AgentRecord)
    cpdef list end_contact(self, object contact_id, double now)
    @cython.locals(contact=ContactRecord)
    cpdef list close_contact(self, object contact_id, double now)
    @cython.locals(leg=ContactRecord)
    cdef void _cancel_leg(self, ContactRecord contact) except *
    cdef void _detach_consult(self, ContactRecord contact) except *
