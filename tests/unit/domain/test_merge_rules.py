"""Suggested merges: each rule fires on its evidence, with a reason a person can check."""

from __future__ import annotations

import pytest

from helpline.domain.enums import IdentityKind
from helpline.domain.merge_rules import (
    CustomerProfile,
    MergeRule,
    compare,
    mailbox_key,
    suggest_merges,
)

P, E = IdentityKind.PHONE, IdentityKind.EMAIL


def profile(customer_id: int, name: str = "", **identities: list[str]) -> CustomerProfile:
    return CustomerProfile(customer_id, name, {IdentityKind(k): v for k, v in identities.items()})


JANE = profile(1, "Jane Doe", email=["jane.doe@acme.com"], phone=["+442079460001"])


@pytest.mark.parametrize(
    ("other", "rules"),
    [
        (
            profile(2, "jane  DOE", email=["j.doe@acme.com"]),
            {MergeRule.SAME_NAME_SAME_EMAIL_DOMAIN, MergeRule.SAME_NAME},
        ),
        (
            profile(2, "Jane Doe", phone=["+442079460077"]),
            {MergeRule.SAME_NAME_SAME_PHONE_BLOCK, MergeRule.SAME_NAME},
        ),
        (profile(2, "", email=["janedoe+shop@acme.com"]), {MergeRule.SAME_EMAIL_MAILBOX}),
        (profile(2, "J. D.", email=["jane.doe@gmail.com"]), {MergeRule.SAME_EMAIL_LOCAL_PART}),
        (profile(2, "Jane Doe", email=["jd@gmail.com"]), None),  # a shared name alone is too weak
        (profile(2, "Jane Doe", email=["x@gmail.com"], phone=["+15550000000"]), None),
        (profile(2, "Bob", email=["info@acme.com"]), None),  # same company, different person
    ],
)
def test_rules_fire_on_their_evidence(other: CustomerProfile, rules: set[MergeRule] | None) -> None:
    suggestion = compare(JANE, other)
    if rules is None:
        assert suggestion is None
    else:
        assert suggestion is not None
        assert {reason.rule for reason in suggestion.reasons} == rules


def test_same_name_at_a_webmail_domain_is_not_a_company_domain() -> None:
    a = profile(1, "Sam Lee", email=["sam.lee.1@gmail.com"])
    b = profile(2, "Sam Lee", email=["lee.sam@gmail.com"])
    assert compare(a, b) is None


def test_an_identity_given_in_another_customers_contact_is_strong_evidence() -> None:
    caller = CustomerProfile(2, "", {P: ["+15551230000"]}, frozenset({(P, "+442079460001")}))
    suggestion = compare(JANE, caller)
    assert suggestion is not None
    assert suggestion.reasons[0].rule is MergeRule.IDENTITY_IN_CONTACT_DATA
    assert "+442079460001" in suggestion.reasons[0].detail
    assert suggestion.score == 0.8


def test_reasons_combine_and_rank_suggestions() -> None:
    weak = profile(2, "", email=["jane.doe@other.org"])
    strong = profile(3, "Jane Doe", email=["jane.doe@gmail.com", "jdoe@acme.com"])
    found = suggest_merges(JANE, [weak, strong, JANE])
    assert [s.customer_id for s in found] == [3, 2]
    assert found[0].score > found[1].score
    assert found[1].score == 0.4


def test_mailbox_key_ignores_dots_and_tags_only() -> None:
    assert mailbox_key("j.doe+news@acme.com") == "jdoe@acme.com"
    assert mailbox_key("jdoe@acme.org") == "jdoe@acme.org"
