"""Erlang B, Erlang C and Erlang A queueing formulas and exact staffing, vectorised over intervals.

Every argument is a scalar or a NumPy array; arrays broadcast, so a whole week of intervals is one
call. Units are seconds and calls per second: ``arrival_rate`` (λ, calls/s), ``aht`` (average
handle time, 1/μ, s), ``patience`` (mean time a caller waits before abandoning, 1/θ, s),
``target_answer_time`` (T, s). The offered load is A = λ·AHT Erlangs; ``agents`` is N.

Models and sources:
- Erlang B (M/M/N/N, blocked calls lost): Erlang 1917; computed from Jagerman's integral
  1/B(N, A) = A·∫₀^∞ e^(-A·s)(1 + s)^N ds, in log space (see ``gamma_integrals``).
- Erlang C (M/M/N, infinite patience): C = N·B/(N - A(1 - B)); SL(T) = 1 - C·e^(-(N - A)T/AHT);
  ASA = C·AHT/(N - A) (e.g. Gans, Koole & Mandelbaum 2003, §4.1).
- Erlang A (M/M/N+M, exponential patience; Palm 1943): the closed forms of Mandelbaum & Zeltyn,
  "Service engineering in action: the Palm/Erlang-A queue", 2007, eqs. (3.1)-(3.10), with
  x = Nμ/θ, y = λ/θ and J(x, y) = x·eʸ·y^(-x)·gamma(x, y) (their script A, here J); the same formulas are written out in
  ``shared/reference/README.md``.

Conventions where the steady state does not answer the question:
- No calls offered (λ = 0): nobody waits, whatever N (p_wait 0, service level 1, ASA 0,
  occupancy 0), so ``required_agents`` asks for 0 agents.
- Erlang C with N <= A (A > 0) has no steady state: the queue grows without bound. We report the
  limit of a queue that never clears: p_wait 1, service level 0 for every T, occupancy 1, and ASA
  ``UNSTABLE_ASA_SECONDS`` (one day, the longest target time the model answers for: no call is
  answered within it). A stable queue's ASA is capped at the same value, so ASA never rises when an
  agent is added. Erlang A is always stable (impatient callers leave), so it needs no such rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from helpline.wfm import erlang_search
from helpline.wfm.erlang_models import ErlangAState, log_erlang_b

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
ArrayLike = float | int | npt.ArrayLike

#: ASA reported by Erlang C for an unstable queue (N <= A): one day, in seconds.
UNSTABLE_ASA_SECONDS = 86_400.0


@dataclass(frozen=True)
class ErlangCResult:
    """Erlang C (M/M/N) predictions, one array element per broadcast input element."""

    erlang_b: FloatArray
    """Erlang B blocking probability B(N, A) of the same load (an input to Erlang C)."""
    p_wait: FloatArray
    """P(W > 0): probability an arriving call waits (Erlang C formula, C)."""
    service_level: FloatArray
    """P(W <= T): fraction of calls answered within the target answer time."""
    asa: FloatArray
    """Average speed of answer: mean wait over all calls, seconds."""
    occupancy: FloatArray
    """Fraction of agent time busy, A/N."""


@dataclass(frozen=True)
class ErlangAResult:
    """Erlang A (M/M/N+M) predictions, one array element per broadcast input element."""

    erlang_b: FloatArray
    """Erlang B blocking probability B(N, A) of the same load."""
    p_wait: FloatArray
    """P(W > 0): probability an arriving call finds every agent busy."""
    p_abandon: FloatArray
    """P(Ab): probability a call abandons before being answered."""
    p_abandon_given_wait: FloatArray
    """P(Ab | W > 0)."""
    service_level: FloatArray
    """Calls answered within T over all arrivals (abandoned calls count against it)."""
    service_level_excl_short: FloatArray
    """Answered within T over arrivals that did not abandon within ``short_abandon`` seconds."""
    p_wait_le_t: FloatArray
    """P(W <= T) for the time spent waiting (until answer or abandonment): answered or abandoned
    within T."""
    p_offered_wait_gt_t: FloatArray
    """P(V > T) for the offered wait V (the wait a caller with infinite patience would have)."""
    p_abandon_within_t: FloatArray
    """Probability of abandoning within T seconds."""
    asa: FloatArray
    """Average speed of answer: mean wait of answered calls, seconds."""
    mean_wait_all: FloatArray
    """Mean time waited over all calls (answered or abandoned), seconds: P(Ab)·patience."""
    mean_queue_length: FloatArray
    """Mean number of callers waiting (Little's law: λ·mean_wait_all)."""
    occupancy: FloatArray
    """Fraction of agent time busy, A·(1 - P(Ab))/N (0 when N = 0)."""


def _masked_arithmetic() -> Any:
    """Silence floating-point warnings from lanes that ``np.where`` discards.

    Vectorised code evaluates every branch on every element (for example log(y) where y = 0 is
    later replaced by the closed form for no calls); results are checked by the tests instead.
    """
    return np.errstate(divide="ignore", over="ignore", under="ignore", invalid="ignore")


def _checked(name: str, value: ArrayLike, *, positive: bool = False) -> FloatArray:
    """``value`` as a float array; ValueError naming ``name`` unless finite and >= 0 (or > 0)."""
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be a number or an array of numbers") from exc
    # One min and one max instead of three np.all reductions (np.all's dispatch alone costs a few
    # microseconds a call, and every call of required_agents checks four to seven arguments).
    # NaN propagates into both, so the comparisons below are false for it as for ±inf.
    low, high = _bounds(arr)
    if not -np.inf < low <= high < np.inf:
        raise ValueError(f"{name} must be finite")
    if positive and not low > 0:
        raise ValueError(f"{name} must be > 0")
    if not low >= 0:
        raise ValueError(f"{name} must be >= 0")
    return arr


def _bounds(arr: FloatArray) -> tuple[float, float]:
    """(min, max) of ``arr``, NaN if it holds one; (0, 0) for an empty array (nothing to check)."""
    if arr.ndim == 0:
        x = float(arr)
        return x, x
    if not arr.size:
        return 0.0, 0.0
    return float(arr.min()), float(arr.max())


def _checked_agents(value: ArrayLike) -> FloatArray:
    arr = _checked("agents", value)
    if not np.all(arr == np.floor(arr)):
        raise ValueError("agents must be whole numbers")
    return arr


def erlang_b(arrival_rate: ArrayLike, aht: ArrayLike, agents: ArrayLike) -> FloatArray:
    """Blocking probability of N servers offered A = λ·AHT Erlangs, blocked calls lost (Erlang B).

    For IVR ports and trunks. Exact for any whole N >= 0 and any load (computed in log space).
    """
    lam = _checked("arrival_rate", arrival_rate)
    handle = _checked("aht", aht, positive=True)
    n = _checked_agents(agents)
    with _masked_arithmetic():
        return np.exp(log_erlang_b(n, lam * handle))


def erlang_c(
    arrival_rate: ArrayLike, aht: ArrayLike, agents: ArrayLike, target_answer_time: ArrayLike
) -> ErlangCResult:
    """Erlang C (M/M/N, callers never abandon): probability of waiting, SL, ASA and occupancy.

    λ in calls/s, AHT and T in seconds; see the module docstring for the N <= A convention.
    """
    lam = _checked("arrival_rate", arrival_rate)
    handle = _checked("aht", aht, positive=True)
    n = _checked_agents(agents)
    t = _checked("target_answer_time", target_answer_time)
    lam, handle, n, t = np.broadcast_arrays(lam, handle, n, t)
    load = lam * handle
    with _masked_arithmetic():
        b = np.exp(log_erlang_b(n, load))
        return _erlang_c_from_b(load, handle, n, t, b)


def _erlang_c_from_b(
    load: FloatArray, handle: FloatArray, n: FloatArray, t: FloatArray, b: FloatArray
) -> ErlangCResult:
    idle = load == 0
    stable = (n > load) & ~idle
    gap = np.where(stable, n - load, 1.0)
    denom = gap + load * b
    c = n * b / denom
    # P(W = 0) and 1 - e^(-x) written without subtraction from 1, so tiny values keep their digits.
    no_wait = gap * (1.0 - b) / denom
    sl = no_wait + c * -np.expm1(-gap * t / handle)
    asa = c * handle / gap
    safe_n = np.where(n > 0, n, 1.0)
    return ErlangCResult(
        erlang_b=b,
        p_wait=np.where(stable, c, np.where(idle, 0.0, 1.0)),
        service_level=np.clip(np.where(stable, sl, np.where(idle, 1.0, 0.0)), 0.0, 1.0),
        # Capped at the unstable value, so ASA never grows when an agent is added (just above the
        # load the exact mean wait can exceed a day).
        asa=np.where(
            stable, np.minimum(asa, UNSTABLE_ASA_SECONDS), np.where(idle, 0.0, UNSTABLE_ASA_SECONDS)
        ),
        occupancy=np.where(stable, load / safe_n, np.where(idle, 0.0, 1.0)),
    )


def erlang_a(
    arrival_rate: ArrayLike,
    aht: ArrayLike,
    agents: ArrayLike,
    patience: ArrayLike,
    target_answer_time: ArrayLike,
    short_abandon: ArrayLike = 0.0,
) -> ErlangAResult:
    """Erlang A (M/M/N+M, exponential patience): waiting, abandonment, SL, ASA and occupancy.

    λ in calls/s; AHT, mean ``patience``, T and ``short_abandon`` in seconds. Callers who abandon
    within ``short_abandon`` seconds are left out of ``service_level_excl_short``. Formulas of
    Mandelbaum & Zeltyn (2007); tends to Erlang C as patience grows (for N > A).
    """
    lam = _checked("arrival_rate", arrival_rate)
    handle = _checked("aht", aht, positive=True)
    n = _checked_agents(agents)
    pat = _checked("patience", patience, positive=True)
    t = _checked("target_answer_time", target_answer_time)
    short = _checked("short_abandon", short_abandon)
    with _masked_arithmetic():
        return _erlang_a(*np.broadcast_arrays(lam, handle, n, pat, t, short))


def _erlang_a(
    lam: FloatArray,
    handle: FloatArray,
    n: FloatArray,
    pat: FloatArray,
    t: FloatArray,
    short: FloatArray,
) -> ErlangAResult:
    state = ErlangAState(lam, handle, n, pat, exact=True)
    at_t = state.within(t)
    # Abandons within the short-abandon threshold cost a third integral; skip it when unused.
    short_abandoned = state.within(short).abandoned if np.any(short > 0) else np.zeros_like(t)
    idle = state.idle
    zero = np.zeros_like(t)
    one = np.ones_like(t)

    def busy_or(values: FloatArray, when_idle: FloatArray) -> FloatArray:
        return np.where(idle, when_idle, values)

    mean_wait_all = state.p_abandon * pat
    return ErlangAResult(
        erlang_b=busy_or(state.erlang_b, np.where(n > 0, 0.0, 1.0)),
        p_wait=busy_or(state.p_wait, zero),
        p_abandon=busy_or(state.p_abandon, zero),
        p_abandon_given_wait=busy_or(state.p_abandon_given_wait, zero),
        service_level=busy_or(at_t.answered, one),
        service_level_excl_short=busy_or(at_t.answered / (1.0 - short_abandoned), one),
        p_wait_le_t=busy_or(at_t.waited_le, one),
        p_offered_wait_gt_t=busy_or(at_t.offered_wait_gt, zero),
        p_abandon_within_t=busy_or(at_t.abandoned, zero),
        asa=busy_or(state.asa, zero),
        mean_wait_all=busy_or(mean_wait_all, zero),
        mean_queue_length=busy_or(lam * mean_wait_all, zero),
        occupancy=busy_or(state.occupancy, zero),
    )


def required_agents(
    arrival_rate: ArrayLike,
    aht: ArrayLike,
    target_service_level: ArrayLike,
    target_answer_time: ArrayLike,
    *,
    patience: ArrayLike | None = None,
    max_occupancy: ArrayLike | None = None,
    max_asa: ArrayLike | None = None,
    max_abandon: ArrayLike | None = None,
) -> IntArray:
    """Smallest whole N meeting every given target: SL >= target within T, occupancy, ASA, abandon.

    Erlang C without ``patience``; Erlang A (mean patience in seconds) with it, where N may be
    below the offered load. ``target_service_level`` is a fraction in [0, 1) (0 sets no SL target);
    ``max_occupancy`` in (0, 1], ``max_asa`` > 0 seconds, ``max_abandon`` in (0, 1] (Erlang A only:
    Erlang C has no abandonment). Returns an int64 array of the broadcast shape. Exact: the search
    brackets the answer from a square-root-staffing guess and bisects, evaluating the model itself.
    """
    lam = _checked("arrival_rate", arrival_rate)
    handle = _checked("aht", aht, positive=True)
    sl = _checked("target_service_level", target_service_level)
    if not _bounds(sl)[1] < 1:
        raise ValueError("target_service_level must be < 1 (no finite staff answers every call)")
    t = _checked("target_answer_time", target_answer_time)
    occ = _optional("max_occupancy", max_occupancy, upper=1.0)
    asa = _optional("max_asa", max_asa, upper=None)
    abandon = _optional("max_abandon", max_abandon, upper=1.0)
    arrays = [lam, handle, sl, t, occ, asa, abandon]
    if patience is not None:
        arrays.append(_checked("patience", patience, positive=True))
    elif max_abandon is not None:
        raise ValueError("max_abandon needs patience: Erlang C has no abandonment")
    shape = np.broadcast_shapes(*(a.shape for a in arrays))
    flat = [_flat(a, shape) for a in arrays]
    with _masked_arithmetic():
        agents = (
            erlang_search.required_erlang_c(*flat[:6])
            if patience is None
            else erlang_search.required_erlang_a(*flat)
        )
    return agents.reshape(shape)


def _flat(arr: FloatArray, shape: tuple[int, ...]) -> FloatArray:
    """``arr`` broadcast to ``shape`` and flattened (the searches read it and never write to it).

    Shortcuts for the usual cases, ~1 µs instead of broadcast_to's ~4-6 µs: an array that already
    has the shape is flattened as it is (a view when contiguous), a scalar is filled in.
    """
    if arr.shape == shape:
        return arr.ravel()
    if arr.ndim == 0:
        return np.full(shape, arr).ravel()
    return np.broadcast_to(arr, shape).ravel()


def _optional(name: str, value: ArrayLike | None, *, upper: float | None) -> FloatArray:
    """A ceiling target as an array; ``inf`` when not given (no constraint)."""
    if value is None:
        return np.asarray(np.inf)
    arr = _checked(name, value, positive=True)
    if upper is not None and not _bounds(arr)[1] <= upper:
        raise ValueError(f"{name} must be <= {upper:g}")
    return arr
