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
from helpline.storage.redaction import forget_patterns
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
    Text stored earlier is not rewritten.
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
