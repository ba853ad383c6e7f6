# Compiled layout (Cython): the per-contact commands are C calls for compiled drivers (the simulator).

cimport cython

cimport helpline.routing.events as ev
from helpline.routing.handling cimport HandlingCore
from helpline.routing.index cimport QueueIndex
from helpline.routing.model cimport ContactSpec
from helpline.routing.records cimport AgentRecord, ContactRecord, new_contact_record
from helpline.routing.timers cimport TimerQueue


# Imported constants and functions as C globals: read without a module dictionary lookup.
cdef object ABANDONED, AGENT_NOT_READY, CLOSE_CLOSED_OUT_OF_HOURS, CONNECTED, MISS_REJECTED, OFFERED, QUEUED, STATUS_AVAILABLE, STATUS_NOT_READY, STATUS_OFFLINE


cdef class RoutingEngine(HandlingCore):
    @cython.locals(timers=TimerQueue, heads=list, timer=tuple)
    cpdef object next_wakeup(self)
    cpdef list advance(self, double now)
    @cython.locals(queue=QueueIndex, contact=ContactRecord, is_callback=bint)
    cpdef list add_contact(self, ContactSpec spec, double now)
    @cython.locals(contact=ContactRecord, agent=AgentRecord, wait=double)
    cpdef list abandon_contact(self, object contact_id, double now)
    @cython.locals(contact=ContactRecord, agent=AgentRecord, wait=double)
    cpdef list accept_offer(self, object contact_id, object agent_id, double now)
    @cython.locals(agent=AgentRecord)
    cpdef list set_agent_status(self, object agent_id, object status, double now, object reason=*)
