"""A small, typed seam over the HiGHS solver (``highspy``) for the WFM integer programs.

Scheduling and rostering build their models as plain NumPy arrays (objective, bounds, a sparse
column-wise matrix) and call :func:`solve_mip`. Keeping ``highspy`` behind this one function keeps its
untyped API out of the model code and makes the solve report (LP bound, dual bound, gap, proven
optimality) uniform across both.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import highspy
import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
# From the LP relaxation's solution, a partial integer start: (column indices, values).
StartHeuristic = Callable[[FloatArray], tuple[IntArray, FloatArray]]


@dataclass(frozen=True)
class MipModel:
    """A minimisation ``min c·x`` s.t. ``row_lower <= A x <= row_upper``, ``col_lower <= x <= col_upper``.

    ``A`` is given column-wise (CSC): column ``j`` has entries ``values[starts[j]:starts[j+1]]`` in rows
    ``rows[starts[j]:starts[j+1]]``. ``is_integer[j]`` marks integer columns.
    """

    cost: FloatArray
    col_lower: FloatArray
    col_upper: FloatArray
    row_lower: FloatArray
    row_upper: FloatArray
    starts: IntArray
    rows: IntArray
    values: FloatArray
    is_integer: BoolArray

    @property
    def num_cols(self) -> int:
        """Number of variables."""
        return int(self.cost.shape[0])

    @property
    def num_rows(self) -> int:
        """Number of constraints."""
        return int(self.row_lower.shape[0])


@dataclass(frozen=True)
class MipSolution:
    """What HiGHS found: the values, the objective and how far from proven optimal it is.

    ``lp_bound`` is the objective of the LP relaxation (solved first, to optimality; None when the
    caller skipped it); ``dual_bound`` is
    the best lower bound the branch and bound proved; ``gap`` is HiGHS's relative gap
    ``(objective - dual_bound) / objective`` (0 when proven optimal). ``has_solution`` is False only
    when the time limit passed before any integer solution was found.
    """

    x: FloatArray
    objective: float
    lp_bound: float | None
    dual_bound: float
    gap: float
    is_proven_optimal: bool
    has_solution: bool
    status: str
    solver_seconds: float


def _make_highs(time_limit_seconds: float | None, threads: int | None) -> highspy.Highs:
    highs = highspy.Highs()  # type: ignore[no-untyped-call]
    highs.setOptionValue("output_flag", False)
    if time_limit_seconds is not None:
        highs.setOptionValue("time_limit", float(time_limit_seconds))
    if threads is not None:
        highs.setOptionValue("threads", int(threads))
    return highs


def _to_highs_lp(model: MipModel, *, integer: bool) -> highspy.HighsLp:
    lp = highspy.HighsLp()
    lp.num_col_ = model.num_cols
    lp.num_row_ = model.num_rows
    lp.col_cost_ = model.cost
    lp.col_lower_ = model.col_lower
    lp.col_upper_ = model.col_upper
    lp.row_lower_ = model.row_lower
    lp.row_upper_ = model.row_upper
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = model.starts
    lp.a_matrix_.index_ = model.rows
    lp.a_matrix_.value_ = model.values
    if integer and model.is_integer.any():
        lp.integrality_ = [
            highspy.HighsVarType.kInteger if flag else highspy.HighsVarType.kContinuous
            for flag in model.is_integer.tolist()
        ]
    return lp


def solve_lp_bound(model: MipModel, *, threads: int | None = None) -> tuple[float, FloatArray]:
    """Solve the LP relaxation of ``model``; return its optimal objective and solution."""
    highs = _make_highs(None, threads)
    highs.passModel(_to_highs_lp(model, integer=False))
    highs.run()
    if highs.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        message = f"LP relaxation not solved: {highs.modelStatusToString(highs.getModelStatus())}"
        raise RuntimeError(message)
    return float(highs.getInfo().objective_function_value), np.asarray(
        highs.getSolution().col_value, dtype=np.float64
    )


def solve_mip(
    model: MipModel,
    *,
    time_limit_seconds: float | None = None,
    mip_rel_gap: float = 1e-6,
    start_from_lp: StartHeuristic | None = None,
    threads: int | None = None,
    with_lp_bound: bool = True,
) -> MipSolution:
    """Solve ``model`` with HiGHS: the LP relaxation first (for ``lp_bound``), then the integer program.

    ``start_from_lp``, if given, rounds the LP solution into values for some columns (typically the
    integer ones); HiGHS completes the rest and starts its branch and bound from it, which matters
    where its own heuristics find poor first solutions (shift models with breaks). ``with_lp_bound``
    False skips the separate LP solve when no start is needed (the root of the branch and bound solves
    it anyway, and ``dual_bound`` is the stronger bound). Raises
    ``RuntimeError`` if HiGHS reports the model infeasible or unbounded: callers build models with
    penalised slack so that never happens for valid input.
    """
    lp_bound: float | None = None
    if with_lp_bound or start_from_lp is not None:
        lp_bound, lp_x = solve_lp_bound(model, threads=threads)
    highs = _make_highs(time_limit_seconds, threads)
    highs.setOptionValue("mip_rel_gap", float(mip_rel_gap))
    highs.passModel(_to_highs_lp(model, integer=True))
    if start_from_lp is not None:
        indices, values = start_from_lp(lp_x)
        highs.setSolution(
            int(indices.shape[0]), indices.astype(np.int32), values.astype(np.float64)
        )
    highs.run()
    status = highs.getModelStatus()
    info = highs.getInfo()
    has_solution = info.primal_solution_status >= 2  # kSolutionStatusFeasible
    if status in (
        highspy.HighsModelStatus.kInfeasible,
        highspy.HighsModelStatus.kUnbounded,
        highspy.HighsModelStatus.kUnboundedOrInfeasible,
    ):
        message = f"HiGHS: {highs.modelStatusToString(status)}"
        raise RuntimeError(message)
    is_mip = bool(model.is_integer.any())
    objective = float(info.objective_function_value) if has_solution else math.inf
    dual_bound = float(info.mip_dual_bound) if is_mip else objective
    gap = float(info.mip_gap) if is_mip else 0.0
    if not math.isfinite(gap):
        gap = math.inf
    x = np.asarray(highs.getSolution().col_value, dtype=np.float64)
    if x.shape[0] != model.num_cols:
        x = np.zeros(model.num_cols)
    return MipSolution(
        x=x,
        objective=objective,
        lp_bound=lp_bound,
        dual_bound=dual_bound,
        gap=gap,
        is_proven_optimal=status == highspy.HighsModelStatus.kOptimal,
        has_solution=has_solution,
        status=highs.modelStatusToString(status),
        solver_seconds=float(highs.getRunTime()),
    )


class ModelBuilder:
    """Accumulates columns and rows of a :class:`MipModel` from NumPy blocks.

    Columns are added in blocks (:meth:`add_columns`, returning their indices); matrix entries as
    (row, column, value) triplets (:meth:`add_entries`); rows in blocks with bounds (:meth:`add_rows`).
    :meth:`build` sorts the triplets into CSC form once.
    """

    def __init__(self) -> None:
        self._cost: list[FloatArray] = []
        self._lower: list[FloatArray] = []
        self._upper: list[FloatArray] = []
        self._integer: list[BoolArray] = []
        self._row_lower: list[FloatArray] = []
        self._row_upper: list[FloatArray] = []
        self._entry_rows: list[IntArray] = []
        self._entry_cols: list[IntArray] = []
        self._entry_values: list[FloatArray] = []
        self.num_cols = 0
        self.num_rows = 0

    def add_columns(
        self,
        cost: npt.ArrayLike,
        *,
        lower: float | npt.ArrayLike = 0.0,
        upper: float | npt.ArrayLike = math.inf,
        is_integer: bool = False,
    ) -> IntArray:
        """Add ``len(cost)`` columns; return their indices."""
        cost_array = np.atleast_1d(np.asarray(cost, dtype=np.float64))
        n = cost_array.shape[0]
        self._cost.append(cost_array)
        self._lower.append(np.broadcast_to(np.asarray(lower, dtype=np.float64), (n,)).copy())
        self._upper.append(np.broadcast_to(np.asarray(upper, dtype=np.float64), (n,)).copy())
        self._integer.append(np.full(n, is_integer))
        indices = np.arange(self.num_cols, self.num_cols + n, dtype=np.int64)
        self.num_cols += n
        return indices

    def add_rows(
        self, lower: float | npt.ArrayLike, upper: float | npt.ArrayLike, count: int
    ) -> IntArray:
        """Add ``count`` rows with the given bounds; return their indices."""
        self._row_lower.append(
            np.broadcast_to(np.asarray(lower, dtype=np.float64), (count,)).copy()
        )
        self._row_upper.append(
            np.broadcast_to(np.asarray(upper, dtype=np.float64), (count,)).copy()
        )
        indices = np.arange(self.num_rows, self.num_rows + count, dtype=np.int64)
        self.num_rows += count
        return indices

    def add_entries(self, rows: npt.ArrayLike, cols: npt.ArrayLike, values: npt.ArrayLike) -> None:
        """Add matrix entries; duplicates of the same (row, column) are summed."""
        row_array = np.asarray(rows, dtype=np.int64).ravel()
        col_array = np.asarray(cols, dtype=np.int64).ravel()
        value_array = np.broadcast_to(np.asarray(values, dtype=np.float64), row_array.shape).ravel()
        self._entry_rows.append(row_array)
        self._entry_cols.append(col_array)
        self._entry_values.append(value_array.copy())

    def build(self) -> MipModel:
        """Return the model in CSC form."""

        def cat(parts: list[npt.NDArray[np.generic]], dtype: type) -> npt.NDArray[np.generic]:
            return np.concatenate(parts).astype(dtype) if parts else np.zeros(0, dtype=dtype)

        rows = np.asarray(cat(list(self._entry_rows), np.int64), dtype=np.int64)
        cols = np.asarray(cat(list(self._entry_cols), np.int64), dtype=np.int64)
        values = np.asarray(cat(list(self._entry_values), np.float64), dtype=np.float64)
        # Sum duplicates and sort column-major in one pass via a linear key.
        key = cols * max(self.num_rows, 1) + rows
        unique_key, inverse = np.unique(key, return_inverse=True)
        summed = np.zeros(unique_key.shape[0])
        np.add.at(summed, inverse, values)
        keep = summed != 0.0
        unique_key, summed = unique_key[keep], summed[keep]
        entry_cols = unique_key // max(self.num_rows, 1)
        entry_rows = unique_key % max(self.num_rows, 1)
        starts = np.zeros(self.num_cols + 1, dtype=np.int64)
        np.add.at(starts, entry_cols + 1, 1)
        return MipModel(
            cost=np.asarray(cat(list(self._cost), np.float64), dtype=np.float64),
            col_lower=np.asarray(cat(list(self._lower), np.float64), dtype=np.float64),
            col_upper=np.asarray(cat(list(self._upper), np.float64), dtype=np.float64),
            row_lower=np.asarray(cat(list(self._row_lower), np.float64), dtype=np.float64),
            row_upper=np.asarray(cat(list(self._row_upper), np.float64), dtype=np.float64),
            starts=np.cumsum(starts).astype(np.int64),
            rows=entry_rows.astype(np.int64),
            values=summed.astype(np.float64),
            is_integer=np.asarray(cat(list(self._integer), np.bool_), dtype=np.bool_),
        )
