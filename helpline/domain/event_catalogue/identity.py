"""Organization, user, API key and customer events (``services/identity``)."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, Strict

from helpline.domain.enums import IdentityKind, Role
from helpline.domain.event_catalogue.base import EventPayload

Kind = Annotated[IdentityKind, Strict(False)]
"""An identity kind, read from its JSON string."""
RoleValue = Annotated[Role, Strict(False)]
"""A role, read from its JSON string."""


class OrganizationCreated(EventPayload):
    """An organization (tenant) was created; the first event of its log."""

    name: str = Field(description="The organization's name.")
    time_zone: str = Field(description="IANA time zone reports are shown in.")
    country: str = Field(description="ISO 3166 country code (phone numbers, public holidays).")


class UserCreated(EventPayload):
    """A user account was created."""

    user_id: int = Field(description="The user.")
    email: str = Field(description="Login address.")
    role: Role = Field(strict=False, description="The user's role.")


class UserLoggedIn(EventPayload):
    """A user signed in with their password."""

    user_id: int = Field(description="The user.")


class UserDeactivated(EventPayload):
    """A user was deactivated: their sessions ended, their agents went offline, they cannot log in."""

    user_id: int = Field(description="The user.")


class UserReactivated(EventPayload):
    """A deactivated user may log in again."""

    user_id: int = Field(description="The user.")


class UserPasswordChanged(EventPayload):
    """A user's password was changed (by the user, or reset by an administrator)."""

    user_id: int = Field(description="The user.")
    by_administrator: bool = Field(description="Reset by an administrator, not by the user.")


class TwoFactorEnabled(EventPayload):
    """A user turned two-factor authentication (TOTP) on."""

    user_id: int = Field(description="The user.")


class TwoFactorDisabled(EventPayload):
    """A user's two-factor authentication was turned off (by them or an administrator)."""

    user_id: int = Field(description="The user.")


class LoginPolicyChanged(EventPayload):
    """The organization changed which roles must use two-factor authentication."""

    two_factor_roles: list[RoleValue] = Field(description="Roles whose users must use two factors.")


class ApiKeyCreated(EventPayload):
    """An API key was issued."""

    api_key_id: int = Field(description="The key (its secret is never recorded).")
    name: str = Field(description="What the key is for.")
    role: Role = Field(strict=False, description="The role the key acts with.")


class ApiKeyRevoked(EventPayload):
    """An API key was revoked."""

    api_key_id: int = Field(description="The key.")


class CustomerCreated(EventPayload):
    """A customer was created (by hand, or on first contact from an unknown identity)."""

    customer_id: int = Field(description="The customer.")
    identities: dict[Kind, str] = Field(
        description="Normalised identities by kind (phone, email, chat, social)."
    )


class CustomerUpdated(EventPayload):
    """A customer was renamed and/or given more identities."""

    customer_id: int = Field(description="The customer.")
    display_name: str | None = Field(description="The new name; null when unchanged.")
    added_identities: dict[Kind, str] = Field(description="Identities added, by kind.")


class CustomersMerged(EventPayload):
    """Two customer records were merged into one (reversible: see CustomersUnmerged)."""

    merge_id: int = Field(description="The merge, to undo it.")
    survivor_id: int = Field(description="The customer kept.")
    merged_id: int = Field(description="The customer merged into the survivor.")
    identities_moved: int = Field(description="Identities moved to the survivor.")
    contacts_moved: int = Field(description="Contacts moved to the survivor.")
    cases_moved: int = Field(description="Cases moved to the survivor.")


class CustomersUnmerged(EventPayload):
    """A merge was undone: the merged customer and what was moved are restored."""

    merge_id: int = Field(description="The merge undone.")
    survivor_id: int = Field(description="The customer that had been kept.")
    merged_id: int = Field(description="The customer restored.")


class RedactionSettingsChanged(EventPayload):
    """The organization chose what is redacted from stored text besides payment cards."""

    patterns: list[str] = Field(
        description="Optional patterns redacted from now on (e.g. iban, us_ssn, uk_nino)."
    )


EVENTS: tuple[type[EventPayload], ...] = (
    OrganizationCreated,
    UserCreated,
    UserLoggedIn,
    UserDeactivated,
    UserReactivated,
    UserPasswordChanged,
    TwoFactorEnabled,
    TwoFactorDisabled,
    LoginPolicyChanged,
    ApiKeyCreated,
    ApiKeyRevoked,
    CustomerCreated,
    CustomerUpdated,
    CustomersMerged,
    CustomersUnmerged,
    RedactionSettingsChanged,
)
