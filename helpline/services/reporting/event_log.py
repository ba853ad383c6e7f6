"""The event log as the API pages and streams it: events of one organization in sequence order."""

from __future__ import annotations

from sqlalchemy.orm import Session

from helpline.domain.enums import Role
from helpline.services.access import requires
from helpline.services.actor import Actor
from helpline.storage.events import events_after
from helpline.storage.tables import Event

EVENT_READER_ROLES = (Role.MANAGER, Role.SUPERVISOR, Role.WFM_ANALYST, Role.QA_ANALYST)


@requires(*EVENT_READER_ROLES)
def read_events(session: Session, actor: Actor, after: int, limit: int) -> list[Event]:
    """Up to ``limit`` events of the actor's organization with a sequence above ``after``, oldest
    first (managers, supervisors and analysts)."""
    return list(events_after(session, actor.organization_id, after, limit))
