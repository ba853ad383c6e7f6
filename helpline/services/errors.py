"""Errors of the storage engine that shells translate for their callers."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError

CONCURRENT_CHANGE_ERRORS: tuple[type[Exception], ...] = (IntegrityError,)
"""A unit of work lost a race on a unique constraint: services check uniqueness first, so this only
happens when a concurrent change committed the same row in between; retrying gives an answer."""
CONCURRENT_CHANGE_MESSAGE = "the change conflicts with a concurrent change; retry the request"
