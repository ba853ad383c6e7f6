"""Shift scheduling: turn required agents per interval into the cheapest set of shifts.

Public API::

    from helpline.wfm.scheduling import ScheduleProblem, ShiftTemplate, BreakRule, schedule_shifts
    result = schedule_shifts(ScheduleProblem(interval_minutes=30, requirements={"default": req},
                                             templates=(ShiftTemplate("8h", 480, starts),)))
    result.shifts, result.coverage["default"], result.shortfalls, result.lp_bound, result.gap

See :mod:`helpline.wfm.scheduling.solve` for the integer program and its sources.
"""

from helpline.wfm.scheduling.model import (
    BreakRule,
    PlacedBreak,
    ScheduledShift,
    ScheduledTour,
    ScheduleInputError,
    ScheduleProblem,
    ScheduleResult,
    ServiceLevelCurve,
    ServiceLevelGoal,
    ShiftTemplate,
    Shortfall,
    WeeklyPattern,
)
from helpline.wfm.scheduling.solve import schedule_shifts

__all__ = [
    "BreakRule",
    "PlacedBreak",
    "ScheduleInputError",
    "ScheduleProblem",
    "ScheduleResult",
    "ScheduledShift",
    "ScheduledTour",
    "ServiceLevelCurve",
    "ServiceLevelGoal",
    "ShiftTemplate",
    "Shortfall",
    "WeeklyPattern",
    "schedule_shifts",
]
