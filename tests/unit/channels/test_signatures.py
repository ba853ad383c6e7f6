"""Webhook signatures: Twilio's published example, our HMAC-SHA256 scheme, replays refused."""

from __future__ import annotations

import pytest

from helpline.channels.signatures import (
    MAX_SKEW_SECONDS,
    SignatureRejected,
    generic_signature,
    twilio_signature,
    verify_generic,
    verify_twilio,
)

# The worked example of Twilio's "Webhooks security" guide (auth token 12345).
TWILIO_URL = "https://mycompany.com/myapp.php?foo=1&bar=2"
TWILIO_PARAMS = [
    ("To", "+18005551212"),  # out of order on purpose: the signature sorts by name
    ("CallSid", "CA1234567890ABCDE"),
    ("Caller", "+12349013030"),
    ("Digits", "1234"),
    ("From", "+12349013030"),
]
TWILIO_EXPECTED = "0/KCTR6DLpKmkAf8muzZqo1nDgQ="


def test_twilio_signature_matches_twilios_published_example() -> None:
    assert twilio_signature("12345", TWILIO_URL, TWILIO_PARAMS) == TWILIO_EXPECTED
    verify_twilio("12345", TWILIO_URL, TWILIO_PARAMS, TWILIO_EXPECTED)


@pytest.mark.parametrize(
    ("token", "url", "params", "signature"),
    [
        ("12345", TWILIO_URL, [*TWILIO_PARAMS[:-1], ("From", "+10000000000")], TWILIO_EXPECTED),
        ("12345", TWILIO_URL.replace("bar=2", "bar=3"), TWILIO_PARAMS, TWILIO_EXPECTED),
        ("54321", TWILIO_URL, TWILIO_PARAMS, TWILIO_EXPECTED),
        ("12345", TWILIO_URL, TWILIO_PARAMS, TWILIO_EXPECTED[:-2]),
        ("12345", TWILIO_URL, TWILIO_PARAMS, None),
    ],
    ids=["tampered param", "other url", "other token", "truncated", "missing"],
)
def test_twilio_signature_refuses_anything_else(
    token: str, url: str, params: list[tuple[str, str]], signature: str | None
) -> None:
    with pytest.raises(SignatureRejected):
        verify_twilio(token, url, params, signature)


def test_generic_signature_is_hmac_sha256_over_timestamp_and_body() -> None:
    # Computed independently: printf '1700000000.{"a":1}' | openssl dgst -sha256 -hmac secret
    assert generic_signature("secret", 1_700_000_000, b'{"a":1}') == (
        "sha256=49f24e537407743fa4a0242bb63b94b9a47ee99cbbe071ccd8a22550ae411686"
    )
    signature = generic_signature("secret", 1_700_000_000, b"body")
    verify_generic("secret", b"body", signature, "1700000000", 1_700_000_000 + MAX_SKEW_SECONDS)


@pytest.mark.parametrize(
    ("body", "signature", "timestamp", "now", "reason"),
    [
        (b"body", None, "1700000000", 1_700_000_000, "missing"),
        (b"body", "sha256=00", None, 1_700_000_000, "missing"),
        (b"body", "sha256=00", "yesterday", 1_700_000_000, "unix seconds"),
        (b"tampered", "good", "1700000000", 1_700_000_000, "does not match"),
        (b"body", "good", "1700000000", 1_700_000_000 + MAX_SKEW_SECONDS + 1, "replay"),
        (b"body", "good", "1700000000", 1_700_000_000 - MAX_SKEW_SECONDS - 1, "replay"),
    ],
)
def test_generic_signature_refuses_missing_wrong_and_stale_requests(
    body: bytes, signature: str | None, timestamp: str | None, now: float, reason: str
) -> None:
    if signature == "good":
        signature = generic_signature("secret", 1_700_000_000, b"body")
    with pytest.raises(SignatureRejected, match=reason):
        verify_generic("secret", body, signature, timestamp, now)
