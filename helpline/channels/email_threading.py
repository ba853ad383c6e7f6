"""Which contact an inbound email continues: by its Message-ID ancestry, else by the reference token
in its subject (``[#HL-1234]``), else none (a new contact).

The token is written and read here only (:func:`subject_token`, :func:`find_reference`). What a
reference names is pluggable (:class:`ReferenceScheme`): by default the conversation's case
(``[#C-000123]``, :class:`CaseReferences`), or a contact (``HL-<contact id>``, :class:`ContactReferences`).
"""

from __future__ import annotations

import re
from typing import Protocol

from helpline.channels.email_parse import ParsedEmail
from helpline.domain.enums import Channel
from helpline.services.actor import Actor
from helpline.services.cases.cases import (
    case_for_conversation,
    find_case_by_reference,
    latest_contact_of_case,
)
from helpline.services.conversations.email import contact_answered, email_contact
from helpline.services.unit_of_work import Session

_TOKEN = re.compile(r"\[#([A-Za-z]{1,10}-\d{1,18})\]")
_REPLY_PREFIX = re.compile(r"^\s*(re|aw|sv|antw|réf|ref)\s*:\s*", re.IGNORECASE)


def subject_token(reference: str) -> str:
    """The token that carries ``reference`` in a subject line, e.g. ``[#HL-1234]``."""
    return f"[#{reference}]"


def find_reference(subject: str) -> str | None:
    """The reference of the last token in ``subject`` (the newest one a reply chain added)."""
    found = _TOKEN.findall(subject)
    return found[-1].upper() if found else None


def reply_subject(subject: str, reference: str) -> str:
    """``Re: <subject> [#ref]`` without doubling the prefix or the token."""
    base = subject.strip()
    while _REPLY_PREFIX.match(base):
        base = _REPLY_PREFIX.sub("", base, count=1)
    token = subject_token(reference)
    if token.lower() not in base.lower():
        base = f"{base} {token}".strip()
    return f"Re: {base}"


class ReferenceScheme(Protocol):
    """What subject tokens name: how to write one for a contact and find the contact of one."""

    def reference_of(self, session: Session, actor: Actor, contact_id: int) -> str:
        """The reference to show the customer for ``contact_id``."""

    def contact_for(self, session: Session, actor: Actor, reference: str) -> int | None:
        """The email contact a reference continues, or None when it names nothing of the actor's."""


class ContactReferences:
    """References that name contacts: ``HL-<contact id>``."""

    prefix = "HL"

    def reference_of(self, session: Session, actor: Actor, contact_id: int) -> str:
        del session, actor
        return f"{self.prefix}-{contact_id}"

    def contact_for(self, session: Session, actor: Actor, reference: str) -> int | None:
        prefix, _, number = reference.partition("-")
        if prefix.upper() != self.prefix or not number.isdigit():
            return None
        return email_contact(session, actor, int(number))


class CaseReferences:
    """References that name cases (``C-000123``, the default): every email conversation belongs to a
    case, opened with its first message, and a message quoting the case continues its newest email
    contact."""

    def reference_of(self, session: Session, actor: Actor, contact_id: int) -> str:
        return case_for_conversation(session, actor, contact_id).reference

    def contact_for(self, session: Session, actor: Actor, reference: str) -> int | None:
        case = find_case_by_reference(session, actor.organization_id, reference)
        if case is None:
            return None
        return latest_contact_of_case(session, actor.organization_id, case, Channel.EMAIL.value)


def thread_of(
    session: Session, actor: Actor, email: ParsedEmail, references: ReferenceScheme
) -> int | None:
    """The contact ``email`` continues in the actor's organization, or None for a new conversation."""
    ancestry = [*email.in_reply_to, *reversed(email.references)]
    contact_id = contact_answered(session, actor, ancestry)
    if contact_id is not None:
        return contact_id
    reference = find_reference(email.subject)
    return None if reference is None else references.contact_for(session, actor, reference)
