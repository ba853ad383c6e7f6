"""Who is looking at a page: the session cookie's actor, their CSRF token, name and time zone."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from fastapi import Request

from helpline.domain.enums import Role
from helpline.errors import AuthenticationFailed, PermissionDenied
from helpline.http.deps import SESSION_COOKIE, get_db
from helpline.services.actor import Actor
from helpline.services.identity import organizations
from helpline.services.identity.security import digests_match

CSRF_FIELD = "csrf_token"
"""The hidden form field every page form carries (the session's CSRF token)."""
LOGIN_CSRF_COOKIE = "helpline_login_csrf"
"""Double-submit token of the login form, which has no session yet."""

SUPERVISING = (Role.SUPERVISOR, Role.MANAGER, Role.WFM_ANALYST)
REPORTING = (Role.MANAGER, Role.SUPERVISOR, Role.WFM_ANALYST, Role.QA_ANALYST)
CONFIGURING = (Role.MANAGER,)
PLANNING = (Role.MANAGER, Role.WFM_ANALYST, Role.SUPERVISOR)
AUDITING = (Role.MANAGER,)


class LoginRequired(Exception):
    """No valid session: the page handler answers with a redirect to the login page."""


@dataclass(frozen=True)
class Viewer:
    """The logged-in user of a page request."""

    actor: Actor
    csrf_token: str
    user_name: str
    email: str
    organization_name: str
    time_zone: str
    agent_id: int | None

    @property
    def zone(self) -> ZoneInfo:
        """The organization's time zone (every time on a page is shown in it)."""
        return ZoneInfo(self.time_zone)

    def may(self, *roles: Role) -> bool:
        """Whether the viewer has one of ``roles`` (admins always do)."""
        return self.actor.role is Role.ADMIN or self.actor.role in roles

    def require(self, *roles: Role) -> None:
        """PermissionDenied unless :meth:`may`."""
        self.actor.require(*roles)

    def navigation(self) -> list[tuple[str, str]]:
        """``(path, label)`` of the pages this viewer may open, in menu order."""
        items: list[tuple[str, str]] = []
        if self.agent_id is not None:
            items.append(("/desk", "Desk"))
        if self.may(*SUPERVISING):
            items.append(("/wallboard", "Wallboard"))
        if self.may(*REPORTING):
            items.append(("/dashboard", "Dashboard"))
        if self.may(*CONFIGURING):
            items.append(("/config", "Configuration"))
        elif self.may(Role.SUPERVISOR):  # what agents say is theirs to edit too
            items.append(("/config/canned-responses", "Canned responses"))
        if self.may(*PLANNING):
            items.append(("/planning", "Planning"))
        if self.may(*AUDITING):
            items.append(("/audit", "Audit log"))
        return items

    def home(self) -> str:
        """Where this viewer lands after logging in."""
        if self.may(Role.MANAGER):
            return "/dashboard"
        if self.may(*SUPERVISING):
            return "/wallboard"
        if self.agent_id is not None:
            return "/desk"
        return "/dashboard" if self.may(*REPORTING) else "/account"


def current_viewer(request: Request) -> Viewer:
    """Dependency: the viewer behind the session cookie, or LoginRequired."""
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        raise LoginRequired
    db = get_db(request)
    with db.read() as session:
        try:
            found = organizations.authenticate_session(session, token)
        except AuthenticationFailed:
            raise LoginRequired from None
        actor = found.actor
        profile = organizations.user_profile(session, actor)
        user, org = profile.user, profile.organization
        return Viewer(
            actor=actor,
            csrf_token=found.csrf_token,
            user_name=user.display_name,
            email=user.email,
            organization_name=org.name,
            time_zone=org.time_zone,
            agent_id=profile.agent_id,
        )


def check_csrf(expected: str, given: object) -> None:
    """PermissionDenied unless a form's CSRF field matches the expected token."""
    if not isinstance(given, str) or not given or not digests_match(expected, given):
        raise PermissionDenied("the form is stale or forged (CSRF check failed); reload the page")


def new_login_csrf() -> str:
    """A fresh double-submit token for the login form."""
    return secrets.token_urlsafe(24)
