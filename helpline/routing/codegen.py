"""Generated functions for the engine's hot paths: the same behaviour as the generic code, fewer steps.

Both generators write a plain function from a fixed template over names taken from our own classes and
methods (never from input), so what runs is exactly what the template says.

* :func:`fast_init`: a frozen slots dataclass's generated ``__init__`` calls ``object.__setattr__`` per
  field; writing the slot descriptors directly is about 2x faster and the instances stay frozen.
* :func:`exact_wrapper`: a decorator's ``*args, **kwargs`` wrapper packs and unpacks the arguments on
  every call (about four times the cost of the call itself); a wrapper with the method's own signature
  forwards them as they are.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from dataclasses import MISSING, fields
from typing import Any, TypeVar

_T = TypeVar("_T")
_F = TypeVar("_F", bound=Callable[..., Any])


def _compile(source: str, name: str, env: dict[str, Any]) -> Any:
    namespace: dict[str, Any] = {}
    exec(source, env, namespace)  # noqa: S102 -- fixed template over our own identifiers
    return namespace[name]


def fast_init(cls: type[_T]) -> type[_T]:
    """Give a frozen slots dataclass an ``__init__`` that writes the slots through their descriptors.

    Signature and defaults are unchanged; fields with a ``default_factory``, ``init=False`` fields and
    ``__post_init__`` are not supported (refused, so a later change cannot silently skip them).
    """
    if hasattr(cls, "__post_init__"):
        raise TypeError(f"{cls.__name__} has __post_init__")
    env: dict[str, Any] = {}
    params, body = [], []
    for field in fields(cls):  # type: ignore[arg-type]
        if field.default_factory is not MISSING or not field.init:
            raise TypeError(f"{cls.__name__}.{field.name}: only plain fields are supported")
        name = field.name
        env[f"_set_{name}"] = getattr(cls, name).__set__
        if field.default is MISSING:
            params.append(name)
        else:
            env[f"_default_{name}"] = field.default
            params.append(f"{name}=_default_{name}")
        body.append(f"    _set_{name}(self, {name})\n")
    source = f"def __init__(self, {', '.join(params)}):\n" + ("".join(body) or "    pass\n")
    init = _compile(source, "__init__", env)
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    setattr(cls, "__init__", init)  # noqa: B010 -- mypy forbids assigning to a method
    return cls


def exact_wrapper(method: _F, template: str, env: dict[str, Any]) -> _F:
    """Wrap ``method`` in ``template`` with the method's own parameters.

    ``template`` is the wrapper's body, indented by four spaces, in which ``{call}`` stands for the
    call of the method (available as ``_method``) with the wrapper's arguments. Only plain and
    keyword-only parameters are supported (no ``*args``, ``**kwargs`` or positional-only).
    """
    params: list[str] = []
    args: list[str] = []
    env = {**env, "_method": method}
    for p in inspect.signature(method).parameters.values():
        if p.kind is not p.POSITIONAL_OR_KEYWORD and p.kind is not p.KEYWORD_ONLY:
            raise TypeError(f"{method.__qualname__}: only plain and keyword-only parameters")
        text = p.name
        if p.default is not p.empty:
            env[f"_default_{p.name}"] = p.default
            text += f"=_default_{p.name}"
        if p.kind is p.KEYWORD_ONLY:
            if "*" not in params:
                params.append("*")
            args.append(f"{p.name}={p.name}")
        else:
            args.append(p.name)
        params.append(text)
    call = f"_method({', '.join(args)})"
    source = f"def wrapper({', '.join(params)}):\n{template.format(call=call)}"
    wrapper = _compile(source, "wrapper", env)
    functools.update_wrapper(wrapper, method)
    return wrapper  # type: ignore[no-any-return]
