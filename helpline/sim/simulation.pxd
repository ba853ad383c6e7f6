# Compiled layout (Cython) of the simulator: typed state, and C calls into the engine's commands.

cimport cython

cimport helpline.routing.events as ev
from helpline.routing.engine cimport RoutingEngine
from helpline.routing.events cimport AgentStateChanged, ContactClosed, ContactConnected
from helpline.routing.model cimport ContactSpec
from helpline.sim.agenda cimport Agenda


# Imported constants and functions as C globals: read without a module dictionary lookup.
cdef object AGENT_ACW, AGENT_AVAILABLE, AGENT_BUSY, AGENT_NOT_READY, AGENT_OFFLINE, AGENT_RESERVED, CLOSE_CLOSED_OUT_OF_HOURS, STATUS_AVAILABLE, STATUS_NOT_READY, STATUS_OFFLINE
cdef double inf

# The module's own constants as C values: compared in C, read without a dictionary lookup.
cdef long _ABANDON, _SERVICE_END, _WRAP_UP, _ANSWER, _RETRIAL, _AGENT, _RECOVER
cdef long _WAITING, _CONNECTED, _ABANDONED, _CLOSED_UNSERVED, _CALLBACK
cdef long _LOGIN, _BREAK, _BREAK_END, _LOGOUT
cdef long _HANDLING, _AVAILABLE, _RESERVED, _SPAN_KINDS, _NOT_ACCOUNTED, _NO_AGENT
cdef frozenset _BUSY_STATES
cdef str _END_OF_SHIFT


cdef long _span_kind(object state) noexcept


cdef class Simulation:
    cdef public object scenario
    cdef public object _rng
    cdef public RoutingEngine _engine
    cdef public list _queue_ids
    cdef public Agenda _agenda
    cdef public object _uniform
    cdef public dict _handlers
    cdef public Py_ssize_t _n_scheduled
    cdef public Py_ssize_t _n_contacts
    cdef public Py_ssize_t _capacity
    cdef double[::1] _arrival
    cdef long long[::1] _queue
    cdef double[::1] _handle
    cdef double[::1] _patience
    cdef long long[::1] _priority
    cdef long long[::1] _state
    cdef double[::1] _answered
    cdef double[::1] _service_end
    cdef double[::1] _closed
    cdef double[::1] _abandoned
    cdef long long[::1] _is_retrial
    cdef long long[::1] _is_callback
    cdef public list _customer
    cdef public list _agent_of
    cdef public list _ids
    cdef public list _free_ids
    cdef public long _ids_made
    cdef public dict _number_of
    cdef public dict _offered_to
    cdef public list _handle_draws
    cdef public list _patience_draws
    cdef public list _acw_draws
    cdef public list _retrial_draws
    cdef public Py_ssize_t _n_spans
    cdef public Py_ssize_t _span_capacity
    cdef double[::1] _span_starts
    cdef double[::1] _span_ends
    cdef long long[::1] _span_codes
    cdef public list _groups
    cdef public list _answer_draws
    cdef public dict _agent_number
    cdef public list _agent_names
    cdef long long[::1] _group_of
    cdef long long[::1] _span_base
    cdef double[::1] _state_since
    cdef public list _agent_state
    cdef public list _planned
    cdef public dict _break_reasons

    cpdef void _push(self, double at, long kind, long long number, long long agent=*) except *
    @cython.locals(
        engine=RoutingEngine, agenda=Agenda, stop=double, n_scheduled=Py_ssize_t, cursor=Py_ssize_t,
        next_arrival=double, processed=long, queue_ids=list, customer=list, ids=list, number_of=dict, t=double,
        is_arrival=bint, i=Py_ssize_t, spec=ContactSpec, kind=cython.longlong, number=cython.longlong,
        a=cython.longlong,
    )
    cpdef long _loop(self) except? -1
    @cython.locals(connected=ContactConnected, changed=AgentStateChanged, closed=ContactClosed, i=Py_ssize_t, a=Py_ssize_t, at=double, kind=long)
    cpdef void _handle_events(self, list events) except *
    cdef str _new_id(self)
    @cython.locals(n=Py_ssize_t, capacity=Py_ssize_t)
    cdef void _add_span(self, double start, double end, long long code) except *
