"""Domain errors, defined once and mapped to HTTP status codes in ``helpline.http.errors``.

HelplineError
 ├── InvalidInput        (422) a field's value is unacceptable; names the field
 ├── NotFound            (404) no such object in the caller's organization
 ├── Conflict            (409) the change clashes with stored state (duplicate name, wrong state)
 ├── AuthenticationFailed (401) no valid credentials
 ├── PermissionDenied    (403) valid credentials, but the role may not do this
 ├── TooManyAttempts     (429) too many failed logins; Retry-After says when to try again
 └── Unavailable         (503) a part the request needs is down (e.g. one organization's routing)
"""

from __future__ import annotations


class HelplineError(Exception):
    """Base of every error Helpline raises on purpose."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidInput(HelplineError):
    """A value given by the caller is unacceptable; ``field`` names it (dotted path)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.reason = message


class NotFound(HelplineError):
    """The object does not exist in the caller's organization."""


class Conflict(HelplineError):
    """The change clashes with stored state."""


class AuthenticationFailed(HelplineError):
    """Missing, unknown, expired or revoked credentials."""


class PermissionDenied(HelplineError):
    """The caller's role does not allow this action."""


class TooManyAttempts(HelplineError):
    """Logins are refused for a while after too many failures (``retry_after_seconds``)."""

    def __init__(self, retry_after_seconds: int) -> None:
        super().__init__(
            "too many failed logins; try again in "
            f"{retry_after_seconds} seconds or ask an administrator"
        )
        self.retry_after_seconds = retry_after_seconds


class Unavailable(HelplineError):
    """A part the request needs cannot serve now; the message says which and why."""
