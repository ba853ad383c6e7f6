# Compiled layout (Cython): the snapshot commands are rare and stay Python-level methods.

cimport helpline.routing.events as ev
from helpline.routing.core cimport RoutingCore
from helpline.routing.records cimport new_contact_record


# Imported constants and functions as C globals: read without a module dictionary lookup.
cdef object heappush, AGENT_RESERVED, CONNECTED, IN_ACW, OFFERED, ON_HOLD, QUEUED, STATUS_NOT_READY


cdef class SnapshotCore(RoutingCore):
    pass
