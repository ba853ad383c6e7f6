# Compiled layout (Cython) of the engine's working records: typed slots read and written as C fields.

cimport cython

from helpline.routing.index cimport QueueIndex
from helpline.routing.model cimport ContactSpec


# Imported constants and functions as C globals: read without a module dictionary lookup.
cdef object AGENT_ACW, AGENT_BUSY, AGENT_OFFLINE, AGENT_RESERVED, CHANNEL_SLOTS, QUEUED, STATUS_AVAILABLE, STATUS_OFFLINE
cdef long VOICE_SLOT

cdef class AgentRecord:
    cdef public object agent_id
    cdef public bint blocks
    cdef public list auto_accepts
    cdef public dict channels
    cdef public bint dirty
    cdef public long gen
    cdef public dict held
    cdef public double idle_since
    cdef public list limits
    cdef public long n_acw
    cdef public long n_connected
    cdef public long n_offered
    cdef public list per_channel
    cdef public list personal
    cdef public object profile
    cdef public list profile_queues
    cdef public object reason
    cdef public object reported
    cdef public long seq
    cdef public dict skills
    cdef public object status
    cdef public long total

    cpdef bint has_capacity(self, long slot)
    cpdef bint holds_voice_exclusively(self)
    cpdef bint is_ready_for(self, long slot)


cdef class Membership:
    cdef public AgentRecord agent
    cdef public long delay_index
    cdef public double delay_seconds
    cdef public list groups
    cdef public long priority
    cdef public QueueIndex queue


@cython.freelist(64)
cdef class ContactRecord:
    cdef public object acw_ends_at
    cdef public AgentRecord agent
    cdef public object channel
    cdef public ContactRecord consult_leg
    cdef public ContactRecord consult_of
    cdef public object contact_id
    cdef public double enqueued_at
    cdef public long gen
    cdef public bint is_callback
    cdef public long matured
    cdef public double offer_expires_at
    cdef public double order_arrival
    cdef public bint overflow_done
    cdef public AgentRecord personal_agent
    cdef public long priority
    cdef public QueueIndex queue
    cdef public tuple rows
    cdef public long seq
    cdef public long slot
    cdef public ContactSpec spec
    cdef public object state
    cdef public tuple step_ends
    cdef public long step_index
    cdef public object steps
    cdef public double waiting_since

    cpdef void setup(self, ContactSpec spec, QueueIndex queue, long seq, double now) except *


@cython.locals(contact=ContactRecord)
cpdef ContactRecord new_contact_record(ContactSpec spec, QueueIndex queue, long seq, double now)
