"""Redaction of payment card data and (per organization) other identifiers from free text.

Cards are always redacted (PCI DSS: a full card number, its security code and, next to it, its expiry
date must never be stored): a primary account number (PAN) becomes ``•••• 1111`` (its last four
digits), a security code ``•••`` and an expiry date ``••/••``. An organization may add the patterns
of :data:`OPTIONAL_PATTERNS` by name (IBANs, national ids).

Every pattern pairs a cheap compiled regex with a check that real identifiers pass and most other
digit runs fail, so that order numbers, phone numbers, dates, amounts and tracking numbers stay:

- a PAN is 13-19 digits (spaces, dashes or dots between groups allowed), starts with the issuer
  prefix of a card scheme with that length, and passes the Luhn check; digits right after a ``+``
  are a phone number, digits glued to letters or decimals are something else;
- a security code needs a card word (``CVV``, ``CVC``, ``security code``...) just before it, or to
  follow a PAN (and its expiry date); an expiry date needs ``exp``/``expiry``/``valid thru`` just
  before it, or to follow a PAN;
- an IBAN passes its country's length and the ISO 7064 mod-97 check; a US SSN is ``AAA-GG-SSSS``
  with the number ranges the SSA never issues excluded; a UK National Insurance number has the
  letter prefixes HMRC allows.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

PAN_MASK_PREFIX = "•••• "
SECURITY_CODE_MASK = "•••"
EXPIRY_MASK = "••/••"

CARD_PATTERN = "card"
"""The pattern every organization redacts (it cannot be switched off)."""

Span = tuple[int, int, str]
"""A stretch ``text[start:end]`` to replace by the string."""

Detector = Callable[[str], Iterable[Span]]

# ---------------------------------------------------------------------------------------------------
# Payment cards

# A run of 13+ digits with at most one separator (space, no-break space, dash or dot, optionally
# spaced) between digits; a leading "+" is captured so that phone numbers can be told apart. Not
# preceded by a word character or decimal mark, not followed by a word character.
_SEPARATOR = r"(?:[ \u00a0]?[-.][ \u00a0]?|[ \u00a0]{1,2})"
_CARD_CANDIDATE = re.compile(rf"(?<![\w.,])(\+?)\d(?:{_SEPARATOR}?\d){{12,40}}(?!\w|[.,]\d)")
_DIGIT_GROUP = re.compile(r"\d+")

# Issuer prefixes (inclusive ranges over the first digits) and the lengths each scheme issues.
_CARD_SCHEMES: tuple[tuple[int, int, frozenset[int]], ...] = (
    (4, 4, frozenset({13, 16, 19})),  # Visa
    (51, 55, frozenset({16})),  # Mastercard
    (2221, 2720, frozenset({16})),  # Mastercard 2-series
    (34, 34, frozenset({15})),  # American Express
    (37, 37, frozenset({15})),
    (300, 305, frozenset({14, 16, 19})),  # Diners Club
    (36, 36, frozenset({14, 16, 19})),
    (38, 39, frozenset({14, 16, 19})),
    (3528, 3589, frozenset({16, 19})),  # JCB
    (6011, 6011, frozenset({16, 19})),  # Discover
    (644, 649, frozenset({16, 19})),
    (65, 65, frozenset({16, 19})),
    (62, 62, frozenset(range(16, 20))),  # UnionPay
    (2200, 2204, frozenset({16, 19})),  # Mir
    (50, 50, frozenset(range(13, 20))),  # Maestro
    (56, 69, frozenset(range(13, 20))),
)
_COMMON_LENGTHS = frozenset({15, 16})
"""When several windows of a run are PANs, one of these lengths wins (``... 1111 123``: a code)."""
_AMOUNT = re.compile(r"\d+[.,]\d{1,2}")
"""A single run with a decimal part is an amount, not a card."""

MAX_DIGITS_BEFORE_PAN = 2
"""Digits of a candidate run that may precede a PAN (e.g. ``qty 2 4111 1111 1111 1111``)."""


def luhn_is_valid(digits: str) -> bool:
    """Whether the string of digits passes the Luhn (mod 10) check of ISO/IEC 7812-1."""
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = ord(char) - 48
        if index % 2:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def is_card_number(digits: str) -> bool:
    """Whether a string of digits is a plausible PAN: a scheme's prefix and length, Luhn-valid."""
    length = len(digits)
    if not 13 <= length <= 19:
        return False
    for low, high, lengths in _CARD_SCHEMES:
        width = len(str(low))
        if low <= int(digits[:width]) <= high and length in lengths:
            return luhn_is_valid(digits)
    return False


_CARD_WORDS = (
    r"cvv2?|cvc2?|cvn|csc|cid|security\s+code|card\s+verification(?:\s+(?:code|value|number))?"
    r"|(?:3|4|three|four)[- ]digit\s+(?:security\s+)?(?:code|number)"
)
_SECURITY_CODE = re.compile(
    rf"\b(?:{_CARD_WORDS})\b(?:[^\d\n.!?]{{0,20}}?)(?<![\d/])(\d{{3,4}})(?![\d/]|[.,]\d)",
    re.IGNORECASE,
)
_EXPIRY_DATE = r"(?<![\d/])((?:0?[1-9]|1[0-2])\s?[/-]\s?(?:20)?\d{2})(?![\d/]|[.,]\d)"
_EXPIRY = re.compile(
    r"\b(?:expiry|expiration|expires|expire|exp|valid\s+thru|valid\s+through|good\s+thru)\b"
    rf"(?:[^\d\n!?]{{0,15}}?){_EXPIRY_DATE}",
    re.IGNORECASE,
)
# Substrings every match of the two patterns above holds (a plain ``in`` test skips most text).
_SECURITY_CODE_HINTS = ("cv", "csc", "cid", "security", "verification", "digit")
_EXPIRY_HINTS = ("exp", "valid", "good")
# What may follow a PAN: its expiry date, then its security code (each possibly labelled).
_AFTER_PAN_EXPIRY = re.compile(
    r"[\s,;:]{1,3}(?:(?:exp\w*|valid\s+thru)\.?[\s:]{0,3})?" + _EXPIRY_DATE,
    re.IGNORECASE,
)
_AFTER_PAN_CODE = re.compile(
    rf"[\s,;:]{{1,3}}(?:(?:{_CARD_WORDS})[\s:]{{0,3}})?(\d{{3,4}})(?![\d/]|[.,]\d)",
    re.IGNORECASE,
)


def _pans_in(candidate: str, offset: int, followed_by: str) -> list[tuple[int, int, str]]:
    """PANs inside one candidate run: windows of whole digit groups. At most
    :data:`MAX_DIGITS_BEFORE_PAN` digits may precede a PAN, and after it may only come another PAN,
    a 3-4 digit security code, or the month of an expiry date (``... 1111 12/27``)."""
    groups = [(m.start(), m.end(), m.group()) for m in _DIGIT_GROUP.finditer(candidate)]
    found: list[tuple[int, int, str]] = []
    first = 0  # first group not yet used by a PAN
    start = 0
    while start < len(groups):
        if sum(len(g[2]) for g in groups[first:start]) > MAX_DIGITS_BEFORE_PAN:
            break
        end = _longest_pan_from(groups, start, followed_by)
        if end is None:
            start += 1
            continue
        digits = "".join(g[2] for g in groups[start : end + 1])
        found.append((offset + groups[start][0], offset + groups[end][1], digits))
        first = start = end + 1
    return found


def _longest_pan_from(
    groups: list[tuple[int, int, str]], start: int, followed_by: str
) -> int | None:
    digits = ""
    valid: list[tuple[int, str]] = []
    for end in range(start, len(groups)):
        digits += groups[end][2]
        if len(digits) > 19:
            break
        if is_card_number(digits) and _may_follow_pan(groups[end + 1 :], followed_by):
            valid.append((end, digits))
    if not valid:
        return None
    common = [end for end, window in valid if len(window) in _COMMON_LENGTHS]
    return common[-1] if common else valid[-1][0]


def _may_follow_pan(rest: list[tuple[int, int, str]], followed_by: str) -> bool:
    if not rest:
        return True
    if len(rest) == 1 and (3 <= len(rest[0][2]) <= 4 or followed_by == "/"):
        return True
    return _longest_pan_from(rest, 0, followed_by) is not None


def _card_spans(text: str) -> Iterable[Span]:
    for match in _CARD_CANDIDATE.finditer(text):
        if match.group(1) or _AMOUNT.fullmatch(match.group()):  # "+44 ..." phone, "123.45" amount
            continue
        after = text[match.end() : match.end() + 1]
        for start, end, digits in _pans_in(match.group(), match.start(), after):
            yield start, end, PAN_MASK_PREFIX + digits[-4:]
            yield from _after_pan(text, end)
    lowered = text.lower()
    if any(hint in lowered for hint in _SECURITY_CODE_HINTS):
        for match in _SECURITY_CODE.finditer(text):
            yield match.start(1), match.end(1), SECURITY_CODE_MASK
    if any(hint in lowered for hint in _EXPIRY_HINTS):
        for match in _EXPIRY.finditer(text):
            yield match.start(1), match.end(1), EXPIRY_MASK


def _after_pan(text: str, end: int) -> Iterable[Span]:
    """The expiry date and security code written right after a PAN (``... 1111 12/27 123``); a
    bare code must follow the PAN (or its expiry date) after a single space."""
    expiry = _AFTER_PAN_EXPIRY.match(text, end)
    if expiry is not None:
        yield expiry.start(1), expiry.end(1), EXPIRY_MASK
        end = expiry.end()
    code = _AFTER_PAN_CODE.match(text, end)
    if code is not None and (expiry is not None or code.start(1) == end + 1):
        yield code.start(1), code.end(1), SECURITY_CODE_MASK


# ---------------------------------------------------------------------------------------------------
# Optional patterns

# Lengths of IBANs by country (ISO 13616 registry, the countries most likely to appear).
IBAN_LENGTHS: Mapping[str, int] = {
    "AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22,
    "BR": 29, "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DK": 18, "DO": 28, "EE": 20,
    "EG": 29, "ES": 24, "FI": 18, "FO": 18, "FR": 27, "GB": 22, "GE": 22, "GI": 23, "GL": 18,
    "GR": 27, "GT": 28, "HR": 21, "HU": 28, "IE": 22, "IL": 23, "IS": 26, "IT": 27, "JO": 30,
    "KW": 30, "KZ": 20, "LB": 28, "LI": 21, "LT": 20, "LU": 20, "LV": 21, "MC": 27, "MD": 24,
    "ME": 22, "MK": 19, "MR": 27, "MT": 31, "MU": 30, "NL": 18, "NO": 15, "PK": 24, "PL": 28,
    "PS": 29, "PT": 25, "QA": 29, "RO": 24, "RS": 22, "SA": 24, "SE": 24, "SI": 19, "SK": 24,
    "SM": 27, "TN": 24, "TR": 26, "UA": 29, "VG": 24, "XK": 20,
}  # fmt: skip
_IBAN_CANDIDATE = re.compile(r"(?<![A-Za-z0-9])([A-Z]{2})(\d{2})(?:[ \u00a0]?[A-Z0-9]){10,32}")


def iban_is_valid(compact: str) -> bool:
    """Whether an IBAN without spaces has its country's length and passes ISO 7064 mod 97-10."""
    if IBAN_LENGTHS.get(compact[:2]) != len(compact) or not compact[2:4].isdigit():
        return False
    rearranged = compact[4:] + compact[:4]
    try:
        number = int("".join(str(int(char, 36)) for char in rearranged))
    except ValueError:
        return False
    return number % 97 == 1


def _iban_spans(text: str) -> Iterable[Span]:
    for match in _IBAN_CANDIDATE.finditer(text):
        length = IBAN_LENGTHS.get(match.group(1))
        if length is None:
            continue
        compact, end = "", match.start()
        for index in range(match.start(), match.end()):  # the first ``length`` characters
            if text[index] not in " \u00a0":
                compact += text[index]
                if len(compact) == length:
                    end = index + 1
                    break
        if len(compact) != length or (end < len(text) and text[end].isalnum()):
            continue
        if iban_is_valid(compact):
            yield match.start(), end, f"{compact[:2]}•• •••• {compact[-4:]}"


_US_SSN = re.compile(
    r"(?<![\w-])(?!000|666|9\d\d)\d{3}([- ])(?!00)\d{2}\1(?!0000)\d{4}(?![\w-])"
    r"|(?i:\b(?:ssn|social\s+security(?:\s+(?:number|no\.?))?)\b[^\d\n]{0,15}?)"
    r"(?<!\d)((?!000|666|9\d\d)\d{3}(?!00)\d{2}(?!0000)\d{4})(?![\w-])"
)


_SIX_DIGITS = re.compile(r"\d\d[- \u00a0]?\d\d[- \u00a0]?\d\d")
"""Every SSN and National Insurance number holds these: text without them is skipped."""


def _us_ssn_spans(text: str) -> Iterable[Span]:
    if not _SIX_DIGITS.search(text):
        return
    for match in _US_SSN.finditer(text):
        if match.group(2):
            yield match.start(2), match.end(2), "•••••••••"
        else:
            yield match.start(), match.end(), "•••-••-••••"


_UK_NINO = re.compile(
    r"\b(?!BG|GB|NK|KN|TN|NT|ZZ)[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z]"
    r"[ \u00a0]?\d{2}[ \u00a0]?\d{2}[ \u00a0]?\d{2}[ \u00a0]?[A-D]\b",
    re.IGNORECASE,
)


def _uk_nino_spans(text: str) -> Iterable[Span]:
    if not _SIX_DIGITS.search(text):
        return
    for match in _UK_NINO.finditer(text):
        yield match.start(), match.end(), "•• •• •• •• •"


OPTIONAL_PATTERNS: Mapping[str, Detector] = {
    "iban": _iban_spans,
    "us_ssn": _us_ssn_spans,
    "uk_nino": _uk_nino_spans,
}
"""Patterns an organization may add to cards, by the name its settings store. A new national id
is one more entry: a detector returning the spans to mask."""

_MAYBE_SENSITIVE = re.compile(r"\d\D{0,3}\d\D{0,3}\d")
"""Every pattern holds three digits at most three characters apart: text without them is skipped."""


def unknown_patterns(names: Iterable[str]) -> list[str]:
    """The names among ``names`` that are not patterns (``card`` is one, always on)."""
    return [name for name in names if name != CARD_PATTERN and name not in OPTIONAL_PATTERNS]


def redact_counting(text: str, patterns: Iterable[str] = ()) -> tuple[str, int]:
    """``text`` with card data (and the named optional patterns) masked, and how many were masked.

    Unknown pattern names are ignored (settings are checked by :func:`unknown_patterns`).
    """
    if not _MAYBE_SENSITIVE.search(text):
        return text, 0
    spans = list(_card_spans(text))
    for name in patterns:
        detector = OPTIONAL_PATTERNS.get(name)
        if detector is not None:
            spans.extend(detector(text))
    if not spans:
        return text, 0
    spans.sort(key=lambda span: (span[0], -span[1]))
    pieces: list[str] = []
    position = count = 0
    for start, end, replacement in spans:
        if start < position:  # overlaps a stretch already masked
            continue
        pieces.append(text[position:start])
        pieces.append(replacement)
        position = end
        count += 1
    pieces.append(text[position:])
    return "".join(pieces), count


def redact(text: str, patterns: Iterable[str] = ()) -> str:
    """``text`` with card data (and the named optional patterns) masked; see the module docstring."""
    return redact_counting(text, patterns)[0]


def redact_value(value: Any, patterns: Iterable[str] = ()) -> Any:
    """A JSON-like value with every string in it (keys included) redacted; other values unchanged.

    Returns ``value`` itself when nothing changed, so callers can tell by identity.
    """
    if isinstance(value, str):
        redacted = redact(value, patterns)
        return value if redacted == value else redacted
    if isinstance(value, dict):
        items = [(redact_value(k, patterns), redact_value(v, patterns)) for k, v in value.items()]
        if any(
            new is not old
            for pair, item in zip(items, value.items(), strict=True)
            for new, old in zip(pair, item, strict=True)
        ):
            return dict(items)
        return value
    if isinstance(value, list | tuple):
        elements = [redact_value(item, patterns) for item in value]
        if any(new is not old for new, old in zip(elements, value, strict=True)):
            return elements if isinstance(value, list) else tuple(elements)
        return value
    return value
