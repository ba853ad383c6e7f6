"""Login protection rules: failed-attempt throttling with lockout, and what makes a password acceptable.

Pure functions over plain values; the current time comes in as ``now`` (services pass the database's
clock). Storage of the counters lives in ``services/identity/login_throttle.py``.
"""

from __future__ import annotations

import math
import string
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

MIN_PASSWORD_LENGTH = 12
"""The shortest password accepted when a user is created or changes their password."""


@dataclass(frozen=True)
class ThrottleLimit:
    """At most ``max_failures`` failed logins within ``window_seconds``; the next one locks the
    subject (an account's email or a client address) for ``lockout_seconds``."""

    max_failures: int
    window_seconds: int
    lockout_seconds: int


@dataclass(frozen=True)
class ThrottleState:
    """The failed logins of one subject counted in the current window."""

    failures: int
    window_started_at: datetime
    locked_until: datetime | None = None


def seconds_locked(state: ThrottleState | None, now: datetime) -> int | None:
    """Whole seconds (at least 1) until ``state``'s lockout ends, or None when it is not locked."""
    if state is None or state.locked_until is None or state.locked_until <= now:
        return None
    return max(1, math.ceil((state.locked_until - now).total_seconds()))


def after_failure(
    state: ThrottleState | None, now: datetime, limit: ThrottleLimit
) -> ThrottleState:
    """The state after one more failed login at ``now``: a window that has passed starts afresh;
    the failure that reaches ``limit.max_failures`` locks the subject for ``limit.lockout_seconds``."""
    if state is not None and seconds_locked(state, now) is not None:
        return state  # attempts during a lockout do not extend it
    window = timedelta(seconds=limit.window_seconds)
    if state is None or state.locked_until is not None or now - state.window_started_at >= window:
        state = ThrottleState(failures=0, window_started_at=now)
    counted = replace(state, failures=state.failures + 1)
    if counted.failures >= limit.max_failures:
        return replace(counted, locked_until=now + timedelta(seconds=limit.lockout_seconds))
    return counted


_TRAILING = string.digits + string.punctuation + " "


def password_problem(
    password: str, *, email: str, display_name: str, common: frozenset[str]
) -> str | None:
    """Why ``password`` is unacceptable for the user with ``email`` and ``display_name``, or None.

    Rules: at least :data:`MIN_PASSWORD_LENGTH` characters; not the email, its local part or the
    name (ignoring case and spaces); not in ``common`` (lowercased common passwords), also once
    trailing digits and punctuation are removed (``password2024!``).
    """
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"must be at least {MIN_PASSWORD_LENGTH} characters"
    folded = "".join(password.lower().split())
    local_part = email.lower().partition("@")[0]
    personal = {email.lower(), local_part, "".join(display_name.lower().split())}
    if folded in personal or any(len(p) >= 4 and p in folded for p in personal if p):
        return "must not contain your email address or name"
    base = password.lower().rstrip(_TRAILING)
    if password.lower() in common or (len(base) >= 4 and base in common):
        return "is too common (it appears in lists of leaked passwords); choose another"
    return None
