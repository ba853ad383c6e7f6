"""The password rules applied whenever a password is set (creation, change, reset)."""

from __future__ import annotations

import functools
from importlib import resources

from helpline.domain.login_policy import password_problem
from helpline.errors import InvalidInput


@functools.cache
def common_passwords() -> frozenset[str]:
    """The common passwords refused (shipped list; see COMMON_PASSWORDS_SOURCE.md)."""
    text = (
        resources.files("helpline.services.identity")
        .joinpath("common_passwords.txt")
        .read_text("utf-8")
    )
    return frozenset(line.strip().lower() for line in text.splitlines() if line.strip())


def check_new_password(password: str, *, email: str, display_name: str, field: str) -> None:
    """Raise InvalidInput naming ``field`` unless ``password`` meets the rules of
    :func:`helpline.domain.login_policy.password_problem`."""
    problem = password_problem(
        password, email=email, display_name=display_name, common=common_passwords()
    )
    if problem is not None:
        raise InvalidInput(field, problem)
