# Compiled layout (Cython) of the simulator: typed state, and C calls into the engine's commands.

cimport cython

cimport helpline.routing.events as ev
from helpline.routing.engine cimport RoutingEngine
from helpline.routing.events cimport AgentStateChanged, ContactClosed, ContactConnected
from helpline.routing.model cimport ContactSpec


cdef dict _SPAN_KIND


cdef class Simulation:
    cdef public object scenario
    cdef public object _rng
    cdef public RoutingEngine _engine
    cdef public list _queue_ids
    cdef public list _heap
    cdef public long _seq
    cdef public object _uniform
    cdef public dict _handlers
    cdef public long _n_scheduled
    cdef public list _arrival
    cdef public list _queue
    cdef public list _handle
    cdef public list _patience
    cdef public list _customer
    cdef public list _priority
    cdef public list _state
    cdef public object _answered
    cdef public object _service_end
    cdef public object _closed
    cdef public object _abandoned
    cdef public list _agent_of
    cdef public list _is_retrial
    cdef public list _is_callback
    cdef public dict _offered_to
    cdef public list _handle_draws
    cdef public list _patience_draws
    cdef public list _acw_draws
    cdef public list _retrial_draws
    cdef public object _span_starts
    cdef public object _span_ends
    cdef public object _span_codes
    cdef public dict _group_of
    cdef public dict _span_base
    cdef public list _groups
    cdef public list _answer_draws
    cdef public dict _agent_state
    cdef public dict _state_since
    cdef public dict _planned
    cdef public list _agent_names
    cdef public dict _break_reasons

    cpdef void _push(self, double at, long kind, long number, object agent_id=*) except *
    @cython.locals(
        engine=RoutingEngine, heap=list, arrivals=list, n_scheduled=long, stop=double, cursor=long,
        next_arrival=double, processed=long, state=list, patience=list,
        queue_of=list, queue_ids=list, priority=list, customer=list, t=double,
        is_arrival=bint, i=long, spec=ContactSpec, entry=tuple, kind=long, number=long,
    )
    cpdef long _loop(self) except? -1
    @cython.locals(connected=ContactConnected, changed=AgentStateChanged, closed=ContactClosed, i=long, at=double, kind=object)
    cpdef void _handle_events(self, list events) except *
