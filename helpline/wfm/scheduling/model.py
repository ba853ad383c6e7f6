"""Declarative, validated inputs and typed outputs of shift scheduling.

Times are minutes: a shift starts ``start_minutes`` after midnight of its ``day`` (0 = the first day
of the horizon, a Monday for a week) and lasts ``length_minutes`` including its breaks. Requirements are
agents per interval of ``interval_minutes``; a horizon is a whole number of days.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]

MINUTES_PER_DAY = 1440
ALL_DAYS = (0, 1, 2, 3, 4, 5, 6)


class ScheduleInputError(ValueError):
    """An input of the scheduler is invalid; the message names the field and the problem."""


@dataclass(frozen=True)
class BreakRule:
    """A break every shift of a template takes, placed by the solver inside a window.

    The break starts between ``earliest_start_minutes`` and ``latest_start_minutes`` after the shift
    starts (inclusive), on a grid of ``step_minutes`` (default: the interval length). An agent on break
    does not count towards coverage; a break shorter than an interval removes the matching fraction of
    an agent from that interval. Unpaid breaks (lunch) are not paid hours.
    """

    name: str
    duration_minutes: int
    earliest_start_minutes: int
    latest_start_minutes: int
    is_paid: bool = False
    step_minutes: int | None = None

    def __post_init__(self) -> None:
        where = f"break {self.name!r}"
        if self.duration_minutes <= 0:
            raise ScheduleInputError(f"{where}: duration_minutes must be > 0")
        if self.earliest_start_minutes < 0:
            raise ScheduleInputError(f"{where}: earliest_start_minutes must be >= 0")
        if self.latest_start_minutes < self.earliest_start_minutes:
            raise ScheduleInputError(
                f"{where}: latest_start_minutes is before earliest_start_minutes"
            )
        if self.step_minutes is not None and self.step_minutes <= 0:
            raise ScheduleInputError(f"{where}: step_minutes must be > 0")


@dataclass(frozen=True)
class WeeklyPattern:
    """Shifts of a template come as weekly tours: same start time on ``days_worked`` days of each week.

    The days off (``7 - days_worked``) must include a block of at least ``min_consecutive_days_off``
    consecutive days (the week wraps around: Sunday and Monday are consecutive). The scheduler picks
    how many agents work each (start time, days-off pattern) tour.
    """

    days_worked: int
    min_consecutive_days_off: int = 0

    def __post_init__(self) -> None:
        if not 1 <= self.days_worked <= 7:
            raise ScheduleInputError("weekly_pattern: days_worked must be between 1 and 7")
        if not 0 <= self.min_consecutive_days_off <= 7 - self.days_worked:
            raise ScheduleInputError(
                "weekly_pattern: min_consecutive_days_off must be between 0 and 7 - days_worked"
            )


@dataclass(frozen=True)
class ShiftTemplate:
    """A kind of shift: its length, when it may start, its breaks, its group and its cost.

    ``start_minutes`` lists allowed start times (minutes after midnight), ``days`` the days of the
    week it may start (0 = Monday). ``may_cross_midnight`` False keeps the shift inside its start day.
    ``max_shifts`` caps how many shifts of this template the whole horizon may hold (e.g. a part-time
    budget). ``group`` names the requirement (queue or skill group) the shift covers.
    """

    name: str
    length_minutes: int
    start_minutes: tuple[int, ...]
    days: tuple[int, ...] = ALL_DAYS
    breaks: tuple[BreakRule, ...] = ()
    group: str = "default"
    cost_per_paid_hour: float = 1.0
    may_cross_midnight: bool = True
    weekly_pattern: WeeklyPattern | None = None
    max_shifts: int | None = None

    def __post_init__(self) -> None:
        where = f"shift template {self.name!r}"
        if not self.name:
            raise ScheduleInputError("shift template: name must not be empty")
        if not 0 < self.length_minutes <= MINUTES_PER_DAY:
            raise ScheduleInputError(f"{where}: length_minutes must be in (0, 1440]")
        if not self.start_minutes:
            raise ScheduleInputError(f"{where}: start_minutes must list at least one start time")
        if any(not 0 <= s < MINUTES_PER_DAY for s in self.start_minutes):
            raise ScheduleInputError(f"{where}: start_minutes must be in [0, 1440)")
        if len(set(self.start_minutes)) != len(self.start_minutes):
            raise ScheduleInputError(f"{where}: start_minutes has duplicates")
        if not self.days or any(not 0 <= d <= 6 for d in self.days):
            raise ScheduleInputError(f"{where}: days must be week days 0 (Monday) to 6 (Sunday)")
        if self.cost_per_paid_hour < 0:
            raise ScheduleInputError(f"{where}: cost_per_paid_hour must be >= 0")
        if self.max_shifts is not None and self.max_shifts < 0:
            raise ScheduleInputError(f"{where}: max_shifts must be >= 0")
        previous_end = 0
        for rule in self.breaks:
            if rule.latest_start_minutes + rule.duration_minutes > self.length_minutes:
                raise ScheduleInputError(
                    f"{where}: break {rule.name!r} window ends after the shift ends"
                )
            if rule.earliest_start_minutes < previous_end:
                raise ScheduleInputError(
                    f"{where}: break {rule.name!r} window overlaps the previous break's window; "
                    "list breaks in order with disjoint windows"
                )
            previous_end = rule.latest_start_minutes + rule.duration_minutes
        if self.paid_minutes <= 0:
            raise ScheduleInputError(f"{where}: unpaid breaks leave no paid time")

    @property
    def paid_minutes(self) -> int:
        """Length minus unpaid breaks."""
        return self.length_minutes - sum(r.duration_minutes for r in self.breaks if not r.is_paid)


@dataclass(frozen=True)
class ServiceLevelCurve:
    """Service level of one group per interval as a function of agents on duty.

    ``service_level[t, n]`` is the fraction of interval ``t``'s ``calls`` answered within the target
    time with ``n`` agents (``n = 0 .. K-1``; beyond ``K-1`` the last value holds). Build it from Erlang C
    with :func:`helpline.wfm.scheduling.erlang_c_curve`.
    """

    calls: FloatArray
    service_level: FloatArray

    def __post_init__(self) -> None:
        if self.service_level.ndim != 2 or self.service_level.shape[0] != self.calls.shape[0]:
            raise ScheduleInputError("service level curve: shape must be (intervals, agents)")
        if not np.all(np.isfinite(self.calls)) or np.any(self.calls < 0):
            raise ScheduleInputError("service level curve: calls must be finite and >= 0")
        sl = self.service_level
        if not np.all(np.isfinite(sl)) or np.any(sl < 0) or np.any(sl > 1):
            raise ScheduleInputError("service level curve: values must be in [0, 1]")


@dataclass(frozen=True)
class ServiceLevelGoal:
    """Meet ``target`` (e.g. 0.8) of each group's calls over the horizon answered within the target time.

    The scheduler then uses the curves rather than the headcount requirement (which becomes a floor).
    ``shortfall_penalty`` is charged per call short of the goal, so an unreachable goal still gives
    the best schedule.
    """

    target: float
    curves: Mapping[str, ServiceLevelCurve]
    shortfall_penalty: float = 1000.0

    def __post_init__(self) -> None:
        if not 0.0 <= self.target <= 1.0:
            raise ScheduleInputError("service level goal: target must be in [0, 1]")
        if self.shortfall_penalty < 0:
            raise ScheduleInputError("service level goal: shortfall_penalty must be >= 0")


@dataclass(frozen=True)
class ScheduleProblem:
    """Everything the scheduler needs: requirements per group, templates, penalties, options.

    ``requirements[group][t]`` is the number of agents required in interval ``t``. With
    ``wraps_around`` (default) the horizon repeats (a standard week): a shift running past its end
    covers its first intervals. ``understaffing_penalty`` is charged per agent short per interval (in
    the same money as ``cost_per_paid_hour``); set it above an interval's share of a shift's cost so
    the scheduler covers whenever it can.
    """

    interval_minutes: int
    requirements: Mapping[str, FloatArray]
    templates: tuple[ShiftTemplate, ...]
    understaffing_penalty: float = 1000.0
    wraps_around: bool = True
    service_level_goal: ServiceLevelGoal | None = None
    time_limit_seconds: float | None = 60.0

    def __post_init__(self) -> None:
        if self.interval_minutes <= 0 or MINUTES_PER_DAY % self.interval_minutes:
            raise ScheduleInputError("interval_minutes must divide a day (e.g. 15, 30, 60)")
        if not self.requirements:
            raise ScheduleInputError("requirements: at least one group is needed")
        lengths = {np.asarray(r).shape for r in self.requirements.values()}
        if len(lengths) != 1 or len(next(iter(lengths))) != 1:
            raise ScheduleInputError(
                "requirements: every group needs a 1-D array of the same length"
            )
        for group, required in self.requirements.items():
            array = np.asarray(required, dtype=np.float64)
            if not np.all(np.isfinite(array)) or np.any(array < 0):
                raise ScheduleInputError(f"requirements[{group!r}]: values must be finite and >= 0")
        if self.num_intervals == 0 or self.num_intervals % self.intervals_per_day:
            raise ScheduleInputError(
                f"requirements: {self.num_intervals} intervals is not a whole number of days "
                f"of {self.intervals_per_day} intervals"
            )
        if not self.templates:
            raise ScheduleInputError("templates: at least one shift template is needed")
        names = [t.name for t in self.templates]
        if len(set(names)) != len(names):
            raise ScheduleInputError("templates: names must be unique")
        for template in self.templates:
            self._check_template(template)
        if self.understaffing_penalty < 0:
            raise ScheduleInputError("understaffing_penalty must be >= 0")
        goal = self.service_level_goal
        if goal is not None:
            for group, curve in goal.curves.items():
                if group not in self.requirements:
                    raise ScheduleInputError(f"service level goal: unknown group {group!r}")
                if curve.calls.shape[0] != self.num_intervals:
                    raise ScheduleInputError(
                        f"service level goal: curve of {group!r} has the wrong number of intervals"
                    )

    def _check_template(self, template: ShiftTemplate) -> None:
        where = f"shift template {template.name!r}"
        step = self.interval_minutes
        if template.group not in self.requirements:
            raise ScheduleInputError(f"{where}: group {template.group!r} has no requirement")
        if template.length_minutes % step or any(s % step for s in template.start_minutes):
            raise ScheduleInputError(
                f"{where}: length and start times must be multiples of {step} minutes"
            )
        if template.weekly_pattern is not None and self.num_days % 7:
            raise ScheduleInputError(f"{where}: weekly_pattern needs a horizon of whole weeks")

    @property
    def num_intervals(self) -> int:
        """Intervals in the horizon."""
        return int(np.asarray(next(iter(self.requirements.values()))).shape[0])

    @property
    def intervals_per_day(self) -> int:
        """Intervals in a day."""
        return MINUTES_PER_DAY // self.interval_minutes

    @property
    def num_days(self) -> int:
        """Days in the horizon."""
        return self.num_intervals // self.intervals_per_day


@dataclass(frozen=True, order=True)
class PlacedBreak:
    """A break placed by the scheduler: ``start_offset_minutes`` after the shift starts."""

    name: str
    start_offset_minutes: int
    duration_minutes: int
    is_paid: bool


@dataclass(frozen=True)
class ScheduledShift:
    """``count`` identical shifts: template, group, day, start and break placement.

    ``tour`` indexes :attr:`ScheduleResult.tours` when the shift belongs to a weekly tour.
    """

    template: str
    group: str
    day: int
    start_minutes: int
    length_minutes: int
    paid_minutes: int
    breaks: tuple[PlacedBreak, ...]
    count: int
    tour: int | None = None


@dataclass(frozen=True)
class ScheduledTour:
    """``count`` agents working ``template`` at ``start_minutes`` on each of ``days`` every week."""

    template: str
    start_minutes: int
    days: tuple[int, ...]
    count: int


@dataclass(frozen=True)
class Shortfall:
    """Interval ``interval`` of ``group`` (day, minute of day) is short of ``short_agents`` agents."""

    group: str
    interval: int
    day: int
    minute_of_day: int
    required_agents: float
    scheduled_agents: float
    short_agents: float


@dataclass(frozen=True)
class ScheduleResult:
    """The best schedule found and how good it is.

    Per group and interval: ``coverage`` (agents on duty, net of breaks), ``required``,
    ``understaffed``/``overstaffed`` (agents), and ``service_level`` when curves were given.
    ``objective`` is cost plus penalties; ``lp_bound`` the LP relaxation's objective, a lower bound on
    any schedule; ``dual_bound`` and ``gap`` what the branch and bound proved;
    ``is_proven_optimal`` True when the gap closed. ``shortfalls`` lists every uncovered interval.
    """

    interval_minutes: int
    shifts: tuple[ScheduledShift, ...]
    tours: tuple[ScheduledTour, ...]
    required: Mapping[str, FloatArray]
    coverage: Mapping[str, FloatArray]
    understaffed: Mapping[str, FloatArray]
    overstaffed: Mapping[str, FloatArray]
    service_level: Mapping[str, FloatArray]
    weekly_service_level: Mapping[str, float]
    shortfalls: tuple[Shortfall, ...]
    paid_hours: float
    cost: float
    objective: float
    lp_bound: float
    dual_bound: float
    gap: float
    is_proven_optimal: bool
    solver_status: str
    solver_seconds: float
    notes: tuple[str, ...] = field(default=())

    @property
    def understaffed_intervals(self) -> int:
        """Number of (group, interval) pairs short of their requirement."""
        return len(self.shortfalls)
