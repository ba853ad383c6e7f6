"""Request and response bodies of logins, two-factor authentication, sessions and user management."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, Field

from helpline.api.schemas import Body, OrganizationOut, UserOut
from helpline.domain.enums import Role

Password = Annotated[str, Field(min_length=1, max_length=200)]
Code = Annotated[
    str, Field(min_length=6, max_length=32, description="The 6-digit code, or a recovery code")
]


class LoginOut(BaseModel):
    user: UserOut
    organization: OrganizationOut
    csrf_token: str = Field(
        description="Send as X-CSRF-Token on unsafe requests made with the cookie"
    )
    recovery_codes: list[str] = Field(
        default_factory=list,
        description="Only when this login turned two-factor authentication on: one-time codes "
        "that replace a TOTP code (shown once; keep them safe)",
    )


class SecondStepOut(BaseModel):
    two_factor: str = Field(
        description="'code_required': send a TOTP code; 'enrolment_required': the user's role "
        "requires two factors, call /auth/login/enrolment then send the first code"
    )
    challenge_token: str = Field(description="Send with the code to /auth/login/code")
    expires_at: datetime


class LoginCodeIn(Body):
    challenge_token: Annotated[str, Field(min_length=1, max_length=100)]
    code: Code


class ChallengeIn(Body):
    challenge_token: Annotated[str, Field(min_length=1, max_length=100)]


class TotpEnrolmentOut(BaseModel):
    secret: str = Field(description="Base32 secret for an authenticator app (shown once)")
    otpauth_uri: str = Field(description="The same as an otpauth:// URI (for a QR code)")


class TotpCodeIn(Body):
    code: Annotated[str, Field(min_length=6, max_length=10)]


class RecoveryCodesOut(BaseModel):
    recovery_codes: list[str] = Field(description="One-time codes (shown once)")


class PasswordConfirmIn(Body):
    password: Password


class PasswordChangeIn(Body):
    current_password: Password
    new_password: Password


class PasswordResetIn(Body):
    new_password: Password


class SessionOut(BaseModel):
    id: int
    created_at: datetime
    last_used_at: datetime | None
    expires_at: datetime
    client_address: str | None
    user_agent: str | None
    is_current: bool = Field(default=False, description="The session this request was made with")


class UserPatch(Body):
    active: bool | None = Field(
        default=None,
        description="false deactivates the user: their sessions end, their agents go offline and "
        "they cannot log in; true reactivates them; absent: unchanged",
    )


class LoginPolicyBody(Body):
    two_factor_roles: list[Role] = Field(
        description="Roles whose users must use two-factor authentication (they enrol at their "
        "next login)"
    )
