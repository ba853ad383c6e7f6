"""Exact staffing search behind ``erlang.required_agents``: Erlang C and Erlang A.

Erlang C walks the Erlang B recurrence a few steps from a Halfin-Whitt square-root-staffing guess;
Erlang A brackets the SL answer between the fluid limit and the Erlang C staffing, closes it with
Newton and secant probes, then checks every target with ``agent_search.smallest_satisfying``.
Inputs are flat float arrays, already validated and broadcast by ``erlang.required_agents``.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from scipy import special

from helpline.wfm.agent_search import smallest_satisfying
from helpline.wfm.erlang_models import ErlangAState, log_erlang_b

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


def _square_root_staffing(
    load: FloatArray, handle: FloatArray, sl: FloatArray, t: FloatArray, asa: FloatArray
) -> FloatArray:
    """N ≈ A + β√A from the Halfin-Whitt approximation of Erlang C (Halfin & Whitt 1981).

    C ≈ 1/(1 + β·Φ(β)/φ(β)); SL ≈ 1 - C·e^(-β√A·T/AHT); ASA ≈ C·AHT/(β√A). Only a starting point
    for the exact search. With an SL target alone, two Newton steps solve the SL equation for β
    (``_service_level_beta``); with an ASA ceiling too, β is bisected on [0, 6] (11 halvings).
    """
    root = np.sqrt(load)
    decay = root * t / handle
    if not np.any(np.isfinite(asa)):
        return np.ceil(load + _service_level_beta(decay, sl) * root)
    lo = np.zeros_like(load)
    hi = np.full_like(load, 6.0)
    for _ in range(11):
        beta = 0.5 * (lo + hi)
        c = 1.0 / (1.0 + beta * np.sqrt(np.pi / 2) * special.erfcx(beta * -np.sqrt(0.5)))
        ok = c * np.exp(-beta * decay) <= 1.0 - sl
        ok &= c * handle <= asa * beta * root
        hi = np.where(ok, beta, hi)
        lo = np.where(ok, lo, beta)
    return np.ceil(load + hi * root)


def _service_level_beta(decay: FloatArray, sl: FloatArray) -> FloatArray:
    """β solving the Halfin-Whitt SL equation g(β) = log(1 + β·Φ/φ) + β·decay + log(1 - SL) = 0.

    Replaces 11 bisection halvings (an erfcx, an exp and a sqrt over the week each) by two Newton
    steps. g increases in β; the start solves β²/2 + β·decay = -log(1 - SL) (Gaussian tail,
    c ≈ φ/β), which lies above the root, and from there Newton descends onto it without
    overshooting: after two steps β is at most ~0.0012 above the root over SL in [0, 0.999999]
    and decay in [1e-4, 1e3] (bisection left up to 0.003), so the guess stays on the same side.
    With h = Φ/φ = √(π/2)·erfcx(-β/√2) and q = β·h, h' = 1 + β·h gives g' = (h + β·q + β)/(1 + q)
    + decay.
    """
    target = -np.log1p(-sl)
    # √(decay² + 2·target) - decay, written without the cancellation for large decay (and 0, not
    # 0/0, when there is no SL target and T·load = 0).
    beta = 2.0 * target / np.maximum(np.sqrt(decay * decay + 2.0 * target) + decay, 1e-300)
    for _ in range(2):
        h = np.sqrt(np.pi / 2) * special.erfcx(beta * -np.sqrt(0.5))
        q = beta * h
        g = np.log1p(q) + beta * decay - target
        slope = (h + beta * q + beta) / (1.0 + q) + decay
        beta = beta - g / slope
    return beta


def required_erlang_c(
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
    b = np.exp(log_erlang_b(n, load, fast=True))

    need_asa = bool(np.any(np.isfinite(asa)))

    def meets(i: IntArray, n_i: FloatArray, b_i: FloatArray) -> npt.NDArray[np.bool_]:
        # Erlang C at N > A (guaranteed by `lowest`), trimmed to what the targets read but with
        # the very expressions of erlang.erlang_c, so that ties are decided the same way.
        load_i = load[i]
        gap = n_i - load_i
        denom = gap + load_i * b_i
        c = n_i * b_i / denom
        service_level = gap * (1.0 - b_i) / denom + c * -np.expm1(-gap * t[i] / handle[i])
        ok = service_level >= sl[i]
        if need_asa:
            ok &= c * handle[i] / gap <= asa[i]
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
        if not np.all(np.isfinite(b[up])):  # defensive: never walk on NaN
            raise ValueError("arrival_rate and aht give a load the model cannot evaluate")
        n[up] += 1.0
        b[up] = load[up] * b[up] / (n[up] + load[up] * b[up])
        up = up[~meets(up, n[up], b[up])]
    return n.astype(np.int64)


def required_erlang_a(
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
        state = ErlangAState(lam[i], handle[i], n_f, pat[i], exact=exact_asa)
        answered = np.where(state.idle, 1.0, state.within(t[i]).answered)
        idle = state.idle
        met: npt.NDArray[np.bool_] = (
            (answered >= sl[i])
            & ((state.occupancy <= occ[i]) | idle)
            & ((state.asa <= asa[i]) | idle)
            & ((state.p_abandon <= abandon[i]) | idle)
        )
        return met

    guess, lowest = _erlang_a_service_level_agents(lam, handle, sl, t, asa, pat)
    return smallest_satisfying(meets, guess, lowest)


def _erlang_a_service_level_agents(
    lam: FloatArray,
    handle: FloatArray,
    sl: FloatArray,
    t: FloatArray,
    asa: FloatArray,
    pat: FloatArray,
) -> tuple[IntArray, IntArray]:
    """The smallest N meeting the SL target alone, as (guess, lowest) for the full search.

    The Erlang C answer is usually at or above the Erlang A one; the efficiency-driven fluid
    limit N = A·max(SL target, e^(-T/patience)) (callers wait ~patience·log(A/N)) is below it.
    Erlang A's SL is smooth in N: the first call evaluates both bounds and the Erlang C answer
    minus one, then rounds of Newton and secant probes (below) close the bracket.
    Where the two bounds do not bracket the target the full search starts from the nearer one.
    """
    load = lam * handle
    upper = required_erlang_c(lam, handle, sl, t, np.full_like(sl, np.inf), asa).astype(np.float64)
    lower = np.maximum(np.minimum(np.floor(load * np.maximum(sl, np.exp(-t / pat))), upper - 1), 0)

    def sl_at(i: IntArray, n: FloatArray) -> FloatArray:
        state = ErlangAState(lam[i], handle[i], n, pat[i], exact=False)
        return np.where(state.idle, 1.0, state.within(t[i]).answered)

    size = lam.size
    everyone = np.arange(size)
    below = np.maximum(upper - 1, lower)
    three = sl_at(np.concatenate([everyone] * 3), np.concatenate([upper, lower, below]))
    sl_hi, sl_lo, sl_below = three[:size], three[size : 2 * size], three[2 * size :]
    bracketed = (sl_hi >= sl) & (sl_lo < sl)
    hi, lo = upper.copy(), lower.copy()
    # The Erlang C answer is usually within a few agents: (upper - 1, upper) is the first pair.
    below_met = sl_below >= sl
    hi, sl_hi = np.where(below_met, below, hi), np.where(below_met, sl_below, sl_hi)
    lo, sl_lo = np.where(below_met, lo, below), np.where(below_met, sl_lo, sl_below)
    # Each round probes two pairs of neighbours in one call: around a Newton step (its slope the
    # exact difference of the last pair) and around the secant across the bracket. On a concave
    # stretch of SL(N) the first lands left of the answer and the second right of it (convex:
    # the other way round), so the bracket closes from both sides in two or three rounds.
    newton = below + (sl - sl_below) / (three[:size] - sl_below)
    for round_ in range(64):
        open_ = np.flatnonzero(bracketed & (hi - lo > 1))
        if not open_.size:
            break
        lo_o, hi_o, s_lo, s_hi, target = lo[open_], hi[open_], sl_lo[open_], sl_hi[open_], sl[open_]
        secant = lo_o + (target - s_lo) / (s_hi - s_lo) * (hi_o - lo_o)
        est = np.nan_to_num(newton[open_], nan=0.0, posinf=0.0, neginf=0.0)
        if round_ % 4 == 3:  # a bisection now and then bounds the worst case
            est = 0.5 * (lo_o + hi_o)
        # Left members of the pairs stay <= hi - 2 so that each pair is two distinct numbers.
        room = np.maximum(hi_o - 2, lo_o + 1)
        near = np.clip(np.floor(est), lo_o + 1, room)
        cut = np.clip(np.ceil(secant) - 1, lo_o + 1, room)
        probes = [near, np.minimum(near + 1, hi_o - 1), cut, np.minimum(cut + 1, hi_o - 1)]
        values = sl_at(np.concatenate([open_] * 4), np.concatenate(probes)).reshape(4, -1)
        for probe, value in zip(probes, values, strict=True):
            met = value >= target
            take_hi = met & (probe < hi_o)
            take_lo = ~met & (probe > lo_o)
            hi_o, s_hi = np.where(take_hi, probe, hi_o), np.where(take_hi, value, s_hi)
            lo_o, s_lo = np.where(take_lo, probe, lo_o), np.where(take_lo, value, s_lo)
        lo[open_], hi[open_], sl_lo[open_], sl_hi[open_] = lo_o, hi_o, s_lo, s_hi
        newton[open_] = near + (target - values[0]) / (values[1] - values[0])
    guess = np.where(bracketed, hi, np.where(sl_lo >= sl, lower, upper)).astype(np.int64)
    lowest = np.where(bracketed, hi, 0).astype(np.int64)
    return guess, lowest
