# Compiled layout (Cython) of the matching indexes.

cimport cython

from helpline.routing.records cimport AgentRecord, ContactRecord, Membership


# Imported constants and functions as C globals: read without a module dictionary lookup.
cdef object heapify, heappush
# The module's own constants.
cdef object _LONGEST_IDLE, _MOST_SKILLED

cdef class QueueIndex


cdef class Group:
    cdef public list agents
    cdef public list contacts
    cdef public long delay_index
    cdef public long agents_kept
    cdef public long contacts_kept
    cdef public QueueIndex queue
    cdef public object requirement
    cdef public object selection

    cpdef long agent_key(self, AgentRecord agent) except? -1
    cpdef void push_agent(self, AgentRecord agent) except *
    cpdef void push_contact(self, ContactRecord contact) except *
    cpdef void compact_contacts(self) except *


cdef class QueueIndex:
    cdef public object acw_timeout_seconds
    cdef public object channel
    cdef public object criteria
    cdef public object hours
    cdef public double offer_timeout_seconds
    cdef public object overflow
    cdef public tuple own_plan
    cdef public object queue_id
    cdef public dict by_skill
    cdef public tuple delays
    cdef public dict groups
    cdef public dict members
    cdef public dict plans
    cdef public object queue
    cdef public long slot

    @cython.locals(row=list, group=Group, agent=AgentRecord, membership=Membership)
    cpdef list groups_for(self, object requirement)
    @cython.locals(agent=AgentRecord)
    cpdef list satisfiable(self, Membership membership)


cpdef void invalidate_agent(AgentRecord agent) except *
cpdef void invalidate_contact(ContactRecord contact) except *
