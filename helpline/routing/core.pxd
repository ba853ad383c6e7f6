# Compiled layout (Cython) of the engine core: typed state, and C calls between the hot methods.

cimport cython

cimport helpline.routing.events as ev
from helpline.routing.model cimport ContactSpec
from helpline.routing.index cimport Group, QueueIndex, invalidate_agent, invalidate_contact
from helpline.routing.records cimport AgentRecord, ContactRecord, Membership
from helpline.routing.timers cimport TimerQueue


# Imported constants and functions as C globals: read without a module dictionary lookup.
cdef object heapify, heappop, heappush, AGENT_ACW, AGENT_AVAILABLE, AGENT_BUSY, AGENT_NOT_READY, AGENT_RESERVED, CLOSE_ACW_TIMED_OUT, CLOSED, CONNECTED, IN_ACW, MISS_TIMED_OUT, OFFERED, QUEUED, STATUS_AVAILABLE, STATUS_NOT_READY
cdef double inf
cdef long COMPACT_SLACK
cdef dict FREE_STATE
# The module's own constants.
cdef long _WAKE, _OFFER_TIMEOUT, _ACW_TIMEOUT


cdef class RoutingCore:
    cdef public bint _lean
    cdef public dict _queues
    cdef public dict _profiles
    cdef public dict _agents
    cdef public dict _contacts
    cdef public TimerQueue _timers
    cdef public long _timer_seq
    cdef public long _agent_seq
    cdef public long _contact_seq
    cdef public dict _plans
    cdef public double _now
    cdef public list _out
    cdef public list _carry
    cdef public list _dirty
    cdef public Py_ssize_t _n_dirty
    cdef public long _revision

    @cython.locals(out=list, timers=TimerQueue, heads=list, due=double, kind=long, contact=ContactRecord, gen=long)
    cdef list _start(self, double now)
    cdef list _finish(self)
    cdef void _schedule(self, double due, long kind, ContactRecord contact) except *
    cdef void _schedule_acw_timeout(self, ContactRecord contact) except *
    cdef void _schedule_offer_timeout(self, ContactRecord contact) except *
    @cython.locals(due=double, ends=tuple, index=long, queue=QueueIndex, delays=tuple, matured=long, now=double)
    cdef void _schedule_wake(self, ContactRecord contact) except *
    cpdef AgentRecord _agent(self, object agent_id)
    cpdef ContactRecord _contact(self, object contact_id)
    cpdef QueueIndex _queue(self, object queue_id)
    cdef void _check_new_contact_id(self, object contact_id) except *
    cdef void _report(self, AgentRecord agent) except *
    @cython.locals(dirty=list, agent=AgentRecord, k=Py_ssize_t)
    cdef void _flush(self) except *
    cdef void _push_agent(self, AgentRecord agent) except *
    @cython.locals(membership=Membership, queue=QueueIndex, groups=list, group=Group)
    cdef void _index_agent(self, AgentRecord agent) except *
    @cython.locals(contact=ContactRecord)
    cdef void _fill(self, AgentRecord agent) except *
    @cython.locals(live=list, fits=list, best=tuple, level=long, membership=Membership, priority=long, queue=QueueIndex, groups=list, group=Group, heap=list, entry=tuple, waiting=ContactRecord)
    cdef ContactRecord _best_contact_for(self, AgentRecord agent)
    cpdef object _compiled(self, object spec, QueueIndex queue)
    @cython.locals(plain=bint, plan=tuple)
    cdef tuple _plan(self, object spec, QueueIndex queue)
    @cython.locals(plan=tuple, ends=tuple, end=double, queue=QueueIndex, spec=ContactSpec)
    cdef void _set_plan(self, ContactRecord contact, double enqueued_at) except *
    @cython.locals(now=double, ends=tuple)
    cdef void _enter_queue(self, ContactRecord contact, QueueIndex queue, bint new_place) except *
    @cython.locals(now=double, index=long, ends=tuple, delays=tuple, matured=long)
    cdef void _catch_up(self, ContactRecord contact, bint emit=*) except *
    @cython.locals(personal=AgentRecord, row=list, best=tuple, delay_index=long, heap=list, entry=tuple, agent=AgentRecord, waiting=tuple, groups=list, group=Group, contacts=list, candidate=AgentRecord)
    cdef void _route(self, ContactRecord contact) except *
    @cython.locals(now=double, due=bint)
    cdef void _wake(self, ContactRecord contact) except *
    @cython.locals(now=double, group=Group, wait=double, expires=double, queue=QueueIndex)
    cdef void _offer(self, ContactRecord contact, AgentRecord agent) except *
    @cython.locals(agent=AgentRecord)
    cdef AgentRecord _unhold(self, ContactRecord contact)
    @cython.locals(agent=AgentRecord)
    cdef void _miss(self, ContactRecord contact, object reason) except *
    cdef void _requeue(self, ContactRecord contact) except *
    @cython.locals(agent=AgentRecord)
    cdef void _close(self, ContactRecord contact, object reason) except *
