"""Who may call a use case, and which rows it may see: one place for roles and organization scoping.

Roles: every public service function that takes an ``actor`` declares the roles it admits with
``@requires(Role.X, ...)`` (admins always pass) or, when every member may call it, ``@any_member``.
The check runs before the body, and the admitted roles stay on the function (``allowed_roles``),
so tests can enumerate them.

Scoping: a row is loaded by id with ``access_<resource>(session, actor, id)``, which answers NotFound
for a row of another organization exactly as for a missing one (never revealing that it exists);
list queries start from ``owned(actor, Table)`` or filter with ``owned_by(actor, Table)``.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

from sqlalchemy import ColumnElement, Select, and_, select
from sqlalchemy.orm import Session

from helpline.domain.enums import Role
from helpline.errors import InvalidInput, NotFound, PermissionDenied
from helpline.services.actor import Actor
from helpline.storage import tables

P = ParamSpec("P")
R = TypeVar("R")
T = TypeVar("T", bound=tables.Base)

ALLOWED_ROLES = "allowed_roles"

# -- roles -----------------------------------------------------------------------------------------


def requires(*roles: Role) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Decorator: the function may be called by an actor of ``roles`` (or an admin), else 403.

    The decorated function must have a parameter named ``actor``; the admitted roles are recorded
    on it as ``allowed_roles`` (a frozenset, always including ``Role.ADMIN``).
    """
    allowed = frozenset({Role.ADMIN, *roles})

    def decorate(func: Callable[P, R]) -> Callable[P, R]:
        names = list(inspect.signature(func).parameters)
        if "actor" not in names:
            raise TypeError(f"{func.__qualname__} has no 'actor' parameter to check")
        position = names.index("actor")

        @functools.wraps(func)
        def checked(*args: P.args, **kwargs: P.kwargs) -> R:
            actor = kwargs["actor"] if "actor" in kwargs else args[position]
            if not isinstance(actor, Actor):
                raise TypeError(f"{func.__qualname__}: actor must be an Actor, not {actor!r}")
            actor.require(*allowed)
            return func(*args, **kwargs)

        vars(checked)[ALLOWED_ROLES] = allowed
        return checked

    return decorate


def any_member(func: Callable[P, R]) -> Callable[P, R]:
    """Decorator: every role of the organization may call ``func`` (declared, not forgotten)."""
    return requires(*Role)(func)


def allowed_roles(func: object) -> frozenset[Role] | None:
    """The roles ``func`` declares with ``requires``/``any_member``, or None if it declares none."""
    roles = getattr(func, ALLOWED_ROLES, None)
    return roles if isinstance(roles, frozenset) else None


# -- organization scoping --------------------------------------------------------------------------


def organization_of(scope: Actor | int) -> int:
    """The organization id of an actor, or the id itself."""
    return scope.organization_id if isinstance(scope, Actor) else scope


def owned_by(scope: Actor | int, *tables_: type[tables.Base]) -> ColumnElement[bool]:
    """A WHERE clause: rows of every table in ``tables_`` belong to the actor's organization."""
    organization_id = organization_of(scope)
    clauses = [table.__table__.c.organization_id == organization_id for table in tables_]
    return and_(*clauses)


def owned(scope: Actor | int, table: type[T]) -> Select[T]:
    """``SELECT table WHERE table.organization_id = <the actor's organization>``."""
    return select(table).where(owned_by(scope, table))


def _owned_row(session: Session, scope: Actor | int, table: type[T], row_id: int) -> T | None:
    column: Any = table
    return session.scalar(owned(scope, table).where(column.id == row_id))


def access(session: Session, scope: Actor | int, table: type[T], row_id: int, noun: str) -> T:
    """The row ``row_id`` of ``table`` in the actor's organization, or NotFound naming ``noun``."""
    row = _owned_row(session, scope, table, row_id)
    if row is None:
        raise NotFound(f"{noun} {row_id} not found")
    return row


def _accessor(table: type[T], noun: str) -> Callable[[Session, Actor | int, int], T]:
    def load(session: Session, scope: Actor | int, row_id: int) -> T:
        return access(session, scope, table, row_id, noun)

    load.__name__ = load.__qualname__ = f"access_{noun.replace(' ', '_').lower()}"
    load.__doc__ = f"The {noun} ``row_id`` of the actor's organization, or NotFound."
    return load


access_agent = _accessor(tables.Agent, "agent")
access_api_key = _accessor(tables.ApiKey, "API key")
access_adherence_exception = _accessor(tables.AdherenceException, "adherence exception")
access_calendar_event = _accessor(tables.CalendarEvent, "calendar event")
access_case = _accessor(tables.Case, "case")
access_chat_widget = _accessor(tables.ChatWidget, "chat widget")
access_contact = _accessor(tables.Contact, "contact")
access_customer = _accessor(tables.Customer, "customer")
access_email_address = _accessor(tables.EmailAddress, "email address")
access_forecast = _accessor(tables.Forecast, "forecast")
access_message = _accessor(tables.Message, "message")
access_provider_connection = _accessor(tables.ProviderConnection, "provider connection")
access_queue = _accessor(tables.Queue, "queue")
access_routing_profile = _accessor(tables.RoutingProfile, "routing profile")
access_schedule = _accessor(tables.Schedule, "schedule")
access_skill = _accessor(tables.Skill, "skill")
access_sla_policy = _accessor(tables.SlaPolicy, "SLA policy")
access_team = _accessor(tables.Team, "team")
access_time_off = _accessor(tables.TimeOff, "time off")
access_user = _accessor(tables.User, "user")
access_user_session = _accessor(tables.UserSession, "session")
access_voice_number = _accessor(tables.VoiceNumber, "voice number")
access_wrap_up_code = _accessor(tables.WrapUpCode, "wrap-up code")


def require_own_or(actor: Actor, is_own: bool, *roles: Role, what: str) -> None:
    """A record-level rule inside a use case: the actor's own ``what``, or a role of ``roles``.

    (An agent reads their own schedule; a supervisor anyone's.) The function's declared roles were
    checked first; this refuses with 403 naming the record, not a role.
    """
    if is_own or actor.role is Role.ADMIN or actor.role in roles:
        return
    raise PermissionDenied(f"role {actor.role.value} may only reach its own {what}")


def referenced(
    session: Session,
    scope: Actor | int,
    table: type[T],
    row_id: int,
    field: str,
    noun: str | None = None,
) -> T:
    """The row a request names by id in ``field``, of the actor's organization.

    A missing row, or another organization's, is bad input (422 naming ``field``), not NotFound:
    the URL was right, the body was not. ``noun`` defaults to the field's name (``queue_id``:
    queue).
    """
    if noun is None:
        noun = field.rsplit(".", 1)[-1].removesuffix("_id").replace("_", " ")
    row = _owned_row(session, scope, table, row_id)
    if row is None:
        raise InvalidInput(field, f"no {noun} with id {row_id}")
    return row
