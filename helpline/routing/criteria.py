"""Routing criteria: ordered steps of skill requirements or preferred agents, each with an expiry.

A contact's criteria are data (declared on the queue, or set on the contact by a flow). Step ``i`` applies
from the moment the previous step expired; expiries are durations, so they are cumulative: steps of 30 s
and 60 s apply during [0, 30) and [30, 90) seconds of waiting. After the last step expires any agent of the
queue may take the contact; a last step without expiry applies for ever.

Internally each step compiles to a :class:`Requirement`, a hashable value the engine indexes on: all
contacts of one queue with an equal current requirement share one group, whatever step they reached it in.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True, order=True)
class SkillRequirement:
    """``skill >= min_proficiency`` (proficiency 1-5)."""

    skill: str
    min_proficiency: int = 1

    def __post_init__(self) -> None:
        if not 1 <= self.min_proficiency <= 5:
            raise ValueError("min_proficiency must be 1-5")


@dataclass(frozen=True, slots=True)
class Step:
    """One escalation step: every skill requirement must hold, or (if ``preferred_agent_ids`` is set)
    the agent must be one of those. ``expiry_seconds`` None means the step never expires."""

    skills: frozenset[SkillRequirement] = frozenset()
    preferred_agent_ids: frozenset[str] | None = None
    expiry_seconds: float | None = None

    def __post_init__(self) -> None:
        if self.preferred_agent_ids is not None and self.skills:
            raise ValueError("a step requires skills or names preferred agents, not both")
        if self.expiry_seconds is not None and self.expiry_seconds < 0:
            raise ValueError("expiry_seconds must be >= 0")
        names = [r.skill for r in self.skills]
        if len(names) != len(set(names)):
            raise ValueError("a step names a skill twice")


@dataclass(frozen=True, slots=True)
class RoutingCriteria:
    """Ordered escalation steps; empty means any agent of the queue from the start."""

    steps: tuple[Step, ...] = ()
    # The engine looks criteria up by value on every arrival; hashing nested steps each time costs more
    # than the routing decision itself, so the hash is computed once.
    _hash: int = field(default=0, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        for step in self.steps[:-1]:
            if step.expiry_seconds is None:
                raise ValueError("only the last step may lack an expiry")
        object.__setattr__(self, "_hash", hash(self.steps))

    def __hash__(self) -> int:
        return self._hash


@dataclass(frozen=True, slots=True)
class Requirement:
    """The compiled form of a step: what an agent must have to take the contact right now.

    ``skills`` is sorted so equal steps compile to equal (same-hash) requirements. ``agent_ids`` None
    means no agent restriction. The empty requirement (ANY) admits every agent of the queue.
    """

    skills: tuple[tuple[str, int], ...] = ()
    agent_ids: frozenset[str] | None = None

    def is_met_by(self, agent_id: str, skills: Mapping[str, int]) -> bool:
        """True when an agent with these skills (name -> proficiency) may take the contact."""
        if self.agent_ids is not None and agent_id not in self.agent_ids:
            return False
        for skill, level in self.skills:  # noqa: SIM110 -- hot path: a loop beats all(generator)
            if skills.get(skill, 0) < level:
                return False
        return True

    def skill_score(self, skills: Mapping[str, int]) -> int:
        """Sum of the agent's proficiency over this requirement's skills (for ``most_skilled``)."""
        return sum(skills.get(skill, 0) for skill, _ in self.skills)


ANY = Requirement()


@dataclass(frozen=True, slots=True)
class CompiledSteps:
    """Requirements and their cumulative end offsets (seconds after entering the queue).

    ``ends[i]`` is when ``requirements[i]`` stops applying; the final requirement never ends.
    """

    requirements: tuple[Requirement, ...]
    ends: tuple[float, ...]

    def index_at(self, waited_seconds: float) -> int:
        """Index of the requirement in force after waiting this long."""
        for i, end in enumerate(self.ends):
            if waited_seconds < end:
                return i
        return len(self.ends)


def compile_steps(
    criteria: RoutingCriteria,
    sticky_agent_id: str | None = None,
    sticky_seconds: float | None = None,
) -> CompiledSteps:
    """Compile criteria (optionally preceded by a sticky window for one agent) into requirements.

    A last step with an expiry is followed by ANY; consecutive equal requirements are kept separate (their
    ends still add up), which costs nothing since they share a group.
    """
    requirements: list[Requirement] = []
    ends: list[float] = []
    elapsed = 0.0
    if sticky_agent_id is not None and sticky_seconds is not None and sticky_seconds > 0:
        requirements.append(Requirement(agent_ids=frozenset((sticky_agent_id,))))
        elapsed += sticky_seconds
        ends.append(elapsed)
    for step in criteria.steps:
        skills = tuple(sorted((r.skill, r.min_proficiency) for r in step.skills))
        requirements.append(Requirement(skills, step.preferred_agent_ids))
        if step.expiry_seconds is None:
            return CompiledSteps(tuple(requirements), tuple(ends))
        elapsed += step.expiry_seconds
        ends.append(elapsed)
    requirements.append(ANY)
    return CompiledSteps(tuple(requirements), tuple(ends))
