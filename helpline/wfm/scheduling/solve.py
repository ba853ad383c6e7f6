"""Build and solve the shift-scheduling integer program with HiGHS.

Model (one block per group ``g`` and interval ``t``; a set-covering model in the style of Dantzig
(1954) with explicit break placement variables as in Bechtold & Jacobs (1990)):

- ``x_j`` integer: agents working column ``j`` (a shift, or a weekly tour), cost = its paid hours times
  the template's cost per paid hour;
- ``b_jkrp`` integer: agents of column ``j`` taking break ``r`` of day-shift ``k`` at placement ``p``,
  with ``sum_p b_jkrp = x_j``;
- ``n_gt`` = agents on duty = ``sum_j a_tj x_j - sum b·(break overlap)``;
- ``u_gt >= 0``: agents short, ``n_gt + u_gt >= required_gt``, penalised per agent-interval, so the
  model is always feasible and the optimum reports the best schedule and its gaps.

Service-level mode (after Atlason, Epelman & Henderson (2004) and Koole & van der Sluis (2003), who
staff against the service level of the whole horizon rather than per interval): ``s_gt`` are the calls
answered in time, bounded by the concave piecewise-linear service-level curve of interval ``t``
(``s_gt <= calls_t·(SL(k) + (SL(k+1) - SL(k))·(n_gt - k))`` for every integer ``k``), and
``sum_t s_gt + v_g >= target·sum_t calls_t`` with the shortfall ``v_g`` penalised per call. The curve is
only concave above its inflection point, so staffing is kept at or above that point (for Erlang C a
little above the offered load), where the linear cuts are exact at integer agents.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable

import numpy as np

from helpline.wfm.highs import FloatArray, IntArray, MipSolution, ModelBuilder, solve_mip
from helpline.wfm.scheduling.columns import Column, Span, enumerate_columns, minute_span
from helpline.wfm.scheduling.model import (
    MINUTES_PER_DAY,
    PlacedBreak,
    ScheduledShift,
    ScheduledTour,
    ScheduleProblem,
    ScheduleResult,
    ServiceLevelCurve,
    ServiceLevelGoal,
    Shortfall,
)

ProgressCallback = Callable[[str], None]

_EPS = 1e-6


def concave_start(service_level: FloatArray) -> int:
    """Smallest agent count from which ``service_level`` (one interval's curve) is concave."""
    increments = np.diff(service_level)
    rising = np.nonzero(increments[1:] > increments[:-1] + 1e-12)[0]
    return int(rising[-1] + 1) if rising.size else 0


def interpolate_service_level(curve: FloatArray, agents: FloatArray) -> FloatArray:
    """Service level per interval at (possibly fractional) ``agents``, linear between integers."""
    max_index = curve.shape[1] - 1
    clipped = np.clip(agents, 0.0, float(max_index))
    low = np.floor(clipped).astype(np.int64)
    high = np.minimum(low + 1, max_index)
    rows = np.arange(curve.shape[0])
    weight = clipped - low
    values = curve[rows, low] * (1.0 - weight) + curve[rows, high] * weight
    return np.asarray(values, dtype=np.float64)


class _Model:
    """Variable indices of one scheduling model, kept to read the solution back."""

    def __init__(self, problem: ScheduleProblem, columns: list[Column]) -> None:
        self.problem = problem
        self.columns = columns
        self.groups = list(problem.requirements)
        self.builder = ModelBuilder()
        self.break_vars: list[tuple[int, int, int, int, int]] = []  # (var, col, day-shift, rule, p)
        self.floor = np.zeros(len(self.groups) * problem.num_intervals)
        self._build()

    def _build(self) -> None:
        problem, builder = self.problem, self.builder
        num_t = problem.num_intervals
        templates = problem.templates
        costs = [
            len(c.day_shifts)
            * templates[c.template_index].paid_minutes
            / 60.0
            * templates[c.template_index].cost_per_paid_hour
            for c in self.columns
        ]
        self.x = builder.add_columns(costs, is_integer=True)
        n_groups = len(self.groups)
        self.n = builder.add_columns(np.zeros(n_groups * num_t))
        self.u = builder.add_columns(np.full(n_groups * num_t, problem.understaffing_penalty))
        duty_rows = builder.add_rows(0.0, 0.0, n_groups * num_t)
        builder.add_entries(duty_rows, self.n, -1.0)
        group_of = {name: g for g, name in enumerate(self.groups)}
        rows: list[np.ndarray] = []
        cols: list[np.ndarray] = []
        vals: list[np.ndarray] = []
        for j, column in enumerate(self.columns):
            offset = group_of[templates[column.template_index].group] * num_t
            for k, day_shift in enumerate(column.day_shifts):
                rows.append(duty_rows[offset + day_shift.span.intervals])
                cols.append(np.full(day_shift.span.intervals.shape, self.x[j]))
                vals.append(day_shift.span.fractions)
                for r, options in enumerate(day_shift.placements):
                    link = builder.add_rows(0.0, 0.0, 1)[0]
                    rows.append(np.array([link]))
                    cols.append(np.array([self.x[j]]))
                    vals.append(np.array([-1.0]))
                    for p, (_, span) in enumerate(options):
                        var = int(builder.add_columns([0.0], is_integer=True)[0])
                        self.break_vars.append((var, j, k, r, p))
                        rows.append(np.concatenate([[link], duty_rows[offset + span.intervals]]))
                        cols.append(np.full(span.intervals.shape[0] + 1, var))
                        vals.append(np.concatenate([[1.0], -span.fractions]))
        if rows:
            builder.add_entries(np.concatenate(rows), np.concatenate(cols), np.concatenate(vals))
        for g, group in enumerate(self.groups):
            self.floor[g * num_t : (g + 1) * num_t] = np.asarray(problem.requirements[group])
        self._add_template_caps()
        if problem.service_level_goal is not None:
            self._add_service_level(problem.service_level_goal)
        cover_rows = builder.add_rows(self.floor, np.inf, n_groups * num_t)
        builder.add_entries(cover_rows, self.n, 1.0)
        builder.add_entries(cover_rows, self.u, 1.0)

    def rounded_start(self, lp_x: FloatArray) -> tuple[IntArray, FloatArray]:
        """A start for the branch and bound: shifts rounded up, breaks spread by largest remainder.

        Rounding every shift count up keeps coverage at least the LP's (up to break rounding), so
        the start is rarely short; HiGHS completes the continuous columns. Template caps may make it
        infeasible, in which case HiGHS just ignores it.
        """
        counts = np.ceil(lp_x[self.x] - 1e-6).clip(min=0.0)
        indices = [self.x]
        values = [counts]
        groups: dict[tuple[int, int, int], list[int]] = {}
        for var, j, k, r, _ in self.break_vars:
            groups.setdefault((j, k, r), []).append(var)
        for (j, _, _), members in groups.items():
            share = lp_x[members].clip(min=0.0)
            placed = np.floor(share + 1e-9)
            left = int(counts[j] - placed.sum())
            if left > 0:
                order = np.argsort(-(share - placed), kind="stable")
                for step in range(left):
                    placed[order[step % len(order)]] += 1
            indices.append(np.asarray(members, dtype=np.int64))
            values.append(placed)
        return np.concatenate(indices).astype(np.int64), np.concatenate(values)

    def _add_template_caps(self) -> None:
        for index, template in enumerate(self.problem.templates):
            if template.max_shifts is None:
                continue
            members = [j for j, c in enumerate(self.columns) if c.template_index == index]
            row = self.builder.add_rows(-np.inf, float(template.max_shifts), 1)[0]
            weights = [len(self.columns[j].day_shifts) for j in members]
            self.builder.add_entries(np.full(len(members), row), self.x[members], weights)

    def _add_service_level(self, goal: ServiceLevelGoal) -> None:
        num_t = self.problem.num_intervals
        builder = self.builder
        for g, group in enumerate(self.groups):
            curve = goal.curves.get(group)
            if curve is None:
                continue
            s = builder.add_columns(np.zeros(num_t), upper=curve.calls)
            v = builder.add_columns([goal.shortfall_penalty])
            weekly = builder.add_rows(goal.target * float(curve.calls.sum()), np.inf, 1)[0]
            builder.add_entries(np.full(num_t, weekly), s, 1.0)
            builder.add_entries([weekly], v, 1.0)
            for t in np.nonzero(curve.calls > 0)[0]:
                sl = curve.service_level[t]
                first = concave_start(sl)
                slopes = np.diff(sl)
                segments = np.arange(first, sl.shape[0] - 1)
                segments = segments[slopes[segments] > 1e-9]
                self.floor[g * num_t + t] = max(self.floor[g * num_t + t], float(first))
                if segments.size == 0:
                    continue
                calls = float(curve.calls[t])
                cut_rows = builder.add_rows(
                    -np.inf, calls * (sl[segments] - slopes[segments] * segments), segments.size
                )
                builder.add_entries(cut_rows, np.full(segments.size, s[t]), 1.0)
                builder.add_entries(
                    cut_rows,
                    np.full(segments.size, self.n[g * num_t + t]),
                    -calls * slopes[segments],
                )


def _shifts_from_solution(
    model: _Model, x: FloatArray
) -> tuple[tuple[ScheduledShift, ...], tuple[ScheduledTour, ...]]:
    templates = model.problem.templates
    counts = np.rint(x[model.x]).astype(np.int64)
    placements: dict[tuple[int, int, int], list[int]] = {}
    for var, j, k, r, p in model.break_vars:
        agents = round(float(x[var]))
        if agents > 0:
            placements.setdefault((j, k, r), []).extend([p] * agents)
    grouped: Counter[tuple[int, int, tuple[int, ...], int | None]] = Counter()
    tours: list[ScheduledTour] = []
    for j, column in enumerate(model.columns):
        if counts[j] <= 0:
            continue
        template = templates[column.template_index]
        tour: int | None = None
        if column.is_tour:
            tour = len(tours)
            tours.append(
                ScheduledTour(
                    template.name,
                    column.start_minutes,
                    tuple(d.day for d in column.day_shifts),
                    int(counts[j]),
                )
            )
        for k in range(len(column.day_shifts)):
            per_rule = [
                sorted(placements.get((j, k, r), []))[: counts[j]]
                for r in range(len(template.breaks))
            ]
            for agent in range(int(counts[j])):
                choice = tuple(
                    options[agent] if agent < len(options) else 0 for options in per_rule
                )
                grouped[(j, k, choice, tour)] += 1
    shifts = []
    for (j, k, choice, tour), count in sorted(grouped.items(), key=lambda item: item[0][:2]):
        column = model.columns[j]
        template = templates[column.template_index]
        day_shift = column.day_shifts[k]
        breaks = tuple(
            PlacedBreak(
                rule.name, day_shift.placements[r][p][0], rule.duration_minutes, rule.is_paid
            )
            for r, (rule, p) in enumerate(zip(template.breaks, choice, strict=True))
        )
        shifts.append(
            ScheduledShift(
                template=template.name,
                group=template.group,
                day=day_shift.day,
                start_minutes=column.start_minutes,
                length_minutes=template.length_minutes,
                paid_minutes=template.paid_minutes,
                breaks=breaks,
                count=count,
                tour=tour,
            )
        )
    shifts.sort(key=lambda s: (s.day, s.start_minutes, s.template, s.breaks))
    return tuple(shifts), tuple(tours)


def schedule_shifts(
    problem: ScheduleProblem, *, progress: ProgressCallback | None = None
) -> ScheduleResult:
    """Solve ``problem``: the cheapest schedule meeting the requirement (or the service-level goal).

    Never fails for lack of agents: intervals that cannot be covered (no template reaches them, or a
    ``max_shifts`` cap) come back in ``shortfalls`` with how many agents are missing. ``progress``, if
    given, is called with a short stage name as the solve advances.
    """
    report = progress or (lambda _stage: None)
    report("enumerating shifts")
    columns = enumerate_columns(problem)
    report("building model")
    model = _Model(problem, columns)
    report("solving")
    solution = solve_mip(
        model.builder.build(),
        time_limit_seconds=problem.time_limit_seconds,
        start_from_lp=model.rounded_start,
    )
    report("reading solution")
    shifts, tours = _shifts_from_solution(model, solution.x)
    return _result(problem, model, shifts, tours, solution)


def _result(
    problem: ScheduleProblem,
    model: _Model,
    shifts: tuple[ScheduledShift, ...],
    tours: tuple[ScheduledTour, ...],
    solution: MipSolution,
) -> ScheduleResult:
    num_t = problem.num_intervals
    coverage_all = _coverage(problem, model, shifts)
    required, coverage, under, over, levels, weekly = {}, {}, {}, {}, {}, {}
    shortfalls: list[Shortfall] = []
    goal = problem.service_level_goal
    for g, group in enumerate(model.groups):
        req = np.asarray(problem.requirements[group], dtype=np.float64)
        cov = coverage_all[g * num_t : (g + 1) * num_t]
        required[group], coverage[group] = req, cov
        under[group] = np.maximum(req - cov, 0.0)
        over[group] = np.maximum(cov - req, 0.0)
        shortfalls.extend(
            Shortfall(
                group=group,
                interval=int(t),
                day=int(t) // problem.intervals_per_day,
                minute_of_day=(int(t) % problem.intervals_per_day) * problem.interval_minutes,
                required_agents=float(req[t]),
                scheduled_agents=float(cov[t]),
                short_agents=float(under[group][t]),
            )
            for t in np.nonzero(under[group] > _EPS)[0]
        )
        curve: ServiceLevelCurve | None = goal.curves.get(group) if goal is not None else None
        if curve is not None:
            levels[group] = interpolate_service_level(curve.service_level, cov)
            total = float(curve.calls.sum())
            weekly[group] = float((levels[group] * curve.calls).sum() / total) if total else 1.0
    paid_hours = sum(s.count * s.paid_minutes for s in shifts) / 60.0
    cost_per_hour = {t.name: t.cost_per_paid_hour for t in problem.templates}
    cost = sum(s.count * s.paid_minutes / 60.0 * cost_per_hour[s.template] for s in shifts)
    return ScheduleResult(
        interval_minutes=problem.interval_minutes,
        shifts=shifts,
        tours=tours,
        required=required,
        coverage=coverage,
        understaffed=under,
        overstaffed=over,
        service_level=levels,
        weekly_service_level=weekly,
        shortfalls=tuple(shortfalls),
        paid_hours=paid_hours,
        cost=cost,
        objective=solution.objective,
        lp_bound=solution.lp_bound if solution.lp_bound is not None else -math.inf,
        dual_bound=solution.dual_bound,
        gap=solution.gap,
        is_proven_optimal=solution.is_proven_optimal,
        solver_status=solution.status,
        solver_seconds=solution.solver_seconds,
    )


def _coverage(
    problem: ScheduleProblem, model: _Model, shifts: tuple[ScheduledShift, ...]
) -> FloatArray:
    """Agents on duty per (group, interval), recomputed from the shifts themselves."""
    num_t = problem.num_intervals
    coverage = np.zeros(len(model.groups) * num_t)
    offset = {group: g * num_t for g, group in enumerate(model.groups)}
    for shift in shifts:
        base = shift.day * MINUTES_PER_DAY + shift.start_minutes
        span = _span(base, shift.length_minutes, problem)
        np.add.at(coverage, offset[shift.group] + span.intervals, shift.count * span.fractions)
        for placed in shift.breaks:
            gap = _span(base + placed.start_offset_minutes, placed.duration_minutes, problem)
            np.add.at(coverage, offset[shift.group] + gap.intervals, -shift.count * gap.fractions)
    return coverage


def _span(start_minute: int, duration_minutes: int, problem: ScheduleProblem) -> Span:
    span = minute_span(start_minute, duration_minutes, problem)
    if span is None:  # columns past the horizon end were never generated
        raise RuntimeError("a scheduled shift runs past the end of the horizon")
    return span
