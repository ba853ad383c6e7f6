# Compiled layout (Cython): the snapshot commands are rare and stay Python-level methods.

from helpline.routing.core cimport RoutingCore


cdef class SnapshotCore(RoutingCore):
    pass
