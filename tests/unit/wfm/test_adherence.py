"""Adherence and conformance minute by minute (helpline.wfm.adherence)."""

from __future__ import annotations

import pytest

from helpline.wfm.adherence import (
    AdherenceInputError,
    ApprovedException,
    ScheduledActivity,
    StateInterval,
    compute_adherence,
)

# ana: work 0-60, break 60-75, work 75-120 (minutes).
SCHEDULE = (
    ScheduledActivity("ana", "work", 0, 60),
    ScheduledActivity("ana", "break", 60, 75),
    ScheduledActivity("ana", "work", 75, 120),
)


def test_perfect_day_is_fully_adherent_and_conformant() -> None:
    states = (
        StateInterval("ana", "available", 0, 30),
        StateInterval("ana", "busy", 30, 60),
        StateInterval("ana", "not_ready:break", 60, 75),
        StateInterval("ana", "after_contact_work", 75, 120),
    )
    report = compute_adherence(SCHEDULE, states, start_minute=0, end_minute=120)
    (ana,) = report.agents
    assert (ana.scheduled_minutes, ana.adherent_minutes) == (120, 120)
    assert ana.adherence == 1.0
    assert ana.conformance == 1.0
    assert report.out_of_adherence == ()


def test_late_login_and_long_break_cost_adherence_but_not_all_conformance() -> None:
    # Logs in 10 min late, breaks 60-85 (10 min long), works until 130 (10 min over).
    states = (
        StateInterval("ana", "available", 10, 60),
        StateInterval("ana", "not_ready:break", 60, 85),
        StateInterval("ana", "busy", 85, 130),
    )
    report = compute_adherence(SCHEDULE, states, start_minute=0, end_minute=130)
    (ana,) = report.agents
    assert ana.scheduled_minutes == 120
    assert ana.adherent_minutes == 120 - 10 - 10
    assert ana.adherence == pytest.approx(100 / 120)
    # Worked 50 + 45 = 95 minutes (overtime included) against 105 scheduled for work.
    assert ana.worked_minutes == 95
    assert ana.conformance == pytest.approx(95 / 105)


def test_approved_exception_counts_as_adherent() -> None:
    states = (StateInterval("ana", "not_ready:training", 0, 120),)
    exceptions = (ApprovedException("ana", 0, 60, "coaching"),)
    report = compute_adherence(
        SCHEDULE, states, start_minute=0, end_minute=120, exceptions=exceptions
    )
    (ana,) = report.agents
    assert ana.adherent_minutes == 60
    assert ana.exception_minutes == 60


def test_real_time_list_shows_who_is_out_of_adherence_and_for_how_long() -> None:
    schedule = (*SCHEDULE, ScheduledActivity("bo", "work", 0, 120))
    states = (
        StateInterval("ana", "available", 0, 60),
        StateInterval("ana", "available", 60, 70),  # should be on break since 60
        StateInterval("bo", "available", 0, 70),
    )
    report = compute_adherence(schedule, states, start_minute=0, end_minute=70)
    (out,) = report.out_of_adherence
    assert (out.agent, out.scheduled_activity, out.actual_state) == ("ana", "break", "available")
    assert (out.since_minute, out.minutes) == (60, 10)


def test_team_figures_sum_their_agents() -> None:
    schedule = (ScheduledActivity("ana", "work", 0, 60), ScheduledActivity("bo", "work", 0, 60))
    states = (StateInterval("ana", "available", 0, 60), StateInterval("bo", "available", 0, 30))
    report = compute_adherence(
        schedule, states, start_minute=0, end_minute=60, teams={"ana": "red", "bo": "red"}
    )
    (team,) = report.teams
    assert (team.name, team.scheduled_minutes, team.adherent_minutes) == ("red", 120, 90)
    assert team.adherence == pytest.approx(0.75)


def test_interval_ending_before_it_starts_is_rejected() -> None:
    with pytest.raises(AdherenceInputError, match="ana"):
        compute_adherence(
            (ScheduledActivity("ana", "work", 60, 0),), (), start_minute=0, end_minute=60
        )
