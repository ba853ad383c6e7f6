"""Validated documents: the pydantic models of input files, shared with the API's request bodies.

A concept read from a file (a shift template, an agent's contract, a simulation scenario) and sent to
the API is validated by one model, so a value refused in one is refused in the other with the same
message, naming the field. The models live next to the core they feed (``wfm``, ``sim``) and build its
frozen dataclasses; this module holds their base, the value types several of them share, and
:func:`validate`, which turns pydantic's first error into an :class:`~helpline.errors.InvalidInput`
whose ``field`` is the path as written (``agents[1].shifts[0].end``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Annotated, Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from pydantic_core import PydanticCustomError

from helpline.errors import InvalidInput

T = TypeVar("T")
M = TypeVar("M", bound=BaseModel)

Seconds = Annotated[float, Field(ge=0, allow_inf_nan=False)]
"""A finite number of seconds, >= 0."""
Count = Annotated[float, Field(ge=0, le=100_000, allow_inf_nan=False)]
"""Calls or agents per interval (fractional: an expectation or a requirement)."""
Proficiency = Annotated[int, Field(ge=1, le=5)]
"""An agent's level in a skill, or the least level a queue requires."""
Concurrency = Annotated[int, Field(ge=1, le=50)]
"""Contacts of one channel an agent may handle at once."""
Priority = Annotated[int, Field(ge=1, le=100)]
"""1 is served first."""


def unstorable_reason(text: str) -> str | None:
    """Why ``text`` cannot be stored (a NUL character, a lone surrogate), or None."""
    if "\x00" in text:
        return "must not contain NUL characters"
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return "must be valid Unicode text (no lone surrogates)"
    return None


def refuse_unstorable_text(value: Any) -> Any:
    """``value`` unchanged, or ValueError when a string in it (nested lists and dicts included, keys
    too) holds a NUL character or a lone surrogate."""
    if isinstance(value, str):
        reason = unstorable_reason(value)
        if reason:
            raise ValueError(reason)
    elif isinstance(value, list | tuple):
        for item in value:
            refuse_unstorable_text(item)
    elif isinstance(value, dict):
        for key, item in value.items():
            refuse_unstorable_text(key)
            refuse_unstorable_text(item)
    return value


class Document(BaseModel):
    """Base of the shared models: unknown fields are an error, values are frozen, numbers finite,
    text storable (no NUL character, no lone surrogate)."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    @field_validator("*", mode="before")
    @classmethod
    def _storable_text(cls, value: Any) -> Any:
        return refuse_unstorable_text(value)


def invalid(message: str) -> PydanticCustomError:
    """The error a validator raises: reported as ``message`` alone (no "Value error, " prefix)."""
    return PydanticCustomError("value_error", message)


def core_checked(build: Callable[[], T]) -> T:
    """Call a validating core constructor inside a validator: its ValueError is this field's error."""
    try:
        return build()
    except ValueError as error:
        raise invalid(str(error)) from None


def field_path(loc: Sequence[int | str]) -> str:
    """``("agents", 1, "shifts", 0, "end")`` -> ``agents[1].shifts[0].end``.

    Union members are tagged ``"(…)"`` (see ``Tag`` uses); their tags, and the ``[key]`` pydantic adds
    for a bad mapping key, are not part of the path.
    """
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        elif not part.startswith("(") and part != "[key]":
            path += f".{part}" if path else part
    return path


def validate(model: type[M], data: object, root: str = "document") -> M:
    """``model`` validated from ``data``; raises InvalidInput naming the first bad field (``root``
    when the whole document is wrong)."""
    try:
        return model.model_validate(data)
    except ValidationError as error:
        first = error.errors(include_url=False)[0]
        raise InvalidInput(field_path(first["loc"]) or root, first["msg"]) from None
