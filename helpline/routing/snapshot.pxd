# Compiled layout (Cython): the snapshot commands are rare and stay Python-level methods.

cimport helpline.routing.events as ev
from helpline.routing.core cimport RoutingCore
from helpline.routing.records cimport new_contact_record


cdef class SnapshotCore(RoutingCore):
    pass
