"""Managing logins: users' sessions (listed, revoked), deactivating and reactivating users, and the
organization's login policy (which roles must use two-factor authentication)."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from helpline.domain.enums import Role
from helpline.errors import Conflict, HelplineError, NotFound
from helpline.services.access import access_user, any_member, owned, owned_by, requires
from helpline.services.acd import commands
from helpline.services.acd.routing import RoutingService
from helpline.services.actor import Actor
from helpline.services.identity import login_throttle
from helpline.services.identity.organizations import current_user, get_organization
from helpline.services.identity.two_factor import required_roles
from helpline.storage.database import Database, session_now
from helpline.storage.events import append_event
from helpline.storage.tables import Agent, Organization, User, UserSession

logger = logging.getLogger(__name__)

# -- sessions --------------------------------------------------------------------------------------


def _live_sessions(session: Session, actor: Actor, user_id: int) -> list[UserSession]:
    return list(
        session.scalars(
            owned(actor, UserSession)
            .where(UserSession.user_id == user_id, UserSession.expires_at > session_now(session))
            .order_by(UserSession.created_at.desc(), UserSession.id.desc())
        ).all()
    )


@any_member
def my_sessions(session: Session, actor: Actor) -> list[UserSession]:
    """The caller's open login sessions, newest first."""
    return _live_sessions(session, actor, current_user(session, actor).id)


@any_member
def revoke_my_session(session: Session, actor: Actor, session_id: int) -> None:
    """End one of the caller's sessions (it stops working at once)."""
    user = current_user(session, actor)
    _revoke(session, actor, user.id, session_id)


@requires()
def user_sessions(session: Session, actor: Actor, user_id: int) -> list[UserSession]:
    """A user's open login sessions, newest first (administrators)."""
    return _live_sessions(session, actor, access_user(session, actor, user_id).id)


@requires()
def revoke_user_session(session: Session, actor: Actor, user_id: int, session_id: int) -> None:
    """End one of a user's sessions (administrators)."""
    _revoke(session, actor, access_user(session, actor, user_id).id, session_id)


def _revoke(session: Session, actor: Actor, user_id: int, session_id: int) -> None:
    row = session.scalar(
        owned(actor, UserSession).where(
            UserSession.id == session_id, UserSession.user_id == user_id
        )
    )
    if row is None:
        raise NotFound(f"session {session_id} not found")
    session.delete(row)


@requires()
def user(session: Session, actor: Actor, user_id: int) -> User:
    """One user of the actor's organization (administrators)."""
    return access_user(session, actor, user_id)


# -- deactivation ----------------------------------------------------------------------------------


@requires()
def _set_active(session: Session, actor: Actor, user_id: int, active: bool) -> list[int]:
    """Change the flag and record it; deactivating ends every session. Returns the user's agents."""
    user = access_user(session, actor, user_id)
    if not active and user.id == actor.user_id:
        raise Conflict("you cannot deactivate yourself; ask another administrator")
    agent_ids = list(
        session.scalars(
            select(Agent.id).where(owned_by(actor, Agent), Agent.user_id == user.id)
        ).all()
    )
    if user.is_active == active:
        return agent_ids
    user.is_active = active
    if not active:
        session.execute(delete(UserSession).where(UserSession.user_id == user.id))
    else:
        login_throttle.reset_account(session, user.email)
    append_event(
        session,
        actor.organization_id,
        "UserReactivated" if active else "UserDeactivated",
        occurred_at=session_now(session),
        actor=actor.label,
        payload={"user_id": user.id},
    )
    return agent_ids


@requires()
def set_user_active(
    db: Database, routing: RoutingService | None, actor: Actor, user_id: int, active: bool
) -> User:
    """Deactivate (``active=False``) or reactivate a user (administrators).

    Deactivating ends all the user's login sessions at once (their desk's WebSocket closes on the
    next event) and takes their agents offline, so routing offers them nothing; a deactivated user
    cannot log in (refused exactly like a wrong password). API keys belong to the organization, not
    to a user, so none are revoked.
    """
    with db.transaction() as session:
        agent_ids = _set_active(session, actor, user_id, active)
    if not active and routing is not None:
        _take_offline(routing, actor, agent_ids)
    with db.read() as session:
        return access_user(session, actor, user_id)


DEACTIVATED_REASON = "deactivated"
"""The not-ready reason of an agent whose user was deactivated while holding contacts."""


def _take_offline(routing: RoutingService, actor: Actor, agent_ids: Iterable[int]) -> None:
    """Take each agent offline; one still holding contacts goes not-ready instead (no new offers;
    the contacts it holds stay with it until a supervisor moves or ends them)."""
    for agent_id in agent_ids:
        try:
            try:
                commands.set_agent_state(routing, actor, agent_id, "offline", None)
            except Conflict:
                commands.set_agent_state(routing, actor, agent_id, "not_ready", DEACTIVATED_REASON)
        except HelplineError as error:  # routing unavailable: the agent can never go available
            logger.warning("agent %s of a deactivated user kept its state: %s", agent_id, error)


# -- the organization's login policy ---------------------------------------------------------------


@any_member
def two_factor_roles(session: Session, actor: Actor) -> frozenset[Role]:
    """The roles the actor's organization makes use two-factor authentication."""
    return required_roles(get_organization(session, actor))


@requires()
def set_two_factor_roles(session: Session, actor: Actor, roles: Iterable[Role]) -> frozenset[Role]:
    """Make users of ``roles`` use two-factor authentication (those without it enrol at their next
    login); an empty set makes it optional for everyone."""
    organization = session.get(Organization, actor.organization_id)
    if organization is None:  # pragma: no cover - credentials always belong to an organization
        raise NotFound("organization not found")
    chosen = sorted({Role(role).value for role in roles})
    organization.two_factor_roles = ",".join(chosen)
    append_event(
        session,
        actor.organization_id,
        "LoginPolicyChanged",
        occurred_at=session_now(session),
        actor=actor.label,
        payload={"two_factor_roles": chosen},
    )
    return required_roles(organization)
