"""What an organization redacts from stored text besides payment cards (always redacted)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.orm import Session

from helpline.domain.enums import Role
from helpline.domain.redaction import CARD_PATTERN, OPTIONAL_PATTERNS, unknown_patterns
from helpline.errors import InvalidInput
from helpline.services.access import any_member, requires
from helpline.services.actor import Actor
from helpline.storage.events import append_event
from helpline.storage.redaction import TABLES_BY_NAME, forget_patterns
from helpline.storage.redaction import redact_stored_page as storage_redact_page
from helpline.storage.tables import Organization

SETTINGS_ROLES = (Role.MANAGER,)


@any_member
def get_patterns(session: Session, actor: Actor) -> list[str]:
    """The optional patterns the actor's organization redacts (cards are always redacted)."""
    organization = session.get(Organization, actor.organization_id)
    return list(organization.redaction_patterns) if organization is not None else []


@requires(*SETTINGS_ROLES)
def save_patterns(
    session: Session, actor: Actor, patterns: Sequence[str], now: datetime
) -> list[str]:
    """Redact ``patterns`` (names of ``OPTIONAL_PATTERNS``) from text stored from now on; managers.

    InvalidInput names ``patterns`` for an unknown name. ``card`` may be listed (it is always on).
    Text stored earlier is rewritten only by :func:`redact_stored_page` (``helpline org
    redact-stored``).
    """
    unknown = unknown_patterns(patterns)
    if unknown:
        choices = ", ".join([CARD_PATTERN, *OPTIONAL_PATTERNS])
        raise InvalidInput("patterns", f"unknown pattern {unknown[0]!r} (choose from {choices})")
    chosen = [name for name in OPTIONAL_PATTERNS if name in set(patterns)]
    organization = session.get(Organization, actor.organization_id)
    if organization is None:  # pragma: no cover - the actor's organization exists
        raise InvalidInput("patterns", "no organization")
    organization.redaction_patterns = chosen
    forget_patterns(session, actor.organization_id)
    append_event(
        session,
        actor.organization_id,
        "RedactionSettingsChanged",
        occurred_at=now,
        actor=actor.label,
        payload={"patterns": chosen},
    )
    return chosen


STORED_TABLES = tuple(TABLES_BY_NAME)
"""Tables whose earlier rows :func:`redact_stored_page` rewrites, in this order."""


@requires()
def redact_stored_page(
    session: Session, actor: Actor, table_name: str, after_id: int = 0, limit: int = 500
) -> tuple[int | None, int]:
    """Redact text the organization stored earlier (before redaction, or before it chose a
    pattern), one page of ``table_name`` (one of :data:`STORED_TABLES`) at a time; admins only.
    Returns the last id looked at (None when the table is done) and how many rows changed. Event
    payloads are rewritten too: card data must not stay in the log."""
    if table_name not in TABLES_BY_NAME:
        raise InvalidInput("table", f"choose from {', '.join(STORED_TABLES)}")
    return storage_redact_page(session, actor.organization_id, table_name, after_id, limit)
