"""The one place where customer- and agent-typed text is redacted: before each flush.

Every row the ORM is about to insert or update passes through :func:`redact_pending` (a
``before_flush`` listener of every session, see ``database.make_session_factory``): the text columns
of :data:`REDACTED_COLUMNS` (JSON columns string by string) are replaced by their redacted form, with
the patterns of the row's organization. Events are rows too, so their payloads are covered; rows
written with bulk Core statements (``storage.bulk``) call :func:`redact_rows` themselves. Nothing
else writes these tables, so the raw value never reaches the database, and what services, events
and the API read back is the redacted text.

Left alone on purpose: ids a channel gave (``Message.external_id``), addresses used to reply or to
recognize the customer (``Message.sender``, ``CustomerIdentity.value``, ``ChatSession.visitor_email``,
``Callback.phone``), and binary attachments other than text ones.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import inspect, select
from sqlalchemy.orm import Session, UOWTransaction

from helpline.domain.redaction import redact, redact_value
from helpline.storage.tables import (
    AdherenceException,
    Callback,
    CannedResponse,
    Case,
    ChatSession,
    Contact,
    Customer,
    Event,
    Message,
    MessageAttachment,
    Organization,
    TimeOff,
)

REDACTED_COLUMNS: Mapping[type, tuple[str, ...]] = {
    Message: ("subject", "body", "headers", "delivery_error"),
    MessageAttachment: ("filename",),
    Contact: ("subject", "notes", "attributes"),  # not routing_state: the engine's own values
    Event: ("payload",),
    Case: ("subject",),
    ChatSession: ("visitor_name", "topic"),
    Callback: ("subject",),
    Customer: ("display_name",),
    CannedResponse: ("title", "text"),
    TimeOff: ("reason",),
    AdherenceException: ("reason",),
}
"""Per table, the columns that may hold typed text (free text, or JSON holding some)."""

PATTERNS_KEY = "helpline.redaction_patterns"
"""Key in ``Session.info``: each organization's patterns, read once per session."""


def organization_patterns(session: Session, organization_id: int) -> tuple[str, ...]:
    """The optional patterns ``organization_id`` redacts (cached for the session)."""
    cache: dict[int, tuple[str, ...]] = session.info.setdefault(PATTERNS_KEY, {})
    found = cache.get(organization_id)
    if found is None:
        stored = (
            session.connection()
            .execute(
                select(Organization.redaction_patterns).where(Organization.id == organization_id)
            )
            .scalar()
        )
        found = cache[organization_id] = tuple(stored or ())
    return found


def forget_patterns(session: Session, organization_id: int) -> None:
    """Drop the cached patterns of ``organization_id`` (its settings changed in this session)."""
    session.info.get(PATTERNS_KEY, {}).pop(organization_id, None)


def redact_pending(session: Session, _context: UOWTransaction, _instances: object) -> None:
    """Redact the typed text of every new or changed row before it is written."""
    for row in (*session.new, *session.dirty):
        columns = REDACTED_COLUMNS.get(type(row))
        if columns is None:
            continue
        organization_id = getattr(row, "organization_id", None)
        if organization_id is None:
            continue
        state = inspect(row)
        loaded = state.dict  # only values set or loaded: never triggers a load
        if state.persistent:  # an update: only the columns it changes
            columns = tuple(name for name in columns if name in state.committed_state)
            if not columns and "data" not in state.committed_state:
                continue
        patterns = organization_patterns(session, organization_id)
        for name in columns:
            if name in loaded:
                value = loaded[name]
                redacted = redact_value(value, patterns)
                if redacted is not value:
                    setattr(row, name, redacted)
        if isinstance(row, MessageAttachment) and "data" in loaded:
            _redact_text_attachment(row, patterns)


def _redact_text_attachment(row: MessageAttachment, patterns: Sequence[str]) -> None:
    """A ``text/*`` attachment in UTF-8 is redacted like a body (other files are stored as sent)."""
    if not row.content_type.lower().startswith("text/"):
        return
    try:
        text = row.data.decode("utf-8")
    except UnicodeDecodeError:
        return
    redacted = redact(text, patterns)
    if redacted != text:
        row.data = redacted.encode("utf-8")
        row.size = len(row.data)


def redact_rows(
    session: Session, organization_id: int, table: type, rows: Iterable[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Rows for a bulk Core insert into ``table`` with their typed text redacted."""
    columns = REDACTED_COLUMNS.get(table, ())
    patterns = organization_patterns(session, organization_id)
    return [
        {
            key: redact_value(value, patterns) if key in columns else value
            for key, value in row.items()
        }
        for row in rows
    ]


TABLES_BY_NAME: Mapping[str, type] = {
    table.__tablename__: table  # type: ignore[attr-defined]
    for table in REDACTED_COLUMNS
}
"""The tables holding typed text, by table name (for rewriting what was stored earlier)."""


def redact_stored_page(
    session: Session, organization_id: int, table_name: str, after_id: int, limit: int
) -> tuple[int | None, int]:
    """Redact again, with the organization's current patterns, up to ``limit`` stored rows of
    ``table_name`` with ids above ``after_id``: for text stored before redaction (or before a
    pattern was switched on). Returns the last id looked at (None when there were none left) and
    how many rows changed."""
    table: Any = TABLES_BY_NAME[table_name]
    rows = list(
        session.scalars(
            select(table)
            .where(table.organization_id == organization_id, table.id > after_id)
            .order_by(table.id)
            .limit(limit)
        )
    )
    patterns = organization_patterns(session, organization_id)
    changed = 0
    for row in rows:
        before = {name: getattr(row, name) for name in REDACTED_COLUMNS[type(row)]}
        data = row.data if isinstance(row, MessageAttachment) else None
        for name, value in before.items():
            redacted = redact_value(value, patterns)
            if redacted is not value:
                setattr(row, name, redacted)
        if isinstance(row, MessageAttachment):
            _redact_text_attachment(row, patterns)
        if any(getattr(row, name) is not value for name, value in before.items()) or (
            isinstance(row, MessageAttachment) and row.data is not data
        ):
            changed += 1
    session.flush()
    return (rows[-1].id if rows else None), changed
