"""Changing one's password, and an administrator's reset of a user's password."""

from __future__ import annotations

from sqlalchemy import delete
from sqlalchemy.orm import Session

from helpline.errors import InvalidInput
from helpline.services.access import access_user, any_member, requires
from helpline.services.actor import Actor
from helpline.services.identity import login_throttle, security
from helpline.services.identity.organizations import current_user
from helpline.services.identity.password_rules import check_new_password
from helpline.storage.database import session_now
from helpline.storage.events import append_event
from helpline.storage.tables import User, UserSession


def _set_password(session: Session, user: User, password: str, actor: Actor, field: str) -> None:
    check_new_password(password, email=user.email, display_name=user.display_name, field=field)
    user.password_hash = security.hash_password(password)
    append_event(
        session,
        user.organization_id,
        "UserPasswordChanged",
        occurred_at=session_now(session),
        actor=actor.label,
        payload={"user_id": user.id, "by_administrator": actor.user_id != user.id},
    )


@any_member
def change_my_password(
    session: Session,
    actor: Actor,
    *,
    current_password: str,
    new_password: str,
    keep_token: str | None,
) -> None:
    """The caller changes their password (the current one confirms it); their other sessions end."""
    user = current_user(session, actor)
    if not security.verify_password(user.password_hash, current_password):
        raise InvalidInput("current_password", "wrong password")
    if new_password == current_password:
        raise InvalidInput("new_password", "must differ from the current password")
    _set_password(session, user, new_password, actor, "new_password")
    kept = security.token_digest(keep_token) if keep_token else ""
    session.execute(
        delete(UserSession).where(UserSession.user_id == user.id, UserSession.token_hash != kept)
    )


@requires()
def reset_password(session: Session, actor: Actor, user_id: int, new_password: str) -> User:
    """An administrator sets a user's password: all the user's sessions end and a lockout of the
    account is lifted."""
    user = access_user(session, actor, user_id)
    _set_password(session, user, new_password, actor, "new_password")
    session.execute(delete(UserSession).where(UserSession.user_id == user.id))
    login_throttle.reset_account(session, user.email)
    return user
