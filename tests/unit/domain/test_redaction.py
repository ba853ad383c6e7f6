"""Redaction of card data and optional identifiers (helpline/domain/redaction.py), over the corpus in
tests/data/redaction (see its SOURCE.md) and over generated Luhn-valid numbers."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from helpline.domain.redaction import (
    OPTIONAL_PATTERNS,
    iban_is_valid,
    is_card_number,
    luhn_is_valid,
    redact,
    redact_counting,
    redact_value,
    unknown_patterns,
)

CORPUS = Path(__file__).parents[2] / "data" / "redaction"
ALL_PATTERNS = tuple(OPTIONAL_PATTERNS)


def _cases(name: str) -> list[dict[str, Any]]:
    lines = (CORPUS / name).read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def _alphanumerics(text: str) -> str:
    return re.sub(r"[^0-9A-Za-z]", "", text)


POSITIVES = _cases("positives.jsonl")
NEGATIVES = _cases("negatives.jsonl")


def test_the_corpus_is_large_enough_to_mean_something() -> None:
    assert len(POSITIVES) >= 150
    assert len(NEGATIVES) >= 50


@pytest.mark.parametrize("case", POSITIVES, ids=lambda case: case["text"][:40])
def test_no_secret_of_a_positive_survives(case: dict[str, Any]) -> None:
    redacted = redact(case["text"], case.get("patterns", ()))
    for secret in case["secrets"]:
        assert secret not in redacted
        assert _alphanumerics(secret) not in _alphanumerics(redacted)
    if "last4" in case:
        assert f"•••• {case['last4']}" in redacted


@pytest.mark.parametrize("case", NEGATIVES, ids=lambda case: case["text"][:40])
def test_negatives_stay_as_written_with_every_pattern_on(case: dict[str, Any]) -> None:
    assert redact(case["text"], ALL_PATTERNS) == case["text"]


def test_optional_patterns_are_off_unless_asked_for() -> None:
    text = "IBAN GB82 WEST 1234 5698 7654 32, SSN 123-45-6789, NI AB 12 34 56 C"
    assert redact(text) == text
    assert redact(text, ["iban"]) == "IBAN GB•• •••• 5432, SSN 123-45-6789, NI AB 12 34 56 C"


def test_card_data_is_masked_in_place() -> None:
    text = "Card 4111 1111 1111 1111 exp 09/28 cvv 123, order #84512 for $12.50"
    assert redact(text) == "Card •••• 1111 exp ••/•• cvv •••, order #84512 for $12.50"
    assert redact_counting(text) == (redact(text), 3)


def test_json_values_are_redacted_string_by_string_and_kept_when_unchanged() -> None:
    value = {"chat": {"topic": "card 5555555555554444"}, "n": 5555555555554444, "ok": ["fine"]}
    assert redact_value(value) == {
        "chat": {"topic": "card •••• 4444"},
        "n": 5555555555554444,
        "ok": ["fine"],
    }
    untouched = {"a": ["b", {"c": "d"}], "n": 1}
    assert redact_value(untouched) is untouched


def test_unknown_pattern_names_are_reported() -> None:
    assert unknown_patterns(["card", "iban", "passport", "us_ssn"]) == ["passport"]


def test_checks_against_reference_values() -> None:
    assert luhn_is_valid("79927398713")  # ISO/IEC 7812-1 worked example
    assert not luhn_is_valid("79927398710")
    assert is_card_number("378282246310005")
    assert not is_card_number("378282246310006")
    assert not is_card_number("1234567812345670")  # Luhn-valid, no card scheme's prefix
    assert iban_is_valid("GB82WEST12345698765432")  # ISO 13616 example
    assert not iban_is_valid("GB82WEST12345698765433")


def _luhn_complete(body: str) -> str:
    for check in "0123456789":
        if luhn_is_valid(body + check):
            return body + check
    raise AssertionError("unreachable")


PREFIXES = ("4", "51", "55", "2221", "6011", "65", "3528")
SEPARATORS = ("", " ", "-", ".", "  ", " - ")


@st.composite
def spaced_cards(draw: st.DrawFn) -> tuple[str, str]:
    """A 16-digit Luhn-valid number of a card prefix, written in groups with random separators."""
    prefix = draw(st.sampled_from(PREFIXES))
    body = prefix + draw(
        st.text("0123456789", min_size=15 - len(prefix), max_size=15 - len(prefix))
    )
    pan = _luhn_complete(body)
    sizes = draw(st.sampled_from([(4, 4, 4, 4), (16,), (8, 8), (4, 6, 6), (6, 4, 6)]))
    pieces, start = [], 0
    for size in sizes:
        pieces.append(pan[start : start + size])
        start += size
    written = pieces[0]
    for piece in pieces[1:]:
        written += draw(st.sampled_from(SEPARATORS)) + piece
    return pan, written


SENTENCES = st.sampled_from(["{}", "card {} please", "Nr: {}.", "({})", "pay with {}, thanks"])


@given(spaced_cards(), SENTENCES)
def test_every_luhn_valid_card_in_any_spacing_is_masked(
    card: tuple[str, str], sentence: str
) -> None:
    pan, written = card
    redacted = redact(sentence.format(written))
    assert _alphanumerics(pan) not in _alphanumerics(redacted)
    assert f"•••• {pan[-4:]}" in redacted


@given(st.text("0123456789", min_size=13, max_size=19))
def test_unbroken_digit_runs_failing_luhn_are_never_masked(digits: str) -> None:
    if luhn_is_valid(digits):
        digits = digits[:-1] + str((int(digits[-1]) + 1) % 10)
    assert redact(f"order {digits} shipped") == f"order {digits} shipped"


@given(st.text("0123456789", min_size=13, max_size=23), st.sampled_from(SEPARATORS))
def test_grouped_digit_runs_holding_no_card_number_are_never_masked(
    digits: str, separator: str
) -> None:
    groups = [digits[i : i + 4] for i in range(0, len(digits), 4)]
    windows = (
        "".join(groups[start:end])
        for start in range(len(groups))
        for end in range(start + 1, len(groups) + 1)
    )
    assume(not any(is_card_number(window) for window in windows))
    written = separator.join(groups)
    assert redact(f"order {written}") == f"order {written}"


@given(st.text(max_size=200))
def test_redaction_is_idempotent(text: str) -> None:
    once = redact(text, ALL_PATTERNS)
    assert redact(once, ALL_PATTERNS) == once
