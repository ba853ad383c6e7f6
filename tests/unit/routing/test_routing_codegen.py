"""Generated hot-path code behaves like the generic code it replaces."""

from __future__ import annotations

import dataclasses
import inspect

import pytest

from helpline.routing import ContactSpec, RoutingEngine
from helpline.routing.codegen import exact_wrapper, fast_init


def test_contact_spec_keeps_its_defaults_keywords_equality_and_immutability() -> None:
    spec = ContactSpec("c1", "q", customer_id="cust")
    assert spec == ContactSpec("c1", "q", 5, None, 0.0, "cust", None)
    assert (spec.priority, spec.criteria, spec.age_adjustment_seconds) == (5, None, 0.0)
    assert hash(spec) == hash(ContactSpec("c1", "q", customer_id="cust"))
    assert dataclasses.replace(spec, queue_id="q2").queue_id == "q2"
    with pytest.raises(dataclasses.FrozenInstanceError):
        spec.priority = 1  # type: ignore[misc]
    with pytest.raises(TypeError):
        ContactSpec("c1")  # type: ignore[call-arg]


def test_fast_init_refuses_what_it_would_skip() -> None:
    @dataclasses.dataclass(frozen=True, slots=True)
    class Checked:
        x: int

        def __post_init__(self) -> None:
            raise AssertionError

    @dataclasses.dataclass(frozen=True, slots=True)
    class Factory:
        x: list[int] = dataclasses.field(default_factory=list)

    for cls in (Checked, Factory):
        with pytest.raises(TypeError):
            fast_init(cls)


def test_commands_keep_their_signatures() -> None:
    consult = inspect.signature(RoutingEngine.start_consult)
    assert list(consult.parameters) == [
        "self",
        "contact_id",
        "consult_contact_id",
        "now",
        "queue_id",
        "agent_id",
    ]
    assert consult.parameters["queue_id"].kind is inspect.Parameter.KEYWORD_ONLY
    assert RoutingEngine.add_contact.__name__ == "add_contact"
    assert RoutingEngine.add_contact.__doc__ is not None


def test_exact_wrapper_forwards_positional_keyword_and_default_arguments() -> None:
    def method(self: object, a: int, b: int = 2, *, c: int = 3) -> tuple[object, int, int, int]:
        return self, a, b, c

    body = "    return ('wrapped', {call})\n"
    wrapped = exact_wrapper(method, body, {})
    assert wrapped("s", 1) == ("wrapped", ("s", 1, 2, 3))  # type: ignore[comparison-overlap]
    assert wrapped("s", 1, b=5, c=6) == ("wrapped", ("s", 1, 5, 6))  # type: ignore[comparison-overlap]
    with pytest.raises(TypeError):
        wrapped("s", 1, 2, 3)  # type: ignore[call-arg]

    def varargs(self: object, *args: int) -> None: ...

    with pytest.raises(TypeError):
        exact_wrapper(varargs, body, {})
