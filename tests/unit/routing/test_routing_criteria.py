"""Compiling routing criteria into requirements with cumulative expiries."""

from __future__ import annotations

import pytest

from helpline.routing import RoutingCriteria, SkillRequirement, Step
from helpline.routing.criteria import ANY, Requirement, compile_steps


def step(expiry: float | None, **levels: int) -> Step:
    return Step(frozenset(SkillRequirement(s, n) for s, n in levels.items()), expiry_seconds=expiry)


@pytest.mark.parametrize(
    ("criteria", "sticky", "waited", "expected"),
    [
        (RoutingCriteria(), None, 0.0, ANY),
        (RoutingCriteria((step(30.0, a=4), step(60.0, a=2))), None, 29.9, Requirement((("a", 4),))),
        (RoutingCriteria((step(30.0, a=4), step(60.0, a=2))), None, 30.0, Requirement((("a", 2),))),
        (RoutingCriteria((step(30.0, a=4), step(60.0, a=2))), None, 89.9, Requirement((("a", 2),))),
        (RoutingCriteria((step(30.0, a=4), step(60.0, a=2))), None, 90.0, ANY),
        (RoutingCriteria((step(30.0, a=4), step(None, a=2))), None, 1e9, Requirement((("a", 2),))),
        (
            RoutingCriteria((step(30.0, a=4),)),
            ("x", 10.0),
            5.0,
            Requirement(agent_ids=frozenset({"x"})),
        ),
        (RoutingCriteria((step(30.0, a=4),)), ("x", 10.0), 39.9, Requirement((("a", 4),))),
        (RoutingCriteria((step(30.0, a=4),)), ("x", 10.0), 40.0, ANY),
    ],
)
def test_requirement_in_force_after_waiting(
    criteria: RoutingCriteria,
    sticky: tuple[str, float] | None,
    waited: float,
    expected: Requirement,
) -> None:
    compiled = compile_steps(criteria, *(sticky or (None, None)))
    assert compiled.requirements[compiled.index_at(waited)] == expected


@pytest.mark.parametrize(
    ("skills", "met"),
    [
        ({"a": 4, "b": 1}, True),
        ({"a": 5, "b": 3}, True),
        ({"a": 3, "b": 1}, False),
        ({"a": 4}, False),
    ],
)
def test_every_skill_requirement_must_hold(skills: dict[str, int], met: bool) -> None:
    assert Requirement((("a", 4), ("b", 1))).is_met_by("agent", skills) is met


def test_equal_steps_compile_to_equal_requirements() -> None:
    left = compile_steps(RoutingCriteria((step(None, a=1, b=2),)))
    right = compile_steps(RoutingCriteria((step(None, b=2, a=1),)))
    assert left.requirements == right.requirements
    assert hash(RoutingCriteria((step(None, a=1, b=2),))) == hash(
        RoutingCriteria((step(None, b=2, a=1),))
    )


@pytest.mark.parametrize(
    "build",
    [
        lambda: SkillRequirement("a", 6),
        lambda: Step(frozenset({SkillRequirement("a")}), preferred_agent_ids=frozenset({"x"})),
        lambda: RoutingCriteria((step(None, a=1), step(10.0, a=1))),
        lambda: Step(frozenset({SkillRequirement("a", 1), SkillRequirement("a", 2)})),
    ],
)
def test_invalid_criteria_are_refused(build: object) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 -- each case has its own message
        build()  # type: ignore[operator]
