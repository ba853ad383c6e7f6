# Compiled layout (Cython) of the one value built per contact; the rest of model.py stays plain classes.

cimport cython


@cython.freelist(16)
cdef class ContactSpec:
    cdef readonly object contact_id
    cdef readonly object queue_id
    cdef readonly long priority
    cdef readonly object criteria
    cdef readonly double age_adjustment_seconds
    cdef readonly object customer_id
    cdef readonly object last_agent_id
