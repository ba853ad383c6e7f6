"""The append-only audit log: rows are added, never changed or removed (there is no code path that
updates or deletes them; on PostgreSQL a trigger refuses it too).

Where a request came from is carried by a context variable the HTTP shell sets for each request
(``request_origin``), so services deep below the routes record the client's address without every
signature passing it along.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from helpline.domain.privacy import SECURITY_ACTIONS
from helpline.storage.tables import AuditEntry

_CLIENT_IP: ContextVar[str] = ContextVar("helpline_client_ip", default="")


@contextmanager
def request_origin(client_ip: str) -> Iterator[None]:
    """Within the block, audit entries record ``client_ip`` as where the request came from."""
    token = _CLIENT_IP.set(client_ip)
    try:
        yield
    finally:
        _CLIENT_IP.reset(token)


def current_client_ip() -> str:
    """The client address of the request being served ('' outside a request: timers, the CLI)."""
    return _CLIENT_IP.get()


def append_audit(
    session: Session,
    organization_id: int | None,
    *,
    occurred_at: datetime,
    actor: str,
    action: str,
    resource_kind: str = "",
    resource_id: int | str = "",
    detail: dict[str, Any] | None = None,
) -> AuditEntry:
    """Add an audit entry in the caller's transaction (it commits or rolls back with the change it
    records). ``detail`` holds non-personal context only: ids and counts, not names or texts."""
    entry = AuditEntry(
        organization_id=organization_id,
        occurred_at=occurred_at,
        actor=actor,
        action=action,
        resource_kind=resource_kind,
        resource_id=str(resource_id),
        client_ip=current_client_ip(),
        is_security=action in SECURITY_ACTIONS,
        detail=detail or {},
    )
    session.add(entry)
    return entry
