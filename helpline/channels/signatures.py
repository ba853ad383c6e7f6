"""Webhook signatures: prove a request came from the provider holding the connection's secret.

Two schemes:

- **Generic JSON** (ours): ``X-Helpline-Timestamp: <unix seconds>`` and
  ``X-Helpline-Signature: sha256=<hex>`` where the hex is HMAC-SHA256 with the connection secret over
  ``"<timestamp>." + raw body``. Signing the timestamp with the body stops a captured request from
  being replayed once it is older than :data:`MAX_SKEW_SECONDS`.
- **Twilio**: ``X-Twilio-Signature`` is base64(HMAC-SHA1(auth token, URL + every form parameter's
  name and value, sorted by name)), as Twilio documents for its request validation.

Comparisons use :func:`hmac.compare_digest` so the time taken reveals nothing of the expected value.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterable

SIGNATURE_HEADER = "X-Helpline-Signature"
TIMESTAMP_HEADER = "X-Helpline-Timestamp"
TWILIO_HEADER = "X-Twilio-Signature"
MAX_SKEW_SECONDS = 300
"""How far a signed timestamp may be from our clock (either way) before the request is refused."""


class SignatureRejected(Exception):
    """The request's signature is missing, malformed, wrong or too old; ``reason`` says which."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def generic_signature(secret: str, timestamp: int, body: bytes) -> str:
    """The ``X-Helpline-Signature`` value for ``body`` sent at ``timestamp`` (unix seconds)."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"sha256={digest.hexdigest()}"


def verify_generic(
    secret: str, body: bytes, signature: str | None, timestamp: str | None, now_seconds: float
) -> None:
    """Raise :class:`SignatureRejected` unless ``signature`` signs ``body`` at a fresh ``timestamp``."""
    if not signature or not timestamp:
        raise SignatureRejected(f"missing {SIGNATURE_HEADER} or {TIMESTAMP_HEADER}")
    try:
        sent_at = int(timestamp)
    except ValueError:
        raise SignatureRejected(f"{TIMESTAMP_HEADER} is not unix seconds") from None
    expected = generic_signature(secret, sent_at, body)
    if not hmac.compare_digest(expected.encode(), signature.strip().encode()):
        raise SignatureRejected("signature does not match")
    if abs(now_seconds - sent_at) > MAX_SKEW_SECONDS:
        raise SignatureRejected(f"timestamp is more than {MAX_SKEW_SECONDS} s from now (replay?)")


def twilio_signature(auth_token: str, url: str, params: Iterable[tuple[str, str]]) -> str:
    """The ``X-Twilio-Signature`` Twilio sends for a POST of form ``params`` to ``url``."""
    data = url + "".join(name + value for name, value in sorted(params))
    digest = hmac.new(auth_token.encode(), data.encode(), hashlib.sha1)
    return base64.b64encode(digest.digest()).decode()


def verify_twilio(
    auth_token: str, url: str, params: Iterable[tuple[str, str]], signature: str | None
) -> None:
    """Raise :class:`SignatureRejected` unless ``signature`` is Twilio's for this URL and form."""
    if not signature:
        raise SignatureRejected(f"missing {TWILIO_HEADER}")
    expected = twilio_signature(auth_token, url, params)
    if not hmac.compare_digest(expected.encode(), signature.strip().encode()):
        raise SignatureRejected("signature does not match")
