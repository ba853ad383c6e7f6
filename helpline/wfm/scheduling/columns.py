"""Enumerate the scheduler's columns: every shift (or weekly tour) a template allows, and its breaks.

A column is one way to employ an agent: a template, a start time and the days it is worked (one day for
a plain shift, the working days of a weekly pattern for a tour). Each worked day is a *day-shift* whose
break rules each have a list of allowed placements. Coverage is expressed as (interval, fraction)
pairs so breaks shorter than an interval remove the matching fraction of an agent.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from helpline.wfm.scheduling.model import (
    MINUTES_PER_DAY,
    ScheduleProblem,
    ShiftTemplate,
    WeeklyPattern,
)

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Span:
    """Intervals touched by a stretch of minutes and the fraction of each interval it covers."""

    intervals: IntArray
    fractions: FloatArray


@dataclass(frozen=True)
class DayShift:
    """One worked day of a column: its start day, its coverage and its breaks' placements.

    ``placements[r]`` lists, for break rule ``r`` of the template, (offset minutes, span) options.
    """

    day: int
    span: Span
    placements: tuple[tuple[tuple[int, Span], ...], ...]


@dataclass(frozen=True)
class Column:
    """A template worked at ``start_minutes`` on each day of ``day_shifts``; ``is_tour`` for patterns."""

    template_index: int
    start_minutes: int
    day_shifts: tuple[DayShift, ...]
    is_tour: bool


def minute_span(start_minute: int, duration_minutes: int, problem: ScheduleProblem) -> Span | None:
    """The intervals covered by minutes ``[start, start + duration)`` of the horizon.

    Wraps around the horizon when ``problem.wraps_around``; otherwise returns None when the stretch
    runs past the end.
    """
    horizon = problem.num_intervals * problem.interval_minutes
    end_minute = start_minute + duration_minutes
    if end_minute > horizon and not problem.wraps_around:
        return None
    step = problem.interval_minutes
    first, last = start_minute // step, (end_minute - 1) // step
    intervals = np.arange(first, last + 1, dtype=np.int64)
    lows = np.maximum(intervals * step, start_minute)
    highs = np.minimum((intervals + 1) * step, end_minute)
    fractions = (highs - lows).astype(np.float64) / step
    return Span(intervals % problem.num_intervals, fractions)


def pattern_days(pattern: WeeklyPattern, allowed_days: tuple[int, ...]) -> list[tuple[int, ...]]:
    """Every set of week days (0-6) of ``pattern.days_worked`` days whose days off contain a block of
    ``min_consecutive_days_off`` consecutive days (cyclic), using only ``allowed_days``."""
    patterns = []
    for worked in itertools.combinations(sorted(set(allowed_days)), pattern.days_worked):
        off = [d not in worked for d in range(7)]
        longest, run = 0, 0
        for is_off in off + off:  # twice round the week, so the block may wrap Sunday -> Monday
            run = run + 1 if is_off else 0
            longest = max(longest, min(run, 7))
        if longest >= pattern.min_consecutive_days_off:
            patterns.append(worked)
    return patterns


def _day_shift(
    template: ShiftTemplate, day: int, start_minutes: int, problem: ScheduleProblem
) -> DayShift | None:
    absolute_start = day * MINUTES_PER_DAY + start_minutes
    span = minute_span(absolute_start, template.length_minutes, problem)
    if span is None:
        return None
    placements = []
    for rule in template.breaks:
        step = rule.step_minutes or problem.interval_minutes
        options = []
        for offset in range(rule.earliest_start_minutes, rule.latest_start_minutes + 1, step):
            break_span = minute_span(absolute_start + offset, rule.duration_minutes, problem)
            if break_span is not None:
                options.append((offset, break_span))
        placements.append(tuple(options))
    return DayShift(day, span, tuple(placements))


def enumerate_columns(problem: ScheduleProblem) -> list[Column]:
    """All columns of all templates of ``problem``, in template order."""
    columns: list[Column] = []
    for index, template in enumerate(problem.templates):
        day_sets: list[tuple[int, ...]]
        starts = sorted(template.start_minutes)
        if not template.may_cross_midnight:
            starts = [s for s in starts if s + template.length_minutes <= MINUTES_PER_DAY]
        if template.weekly_pattern is None:
            day_sets = [(day,) for day in range(problem.num_days) if day % 7 in set(template.days)]
            is_tour = False
        else:
            weeks = problem.num_days // 7
            day_sets = [
                tuple(week * 7 + d for week in range(weeks) for d in worked)
                for worked in pattern_days(template.weekly_pattern, template.days)
            ]
            is_tour = True
        for start in starts:
            for days in day_sets:
                day_shifts = [_day_shift(template, day, start, problem) for day in days]
                if any(d is None for d in day_shifts):
                    continue
                columns.append(
                    Column(index, start, tuple(d for d in day_shifts if d is not None), is_tour)
                )
    return columns
