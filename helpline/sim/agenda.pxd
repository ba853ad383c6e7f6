# Compiled layout (Cython) of the simulator's agenda: typed columns, C comparisons and moves.

cimport cython


cdef class Agenda:
    cdef double[::1] _times
    cdef long long[::1] _orders
    cdef long long[::1] _kinds
    cdef long long[::1] _numbers
    cdef long long[::1] _agents
    cdef Py_ssize_t _capacity
    cdef list _entries
    cdef Py_ssize_t _size
    cdef long long _pushed
    cdef public double at
    cdef public long long kind
    cdef public long long number
    cdef public long long agent

    cpdef double head_at(self)
    @cython.locals(order=cython.longlong, i=Py_ssize_t, parent=Py_ssize_t)
    cpdef void push(self, double at, long long kind, long long number, long long agent) except *
    @cython.locals(
        size=Py_ssize_t, at=double, order=cython.longlong, kind=cython.longlong,
        number=cython.longlong, agent=cython.longlong, i=Py_ssize_t, child=Py_ssize_t, right=Py_ssize_t,
    )
    cpdef void pop(self) except *
    cdef inline void _store(
        self, Py_ssize_t i, double at, long long order, long long kind, long long number,
        long long agent,
    ) noexcept
    cdef inline void _move(self, Py_ssize_t source, Py_ssize_t target) noexcept
    cdef void _grow(self) except *
