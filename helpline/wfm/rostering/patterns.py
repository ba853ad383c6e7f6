"""Work patterns: which days of the horizon an agent works, and the paid hours of each shift.

A contract's day rules (most days in a row, a block of consecutive days off each week, weekly hours)
depend only on the days worked and the shift length, so they are checked once per pattern here instead
of once per agent in the integer program.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from helpline.wfm.rostering.model import Contract

WEEKEND = frozenset({5, 6})


@dataclass(frozen=True)
class Pattern:
    """Work ``days`` (horizon days, sorted), each a shift of ``paid_hours``; empty = not rostered."""

    days: tuple[int, ...]
    paid_hours: float

    def weekend_days(self) -> int:
        """Days worked on Saturday or Sunday."""
        return sum(1 for d in self.days if d % 7 in WEEKEND)

    def hours_in_week(self, week: int) -> float:
        """Paid hours worked in week ``week`` of the horizon."""
        return self.paid_hours * sum(1 for d in self.days if d // 7 == week)


def _longest_run(flags: list[bool], *, cyclic: bool) -> int:
    sequence = flags + flags if cyclic else flags
    longest = run = 0
    for flag in sequence:
        run = run + 1 if flag else 0
        longest = max(longest, run)
    return min(longest, len(flags))


def _has_off_block(worked: set[int], week: int, block: int, num_days: int, *, cyclic: bool) -> bool:
    """A block of ``block`` consecutive days off starts in week ``week``."""
    for first in range(week * 7, week * 7 + 7):
        days = [first + i for i in range(block)]
        if not cyclic and days[-1] >= num_days:
            continue
        if all(d % num_days not in worked for d in days):
            return True
    return False


def work_patterns(
    contract: Contract,
    available_days: frozenset[int],
    paid_hours: float,
    num_days: int,
    *,
    wraps_around: bool,
) -> list[Pattern]:
    """Every set of days (within ``available_days``) a contract allows with shifts of ``paid_hours``.

    Each week's paid hours lie between the contract's minimum and maximum (an agent who cannot be
    given the minimum is left unrostered, the empty pattern, which the model charges for).
    The horizon repeats when ``wraps_around``: runs of days and blocks of days off continue from its
    last day into its first. A pattern working every day of a repeating horizon is left out: such an
    agent never has a day off, so no contract with rest rules allows it.
    """
    max_days_per_week = int(contract.max_hours_per_week // paid_hours + 1e-9)
    candidates = sorted(available_days)
    patterns = []
    for size in range(1, min(len(candidates), max_days_per_week * (num_days // 7)) + 1):
        for days in itertools.combinations(candidates, size):
            worked = set(days)
            flags = [d in worked for d in range(num_days)]
            if wraps_around and all(flags):
                continue
            if _longest_run(flags, cyclic=wraps_around) > contract.max_days_in_a_row:
                continue
            pattern = Pattern(days, paid_hours)
            weeks = range(num_days // 7)
            hours = [pattern.hours_in_week(w) for w in weeks]
            if max(hours) > contract.max_hours_per_week + 1e-9:
                continue
            if min(hours) < contract.min_hours_per_week - 1e-9:
                continue
            block = contract.min_consecutive_days_off
            if block and not all(
                _has_off_block(worked, w, block, num_days, cyclic=wraps_around) for w in weeks
            ):
                continue
            patterns.append(pattern)
    return patterns
