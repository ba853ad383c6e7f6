"""Identities normalise so one customer matches across channels and formats."""

from __future__ import annotations

import pytest

from helpline.domain.enums import IdentityKind
from helpline.domain.identity import InvalidIdentity, normalize_identity


@pytest.mark.parametrize(
    ("kind", "raw", "region", "expected"),
    [
        (IdentityKind.PHONE, "(212) 555-0143", "US", "+12125550143"),
        (IdentityKind.PHONE, "+1 212 555 0143", "GB", "+12125550143"),
        (IdentityKind.PHONE, "020 7946 0001", "GB", "+442079460001"),
        (IdentityKind.EMAIL, "  Jane.Doe@Example.COM ", "US", "jane.doe@example.com"),
        (IdentityKind.SOCIAL, "Twitter:@Jane", "US", "twitter:@jane"),
        (IdentityKind.CHAT, "visitor-81", "US", "visitor-81"),
    ],
)
def test_identities_normalise(kind: IdentityKind, raw: str, region: str, expected: str) -> None:
    assert normalize_identity(kind, raw, region) == expected


@pytest.mark.parametrize(
    ("kind", "raw"),
    [
        (IdentityKind.PHONE, "call me"),
        (IdentityKind.PHONE, "12"),
        (IdentityKind.EMAIL, "jane.example.com"),
        (IdentityKind.SOCIAL, "@jane"),
        (IdentityKind.CHAT, "   "),
    ],
)
def test_impossible_identities_are_refused(kind: IdentityKind, raw: str) -> None:
    with pytest.raises(InvalidIdentity):
        normalize_identity(kind, raw, "US")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Jane Doe <Jane.Doe@Example.com>", "jane.doe@example.com"),
        ("mailto:jane@example.com", "jane@example.com"),
        ("jane@example.com.", "jane@example.com"),  # a fully qualified domain's trailing dot
        ("jane@BÜCHER.de", "jane@xn--bcher-kva.de"),  # IDNA: the Unicode and ASCII forms match
        ("jane@xn--bcher-kva.de", "jane@xn--bcher-kva.de"),
        ("j.a.n.e+news@gmail.com", "j.a.n.e+news@gmail.com"),  # dots and tags are kept
    ],
)
def test_emails_normalise_to_one_form(raw: str, expected: str) -> None:
    assert normalize_identity(IdentityKind.EMAIL, raw, "US") == expected


def test_an_impossible_email_domain_is_refused() -> None:
    with pytest.raises(InvalidIdentity):
        normalize_identity(IdentityKind.EMAIL, "jane@-bad-.com", "US")
