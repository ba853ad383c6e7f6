"""Weekly availability windows and dated absences become stretches rostering avoids."""

from __future__ import annotations

from helpline.wfm.rostering import Agent, Contract, RosterProblem, roster_agents
from helpline.wfm.rostering.availability import (
    clip_to_horizon,
    merge_stretches,
    outside_weekly_windows,
)
from helpline.wfm.scheduling import ScheduledShift

DAY = 1440
WEEK = 7 * DAY


def test_overlapping_and_touching_stretches_merge() -> None:
    assert merge_stretches([(50, 60), (0, 10), (10, 20), (15, 30), (40, 40)]) == [
        (0, 30),
        (50, 60),
    ]


def test_outside_windows_is_the_rest_of_the_week() -> None:
    # Monday 08:00-18:00 only.
    assert outside_weekly_windows([(0, 480, 1080)], 7) == ((0, 480), (1080, WEEK))


def test_windows_on_both_sides_of_midnight_join_into_a_night() -> None:
    gaps = outside_weekly_windows([(0, 1320, 1440), (1, 0, 360)], 7)
    assert gaps == ((0, 1320), (DAY + 360, WEEK))


def test_windows_repeat_every_week_of_the_horizon() -> None:
    gaps = outside_weekly_windows([(2, 0, 1440)], 14)
    assert gaps == ((0, 2 * DAY), (3 * DAY, 9 * DAY), (10 * DAY, 2 * WEEK))


def test_no_windows_means_never_available() -> None:
    assert outside_weekly_windows([], 7) == ((0, WEEK),)


def test_absences_are_cut_to_the_horizon() -> None:
    assert clip_to_horizon([(-100, 60), (WEEK - 10, WEEK + 500), (WEEK + 1, WEEK + 9)], 7) == (
        (0, 60),
        (WEEK - 10, WEEK),
    )


def test_an_agent_is_not_rostered_outside_their_windows() -> None:
    night = ScheduledShift("night", "default", 0, 22 * 60, 480, 480, (), 1)
    contract = Contract("full-time")
    evenings_only = Agent("ana", contract, unavailable=outside_weekly_windows([(0, 1080, 1440)], 7))
    nights_too = Agent(
        "bo", contract, unavailable=outside_weekly_windows([(0, 1080, 1440), (1, 0, 480)], 7)
    )
    result = roster_agents(RosterProblem((night,), (evenings_only, nights_too)))
    assert [a.agent for a in result.assignments] == ["bo"]
