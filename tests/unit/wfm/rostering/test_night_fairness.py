"""Night shifts: one definition, spread evenly across agents, and a weight that turns it off."""

from __future__ import annotations

import pytest
from test_roster_agents import FULL_TIME, shift, violations

from helpline.wfm.rostering import Agent, RosterProblem, RosterWeights, roster_agents
from helpline.wfm.rostering.model import RosterInputError, is_night, shift_kinds
from helpline.wfm.scheduling import ScheduledShift


@pytest.mark.parametrize(
    ("start_hour", "hours", "night"),
    [
        (17, 8, True),  # 22:00-01:00: exactly 3 h
        (16.5, 8, False),  # 2.5 h
        (22, 8, True),
        (3, 8, True),  # 03:00-06:00
        (3.5, 8, False),
        (9, 8, False),
        (23, 4, True),
        (22, 2, False),  # a 2 h shift can never be a night shift
    ],
)
def test_a_night_shift_has_three_hours_between_22_and_6(
    start_hour: float, hours: int, night: bool
) -> None:
    for day in (0, 6):  # Sunday's shift runs past the end of the week
        (kind,) = shift_kinds([shift(day, start_hour, hours)])
        assert is_night(kind) is night


def _week_with_four_nights() -> tuple[ScheduledShift, ...]:
    """Four shifts a day Monday-Friday, one of them a night (20:00-04:00) Monday-Thursday.

    The day shifts start at 15:00, 11 h after a night, so any agent may take any night.
    """
    nights = tuple(shift(day, 20, template="night") for day in range(4))
    days = tuple(shift(day, 15, count=3, template="day") for day in range(4))
    return nights + days + (shift(4, 15, count=4, template="day"),)


AGENTS = tuple(Agent(name, FULL_TIME) for name in ("ana", "bo", "cy", "di"))


def test_four_identical_agents_get_one_of_four_night_shifts_each() -> None:
    problem = RosterProblem(_week_with_four_nights(), AGENTS)
    result = roster_agents(problem)
    assert violations(problem, result) == []
    assert result.unfilled == ()
    assert [a.night_shifts for a in result.agents] == [1, 1, 1, 1]
    assert result.is_proven_optimal
    assert result.gap == 0.0
    assert result.objective == pytest.approx(4.0)  # 1² per agent, no weekend work


def test_weight_zero_lets_a_preference_gather_the_nights() -> None:
    agents = (Agent("ana", FULL_TIME, preferred_templates=frozenset({"night"})), *AGENTS[1:])
    shifts = _week_with_four_nights()
    fair = roster_agents(RosterProblem(shifts, agents))
    assert sorted(a.night_shifts for a in fair.agents) == [1, 1, 1, 1]
    off = RosterProblem(shifts, agents, weights=RosterWeights(night_shifts_squared=0))
    result = roster_agents(off)
    assert violations(off, result) == []
    assert {a.agent: a.night_shifts for a in result.agents}["ana"] == 4
    assert result.is_proven_optimal
    assert result.objective == pytest.approx(-0.4)  # ana's four preferred shifts, nothing else


def test_seven_nights_of_a_repeating_week_go_one_or_two_to_each_of_six_agents() -> None:
    shifts = tuple(shift(day, 20) for day in range(7)) + tuple(
        shift(day, 15, count=3) for day in range(7)
    )
    agents = tuple(Agent(f"a{i}", FULL_TIME) for i in range(6))
    problem = RosterProblem(shifts, agents)
    result = roster_agents(problem)
    assert violations(problem, result) == []
    assert result.unfilled == ()
    assert sorted(a.night_shifts for a in result.agents) == [1, 1, 1, 1, 1, 2]
    assert result.is_proven_optimal


def test_negative_weights_are_refused() -> None:
    with pytest.raises(RosterInputError, match="night_shifts_squared"):
        RosterWeights(night_shifts_squared=-1)
