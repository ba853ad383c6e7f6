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
  answered within it). Erlang A is always stable (impatient callers leave), so it needs no such rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy import special

from helpline.wfm import gamma_integrals as gi
from helpline.wfm.agent_search import smallest_satisfying

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


def _log1p_exp(v: FloatArray) -> FloatArray:
    """log(1 + e^v) without overflow."""
    return np.logaddexp(0.0, v)


def _checked(name: str, value: ArrayLike, *, positive: bool = False) -> FloatArray:
    """``value`` as a float array; ValueError naming ``name`` unless finite and >= 0 (or > 0)."""
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be a number or an array of numbers") from exc
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite")
    if positive and not np.all(arr > 0):
        raise ValueError(f"{name} must be > 0")
    if not np.all(arr >= 0):
        raise ValueError(f"{name} must be >= 0")
    return arr


def _checked_agents(value: ArrayLike) -> FloatArray:
    arr = _checked("agents", value)
    if not np.all(arr == np.floor(arr)):
        raise ValueError("agents must be whole numbers")
    return arr


def _log_erlang_b(n: FloatArray, load: FloatArray, *, fast: bool = False) -> FloatArray:
    """log B(n, A) for whole n >= 0 and A >= 0 (log 0 = -inf for A = 0 < n).

    ``fast`` trades the last digits (not the decision of a staffing search) for speed.
    """
    n, load = np.broadcast_arrays(n, load)
    busy = (n > 0) & (load > 0)
    safe_load = np.where(busy, load, 1.0)
    upper = gi.log_upper_integral_fast if fast else gi.log_upper_integral
    log_b = -np.log(safe_load) - upper(np.where(busy, n, 0.0) + 1.0, safe_load)
    return np.where(busy, np.minimum(log_b, 0.0), np.where(n > 0, -np.inf, 0.0))


def erlang_b(arrival_rate: ArrayLike, aht: ArrayLike, agents: ArrayLike) -> FloatArray:
    """Blocking probability of N servers offered A = λ·AHT Erlangs, blocked calls lost (Erlang B).

    For IVR ports and trunks. Exact for any whole N >= 0 and any load (computed in log space).
    """
    lam = _checked("arrival_rate", arrival_rate)
    handle = _checked("aht", aht, positive=True)
    n = _checked_agents(agents)
    with _masked_arithmetic():
        return np.exp(_log_erlang_b(n, lam * handle))


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
        b = np.exp(_log_erlang_b(n, load))
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
        asa=np.where(stable, asa, np.where(idle, 0.0, UNSTABLE_ASA_SECONDS)),
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


@dataclass(frozen=True)
class _Within:
    """Outcomes within a time t of arrival (all over all arrivals)."""

    answered: FloatArray
    offered_wait_gt: FloatArray
    waited_le: FloatArray
    abandoned: FloatArray


class _ErlangAState:
    """The t-independent parts of Erlang A at one (λ, AHT, N, patience): J, P(W > 0), P(Ab)."""

    def __init__(
        self, lam: FloatArray, handle: FloatArray, n: FloatArray, pat: FloatArray, *, exact: bool
    ):
        """``exact=False`` (the staffing search) skips ASA and trades last digits for speed."""
        self.exact = exact
        self.idle = lam == 0
        self.lam = np.where(self.idle, 1.0, lam)  # placeholder load keeps the logs finite
        self.n, self.pat, self.handle = n, pat, handle
        self.load = self.lam * handle
        self.x = n * pat / handle  # x = Nμ/θ
        self.y = self.lam * pat  # y = λ/θ
        self.gap = (n - self.load) * pat / handle + 1.0  # (x + 1) - y without cancellation
        self.lower: gi.LowerIntegral | None = None
        if exact:
            lower = gi.lower_integral(self.x + 1.0, self.y, self.gap)
            self.lower = lower
            self.log_lower = lower.log_value
        else:
            self.log_lower = gi.log_lower_integral_fast(self.x + 1.0, self.y, self.gap)
        self.log_script_a = np.logaddexp(0.0, np.log(self.y) + self.log_lower)  # log J
        log_b = _log_erlang_b(n, self.load, fast=not exact)
        self.erlang_b = np.exp(log_b)
        # q = P(W = 0)/P(W > 0) = (1 - B)/(J·B)  (M&Z eq. 3.3 rearranged)
        q = np.exp(np.log1p(-self.erlang_b) - log_b - self.log_script_a)
        self.p_wait = 1.0 / (1.0 + q)
        self.no_wait = 1.0 / (1.0 + 1.0 / q)
        ratio = np.exp(self.log_lower - self.log_script_a)  # ∫/J
        sr_given_wait = self.x * ratio  # P(answered | W > 0) = (J - 1)/(rhoJ)
        if exact:
            # P(Ab | W > 0) = 1/(rhoJ) + 1 - 1/rho, rewritten (integration by parts) as a sum of
            # positive terms so that it keeps its digits when it is tiny (long patience).
            given_wait = ratio * (1.0 + self.y * lower.mean_one_minus_exp)
        else:
            given_wait = 1.0 - sr_given_wait
        self.p_abandon_given_wait = np.where(n == 0, 1.0, np.clip(given_wait, 0.0, 1.0))
        self.p_abandon = self.p_wait * self.p_abandon_given_wait
        # P(answered) as a sum of positive terms: 1 - P(Ab) would lose every digit when N << A.
        answered = self.no_wait + self.p_wait * np.where(n == 0, 0.0, sr_given_wait)
        self.asa = np.zeros_like(answered)
        if exact:
            # Mean offered wait of delayed callers who are answered: θ⁻¹·P(Sr | W > 0)·⟨w⟩ with
            # ⟨w⟩ the mean of the (x + 1)-integrand (differentiating J in x; gamma_integrals).
            asa = pat * self.p_wait * sr_given_wait * lower.mean_w / answered
            self.asa = np.where(answered > 0, asa, 0.0)
        safe_n = np.where(n > 0, n, 1.0)
        self.occupancy = np.where(n > 0, np.minimum(self.load * answered / safe_n, 1.0), 0.0)

    def within(self, t: FloatArray) -> _Within:
        """Answered, offered-wait and abandonment probabilities within t seconds (M&Z §3)."""
        th = t / self.pat  # θt
        keep = np.exp(-th)
        y_t = self.y * keep
        gap_t = self.gap + self.y * -np.expm1(-th)
        lower_t = None
        if self.lower is not None:
            lower_t = gi.lower_integral(self.x + 1.0, y_t, gap_t)
            log_lower_t = lower_t.log_value
        else:
            log_lower_t = gi.log_lower_integral_fast(self.x + 1.0, y_t, gap_t)
        log_y_lower_t = np.log(y_t) + log_lower_t
        # log S = -xθt + y(1 - e^(-θt)) = -(N - A)t/AHT - y·k(-θt), the offered-wait decay.
        log_s = -(self.n - self.load) * t / self.handle - self.y * gi.expm1_minus(-th)
        # log[S·e^(-θt)·∫(y e^(-θt))/∫(y)]: terms of size y (up to 1e11) cancel here, exactly so
        # when both integrals peak inside: their peaks differ by a·θt - y(1 - e^(-θt)).
        later_log = log_s - th + log_lower_t - self.log_lower
        wait_log = log_s + np.logaddexp(0.0, log_y_lower_t) - self.log_script_a  # log(S·J_t/J)
        if self.lower is not None and lower_t is not None:
            both = self.lower.is_interior & lower_t.is_interior
            exact_later = lower_t.log_sum - self.lower.log_sum
            # J = y·∫·(1 + 1/(y·∫)), so log(S·J_t/J) = later_log + the two log1p corrections.
            log_y_lower = np.log(self.y) + self.log_lower
            exact_wait = exact_later + _log1p_exp(-log_y_lower_t) - _log1p_exp(-log_y_lower)
            wait_log = np.where(both, exact_wait, wait_log)
            later_log = np.where(both, exact_later, later_log)
        ratio = np.exp(self.log_lower - self.log_script_a)
        # Answered within t given a wait: (x/J)·[∫(y) - S·e^(-θt)·∫(y e^(-θt))].
        answered_given_wait = self.x * ratio * -np.expm1(np.minimum(later_log, 0.0))
        answered = np.clip(self.no_wait + self.p_wait * answered_given_wait, 0.0, 1.0)
        offered_wait_gt = self.p_wait * np.exp(wait_log)
        offered_wait_gt = np.where(
            self.n == 0, self.p_wait, np.minimum(offered_wait_gt, self.p_wait)
        )
        waited_le = -np.expm1(np.log(np.maximum(offered_wait_gt, 1e-300)) - th)
        waited_le = np.clip(np.where(offered_wait_gt > 0, waited_le, 1.0), 0.0, 1.0)
        abandoned = np.clip(waited_le - answered, 0.0, 1.0)
        return _Within(answered, np.clip(offered_wait_gt, 0.0, 1.0), waited_le, abandoned)


def _erlang_a(
    lam: FloatArray,
    handle: FloatArray,
    n: FloatArray,
    pat: FloatArray,
    t: FloatArray,
    short: FloatArray,
) -> ErlangAResult:
    state = _ErlangAState(lam, handle, n, pat, exact=True)
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
    if not np.all(sl < 1):
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
    flat = [np.broadcast_to(a, shape).ravel() for a in arrays]
    with _masked_arithmetic():
        agents = _required_erlang_c(*flat[:6]) if patience is None else _required_erlang_a(*flat)
    return agents.reshape(shape)


def _optional(name: str, value: ArrayLike | None, *, upper: float | None) -> FloatArray:
    """A ceiling target as an array; ``inf`` when not given (no constraint)."""
    if value is None:
        return np.asarray(np.inf)
    arr = _checked(name, value, positive=True)
    if upper is not None and not np.all(arr <= upper):
        raise ValueError(f"{name} must be <= {upper:g}")
    return arr


def _square_root_staffing(
    load: FloatArray, handle: FloatArray, sl: FloatArray, t: FloatArray, asa: FloatArray
) -> FloatArray:
    """N ≈ A + β√A from the Halfin-Whitt approximation of Erlang C (Halfin & Whitt 1981).

    C ≈ 1/(1 + β·Φ(β)/φ(β)); SL ≈ 1 - C·e^(-β√A·T/AHT); ASA ≈ C·AHT/(β√A). β is found by
    bisection on [0, 6]; only a starting point for the exact search, so 11 halvings suffice.
    """
    root = np.sqrt(load)
    decay = root * t / handle
    lo = np.zeros_like(load)
    hi = np.full_like(load, 6.0)
    need_asa = bool(np.any(np.isfinite(asa)))
    for _ in range(11):
        beta = 0.5 * (lo + hi)
        c = 1.0 / (1.0 + beta * np.sqrt(np.pi / 2) * special.erfcx(beta * -np.sqrt(0.5)))
        ok = c * np.exp(-beta * decay) <= 1.0 - sl
        if need_asa:
            ok &= c * handle <= asa * beta * root
        hi = np.where(ok, beta, hi)
        lo = np.where(ok, lo, beta)
    return np.ceil(load + hi * root)


def _required_erlang_c(
    lam: FloatArray,
    handle: FloatArray,
    sl: FloatArray,
    t: FloatArray,
    occ: FloatArray,
    asa: FloatArray,
) -> IntArray:
    """Erlang C staffing: a square-root-staffing guess, then an Erlang B recurrence walk.

    From the guess, B(N ± 1) follows from B(N) in O(1) (B(N+1) = A·B/(N+1+A·B), and its inverse),
    so the exact answer a few agents away costs a few vectorised steps, not new integrals.
    """
    load = lam * handle
    # The smallest stable N, raised to meet the occupancy ceiling A/N <= max.
    lowest = np.maximum(np.floor(load) + 1.0, np.ceil(load / occ))
    lowest = np.where(load == 0, 0.0, lowest)
    n = np.maximum(lowest, _square_root_staffing(load, handle, sl, t, asa))
    n = np.where(load == 0, 0.0, n)
    b = np.exp(_log_erlang_b(n, load, fast=True))

    need_asa = bool(np.any(np.isfinite(asa)))

    def meets(i: IntArray, n_i: FloatArray, b_i: FloatArray) -> npt.NDArray[np.bool_]:
        # Erlang C at N > A (guaranteed by `lowest`), trimmed to what the targets read.
        load_i = load[i]
        gap = n_i - load_i
        c = n_i * b_i / (gap + load_i * b_i)
        ok = c * np.exp(-gap * t[i] / handle[i]) <= 1.0 - sl[i]
        if need_asa:
            ok &= c * handle[i] <= asa[i] * gap
        met: npt.NDArray[np.bool_] = ok | (load_i == 0)
        return met

    everyone = np.arange(n.size)
    met = meets(everyone, n, b)
    # Walk down from met guesses while N - 1 still meets every target.
    down = np.flatnonzero(met & (n - 1 >= lowest))
    while down.size:
        n_prev = n[down] - 1.0
        b_prev = n[down] * b[down] / (load[down] * (1.0 - b[down]))
        ok = meets(down, n_prev, b_prev)
        n[down[ok]], b[down[ok]] = n_prev[ok], b_prev[ok]
        down = down[ok][n_prev[ok] - 1 >= lowest[down[ok]]]
    # Walk up from unmet guesses until every target is met.
    up = np.flatnonzero(~met)
    for _ in range(1_000_000):
        if not up.size:
            break
        n[up] += 1.0
        b[up] = load[up] * b[up] / (n[up] + load[up] * b[up])
        up = up[~meets(up, n[up], b[up])]
    return n.astype(np.int64)


def _required_erlang_a(
    lam: FloatArray,
    handle: FloatArray,
    sl: FloatArray,
    t: FloatArray,
    occ: FloatArray,
    asa: FloatArray,
    abandon: FloatArray,
    pat: FloatArray,
) -> IntArray:
    """Erlang A staffing: gallop from an interpolated guess (``_erlang_a_guess``), then bisect."""
    exact_asa = bool(np.any(np.isfinite(asa)))

    def meets(i: IntArray, n_i: IntArray) -> npt.NDArray[np.bool_]:
        n_f = n_i.astype(np.float64)
        state = _ErlangAState(lam[i], handle[i], n_f, pat[i], exact=exact_asa)
        answered = np.where(state.idle, 1.0, state.within(t[i]).answered)
        idle = state.idle
        met: npt.NDArray[np.bool_] = (
            (answered >= sl[i])
            & ((state.occupancy <= occ[i]) | idle)
            & ((state.asa <= asa[i]) | idle)
            & ((state.p_abandon <= abandon[i]) | idle)
        )
        return met

    guess = _erlang_a_guess(lam, handle, sl, t, asa, pat)
    lowest = np.zeros(lam.size, dtype=np.int64)
    return smallest_satisfying(meets, guess, lowest)


def _erlang_a_guess(
    lam: FloatArray,
    handle: FloatArray,
    sl: FloatArray,
    t: FloatArray,
    asa: FloatArray,
    pat: FloatArray,
) -> IntArray:
    """Starting N for the Erlang A search: interpolate the SL between two bracketing guesses.

    The Erlang C answer is usually at or above the Erlang A one; the efficiency-driven fluid
    limit N = A·max(SL target, e^(-T/patience)) (callers wait ~patience·log(A/N)) is below it.
    Erlang A's SL is smooth in N, so linear interpolation between the two lands within a few
    agents, and the gallop that follows needs only a few probes.
    """
    load = lam * handle
    upper = _required_erlang_c(lam, handle, sl, t, np.full_like(sl, np.inf), asa).astype(np.float64)
    lower = np.minimum(np.floor(load * np.maximum(sl, np.exp(-t / pat))), upper - 1.0)
    lower = np.maximum(lower, 0.0)

    def sl_at(n: FloatArray) -> FloatArray:
        state = _ErlangAState(lam, handle, n, pat, exact=False)
        return np.where(state.idle, 1.0, state.within(t).answered)

    sl_upper, sl_lower = sl_at(upper), sl_at(lower)
    frac = np.nan_to_num((sl - sl_lower) / (sl_upper - sl_lower), nan=1.0)
    guess = np.ceil(lower + np.clip(frac, 0.0, 1.0) * (upper - lower))
    guess = np.where(sl_lower >= sl, lower, np.where(sl_upper < sl, upper, guess))
    return guess.astype(np.int64)
