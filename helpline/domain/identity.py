"""Normalising the ways a customer identifies themselves, so the same person matches across channels."""

from __future__ import annotations

import re
from email.utils import parseaddr

import idna
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


def normalize_email(value: str) -> str:
    """The canonical form of an email address: ``jane.doe@bücher.de`` -> ``jane.doe@xn--bcher-kva.de``.

    Accepts a display form (``Jane <jane@example.com>``) and a ``mailto:`` prefix; trims, lower-cases
    (the local part too: no mainstream provider treats case as significant), drops a trailing dot of
    the domain and writes an internationalised domain in its IDNA 2008 ASCII form, so the same mailbox
    written two ways is one identity. Dots and ``+tags`` in the local part are kept: they are
    significant on most providers (only Gmail ignores dots), so folding them could join two people;
    ``helpline.domain.merge_rules`` suggests such look-alike addresses to a person instead.
    """
    text = value.strip()
    if "<" in text:
        text = parseaddr(text)[1] or text
    text = text.removeprefix("mailto:").removeprefix("MAILTO:").strip().lower()
    if not _EMAIL.match(text):
        raise InvalidIdentity(f"not an email address: {value.strip()!r}")
    local, _, domain = text.rpartition("@")
    try:
        ascii_domain = idna.encode(domain.rstrip("."), uts46=True).decode("ascii")
    except idna.IDNAError as error:
        raise InvalidIdentity(f"not an email domain: {domain!r}") from error
    return f"{local}@{ascii_domain}"


def normalize_identity(kind: IdentityKind, value: str, default_region: str) -> str:
    """The canonical form of an identity value; raises InvalidIdentity when it cannot be one."""
    value = value.strip()
    if not value:
        raise InvalidIdentity("empty value")
    if kind is IdentityKind.PHONE:
        return normalize_phone(value, default_region)
    if kind is IdentityKind.EMAIL:
        return normalize_email(value)
    if kind is IdentityKind.SOCIAL:
        value = value.lower()
        if not _SOCIAL.match(value):
            raise InvalidIdentity(f"use network:handle, e.g. twitter:@jane, not {value!r}")
        return value
    return value
