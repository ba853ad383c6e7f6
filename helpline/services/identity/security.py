"""Credentials: argon2 password hashes, API keys and session tokens (only their hashes are stored)."""

from __future__ import annotations

import contextlib
import functools
import hashlib
import hmac
import os
import secrets
import threading

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_password_hasher = PasswordHasher()

PASSWORD_CHECKS_AT_ONCE = max(1, (os.cpu_count() or 2) // 2)
"""How many password hashes one process computes at a time. Each is deliberately expensive (argon2id,
64 MiB, 4 lanes): unbounded, a flood of logins takes every core and every other request waits for
CPU; bounded, the flood waits in line and the rest of the API keeps its latency."""
_password_checks = threading.BoundedSemaphore(PASSWORD_CHECKS_AT_ONCE)

API_KEY_PREFIX = "hl_"
"""Every API key starts with this, so leaked keys are easy to recognise in logs and scanners."""


def hash_password(password: str) -> str:
    """An argon2id hash of ``password`` (salted, with the library's recommended cost)."""
    return _password_hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """Whether ``password`` matches ``password_hash``; never raises for a wrong or malformed hash.

    A malformed hash (an imported user's unusable password) is refused only after checking the
    dummy hash, so that it takes as long as a wrong password (no account enumeration by timing).
    """
    with _password_checks:
        try:
            return _password_hasher.verify(password_hash, password)
        except VerificationError:
            return False
        except InvalidHashError:
            with contextlib.suppress(VerificationError):
                _password_hasher.verify(dummy_password_hash(), password)
            return False


@functools.cache
def dummy_password_hash() -> str:
    """A hash of a random password, checked when no user matches a login so that an unknown email
    takes as long to refuse as a wrong password (no account enumeration by timing)."""
    return hash_password(secrets.token_urlsafe(16))


def token_digest(token: str) -> str:
    """SHA-256 hex digest of a random token.

    API keys and session tokens carry 256 random bits, so a fast hash is safe for them (a slow
    password hash would only add latency to every request).
    """
    return hashlib.sha256(token.encode()).hexdigest()


def new_api_key() -> tuple[str, str, str]:
    """A fresh API key as ``(key, prefix, digest)``; the key is shown once, prefix+digest stored."""
    prefix = secrets.token_hex(6)
    key = f"{API_KEY_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    return key, prefix, token_digest(key)


def parse_api_key_prefix(key: str) -> str | None:
    """The lookup prefix of a well-formed key, or None."""
    if not key.startswith(API_KEY_PREFIX):
        return None
    prefix, sep, _secret = key[len(API_KEY_PREFIX) :].partition("_")
    return prefix if sep and len(prefix) == 12 else None


def digests_match(expected: str, given: str) -> bool:
    """Constant-time comparison of two hex digests."""
    return hmac.compare_digest(expected, given)


def new_session_token() -> str:
    """A random token for a login cookie or a CSRF check."""
    return secrets.token_urlsafe(32)
