"""Adherence and conformance against hand-computed minute counts (samples at each whole minute)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

import pytest

from helpline.wfm.adherence import (
    ActivityKind,
    AdherenceException,
    ScheduledActivity,
    StateChange,
    adherence_by_agent,
    adherence_by_team,
    is_adherent,
    out_of_adherence,
)

WORK, BREAK, LUNCH, OFF = (
    ActivityKind.WORK,
    ActivityKind.BREAK,
    ActivityKind.LUNCH,
    ActivityKind.OFF,
)


def at(clock: str) -> datetime:
    """``"09:30"`` or ``"09:30:20"`` on the test day, UTC."""
    return datetime.fromisoformat(f"2026-11-25T{clock}").replace(tzinfo=UTC)


def act(kind: ActivityKind, start: str, end: str, agent: str = "ann") -> ScheduledActivity:
    return ScheduledActivity(agent, kind, at(start), at(end))


def change(clock: str, state: str, reason: str | None = None, agent: str = "ann") -> StateChange:
    return StateChange(agent, at(clock), state, reason)


# The hour 09:00-10:00: work with a break 09:30-09:45. The agent goes on break two minutes late
# (09:32) and comes back five minutes late (09:50).
SHIFT = [act(WORK, "09:00", "10:00"), act(BREAK, "09:30", "09:45")]
DAY = [
    change("08:55", "available"),
    change("09:10", "busy"),
    change("09:20", "acw"),
    change("09:25", "available"),
    change("09:32", "not_ready", "break"),
    change("09:50", "available"),
]


@dataclass(frozen=True)
class Case:
    name: str
    activities: list[ScheduledActivity]
    changes: list[StateChange]
    measured: int
    adherent: int
    scheduled_work: int
    worked: int
    adherence: float | None
    conformance: float | None
    exceptions: list[AdherenceException] = field(default_factory=list)


CASES = [
    # 30 adherent before the break; 2 late to it; 13 on break; 5 late back; 10 adherent.
    # Worked: 09:00-09:31 (32) + 09:50-09:59 (10) = 42 of 45 scheduled work minutes.
    Case("late to and back from break", SHIFT, DAY, 60, 53, 45, 42, 100 * 53 / 60, 100 * 42 / 45),
    # The five late minutes back are excused: adherent 58; conformance counts them as worked.
    Case(
        "approved exception counts as adherent",
        SHIFT,
        DAY,
        60,
        58,
        45,
        42,
        100 * 58 / 60,
        100 * 47 / 45,
        [AdherenceException("ann", at("09:45"), at("09:50"))],
    ),
    # Logged in for 15 minutes on a day off: measured 15, none adherent, nothing scheduled.
    Case(
        "logging in on a day off is out of adherence",
        [act(OFF, "09:00", "10:00")],
        [change("09:00", "available"), change("09:15", "offline")],
        15,
        0,
        0,
        15,
        0.0,
        None,
    ),
    # Offline until 09:10:30: the samples 09:00 .. 09:10 (11) see offline, the other 49 available.
    Case(
        "state before the first change is offline",
        [act(WORK, "09:00", "10:00")],
        [change("09:10:30", "available")],
        60,
        49,
        60,
        49,
        100 * 49 / 60,
        100 * 49 / 60,
    ),
    Case(
        "lunch needs the lunch reason",
        [act(LUNCH, "09:00", "10:00")],
        [change("08:00", "not_ready", "Break")],
        60,
        0,
        0,
        0,
        0.0,
        None,
    ),
    Case(
        "reasons compare case-insensitively",
        [act(LUNCH, "09:00", "10:00")],
        [change("08:00", "not_ready", "LUNCH")],
        60,
        60,
        0,
        0,
        100.0,
        None,
    ),
    # Scheduled 09:00-09:30 only, works the whole hour: 30 adherent + 30 logged in while off.
    Case(
        "working past the shift is out of adherence but counts as worked",
        [act(WORK, "09:00", "09:30")],
        [change("08:00", "busy")],
        60,
        30,
        30,
        60,
        50.0,
        200.0,
    ),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_agent_adherence_matches_hand_computed_minutes(case: Case) -> None:
    [figures] = adherence_by_agent(
        at("09:00"), at("10:00"), case.activities, case.changes, case.exceptions
    )
    assert figures.key == "ann"
    assert figures.measured_minutes == case.measured
    assert figures.adherent_minutes == case.adherent
    assert figures.scheduled_work_minutes == case.scheduled_work
    assert figures.worked_minutes == case.worked
    assert figures.adherence_percent == pytest.approx(case.adherence)
    assert figures.conformance_percent == pytest.approx(case.conformance)


@pytest.mark.parametrize(
    ("kind", "state", "reason", "expected"),
    [
        (WORK, "available", None, True),
        (WORK, "reserved", None, True),
        (WORK, "busy", None, True),
        (WORK, "acw", None, True),
        (WORK, "not_ready", "break", False),
        (WORK, "offline", None, False),
        (BREAK, "not_ready", "break", True),
        (BREAK, "not_ready", None, False),
        (BREAK, "available", None, False),
        (ActivityKind.MEETING, "not_ready", "meeting", True),
        (ActivityKind.TRAINING, "not_ready", "training", True),
        (ActivityKind.TRAINING, "not_ready", "meeting", False),
        (OFF, "offline", None, True),
        (OFF, "available", None, False),
    ],
)
def test_state_to_activity_mapping(
    kind: ActivityKind, state: str, reason: str | None, expected: bool
) -> None:
    assert is_adherent(kind, state, reason) is expected


def test_offline_agent_on_a_day_off_is_not_measured() -> None:
    assert adherence_by_agent(at("09:00"), at("10:00"), [act(OFF, "09:00", "10:00")], []) == []


def test_team_figures_are_ratios_of_summed_minutes() -> None:
    # ann: 53 of 60 adherent, 42 of 45 worked (first case); bob: a perfect 30-minute shift.
    bob = [act(WORK, "09:00", "09:30", "bob")]
    bob_changes = [
        change("09:00", "available", agent="bob"),
        change("09:30", "offline", agent="bob"),
    ]
    [team] = adherence_by_team(
        at("09:00"),
        at("10:00"),
        SHIFT + bob,
        DAY + bob_changes,
        {"ann": "blue", "bob": "blue"},
    )
    assert team.key == "blue"
    assert (team.measured_minutes, team.adherent_minutes) == (90, 83)
    assert team.adherence_percent == pytest.approx(100 * 83 / 90)
    assert team.conformance_percent == pytest.approx(100 * 72 / 75)


def test_out_of_adherence_now_lists_agents_longest_first_with_since() -> None:
    activities = [
        *SHIFT,
        act(WORK, "09:00", "10:00", "bob"),  # never logged in
        act(WORK, "09:00", "10:00", "cat"),  # working: adherent
        act(WORK, "09:00", "10:00", "dan"),  # offline but excused
    ]
    changes = [*DAY[:5], change("08:59", "available", agent="cat")]  # ann still on break
    exceptions = [AdherenceException("dan", at("09:00"), at("12:00"))]
    found = out_of_adherence(at("09:48:20"), activities, changes, exceptions)
    assert [(o.agent, o.since, o.minutes) for o in found] == [
        ("bob", at("09:00"), 48),
        ("ann", at("09:45"), 3),
    ]
    assert (found[1].expected, found[1].state, found[1].reason) == (WORK, "not_ready", "break")
    assert (found[0].expected, found[0].state) == (WORK, "offline")


def test_a_window_that_ends_before_it_starts_is_refused() -> None:
    with pytest.raises(ValueError, match="end"):
        adherence_by_agent(at("10:00"), at("09:00"), SHIFT, DAY)
