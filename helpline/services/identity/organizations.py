"""Organizations, users, API keys and login sessions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from helpline.domain.enums import Role
from helpline.errors import AuthenticationFailed, Conflict, InvalidInput, NotFound
from helpline.services.access import access_api_key, any_member, owned, owned_by, requires
from helpline.services.actor import Actor
from helpline.services.identity import security
from helpline.services.identity.password_rules import check_new_password
from helpline.storage.database import session_now
from helpline.storage.events import append_event
from helpline.storage.tables import Agent, ApiKey, EventCounter, Organization, User, UserSession


def validate_time_zone(field: str, name: str) -> str:
    """Return ``name`` if it is an IANA time zone, else raise InvalidInput naming ``field``."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInput(field, f"unknown time zone {name!r} (use an IANA name)") from None
    return name


def create_organization(session: Session, name: str, time_zone: str, country: str) -> Organization:
    """Create an organization with its event counter; names are unique."""
    validate_time_zone("time_zone", time_zone)
    if len(country) != 2 or not country.isalpha():
        raise InvalidInput("country", "use a two-letter ISO 3166 code, e.g. US")
    if session.scalar(select(Organization.id).where(Organization.name == name)) is not None:
        raise Conflict(f"an organization named {name!r} already exists")
    now = session_now(session)
    org = Organization(name=name, time_zone=time_zone, country=country.upper(), created_at=now)
    session.add(org)
    session.flush()
    session.add(EventCounter(organization_id=org.id, last_sequence=0))
    session.flush()
    append_event(
        session,
        org.id,
        "OrganizationCreated",
        occurred_at=now,
        actor="system",
        payload={"name": name, "time_zone": time_zone, "country": org.country},
    )
    return org


def organization_by_name(session: Session, name: str) -> Organization:
    """The organization called ``name``, or NotFound."""
    org = session.scalar(select(Organization).where(Organization.name == name))
    if org is None:
        raise NotFound(f"no organization named {name!r}")
    return org


@requires()
def create_user(
    session: Session,
    actor: Actor,
    *,
    email: str,
    display_name: str,
    role: Role,
    password: str | None = None,
    password_hash: str | None = None,
) -> User:
    """Add a login to the actor's organization; emails are unique across Helpline.

    Give ``password``, or ``password_hash`` (an argon2 hash, e.g. from a migration or shared by
    the demo's users so loading it does not spend seconds hashing one password many times).
    """
    email = email.strip().lower()
    if password_hash is None:
        if password is None:
            raise InvalidInput("password", "give a password")
        check_new_password(password, email=email, display_name=display_name, field="password")
        password_hash = security.hash_password(password)
    if session.scalar(select(User.id).where(User.email == email)) is not None:
        # Logins are unique across Helpline: say the value is taken, never by whom.
        raise Conflict("that email is taken; choose another")
    now = session_now(session)
    user = User(
        organization_id=actor.organization_id,
        email=email,
        display_name=display_name,
        role=role.value,
        password_hash=password_hash,
        is_active=True,
        created_at=now,
    )
    session.add(user)
    session.flush()
    append_event(
        session,
        actor.organization_id,
        "UserCreated",
        occurred_at=now,
        actor=actor.label,
        payload={"user_id": user.id, "email": email, "role": role.value},
    )
    return user


@dataclass(frozen=True)
class IssuedApiKey:
    """A newly created API key: ``key`` is the only time the secret is available."""

    key: str
    record: ApiKey


@requires()
def create_api_key(session: Session, actor: Actor, *, name: str, role: Role) -> IssuedApiKey:
    """Issue an API key with ``role`` in the actor's organization."""
    key, prefix, digest = security.new_api_key()
    now = session_now(session)
    record = ApiKey(
        organization_id=actor.organization_id,
        name=name,
        role=role.value,
        prefix=prefix,
        key_hash=digest,
        created_at=now,
        revoked_at=None,
    )
    session.add(record)
    session.flush()
    append_event(
        session,
        actor.organization_id,
        "ApiKeyCreated",
        occurred_at=now,
        actor=actor.label,
        payload={"api_key_id": record.id, "name": name, "role": role.value},
    )
    return IssuedApiKey(key=key, record=record)


@requires()
def revoke_api_key(session: Session, actor: Actor, api_key_id: int) -> ApiKey:
    """Revoke a key of the actor's organization; it stops working at once."""
    record = access_api_key(session, actor, api_key_id)
    if record.revoked_at is None:
        now = session_now(session)
        record.revoked_at = now
        append_event(
            session,
            actor.organization_id,
            "ApiKeyRevoked",
            occurred_at=now,
            actor=actor.label,
            payload={"api_key_id": record.id},
        )
    return record


def authenticate_api_key(session: Session, key: str) -> Actor:
    """The actor behind a bearer key, or AuthenticationFailed."""
    prefix = security.parse_api_key_prefix(key)
    record = None
    if prefix is not None:
        record = session.scalar(select(ApiKey).where(ApiKey.prefix == prefix))
    if (
        record is None
        or record.revoked_at is not None
        or not security.digests_match(record.key_hash, security.token_digest(key))
    ):
        raise AuthenticationFailed("invalid or revoked API key")
    return Actor(record.organization_id, Role(record.role), api_key_id=record.id)


@dataclass(frozen=True)
class SessionActor:
    """The actor of a cookie session, the CSRF token unsafe requests must echo, and the session's
    id and last use (to refresh it now and then)."""

    actor: Actor
    csrf_token: str
    session_id: int
    last_used_at: datetime | None


def authenticate_session(session: Session, token: str) -> SessionActor:
    """The actor behind a session cookie, or AuthenticationFailed when unknown or expired."""
    row = session.execute(
        select(UserSession, User)
        .join(User, User.id == UserSession.user_id)
        .where(UserSession.token_hash == security.token_digest(token))
    ).first()
    if row is None:
        raise AuthenticationFailed("not logged in")
    user_session, user = row
    if user_session.expires_at <= session_now(session) or not user.is_active:
        raise AuthenticationFailed("session expired; log in again")
    return SessionActor(
        Actor(user.organization_id, Role(user.role), user_id=user.id),
        user_session.csrf_token,
        user_session.id,
        user_session.last_used_at,
    )


SESSION_USE_GRANULARITY = timedelta(minutes=5)
"""A session's last use is written at most this often (not one write per request)."""


def note_session_use(session: Session, session_id: int, client_address: str | None) -> None:
    """Record that the session ``session_id`` was just used (and from where)."""
    user_session = session.get(UserSession, session_id)
    if user_session is not None:
        user_session.last_used_at = session_now(session)
        if client_address:
            user_session.client_address = client_address[:64]


def log_out(session: Session, token: str) -> None:
    """End the session behind ``token`` (no error if it is already gone)."""
    user_session = session.scalar(
        select(UserSession).where(UserSession.token_hash == security.token_digest(token))
    )
    if user_session is not None:
        session.delete(user_session)


def organization_ids(session: Session) -> list[int]:
    """The id of every organization (the routing host and the schema upgrade act on each)."""
    return list(session.scalars(select(Organization.id).order_by(Organization.id)).all())


def count_organizations(session: Session) -> int:
    """How many organizations the database holds (0 for a new one)."""
    return session.scalar(select(func.count()).select_from(Organization)) or 0


def check_database(session: Session) -> None:
    """Raise unless the database answers a trivial query (the health check)."""
    session.connection().exec_driver_sql("SELECT 1")


@any_member
def get_organization(session: Session, actor: Actor) -> Organization:
    """The actor's own organization."""
    org = session.get(Organization, actor.organization_id)
    if org is None:  # pragma: no cover - credentials always belong to an organization
        raise NotFound("organization not found")
    return org


@requires(Role.MANAGER, Role.SUPERVISOR)
def list_users(session: Session, actor: Actor, *, limit: int, offset: int) -> list[User]:
    """The users of the actor's organization, by id (managers and supervisors)."""
    return list(
        session.scalars(owned(actor, User).order_by(User.id).limit(limit).offset(offset)).all()
    )


@any_member
def current_user(session: Session, actor: Actor) -> User:
    """The user behind the actor's credential (NotFound for an API key, which has no user)."""
    user = session.scalar(owned(actor, User).where(User.id == actor.user_id))
    if user is None:
        raise NotFound("this credential is an API key, not a user")
    return user


@requires()
def list_api_keys(session: Session, actor: Actor) -> list[ApiKey]:
    """The API keys of the actor's organization, by id (administrators)."""
    return list(session.scalars(owned(actor, ApiKey).order_by(ApiKey.id)).all())


@dataclass(frozen=True)
class UserProfile:
    """Who a logged-in user is: the user, their organization and their active agent (if any)."""

    user: User
    organization: Organization
    agent_id: int | None


@any_member
def user_profile(session: Session, actor: Actor) -> UserProfile:
    """The profile of the user behind ``actor`` (NotFound for an API key, which has no user)."""
    user = current_user(session, actor)
    agent_id = session.scalar(
        select(Agent.id).where(
            owned_by(actor, Agent),
            Agent.user_id == user.id,
            Agent.is_active.is_(True),
        )
    )
    return UserProfile(user, get_organization(session, actor), agent_id)
