"""Rostering: assign named agents to scheduled shifts under contracts, availability and rest rules.

Public API::

    from helpline.wfm.rostering import Agent, Contract, RosterProblem, roster_agents
    result = roster_agents(RosterProblem(shifts=schedule.shifts, agents=agents))
    result.assignments, result.unfilled, result.agents, result.is_proven_optimal, result.gap

See :mod:`helpline.wfm.rostering.solve` for the integer program and why it is exact.
"""

from helpline.wfm.rostering.model import (
    Agent,
    AgentSummary,
    Assignment,
    Contract,
    RosterInputError,
    RosterProblem,
    RosterResult,
    RosterWeights,
    UnfilledShift,
    employment_hours,
)
from helpline.wfm.rostering.solve import roster_agents

__all__ = [
    "Agent",
    "AgentSummary",
    "Assignment",
    "Contract",
    "RosterInputError",
    "RosterProblem",
    "RosterResult",
    "RosterWeights",
    "UnfilledShift",
    "employment_hours",
    "roster_agents",
]
