"""The append-only event log: each event gets the next gap-free sequence number of its organization."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from enum import Enum
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from helpline.domain.event_catalogue import validate_payload
from helpline.domain.privacy import audited_change
from helpline.storage.audit import append_audit
from helpline.storage.report_facts import note_events, record_of
from helpline.storage.tables import Event, EventCounter

APPENDED_ORGANIZATIONS = "helpline.appended_organizations"
"""Key in ``Session.info``: event types appended per organization in the current transaction."""


def append_event(
    session: Session,
    organization_id: int,
    event_type: str,
    *,
    occurred_at: datetime,
    payload: dict[str, Any] | None = None,
    contact_id: int | None = None,
    agent_id: int | None = None,
    actor: str = "",
) -> Event:
    """Add an event in the caller's transaction.

    The counter row is incremented with ``UPDATE ... RETURNING``: on PostgreSQL the row lock makes
    concurrent writers of one organization wait for each other, and a rolled-back transaction takes
    its increment with it, so sequences are strictly increasing and gap-free. On SQLite the write lock
    taken at BEGIN IMMEDIATE gives the same guarantee.

    Administrative changes (configuration, users, API keys, policies: see
    ``helpline.domain.privacy.audited_change``) are also recorded in the audit log, here, so no
    route can change configuration without leaving an audit entry.

    The payload must match ``event_type``'s model in ``helpline.domain.event_catalogue``
    (EventCatalogueError otherwise), checked before anything is written.
    """
    stored = json_value(payload or {})
    validate_payload(event_type, stored)
    sequence = session.execute(
        update(EventCounter)
        .where(EventCounter.organization_id == organization_id)
        .values(last_sequence=EventCounter.last_sequence + 1)
        .returning(EventCounter.last_sequence)
    ).scalar_one()
    event = Event(
        organization_id=organization_id,
        sequence=sequence,
        type=event_type,
        contact_id=contact_id,
        agent_id=agent_id,
        actor=actor,
        occurred_at=occurred_at,
        payload=stored,
    )
    session.add(event)
    change = audited_change(event_type, stored)
    if change is not None:
        append_audit(
            session,
            organization_id,
            occurred_at=occurred_at,
            actor=actor,
            action=change.action,
            resource_kind=change.resource_kind,
            resource_id=change.resource_id,
        )
    session.flush()
    if contact_id is not None:
        note_events(session, organization_id, [record_of(event)])
    session.info.setdefault(APPENDED_ORGANIZATIONS, {}).setdefault(organization_id, set()).add(
        event_type
    )
    return event


def events_after(session: Session, organization_id: int, after: int, limit: int) -> Sequence[Event]:
    """Events of one organization with ``sequence > after``, oldest first."""
    return session.scalars(
        select(Event)
        .where(Event.organization_id == organization_id, Event.sequence > after)
        .order_by(Event.sequence)
        .limit(limit)
    ).all()


def last_sequence(session: Session, organization_id: int) -> int:
    """The newest sequence number of an organization (0 before its first event)."""
    value = session.scalar(
        select(EventCounter.last_sequence).where(EventCounter.organization_id == organization_id)
    )
    return value or 0


def json_value(value: Any) -> Any:
    """``value`` made JSON-safe for a payload: dates as ISO 8601, enums by value, tuples as lists."""
    if isinstance(value, dict):
        return {str(k): json_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_value(v) for v in value]
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if value is None or isinstance(value, bool | int | float | str):
        return value
    raise TypeError(f"event payloads take JSON values, not {type(value).__name__}")
