"""Every use case declares who may call it, and the declaration is enforced before its body runs."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import Iterator
from typing import Any

import pytest

import helpline.services
from helpline.domain.enums import Role
from helpline.errors import PermissionDenied
from helpline.services import access
from helpline.services.access import allowed_roles, any_member, requires
from helpline.services.actor import Actor

# The scoping primitives themselves: they check the organization, callers declare the roles.
NOT_USE_CASES = {"helpline.services.access", "helpline.services.actor"}


def _service_modules() -> Iterator[Any]:
    for info in pkgutil.walk_packages(helpline.services.__path__, "helpline.services."):
        if info.name not in NOT_USE_CASES:
            yield importlib.import_module(info.name)


def _public_functions_taking_an_actor() -> Iterator[tuple[str, Any]]:
    """(qualified name, function) for each public function or method with an ``actor: Actor``."""
    for module in _service_modules():
        candidates: list[tuple[str, Any]] = []
        for name, value in vars(module).items():
            if name.startswith("_") or getattr(value, "__module__", None) != module.__name__:
                continue
            if inspect.isfunction(value):
                candidates.append((name, value))
            elif inspect.isclass(value):
                candidates.extend(
                    (f"{name}.{attr}", member)
                    for attr, member in vars(value).items()
                    if inspect.isfunction(member) and not attr.startswith("_")
                )
        for name, func in candidates:
            parameter = inspect.signature(func).parameters.get("actor")
            if parameter is not None and parameter.annotation in {"Actor", Actor}:
                yield f"{module.__name__}.{name}", func


def test_every_public_service_function_taking_an_actor_declares_its_roles() -> None:
    found = dict(_public_functions_taking_an_actor())
    undeclared = sorted(name for name, func in found.items() if allowed_roles(func) is None)
    assert not undeclared, f"declare @requires(...) or @any_member on: {undeclared}"
    assert len(found) > 100  # the walk really reached the use cases


def test_admins_are_always_admitted_and_any_member_admits_every_role() -> None:
    for _, func in _public_functions_taking_an_actor():
        roles = allowed_roles(func)
        assert roles is not None
        assert Role.ADMIN in roles
    assert allowed_roles(any_member(lambda actor: actor)) == frozenset(Role)


@requires(Role.MANAGER)
def _configure(session: object, actor: Actor, name: str) -> str:
    return f"{actor.label} configured {name}"


@pytest.mark.parametrize("role", list(Role))
def test_requires_checks_the_role_before_the_body_runs(role: Role) -> None:
    actor = Actor(organization_id=1, role=role, user_id=5)
    if role in {Role.ADMIN, Role.MANAGER}:
        assert _configure(None, actor, "queue") == "user:5 configured queue"
        assert _configure(None, actor=actor, name="queue") == "user:5 configured queue"
    else:
        with pytest.raises(PermissionDenied, match=f"role {role.value} may not"):
            _configure(None, actor, "queue")


def test_requires_refuses_a_function_without_an_actor() -> None:
    def no_actor(session: object) -> None:
        return None

    with pytest.raises(TypeError, match="no 'actor' parameter"):
        requires(Role.MANAGER)(no_actor)


def test_owned_by_scopes_every_table_named() -> None:
    from helpline.storage.tables import Agent, Queue

    clause = str(access.owned_by(Actor(organization_id=7, role=Role.AGENT), Queue, Agent))
    assert "queues.organization_id" in clause
    assert "agents.organization_id" in clause
