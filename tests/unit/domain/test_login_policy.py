"""Failed-login throttling and password rules (helpline.domain.login_policy)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from helpline.domain.login_policy import (
    ThrottleLimit,
    ThrottleState,
    after_failure,
    password_problem,
    seconds_locked,
)

START = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
LIMIT = ThrottleLimit(max_failures=3, window_seconds=600, lockout_seconds=900)


def _fail(times: int, *, every_seconds: float = 1.0) -> ThrottleState | None:
    state = None
    for n in range(times):
        state = after_failure(state, START + timedelta(seconds=n * every_seconds), LIMIT)
    return state


def test_the_failure_that_reaches_the_limit_locks_for_the_lockout() -> None:
    assert seconds_locked(_fail(2), START + timedelta(seconds=2)) is None
    locked = _fail(3)
    assert locked is not None
    assert locked.locked_until == START + timedelta(seconds=2 + 900)
    assert seconds_locked(locked, START + timedelta(seconds=2)) == 900
    assert seconds_locked(locked, START + timedelta(seconds=901.5)) == 1  # rounded up
    assert seconds_locked(locked, START + timedelta(seconds=902)) is None


def test_failures_outside_the_window_start_a_new_count() -> None:
    # Three failures ten minutes apart never lock: each starts a new window.
    state = _fail(3, every_seconds=600)
    assert state is not None
    assert state.failures == 1
    assert state.locked_until is None


def test_attempts_during_a_lockout_do_not_extend_it_and_a_new_window_follows_it() -> None:
    locked = _fail(3)
    assert locked is not None
    during = after_failure(locked, START + timedelta(seconds=100), LIMIT)
    assert during == locked
    after = after_failure(locked, START + timedelta(seconds=1000), LIMIT)
    assert after == ThrottleState(failures=1, window_started_at=START + timedelta(seconds=1000))


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("short-pw", "at least 12"),
        ("ann.smith-secret", "email address or name"),  # the email's local part
        ("AnnSmith is here", "email address or name"),  # the name, spaces and case ignored
        ("ann.smith@example.com", "email address or name"),
        ("1q2w3e4r5t6y", "too common"),
        ("Password2024!!", "too common"),  # a common word behind digits and punctuation
        ("qwerty123456789", "too common"),
        ("violet tram at dusk", None),
        ("x7#kq9!mz2@p", None),
    ],
)
def test_password_rules(password: str, problem: str | None) -> None:
    common = frozenset({"1q2w3e4r5t6y", "password", "qwerty"})
    found = password_problem(
        password, email="ann.smith@example.com", display_name="Ann Smith", common=common
    )
    if problem is None:
        assert found is None
    else:
        assert found is not None
        assert problem in found
