"""Logging in: password check with throttling and lockout, the optional TOTP second step, and the
session it opens.

Every refusal reads the same whether the account exists, is deactivated or the password is wrong,
and takes the same time (one argon2 verify each); locked-out accounts and addresses get
TooManyAttempts before any password is checked.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from helpline.errors import AuthenticationFailed, NotFound
from helpline.services.identity import login_throttle, security, two_factor
from helpline.services.identity.login_throttle import Client, LoginLimits
from helpline.services.identity.two_factor import TotpEnrolment
from helpline.storage.database import Database, session_now
from helpline.storage.events import append_event
from helpline.storage.tables import LoginChallenge, Organization, User, UserSession

WRONG_CREDENTIALS = "wrong email or password"
CHALLENGE_SECONDS = 300
"""How long the second step of a login may wait for its code."""


@dataclass(frozen=True)
class LoginSession:
    """A successful login: the cookie token (secret), its CSRF token, the user and their
    organization; ``recovery_codes`` only when this login turned two-factor authentication on."""

    token: str
    csrf_token: str
    user: User
    organization: Organization
    recovery_codes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class SecondStep:
    """The password was right; a TOTP code is due with ``challenge_token`` before ``expires_at``.
    ``must_enrol``: the user has no authenticator yet but their role requires one."""

    challenge_token: str
    expires_at: datetime
    must_enrol: bool


def normalize_email(email: str) -> str:
    """The form emails are stored and throttled in."""
    return email.strip().lower()


def log_in(
    db: Database,
    email: str,
    password: str,
    *,
    hours: int,
    limits: LoginLimits | None = None,
    client: Client | None = None,
) -> LoginSession | SecondStep:
    """Check a user's password and open a session, or hand out the second step when the user uses
    (or must set up) two-factor authentication.

    Steps, so the slow part holds no lock: a read transaction refuses locked-out accounts and
    addresses and loads the user; the argon2 check runs outside any transaction; a short write
    transaction records a failure, or resets the account's counter and opens the session (checking
    the user again: deactivated or changed password meanwhile is refused).
    """
    limits = limits or LoginLimits()
    client = client or Client()
    email = normalize_email(email)
    with db.read() as session:
        login_throttle.refuse_if_locked(session, email, client)
        user = session.scalar(select(User).where(User.email == email))
    usable = user is not None and user.is_active
    checked_hash = user.password_hash if user is not None and usable else None
    # Unknown and deactivated accounts check the dummy hash: the same time as a wrong password.
    matches = security.verify_password(checked_hash or security.dummy_password_hash(), password)
    if user is None or checked_hash is None or not matches:
        with db.transaction() as session:
            login_throttle.record_failure(session, email, client, limits)
        raise AuthenticationFailed(WRONG_CREDENTIALS)
    with db.transaction() as session:
        current = _unchanged_user(session, user.id, checked_hash)
        if current.totp_secret is not None or two_factor.is_required(session, current):
            return _challenge(session, current)  # failures are forgotten only once it succeeds
        login_throttle.reset_account(session, email)
        return open_session(session, current, hours=hours, client=client)


def _unchanged_user(session: Session, user_id: int, checked_hash: str) -> User:
    user = session.get(User, user_id)
    if user is None or not user.is_active or user.password_hash != checked_hash:
        raise AuthenticationFailed(WRONG_CREDENTIALS)
    return user


def _challenge(session: Session, user: User) -> SecondStep:
    now = session_now(session)
    session.execute(delete(LoginChallenge).where(LoginChallenge.expires_at <= now))
    token = security.new_session_token()
    expires_at = now + timedelta(seconds=CHALLENGE_SECONDS)
    session.add(
        LoginChallenge(
            organization_id=user.organization_id,
            user_id=user.id,
            token_hash=security.token_digest(token),
            created_at=now,
            expires_at=expires_at,
        )
    )
    return SecondStep(token, expires_at, must_enrol=user.totp_secret is None)


def _challenged_user(session: Session, challenge_token: str) -> tuple[LoginChallenge, User]:
    found = session.execute(
        select(LoginChallenge, User)
        .join(User, User.id == LoginChallenge.user_id)
        .where(LoginChallenge.token_hash == security.token_digest(challenge_token))
    ).first()
    if found is None or found[0].expires_at <= session_now(session) or not found[1].is_active:
        raise AuthenticationFailed("this login has expired; log in again")
    return found[0], found[1]


def enrol_during_login(db: Database, challenge_token: str) -> TotpEnrolment:
    """A new authenticator secret for a user whose role requires two factors and who has none yet
    (the second step of their login then confirms it with the first code)."""
    with db.transaction() as session:
        _challenge_row, user = _challenged_user(session, challenge_token)
        if user.totp_secret is not None:
            raise AuthenticationFailed("two-factor authentication is already set up; send a code")
        return two_factor.begin_enrolment(user, keep_pending=True)


def complete_login(
    db: Database,
    challenge_token: str,
    code: str,
    *,
    hours: int,
    limits: LoginLimits | None = None,
    client: Client | None = None,
) -> LoginSession:
    """The second step: a TOTP code (or a recovery code) opens the session. A wrong code counts as
    a failed login for the account and address, so codes cannot be guessed faster than passwords."""
    limits = limits or LoginLimits()
    client = client or Client()
    with db.read() as session:
        _row, user = _challenged_user(session, challenge_token)
        login_throttle.refuse_if_locked(session, user.email, client)
    with db.transaction() as session:
        challenge, user = _challenged_user(session, challenge_token)
        recovery_codes: list[str] = []
        if user.totp_secret is not None:
            matches = two_factor.second_factor_matches(session, user, code)
        else:
            recovery_codes = two_factor.confirm_enrolment(session, user, code) or []
            matches = bool(recovery_codes)
        if matches:
            session.delete(challenge)
            login_throttle.reset_account(session, user.email)
            opened = open_session(session, user, hours=hours, client=client)
            return replace(opened, recovery_codes=recovery_codes)
        login_throttle.record_failure(session, user.email, client, limits)
    raise AuthenticationFailed("wrong code")


def open_session(session: Session, user: User, *, hours: int, client: Client) -> LoginSession:
    """Open a login session for ``user`` (whose credentials were checked) and record the login."""
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
            last_used_at=now,
            client_address=(client.address or None) and client.address[:64],
            user_agent=(client.user_agent or None) and client.user_agent[:300],
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
