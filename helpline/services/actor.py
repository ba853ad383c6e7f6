"""Who is acting: the organization every service call is scoped to, and the caller's role."""

from __future__ import annotations

from dataclasses import dataclass

from helpline.domain.enums import Role
from helpline.errors import PermissionDenied


@dataclass(frozen=True)
class Actor:
    """The authenticated caller of a service: a user (login) or an API key, or the system itself."""

    organization_id: int
    role: Role
    user_id: int | None = None
    api_key_id: int | None = None

    @property
    def label(self) -> str:
        """How the actor is recorded on events (``user:3``, ``apikey:7`` or ``system``)."""
        if self.user_id is not None:
            return f"user:{self.user_id}"
        if self.api_key_id is not None:
            return f"apikey:{self.api_key_id}"
        return "system"

    def require(self, *roles: Role) -> None:
        """Raise PermissionDenied unless the actor has one of ``roles`` (admins always pass)."""
        if self.role is not Role.ADMIN and self.role not in roles:
            allowed = ", ".join(sorted(r.value for r in {Role.ADMIN, *roles}))
            raise PermissionDenied(f"role {self.role.value} may not do this (needs {allowed})")


def system_actor(organization_id: int) -> Actor:
    """The actor for work Helpline does on its own (demo data, imports, timers)."""
    return Actor(organization_id=organization_id, role=Role.ADMIN)
