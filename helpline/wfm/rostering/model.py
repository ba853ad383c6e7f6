"""Inputs and outputs of rostering: contracts, agents, the problem and the roster.

Days are horizon days (0 = the first Monday); minutes are minutes since the start of the horizon
unless a name says "of day"; hours are paid hours.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from helpline.wfm.scheduling import ScheduledShift

MINUTES_PER_DAY = 1440
MINUTES_PER_WEEK = 7 * MINUTES_PER_DAY

NIGHT_START_MINUTE = 22 * 60
NIGHT_END_MINUTE = 6 * 60
NIGHT_MIN_MINUTES = 3 * 60
"""A *night shift* has at least 3 hours between 22:00 and 06:00 local time (breaks included).

The one definition used everywhere (fairness, ``avoids_nights``, reports). The window and the 3 hours
follow the EU Working Time Directive (2003/88/EC, art. 2: night time includes 00:00-05:00; a night
worker works at least 3 hours of it): an 8 h shift is a night shift when it starts between 17:00
and 03:00.
"""


class RosterInputError(ValueError):
    """An input of the rostering is invalid; the message names the field and the problem."""


EMPLOYMENT_HOURS = {"full_time": (35.0, 40.0), "part_time": (0.0, 30.0)}
"""Default weekly (minimum, maximum) paid hours of each employment, used when hours are not given."""


def employment_hours(
    employment: str, min_hours: float | None, max_hours: float | None
) -> tuple[float, float]:
    """Weekly (minimum, maximum) paid hours: the given ones, the employment's defaults otherwise.

    Full-time: at least 35 h and at most 40 h; part-time: at most 30 h and no minimum. A default
    never contradicts a given bound (a part-timer given a 32 h minimum may work up to 32 h; a
    full-timer given a 30 h maximum has a 30 h minimum). The employment means nothing more: the
    rostering only ever sees the hours.
    """
    if employment not in EMPLOYMENT_HOURS:
        raise RosterInputError(f"employment: {', '.join(EMPLOYMENT_HOURS)}, not {employment!r}")
    default_min, default_max = EMPLOYMENT_HOURS[employment]
    high = max(default_max, min_hours or 0.0) if max_hours is None else max_hours
    low = min(default_min, high) if min_hours is None else min_hours
    return low, high


@dataclass(frozen=True)
class Contract:
    """Working-time rules of an agent's contract (hours are paid hours per week).

    A rostered agent works between ``min_hours_per_week`` and ``max_hours_per_week`` every week, never
    more than ``max_days_in_a_row`` days in a row, has a block of ``min_consecutive_days_off`` days off
    each week and at least ``min_rest_minutes`` between the end of a shift and the next start. An
    agent who cannot be given the minimum is left out of the roster, at a cost per missing hour.
    """

    name: str
    max_hours_per_week: float = 40.0
    min_hours_per_week: float = 0.0
    max_days_in_a_row: int = 6
    min_consecutive_days_off: int = 0
    min_rest_minutes: int = 660

    def __post_init__(self) -> None:
        where = f"contract {self.name!r}"
        if not 0 <= self.min_hours_per_week <= self.max_hours_per_week:
            raise RosterInputError(f"{where}: need 0 <= min_hours_per_week <= max_hours_per_week")
        if not 1 <= self.max_days_in_a_row <= 7:
            raise RosterInputError(f"{where}: max_days_in_a_row must be between 1 and 7")
        if not 0 <= self.min_consecutive_days_off <= 6:
            raise RosterInputError(f"{where}: min_consecutive_days_off must be between 0 and 6")
        if self.min_rest_minutes < 0:
            raise RosterInputError(f"{where}: min_rest_minutes must be >= 0")


@dataclass(frozen=True)
class Agent:
    """A named agent: contract, skill groups, time off and preferences.

    ``days_off`` are horizon days (0 = first Monday) the agent does not work (time off, holidays);
    ``unavailable`` lists ``(start_minute, end_minute)`` stretches of the horizon no shift may overlap.
    ``preferred_templates`` earn a bonus when worked; ``preferred_days_off`` (days of the week) cost a
    penalty when worked, and so does each night shift of an agent who ``avoids_nights``.
    """

    name: str
    contract: Contract
    skills: frozenset[str] = frozenset({"default"})
    days_off: frozenset[int] = frozenset()
    unavailable: tuple[tuple[int, int], ...] = ()
    preferred_templates: frozenset[str] = frozenset()
    preferred_days_off: frozenset[int] = frozenset()
    avoids_nights: bool = False

    def __post_init__(self) -> None:
        if not self.name:
            raise RosterInputError("agent: name must not be empty")
        for start, end in self.unavailable:
            if end <= start:
                raise RosterInputError(
                    f"agent {self.name!r}: unavailable stretch ends before start"
                )


@dataclass(frozen=True)
class RosterWeights:
    """Objective weights: penalties are costs, bonuses are subtracted.

    ``weekend_days_squared`` is charged per agent on the square of the weekend days worked, which
    spreads weekends evenly (two agents with one weekend day each cost 2, one agent with two costs 4);
    ``night_shifts_squared`` does the same with night shifts (see :data:`NIGHT_MIN_MINUTES`). A
    weight of 0 turns that fairness off. ``night_shift_avoided`` is charged per night shift of an
    agent who ``avoids_nights``.
    """

    unfilled_shift: float = 1000.0
    hour_below_minimum: float = 10.0
    weekend_days_squared: float = 1.0
    night_shifts_squared: float = 1.0
    preferred_template_bonus: float = 0.1
    preferred_day_off_worked: float = 0.5
    night_shift_avoided: float = 0.5

    def __post_init__(self) -> None:
        for name, value in self.__dict__.items():
            if not value >= 0:
                raise RosterInputError(f"weights: {name} must be >= 0")


@dataclass(frozen=True)
class RosterProblem:
    """Shifts to staff (from a schedule), the agents, and the rules of the horizon.

    ``num_days`` is the horizon length in days (a multiple of 7); minute 0 is local midnight.
    """

    shifts: tuple[ScheduledShift, ...]
    agents: tuple[Agent, ...]
    num_days: int = 7
    wraps_around: bool = True
    weights: RosterWeights = RosterWeights()
    time_limit_seconds: float | None = 60.0

    def __post_init__(self) -> None:
        if self.num_days <= 0 or self.num_days % 7:
            raise RosterInputError("num_days must be a positive multiple of 7")
        names = [a.name for a in self.agents]
        if len(set(names)) != len(names):
            raise RosterInputError("agents: names must be unique")
        for shift in self.shifts:
            if not 0 <= shift.day < self.num_days:
                raise RosterInputError(f"shift {shift.template!r}: day {shift.day} outside horizon")


@dataclass(frozen=True)
class Assignment:
    """Agent ``agent`` works ``shift`` (its ``count`` is 1)."""

    agent: str
    shift: ScheduledShift


@dataclass(frozen=True)
class UnfilledShift:
    """``missing`` agents short on ``template`` starting ``day`` at ``start_minutes``."""

    template: str
    group: str
    day: int
    start_minutes: int
    missing: int


@dataclass(frozen=True)
class AgentSummary:
    """Per agent: paid hours per week, days worked, weekend days and night shifts."""

    agent: str
    paid_hours: tuple[float, ...]
    days_worked: int
    weekend_days: int
    night_shifts: int


@dataclass(frozen=True)
class RosterResult:
    """The best roster found: assignments, unfilled shifts, per-agent summary and the proof status.

    ``dual_bound`` is the lower bound HiGHS proved on ``objective``; ``gap`` their relative distance
    (0 and ``is_proven_optimal`` when the roster is optimal).
    """

    assignments: tuple[Assignment, ...]
    unfilled: tuple[UnfilledShift, ...]
    agents: tuple[AgentSummary, ...]
    objective: float
    dual_bound: float
    gap: float
    is_proven_optimal: bool
    solver_status: str
    solver_seconds: float


@dataclass(frozen=True)
class ShiftKind:
    """Shifts with the same template, group, day and start: interchangeable for rostering."""

    template: str
    group: str
    day: int
    start_minutes: int
    length_minutes: int
    paid_hours: float
    count: int

    @property
    def start(self) -> int:
        """Start, minutes since the start of the horizon."""
        return self.day * MINUTES_PER_DAY + self.start_minutes

    @property
    def end(self) -> int:
        """End, minutes since the start of the horizon (may pass the horizon's end)."""
        return self.start + self.length_minutes


def shift_kinds(shifts: Sequence[ScheduledShift]) -> list[ShiftKind]:
    """Group scheduled shifts into kinds (template, group, day, start), ordered by start time."""
    counts: dict[tuple[str, str, int, int], int] = defaultdict(int)
    shape: dict[tuple[str, str, int, int], tuple[int, int]] = {}
    for shift in shifts:
        key = (shift.template, shift.group, shift.day, shift.start_minutes)
        counts[key] += shift.count
        shape[key] = (shift.length_minutes, shift.paid_minutes)
    return [
        ShiftKind(*key, shape[key][0], shape[key][1] / 60.0, count)
        for key, count in sorted(counts.items(), key=lambda item: (item[0][2], item[0][3], item[0]))
        if count > 0
    ]


def _overlaps(a_start: int, a_end: int, b_start: int, b_end: int, horizon: int | None) -> bool:
    if horizon is None:
        return a_start < b_end and b_start < a_end
    return any(a_start < b_end + k and b_start + k < a_end for k in (-horizon, 0, horizon))


def is_eligible(agent: Agent, kind: ShiftKind, horizon: int | None) -> bool:
    """Whether ``agent`` may work ``kind``: skill, time off and unavailability (cyclic if horizon)."""
    if kind.group not in agent.skills or kind.day in agent.days_off:
        return False
    return not any(
        _overlaps(kind.start, kind.end, start, end, horizon) for start, end in agent.unavailable
    )


def night_minutes(start: int, end: int) -> int:
    """Minutes of ``[start, end)`` (minutes since a local midnight) between 22:00 and 06:00."""
    total = 0
    for day in range(start // MINUTES_PER_DAY - 1, end // MINUTES_PER_DAY + 1):
        night_start = day * MINUTES_PER_DAY + NIGHT_START_MINUTE
        night_end = (day + 1) * MINUTES_PER_DAY + NIGHT_END_MINUTE
        total += max(0, min(end, night_end) - max(start, night_start))
    return total


def is_night(kind: ShiftKind) -> bool:
    """Whether ``kind`` is a night shift: at least :data:`NIGHT_MIN_MINUTES` in 22:00-06:00."""
    return night_minutes(kind.start, kind.end) >= NIGHT_MIN_MINUTES


ProgressCallback = Callable[[str], None]
