"""Suggested customer merges: explainable rules that say two records may be the same person.

Two records can never share a normalised phone or email (identities are unique per organization), so
the rules look for weaker evidence. Each rule that fires adds a reason with a weight; the score
combines the weights as independent evidence, ``1 - prod(1 - w)``, so two weak reasons outrank one.
A person confirms a suggestion by merging; nothing is merged automatically.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from helpline.domain.enums import IdentityKind


class MergeRule(enum.StrEnum):
    """Why two customer records may be one person."""

    IDENTITY_IN_CONTACT_DATA = "identity_in_contact_data"
    """A contact of one carries (e.g. an IVR- or pre-chat-collected field) a phone or email of the other."""
    SAME_NAME_SAME_EMAIL_DOMAIN = "same_name_same_email_domain"
    """Same display name and an email address at the same (non-webmail) domain."""
    SAME_NAME_SAME_PHONE_BLOCK = "same_name_same_phone_block"
    """Same display name and phone numbers differing only in the last digits (one switchboard)."""
    SAME_EMAIL_MAILBOX = "same_email_mailbox"
    """Email addresses that read the same once dots and ``+tags`` of the local part are ignored."""
    SAME_EMAIL_LOCAL_PART = "same_email_local_part"
    """The same distinctive local part at different domains (``jane.doe@a.com``, ``jane.doe@b.net``)."""
    SAME_NAME = "same_name"
    """Same display name only: weak, never enough on its own."""


WEIGHTS: Mapping[MergeRule, float] = {
    MergeRule.IDENTITY_IN_CONTACT_DATA: 0.8,
    MergeRule.SAME_EMAIL_MAILBOX: 0.7,
    MergeRule.SAME_NAME_SAME_EMAIL_DOMAIN: 0.6,
    MergeRule.SAME_NAME_SAME_PHONE_BLOCK: 0.5,
    MergeRule.SAME_EMAIL_LOCAL_PART: 0.4,
    MergeRule.SAME_NAME: 0.25,
}
"""How much each rule says on its own (0..1)."""

MIN_SCORE = 0.4
"""Suggestions below this score are not shown (a shared name alone is not enough)."""
PHONE_BLOCK_DIGITS = 2
"""Phones equal except in this many trailing digits count as one block (a company's lines)."""
MIN_LOCAL_PART = 5
"""Shorter local parts (``info``, ``sales``) are too common to say anything across domains."""
WEBMAIL_DOMAINS = frozenset(
    {
        "gmail.com",
        "googlemail.com",
        "outlook.com",
        "hotmail.com",
        "live.com",
        "yahoo.com",
        "icloud.com",
        "me.com",
        "aol.com",
        "proton.me",
        "protonmail.com",
        "gmx.com",
        "gmx.de",
        "web.de",
        "mail.ru",
        "yandex.ru",
    }
)
"""Domains shared by millions: the same name there says nothing about the same person."""


@dataclass(frozen=True)
class CustomerProfile:
    """What the rules know of one customer record."""

    customer_id: int
    display_name: str
    identities: Mapping[IdentityKind, Sequence[str]]
    contact_data_identities: frozenset[tuple[IdentityKind, str]] = field(default_factory=frozenset)
    """Normalised phones/emails found in the free-text attributes of the customer's contacts."""

    def values(self, kind: IdentityKind) -> Sequence[str]:
        """The customer's identities of ``kind``."""
        return self.identities.get(kind, ())


@dataclass(frozen=True)
class Reason:
    """One rule that fired, with a sentence a person can check."""

    rule: MergeRule
    detail: str

    @property
    def weight(self) -> float:
        """The rule's weight."""
        return WEIGHTS[self.rule]


@dataclass(frozen=True)
class MergeSuggestion:
    """A candidate duplicate of a customer, the reasons and a score in 0..1."""

    customer_id: int
    score: float
    reasons: tuple[Reason, ...]


def name_key(name: str) -> str:
    """A display name compared without case or extra spaces: ``" Jane  DOE"`` -> ``"jane doe"``."""
    return " ".join(name.casefold().split())


def mailbox_key(email: str) -> str:
    """An address with dots and the ``+tag`` of its local part dropped: ``j.doe+x@a.com`` -> ``jdoe@a.com``."""
    local, _, domain = email.rpartition("@")
    return f"{local.split('+', 1)[0].replace('.', '')}@{domain}"


def _local(email: str) -> str:
    return email.rpartition("@")[0].split("+", 1)[0]


def _domain(email: str) -> str:
    return email.rpartition("@")[2]


def _first(pairs: Iterable[tuple[str, str]]) -> tuple[str, str] | None:
    return next(iter(sorted(pairs)), None)


def _email_reasons(a: CustomerProfile, b: CustomerProfile, same_name: bool) -> list[Reason]:
    emails_a, emails_b = a.values(IdentityKind.EMAIL), b.values(IdentityKind.EMAIL)
    pairs = [(x, y) for x in emails_a for y in emails_b]
    reasons = []
    mailbox = _first((x, y) for x, y in pairs if mailbox_key(x) == mailbox_key(y))
    if mailbox:
        reasons.append(Reason(MergeRule.SAME_EMAIL_MAILBOX, f"{mailbox[0]} and {mailbox[1]}"))
    else:
        local = _first(
            (x, y)
            for x, y in pairs
            if _local(x) == _local(y) and len(_local(x)) >= MIN_LOCAL_PART and x != y
        )
        if local:
            reasons.append(Reason(MergeRule.SAME_EMAIL_LOCAL_PART, f"{local[0]} and {local[1]}"))
    if same_name:
        domain = _first(
            (x, y)
            for x, y in pairs
            if _domain(x) == _domain(y) and _domain(x) not in WEBMAIL_DOMAINS
        )
        if domain:
            reasons.append(
                Reason(
                    MergeRule.SAME_NAME_SAME_EMAIL_DOMAIN,
                    f"both named {a.display_name!r} with addresses at {_domain(domain[0])}",
                )
            )
    return reasons


def _phone_reasons(a: CustomerProfile, b: CustomerProfile) -> list[Reason]:
    block = _first(
        (x, y)
        for x in a.values(IdentityKind.PHONE)
        for y in b.values(IdentityKind.PHONE)
        if len(x) == len(y) and x[:-PHONE_BLOCK_DIGITS] == y[:-PHONE_BLOCK_DIGITS]
    )
    if block is None:
        return []
    return [
        Reason(
            MergeRule.SAME_NAME_SAME_PHONE_BLOCK,
            f"both named {a.display_name!r}; {block[0]} and {block[1]} differ only in the last digits",
        )
    ]


def _contact_data_reasons(a: CustomerProfile, b: CustomerProfile) -> list[Reason]:
    for holder, owner in ((a, b), (b, a)):
        for kind, value in sorted(holder.contact_data_identities):
            if value in owner.values(kind):
                return [
                    Reason(
                        MergeRule.IDENTITY_IN_CONTACT_DATA,
                        f"a contact of customer {holder.customer_id} gave {kind.value} {value}, "
                        f"which is customer {owner.customer_id}'s",
                    )
                ]
    return []


def compare(a: CustomerProfile, b: CustomerProfile) -> MergeSuggestion | None:
    """Whether ``b`` may be the same person as ``a``: a suggestion about ``b``, or None."""
    if a.customer_id == b.customer_id:
        return None
    same_name = bool(name_key(a.display_name)) and name_key(a.display_name) == name_key(
        b.display_name
    )
    reasons = _contact_data_reasons(a, b) + _email_reasons(a, b, same_name)
    if same_name:
        reasons += _phone_reasons(a, b)
        reasons.append(Reason(MergeRule.SAME_NAME, f"both named {a.display_name!r}"))
    if not reasons:
        return None
    score = 1 - math.prod(1 - reason.weight for reason in reasons)
    if score < MIN_SCORE:
        return None
    return MergeSuggestion(b.customer_id, round(score, 3), tuple(reasons))


def suggest_merges(
    customer: CustomerProfile, candidates: Iterable[CustomerProfile]
) -> list[MergeSuggestion]:
    """Suggestions for ``customer`` among ``candidates``, best first (ties: lower customer id)."""
    found = [s for candidate in candidates if (s := compare(customer, candidate)) is not None]
    return sorted(found, key=lambda s: (-s.score, s.customer_id))
