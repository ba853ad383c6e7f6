"""Two-factor authentication with time-based one-time passwords (TOTP, RFC 6238) and recovery codes.

Secrets are stored in ``users.totp_secret`` as base32 text (no secrets-encryption helper exists yet;
see docs/security-login.md). Recovery codes are stored as SHA-256 digests and work once each.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass

import pyotp
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from helpline.domain.enums import Role
from helpline.errors import Conflict, InvalidInput
from helpline.services.access import access_user, any_member, requires
from helpline.services.actor import Actor
from helpline.services.identity import security
from helpline.services.identity.organizations import current_user
from helpline.storage.database import session_now
from helpline.storage.events import append_event
from helpline.storage.tables import Organization, RecoveryCode, User

ISSUER = "Helpline"
"""The issuer name authenticator apps show next to the account."""
DIGITS = 6
"""Digits of a TOTP code (the authenticator apps' default)."""
RECOVERY_CODES = 10
"""How many recovery codes a user gets when two-factor authentication is turned on."""


@dataclass(frozen=True)
class TotpEnrolment:
    """A new TOTP secret to add to an authenticator app (shown once): the base32 ``secret`` and
    the ``otpauth_uri`` a QR code encodes."""

    secret: str
    otpauth_uri: str


def required_roles(organization: Organization) -> frozenset[Role]:
    """The roles whose users ``organization`` makes use two-factor authentication."""
    return frozenset(Role(name) for name in organization.two_factor_roles.split(",") if name)


def is_required(session: Session, user: User) -> bool:
    """Whether the user's organization makes their role use two-factor authentication."""
    organization = session.get(Organization, user.organization_id)
    return organization is not None and Role(user.role) in required_roles(organization)


def begin_enrolment(user: User, *, keep_pending: bool = False) -> TotpEnrolment:
    """Give ``user`` a pending secret (or, with ``keep_pending``, the one already pending); it takes
    effect when a first code from it is confirmed."""
    secret = (keep_pending and user.totp_pending_secret) or pyotp.random_base32()
    user.totp_pending_secret = secret
    uri = pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=ISSUER)
    return TotpEnrolment(secret=secret, otpauth_uri=uri)


def matching_step(session: Session, secret: str, code: str) -> int | None:
    """The TOTP time step whose code of ``secret`` is ``code``: the current one or, for clocks that
    drift, the one before or after (by the clock of ``session``); None when none matches."""
    digits = code.strip().replace(" ", "")
    if not (digits.isdigit() and len(digits) == DIGITS):
        return None
    totp = pyotp.TOTP(secret)
    now = totp.timecode(session_now(session))
    return next(
        (
            step
            for step in (now, now - 1, now + 1)
            if hmac.compare_digest(totp.generate_otp(step), digits)
        ),
        None,
    )


def _accept_step(user: User, step: int | None) -> bool:
    """Accept a code's time step once: a code seen by someone else cannot be replayed (RFC 6238,
    section 5.2)."""
    if step is None or (user.totp_last_step is not None and step <= user.totp_last_step):
        return False
    user.totp_last_step = step
    return True


def confirm_enrolment(session: Session, user: User, code: str) -> list[str] | None:
    """Turn two-factor authentication on if ``code`` comes from the pending secret: the new
    recovery codes (shown once), or None for a wrong code."""
    pending = user.totp_pending_secret
    if pending is None:
        return None
    user.totp_last_step = None
    if not _accept_step(user, matching_step(session, pending, code)):
        return None
    user.totp_secret = pending
    user.totp_pending_secret = None
    codes = _new_recovery_codes(session, user)
    append_event(
        session,
        user.organization_id,
        "TwoFactorEnabled",
        occurred_at=session_now(session),
        actor=f"user:{user.id}",
        payload={"user_id": user.id},
    )
    return codes


def _new_recovery_codes(session: Session, user: User) -> list[str]:
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = []
    for _ in range(RECOVERY_CODES):
        raw = secrets.token_hex(8)
        code = "-".join(raw[i : i + 4] for i in range(0, 16, 4))
        codes.append(code)
        session.add(
            RecoveryCode(
                organization_id=user.organization_id,
                user_id=user.id,
                code_hash=security.token_digest(code),
                used_at=None,
            )
        )
    return codes


def second_factor_matches(session: Session, user: User, code: str) -> bool:
    """Whether ``code`` is the user's current TOTP code or one of their unused recovery codes
    (which is then used up)."""
    if user.totp_secret is None:
        return False
    if _accept_step(user, matching_step(session, user.totp_secret, code)):
        return True
    digest = security.token_digest(code.strip().lower())
    recovery = session.scalar(
        select(RecoveryCode).where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.code_hash == digest,
            RecoveryCode.used_at.is_(None),
        )
    )
    if recovery is None:
        return False
    recovery.used_at = session_now(session)
    return True


def _turn_off(session: Session, user: User, actor: Actor) -> None:
    user.totp_secret = None
    user.totp_pending_secret = None
    user.totp_last_step = None
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    append_event(
        session,
        user.organization_id,
        "TwoFactorDisabled",
        occurred_at=session_now(session),
        actor=actor.label,
        payload={"user_id": user.id},
    )


# -- the logged-in user's own two-factor settings ---------------------------------------------------


@any_member
def start_my_enrolment(session: Session, actor: Actor) -> TotpEnrolment:
    """A new pending secret for the caller (Conflict when two-factor authentication is on)."""
    user = current_user(session, actor)
    if user.totp_secret is not None:
        raise Conflict("two-factor authentication is already on; turn it off first")
    return begin_enrolment(user)


@any_member
def confirm_my_enrolment(session: Session, actor: Actor, code: str) -> list[str]:
    """Turn two-factor authentication on with the first code; returns the recovery codes."""
    user = current_user(session, actor)
    if user.totp_pending_secret is None:
        raise Conflict("start the enrolment first (POST /api/v1/me/totp)")
    codes = confirm_enrolment(session, user, code)
    if codes is None:
        raise InvalidInput("code", "wrong code; use the current code of the authenticator app")
    return codes


@any_member
def turn_off_mine(session: Session, actor: Actor, password: str) -> None:
    """Turn the caller's two-factor authentication off (their password confirms it); refused when
    their organization requires it for their role."""
    user = current_user(session, actor)
    if not security.verify_password(user.password_hash, password):
        raise InvalidInput("password", "wrong password")
    if is_required(session, user):
        raise Conflict("your organization requires two-factor authentication for your role")
    _turn_off(session, user, actor)


@requires()
def reset_for_user(session: Session, actor: Actor, user_id: int) -> User:
    """An administrator turns a user's two-factor authentication off (lost phone and codes); a
    user whose role requires it enrols again at their next login."""
    user = access_user(session, actor, user_id)
    _turn_off(session, user, actor)
    return user
