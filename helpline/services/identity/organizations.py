"""Organizations, users, API keys and login sessions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from helpline.domain.enums import Role
from helpline.errors import AuthenticationFailed, Conflict, InvalidInput, NotFound
from helpline.services.access import access_api_key, any_member, owned, owned_by, requires
from helpline.services.actor import Actor
from helpline.services.identity import security
from helpline.storage.database import Database, session_now
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
        if password is None or len(password) < 8:
            raise InvalidInput("password", "must be at least 8 characters")
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
class LoginSession:
    """A successful login: the cookie token (secret), its CSRF token, the user and their
    organization."""

    token: str
    csrf_token: str
    user: User
    organization: Organization


def log_in(db: Database, email: str, password: str, *, hours: int) -> LoginSession:
    """Check a user's password and open a session; the same error for unknown email or password.

    Three steps, so the slow part holds no lock: the user is read in a read transaction, the
    password hash (argon2, tens of milliseconds on purpose) is checked outside any transaction,
    and only the session row and ``UserLoggedIn`` are written, in a short write transaction that
    checks the user again (deactivated or changed password meanwhile: refused).
    """
    with db.read() as session:
        user = session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None or not user.is_active:
        security.verify_password(security.dummy_password_hash(), password)  # same time as a user's
        raise AuthenticationFailed("wrong email or password")
    if not security.verify_password(user.password_hash, password):
        raise AuthenticationFailed("wrong email or password")
    with db.transaction() as session:
        return _open_session(session, user.id, user.password_hash, hours=hours)


def _open_session(session: Session, user_id: int, checked_hash: str, *, hours: int) -> LoginSession:
    user = session.get(User, user_id)
    if user is None or not user.is_active or user.password_hash != checked_hash:
        raise AuthenticationFailed("wrong email or password")
    now = session_now(session)
    token = security.new_session_token()
    csrf = security.new_session_token()
    session.add(
        UserSession(
            organization_id=user.organization_id,
            user_id=user.id,
            token_hash=security.token_digest(token),
            csrf_token=csrf,
            created_at=now,
            expires_at=now + timedelta(hours=hours),
        )
    )
    append_event(
        session,
        user.organization_id,
        "UserLoggedIn",
        occurred_at=now,
        actor=f"user:{user.id}",
        payload={"user_id": user.id},
    )
    organization = session.get(Organization, user.organization_id)
    if organization is None:  # pragma: no cover - a user always belongs to an organization
        raise NotFound("organization not found")
    return LoginSession(token=token, csrf_token=csrf, user=user, organization=organization)


@dataclass(frozen=True)
class SessionActor:
    """The actor of a cookie session and the CSRF token unsafe requests must echo."""

    actor: Actor
    csrf_token: str


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
        Actor(user.organization_id, Role(user.role), user_id=user.id), user_session.csrf_token
    )


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
