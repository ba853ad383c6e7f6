# Compiled layout (Cython) of the engine's timer queue.

cimport cython


cdef class TimerQueue:
    cdef public list heads
    cdef public dict lanes

    @cython.locals(lane=object)
    cpdef void push(self, tuple timer, double delay) except *
    cpdef tuple peek(self)
    @cython.locals(heads=list, lane=object, timer=tuple, head=tuple)
    cpdef tuple pop(self)
