"""Build and solve the rostering integer program (HiGHS), then hand each agent its shifts.

Why this model: agents with the same contract, skills, availability and preferences are
interchangeable, and a per-agent 0-1 model of a 545-agent week is full of symmetric copies of the same
solution (HiGHS did not find a full roster in 60 s on one). The model therefore works per *class* of
identical agents and per *work pattern* (days worked and shift length, see
:mod:`helpline.wfm.rostering.patterns`), with integer counts:

- ``p_cπ``: agents of class ``c`` working pattern ``π`` (``sum_π p_cπ = |c|``); the empty pattern
  (agent left out) costs the minimum hours it misses, the others the weekend fairness term, which
  depends on the pattern alone;
- ``z_cπj``: of those, how many work shift kind ``j`` on its day (``sum_j z_cπj = p_cπ`` per day worked);
- cover: ``sum z_cπj + unfilled_j = count_j``, ``unfilled_j`` penalised;
- minimum rest between consecutive days worked ``d -> d'`` of a pattern: an agent on kind ``j`` may
  continue with ``j'`` only if ``start_j' >= end_j + rest``. These allowed sets are nested, so by Hall's
  theorem a perfect matching of the ``p`` agents' day-``d`` shifts to their day-``d'`` shifts exists iff
  for every threshold ``τ``: ``sum_{j on d, end_j + rest >= τ} z_j <= sum_{j' on d', start_j' >= τ} z_j'``.

This is an exact reformulation (an integer solution always splits into individual rosters: match each
day's shifts to the next day's in sorted order), so HiGHS's bound and gap are those of the roster itself.
Night fairness (``night_shifts_squared`` on the square of each agent's night shifts) depends on which
shifts an agent works, not on the pattern, so when its weight is positive the ``z`` are split further
by the nights worked so far: ``z_cπ,i,n,j`` agents of the pattern work kind ``j`` on the ``i``-th day
of its chain with ``n`` night shifts up to then. The agents of (day ``i``, ``n`` nights) continue with
a non-night shift at ``(i+1, n)`` or a night shift at ``(i+1, n+1)`` (a flow row per group), and the
square of ``n`` is charged on the last day. Each group on day ``i+1`` has one predecessor group, so
the rest rule is Hall's threshold condition above per group, and the split stays exact. The layers
multiply the pattern's shift variables by about half its days; with weight 0 there is one layer.
Restriction: an agent works shifts of one paid length within the horizon. CP-SAT (OR-Tools) was not needed: after the aggregation the model is a small integer program
with a tight LP relaxation, and HiGHS reports the LP bound and gap we publish.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from dataclasses import dataclass, replace

import numpy as np

from helpline.wfm.highs import FloatArray, IntArray, MipModel, MipSolution, ModelBuilder, solve_mip
from helpline.wfm.rostering.model import (
    MINUTES_PER_DAY,
    Agent,
    AgentSummary,
    Assignment,
    ProgressCallback,
    RosterInputError,
    RosterProblem,
    RosterResult,
    ShiftKind,
    UnfilledShift,
    is_eligible,
    is_night,
    shift_kinds,
)
from helpline.wfm.rostering.patterns import Pattern, work_patterns
from helpline.wfm.scheduling import ScheduledShift

MAX_ROSTER_DAYS = 14


@dataclass
class _PatternBlock:
    """Variables of one (class, pattern): ``p`` and one ``z`` per (chain position, nights, kind).

    ``z[i]`` counts the pattern's agents working kind ``kinds[i]`` on the day at ``positions[i]`` of
    ``chain`` having worked ``nights[i]`` night shifts up to and including it; ``is_night[i]`` says
    whether that kind adds a night (always False when night fairness is off).
    """

    agent_class: int
    pattern: Pattern
    p: int
    kinds: IntArray
    z: IntArray
    positions: IntArray
    nights: IntArray
    is_night: IntArray
    chain: tuple[int, ...]  # worked days in the order their shifts are matched

    def predecessor_nights(self) -> IntArray:
        """Nights before each column's day: the state of the agents it continues from."""
        return self.nights - self.is_night

    def successors(self, position: int, nights: int) -> IntArray:
        """Columns at ``position + 1`` continuing from agents with ``nights`` nights at ``position``."""
        return np.nonzero((self.positions == position + 1) & (self.predecessor_nights() == nights))[
            0
        ]


def _agent_classes(agents: tuple[Agent, ...]) -> list[list[int]]:
    classes: dict[Agent, list[int]] = defaultdict(list)
    for index, agent in enumerate(agents):
        classes[replace(agent, name="(class)")].append(index)
    return list(classes.values())


class _RosterModel:
    def __init__(self, problem: RosterProblem, kinds: list[ShiftKind]) -> None:
        self.problem = problem
        self.kinds = kinds
        self.horizon_minutes = problem.num_days * MINUTES_PER_DAY
        horizon = self.horizon_minutes if problem.wraps_around else None
        self.builder = ModelBuilder()
        self.classes = _agent_classes(problem.agents)
        self.blocks: list[_PatternBlock] = []
        self.rest_rows: list[int] = []
        self.night = [is_night(k) for k in kinds]
        counts = np.array([k.count for k in kinds], dtype=np.float64)
        weights = problem.weights
        self.unfilled = self.builder.add_columns(np.full(len(kinds), weights.unfilled_shift))
        self.cover_rows = self.builder.add_rows(counts, counts, len(kinds))
        self.builder.add_entries(self.cover_rows, self.unfilled, 1.0)
        for c, members in enumerate(self.classes):
            agent = problem.agents[members[0]]
            eligible = [j for j, k in enumerate(kinds) if is_eligible(agent, k, horizon)]
            self._add_class(c, agent, len(members), eligible)

    def _add_class(self, c: int, agent: Agent, size: int, eligible: list[int]) -> None:
        problem, builder, weights = self.problem, self.builder, self.problem.weights
        contract = agent.contract
        num_weeks = problem.num_days // 7
        shortfall_cost = weights.hour_below_minimum * contract.min_hours_per_week * num_weeks
        empty = builder.add_columns([shortfall_cost], is_integer=True)[0]
        size_row = builder.add_rows(float(size), float(size), 1)[0]
        builder.add_entries([size_row], [empty], 1.0)
        by_hours: dict[float, list[int]] = defaultdict(list)
        for j in eligible:
            by_hours[round(self.kinds[j].paid_hours, 6)].append(j)
        for paid_hours, kinds in sorted(by_hours.items()):
            days_with_work = frozenset(self.kinds[j].day for j in kinds)
            for pattern in work_patterns(
                contract,
                days_with_work,
                paid_hours,
                problem.num_days,
                wraps_around=problem.wraps_around,
            ):
                self._add_pattern(c, agent, size_row, pattern, kinds)

    def _add_pattern(
        self, c: int, agent: Agent, size_row: int, pattern: Pattern, kinds: list[int]
    ) -> None:
        builder, weights = self.builder, self.problem.weights
        chain = self._chain(pattern, kinds, agent.contract.min_rest_minutes)
        if chain is None:
            return
        cost = weights.weekend_days_squared * pattern.weekend_days() ** 2
        p = int(builder.add_columns([cost], is_integer=True)[0])
        builder.add_entries([size_row], [p], 1.0)
        layered = weights.night_shifts_squared > 0
        columns: list[tuple[int, int, int, bool]] = []  # kind, position, nights, adds a night
        reachable = 0  # most nights an agent can have worked up to the previous position
        for position, day in enumerate(chain):
            on_day = [j for j in kinds if self.kinds[j].day == day]
            adds = [layered and self.night[j] for j in on_day]
            for j, night in zip(on_day, adds, strict=True):
                columns.extend((j, position, n + night, night) for n in range(reachable + 1))
            reachable += any(adds)
        members = np.array([col[0] for col in columns], dtype=np.int64)
        positions = np.array([col[1] for col in columns], dtype=np.int64)
        nights = np.array([col[2] for col in columns], dtype=np.int64)
        last = positions == len(chain) - 1
        z_cost = np.array([self._kind_cost(agent, j) for j in members.tolist()])
        z_cost = z_cost + last * weights.night_shifts_squared * nights.astype(np.float64) ** 2
        z = builder.add_columns(z_cost, is_integer=True)
        builder.add_entries(self.cover_rows[members], z, 1.0)
        block = _PatternBlock(
            c,
            pattern,
            p,
            members,
            z,
            positions,
            nights,
            np.array([col[3] for col in columns], dtype=np.int64),
            chain,
        )
        self._add_flow_rows(block)
        self._add_rest_rows(block, agent.contract.min_rest_minutes)
        self.blocks.append(block)

    def _kind_cost(self, agent: Agent, j: int) -> float:
        """Preference cost of ``agent`` working kind ``j`` (bonuses negative)."""
        kind, weights = self.kinds[j], self.problem.weights
        return (
            weights.preferred_day_off_worked * (kind.day % 7 in agent.preferred_days_off)
            - weights.preferred_template_bonus * (kind.template in agent.preferred_templates)
            + weights.night_shift_avoided * (agent.avoids_nights and self.night[j])
        )

    def _add_flow_rows(self, block: _PatternBlock) -> None:
        """The ``p`` agents work one shift on the first day; each (day, nights) group continues."""
        builder = self.builder
        first = np.nonzero(block.positions == 0)[0]
        row = builder.add_rows(0.0, 0.0, 1)
        builder.add_entries(np.full(first.size, row[0]), block.z[first], 1.0)
        builder.add_entries(row, [block.p], -1.0)
        for position in range(len(block.chain) - 1):
            for n in range(int(block.nights[block.positions == position].max(initial=0)) + 1):
                here = np.nonzero((block.positions == position) & (block.nights == n))[0]
                onward = block.successors(position, n)
                if here.size == 0 and onward.size == 0:
                    continue
                row = builder.add_rows(0.0, 0.0, 1)
                builder.add_entries(np.full(here.size, row[0]), block.z[here], 1.0)
                builder.add_entries(np.full(onward.size, row[0]), block.z[onward], -1.0)

    def _pair_thresholds(
        self, first: list[int], second: list[int], rest: int, shift: int
    ) -> list[int]:
        """Thresholds τ at which the rest rule from ``first``'s shifts to ``second``'s binds."""
        starts = [self.kinds[j].start + shift for j in second]
        ready = sorted({self.kinds[j].end + rest for j in first})
        return [tau for tau in ready if any(s < tau for s in starts)]

    def _chain(self, pattern: Pattern, kinds: list[int], rest: int) -> tuple[int, ...] | None:
        """Worked days ordered so that the matching never needs to close a cycle.

        On a repeating horizon the days form a cycle; it is cut after a pair of days whose shifts are
        all compatible (there is one after every day off, for any sensible rest). None when no such cut
        exists: that pattern is left out.
        """
        days = list(pattern.days)
        if not self.problem.wraps_around:
            return tuple(days)
        on_day = {d: [j for j in kinds if self.kinds[j].day == d] for d in days}
        for i, day in enumerate(days):
            following = days[(i + 1) % len(days)]
            shift = self.horizon_minutes if i + 1 == len(days) else 0
            if not self._pair_thresholds(on_day[day], on_day[following], rest, shift):
                return tuple(days[i + 1 :] + days[: i + 1])
        return None

    def _add_rest_rows(self, block: _PatternBlock, rest: int) -> None:
        """Hall's condition for each (day, nights) group and the shifts that continue it."""
        builder = self.builder
        for position, (day, following) in enumerate(itertools.pairwise(block.chain)):
            shift = self.horizon_minutes if following < day else 0
            for n in range(int(block.nights[block.positions == position].max(initial=0)) + 1):
                first = np.nonzero((block.positions == position) & (block.nights == n))[0]
                second = block.successors(position, n)
                first_kinds = block.kinds[first].tolist()
                second_kinds = block.kinds[second].tolist()
                thresholds = self._pair_thresholds(first_kinds, second_kinds, rest, shift)
                if not thresholds:
                    continue
                ready = np.array([self.kinds[j].end + rest for j in first_kinds])
                starts = np.array([self.kinds[j].start + shift for j in second_kinds])
                rows = builder.add_rows(-np.inf, 0.0, len(thresholds))
                self.rest_rows.extend(rows.tolist())
                for row, tau in zip(rows.tolist(), thresholds, strict=True):
                    late = first[ready >= tau]
                    early_enough = second[starts >= tau]
                    builder.add_entries(np.full(late.size, row), block.z[late], 1.0)
                    builder.add_entries(
                        np.full(early_enough.size, row), block.z[early_enough], -1.0
                    )

    def result(self, solution: MipSolution) -> RosterResult:
        """Split the pattern counts into individual rosters and summarise them."""
        x = solution.x
        pools: dict[tuple[str, str, int, int], list[ScheduledShift]] = defaultdict(list)
        for shift in self.problem.shifts:
            key = (shift.template, shift.group, shift.day, shift.start_minutes)
            pools[key].extend([replace(shift, count=1)] * shift.count)
        worked: dict[int, list[int]] = defaultdict(list)
        free = {c: list(members) for c, members in enumerate(self.classes)}
        for block in self.blocks:
            agents_in_block = round(float(x[block.p]))
            if agents_in_block == 0:
                continue
            agents = [free[block.agent_class].pop(0) for _ in range(agents_in_block)]
            for agent, kinds in zip(agents, self._split(block, x), strict=True):
                worked[agent].extend(kinds)
        return self._roster(worked, pools, solution)

    def _split(self, block: _PatternBlock, x: FloatArray) -> list[list[int]]:
        """Individual shift sequences of a block: each group's shifts matched in sorted order."""
        counts = np.rint(x[block.z]).astype(np.int64)

        def state_of(columns: IntArray) -> list[tuple[int, int]]:
            pairs = [
                (int(block.kinds[i]), int(block.nights[i]))
                for i in columns.tolist()
                for _ in range(counts[i])
            ]
            return sorted(pairs, key=lambda pair: self.kinds[pair[0]].start)

        rest = self.problem.agents[self.classes[block.agent_class][0]].contract.min_rest_minutes
        groups: dict[int, list[list[int]]] = defaultdict(list)
        for j, n in state_of(np.nonzero(block.positions == 0)[0]):
            groups[n].append([j])
        for position, (previous, day) in enumerate(itertools.pairwise(block.chain)):
            shift = self.horizon_minutes if day < previous else 0
            following: dict[int, list[list[int]]] = defaultdict(list)
            for n, paths in groups.items():
                paths.sort(key=lambda path: self.kinds[path[-1]].end + rest)
                onward = state_of(block.successors(position, n))
                for path, (j, nights) in zip(paths, onward, strict=True):
                    if self.kinds[j].start + shift < self.kinds[path[-1]].end + rest:
                        raise RuntimeError("rest rule violated while splitting the roster")
                    path.append(j)
                    following[nights].append(path)
            groups = following
        return [path for paths in groups.values() for path in paths]

    def _roster(
        self,
        worked: dict[int, list[int]],
        pools: dict[tuple[str, str, int, int], list[ScheduledShift]],
        solution: MipSolution,
    ) -> RosterResult:
        x = solution.x
        assignments: list[Assignment] = []
        summaries: list[AgentSummary] = []
        num_weeks = self.problem.num_days // 7
        for index, agent in enumerate(self.problem.agents):
            hours = [0.0] * num_weeks
            kinds = sorted(worked.get(index, []), key=lambda j: self.kinds[j].start)
            for j in kinds:
                kind = self.kinds[j]
                key = (kind.template, kind.group, kind.day, kind.start_minutes)
                assignments.append(Assignment(agent.name, pools[key].pop()))
                hours[kind.day // 7] += kind.paid_hours
            summaries.append(
                AgentSummary(
                    agent=agent.name,
                    paid_hours=tuple(hours),
                    days_worked=len({self.kinds[j].day for j in kinds}),
                    weekend_days=sum(1 for j in kinds if self.kinds[j].day % 7 >= 5),
                    night_shifts=sum(1 for j in kinds if self.night[j]),
                )
            )
        unfilled = tuple(
            UnfilledShift(k.template, k.group, k.day, k.start_minutes, round(float(x[u])))
            for k, u in zip(self.kinds, self.unfilled.tolist(), strict=True)
            if x[u] > 0.5
        )
        return RosterResult(
            assignments=tuple(assignments),
            unfilled=unfilled,
            agents=tuple(summaries),
            objective=solution.objective,
            dual_bound=solution.dual_bound,
            gap=solution.gap,
            is_proven_optimal=solution.is_proven_optimal,
            solver_status=solution.status,
            solver_seconds=solution.solver_seconds,
        )


def roster_agents(
    problem: RosterProblem, *, progress: ProgressCallback | None = None
) -> RosterResult:
    """Assign ``problem.agents`` to ``problem.shifts``: fill every shift the rules allow, fairly.

    Never fails for lack of agents: shifts nobody can take come back in ``unfilled``. Horizons of up
    to two weeks are supported (longer ones: roster week by week).
    """
    if problem.num_days > MAX_ROSTER_DAYS:
        raise RosterInputError(f"num_days: at most {MAX_ROSTER_DAYS} days per roster run")
    report = progress or (lambda _stage: None)
    report("building roster model")
    model = _RosterModel(problem, shift_kinds(problem.shifts))
    report("solving roster")
    mip = model.builder.build()
    solution, start = _solve_without_rest_first(model, mip, problem.time_limit_seconds)
    if solution is None:
        solution = solve_mip(
            mip, time_limit_seconds=problem.time_limit_seconds, with_lp_bound=False, start=start
        )
    report("splitting roster")
    return model.result(solution)


def _solve_without_rest_first(
    model: _RosterModel, mip: MipModel, time_limit_seconds: float | None
) -> tuple[MipSolution | None, FloatArray | None]:
    """Try the roster the cheap way: pattern counts ignoring rest, then shifts that keep the rule.

    Without the rest rows the model is close to a transportation problem and solves fast; its optimum
    is a lower bound on the real one. With those pattern counts fixed, the full model only chooses
    each pattern's shifts. If that reaches the bound, it is optimal and proven so: returned first.
    Otherwise its solution (if any) is returned second, as a start for the full model.
    """
    if not model.rest_rows:
        return None, None
    upper = mip.row_upper.copy()
    upper[model.rest_rows] = np.inf
    relaxed = solve_mip(
        replace(mip, row_upper=upper), time_limit_seconds=time_limit_seconds, with_lp_bound=False
    )
    if not relaxed.has_solution:
        return None, None
    columns = np.array([b.p for b in model.blocks], dtype=np.int64)
    lower, upper_cols = mip.col_lower.copy(), mip.col_upper.copy()
    counts = np.rint(relaxed.x[columns])
    lower[columns] = counts
    upper_cols[columns] = counts
    try:
        fixed = solve_mip(
            replace(mip, col_lower=lower, col_upper=upper_cols),
            time_limit_seconds=time_limit_seconds,
            with_lp_bound=False,
        )
    except RuntimeError:  # those counts cannot keep the rest rule
        return None, None
    if not fixed.has_solution:
        return None, None
    tolerance = 1e-6 * max(1.0, abs(relaxed.dual_bound))
    if relaxed.is_proven_optimal and fixed.objective <= relaxed.dual_bound + tolerance:
        proven = replace(
            fixed,
            dual_bound=relaxed.dual_bound,
            gap=0.0,
            is_proven_optimal=True,
            solver_seconds=relaxed.solver_seconds + fixed.solver_seconds,
        )
        return proven, None
    return None, fixed.x
