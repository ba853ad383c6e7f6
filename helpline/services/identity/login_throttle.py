"""Failed-login counters per account and per client address, kept in the database so every process
and node shares them and they survive restarts (rules in ``helpline.domain.login_policy``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import and_, delete, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from helpline.domain.login_policy import (
    ThrottleLimit,
    ThrottleState,
    after_failure,
    seconds_locked,
)
from helpline.errors import TooManyAttempts
from helpline.storage.database import session_now
from helpline.storage.tables import LoginThrottle

DEFAULT_ACCOUNT_LIMIT = ThrottleLimit(max_failures=5, window_seconds=900, lockout_seconds=900)
DEFAULT_ADDRESS_LIMIT = ThrottleLimit(max_failures=20, window_seconds=900, lockout_seconds=900)
ACCOUNT = "account"
ADDRESS = "address"


@dataclass(frozen=True)
class LoginLimits:
    """How many failures an account and a client address may have before they are locked out."""

    account: ThrottleLimit = DEFAULT_ACCOUNT_LIMIT
    address: ThrottleLimit = DEFAULT_ADDRESS_LIMIT


@dataclass(frozen=True)
class Client:
    """Where a login comes from (both optional: a CLI or test login has neither)."""

    address: str | None = None
    user_agent: str | None = None


def _subjects(email: str, client: Client) -> list[tuple[str, str]]:
    subjects = [(ACCOUNT, email)]
    if client.address:
        subjects.append((ADDRESS, client.address[:320]))
    return subjects


def _state(row: LoginThrottle | None) -> ThrottleState | None:
    if row is None:
        return None
    return ThrottleState(row.failures, row.window_started_at, row.locked_until)


def refuse_if_locked(session: Session, email: str, client: Client) -> None:
    """Raise TooManyAttempts when the account (``email``, known or not) or the client address is
    locked out; the answer is the same whether the account exists."""
    now = session_now(session)
    waits = []
    for scope, subject in _subjects(email, client):
        row = session.scalar(
            select(LoginThrottle).where(
                LoginThrottle.scope == scope, LoginThrottle.subject == subject
            )
        )
        wait = seconds_locked(_state(row), now)
        if wait is not None:
            waits.append(wait)
    if waits:
        raise TooManyAttempts(max(waits))


def record_failure(session: Session, email: str, client: Client, limits: LoginLimits) -> None:
    """Count one failed login against the account and the client address (and forget counters
    that no longer matter)."""
    now = session_now(session)
    for scope, subject in _subjects(email, client):
        limit = limits.account if scope == ACCOUNT else limits.address
        row = _locked_row(session, scope, subject)
        state = after_failure(_state(row), now, limit)
        if row is None:
            row = LoginThrottle(scope=scope, subject=subject, failures=0, window_started_at=now)
            try:
                with session.begin_nested():
                    session.add(row)
            except IntegrityError:  # a concurrent first failure inserted it: count on its row
                row = _locked_row(session, scope, subject)
                if row is None:  # pragma: no cover - the row that clashed is there
                    raise
                state = after_failure(_state(row), now, limit)
        row.failures = state.failures
        row.window_started_at = state.window_started_at
        row.locked_until = state.locked_until
    _forget_stale(session, limits)


def _locked_row(session: Session, scope: str, subject: str) -> LoginThrottle | None:
    return session.scalar(
        select(LoginThrottle)
        .where(LoginThrottle.scope == scope, LoginThrottle.subject == subject)
        .with_for_update()
    )


def _forget_stale(session: Session, limits: LoginLimits) -> None:
    now = session_now(session)
    longest = max(limits.account.window_seconds, limits.address.window_seconds)
    session.execute(
        delete(LoginThrottle).where(
            LoginThrottle.window_started_at < now - timedelta(seconds=longest),
            or_(LoginThrottle.locked_until.is_(None), LoginThrottle.locked_until <= now),
        )
    )


def reset_account(session: Session, email: str) -> None:
    """Forget the failures of an account (after a successful login or an administrator's reset)."""
    session.execute(
        delete(LoginThrottle).where(
            and_(LoginThrottle.scope == ACCOUNT, LoginThrottle.subject == email)
        )
    )
