"""Normalising the ways a customer identifies themselves, so the same person matches across channels."""

from __future__ import annotations

import re

import phonenumbers

from helpline.domain.enums import IdentityKind

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_SOCIAL = re.compile(r"^[a-z0-9_.-]+:\S+$")


class InvalidIdentity(ValueError):
    """The value cannot be an identity of that kind."""


def normalize_phone(value: str, default_region: str) -> str:
    """E.164 form of a phone number (``+15551234567``); national numbers use ``default_region``."""
    try:
        number = phonenumbers.parse(value, default_region.upper())
    except phonenumbers.NumberParseException as error:
        raise InvalidIdentity(f"not a phone number: {value!r}") from error
    if not phonenumbers.is_possible_number(number):
        raise InvalidIdentity(f"not a possible phone number: {value!r}")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalize_identity(kind: IdentityKind, value: str, default_region: str) -> str:
    """The canonical form of an identity value; raises InvalidIdentity when it cannot be one."""
    value = value.strip()
    if not value:
        raise InvalidIdentity("empty value")
    if kind is IdentityKind.PHONE:
        return normalize_phone(value, default_region)
    if kind is IdentityKind.EMAIL:
        value = value.lower()
        if not _EMAIL.match(value):
            raise InvalidIdentity(f"not an email address: {value!r}")
        return value
    if kind is IdentityKind.SOCIAL:
        value = value.lower()
        if not _SOCIAL.match(value):
            raise InvalidIdentity(f"use network:handle, e.g. twitter:@jane, not {value!r}")
        return value
    return value
