"""Incomplete-gamma ratios as Laplace integrals, in log space, for the Erlang models.

Erlang B and Erlang A both reduce to the two halves of one integral,

    ∫ exp(ψ(u)) du  with  ψ(u) = a·u - y·(eᵘ - 1),   a > 0, y >= 0,

whose whole-line value is Γ(a)·e^y·y^(-a). The half over u >= 0 is the Erlang B integral
(1/B(n, A) = A·∫₀^∞ e^(-A·s)·(1 + s)^n ds with 1 + s = eᵘ, a = n + 1, y = A; Jagerman 1974) and the
half over u <= 0, written with w = -u, is the Erlang A function of Mandelbaum & Zeltyn:
J(x, y) = 1 + y·∫₀^∞ exp(-(x + 1)·w + y·(1 - e^(-w))) dw, with x = nμ/θ and y = λ/θ.

Why integrals rather than ``scipy.special.gammainc``: the regularised incomplete gamma functions
underflow to 0 long before the ratios we need stop being finite (at 10^6 Erlangs, or patience of
10^7 s, both numerator and denominator are below 1e-300), and the classic
``x·eʸ·y^(-x)·gamma(x, y)`` cancels catastrophically when x and y exceed ~1e6. Each half integrand is
log-concave, so it is computed around its maximum: the exponent is written as an exactly
non-positive function of the distance to the mode (no cancellation even for a, y ~ 1e11), the
integration range is cut where the integrand has dropped by e^(-_DROP), and each side of the mode
gets one panel of Gauss-Legendre nodes. For a log-concave analytic integrand this converges to
double precision with a fixed node count, and the work is a fixed-size vectorised NumPy
expression, which is what makes a week of intervals one call.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import special

FloatArray = npt.NDArray[np.float64]

# The integrand is cut where it has fallen by e^-_DROP (~1e-19) below its maximum.
_DROP = 44.0
# Each side of the mode is one panel from the mode to the cut-off, split at 10% and 35% of its
# length into three Gauss-Legendre pieces of 24 nodes: the integrand falls by e^-44 across the
# panel, and one 64-node rule over it still misses e^-v by 2e-14, while the graded pieces reach
# rounding level (1e-15) for exponential and Gaussian decay alike (checked against 50-digit
# mpmath values and closed forms in tests/unit/wfm/test_gamma_integrals.py).
_GL_X, _GL_W = np.polynomial.legendre.leggauss(24)
_EDGES = (0.0, 0.1, 0.35, 1.0)
_OFFSETS01: FloatArray = np.concatenate(
    [lo + (hi - lo) * 0.5 * (_GL_X + 1.0) for lo, hi in itertools.pairwise(_EDGES)]
)
_WEIGHTS01: FloatArray = np.concatenate(
    [(hi - lo) * 0.5 * _GL_W for lo, hi in itertools.pairwise(_EDGES)]
)
# Coefficients 1/k! for k = 2..12: the Taylor series of eᵗ - 1 - t, used where |t| < 0.1.
_KCOEF = np.array([1.0 / np.prod(np.arange(1.0, k + 1.0)) for k in range(2, 13)])


@dataclass(frozen=True)
class LowerIntegral:
    """The Erlang A half integral ∫₀^∞ exp(-a·w + y·(1 - e^(-w))) dw and two moments of w.

    ``log_value`` is its natural logarithm; ``mean_w`` and ``mean_one_minus_exp`` are ⟨w⟩ and
    ⟨1 - e^(-w)⟩ under the density proportional to the integrand.
    """

    log_value: FloatArray
    mean_w: FloatArray
    mean_one_minus_exp: FloatArray
    is_interior: npt.NDArray[np.bool_]
    """Whether the integrand peaks inside (y > a); then log_value = bd0(a, y) + log_sum."""
    log_sum: FloatArray
    """log of the integral over its peak value (log_value minus the peak's exponent)."""


def expm1_minus(t: FloatArray) -> FloatArray:
    """eᵗ - 1 - t without cancellation near t = 0 (a series there, expm1 elsewhere)."""
    t = np.asarray(t, dtype=np.float64)
    small = np.abs(t) < 0.1
    ts = np.where(small, t, 0.0)
    series = np.zeros_like(ts)
    for c in _KCOEF[::-1]:
        series = series * ts + c
    series = series * ts * ts
    direct = np.expm1(np.where(small, 0.0, t)) - t
    return np.where(small, series, direct)


def bd0(x: FloatArray, m: FloatArray, d: FloatArray | None = None) -> FloatArray:
    """x·log(x/m) + m - x >= 0 with relative accuracy near machine precision (Loader 2000).

    The deviance term of the saddle-point Poisson density; exact 0 at x = m. ``x >= 0``, ``m > 0``;
    ``d``, when given, is x - m computed by the caller without cancellation.
    """
    x = np.asarray(x, dtype=np.float64)
    m = np.asarray(m, dtype=np.float64)
    d = x - m if d is None else np.asarray(d, dtype=np.float64)
    s_ = x + m
    near = np.abs(d) < 0.1 * s_
    v = np.where(near, d / np.where(s_ > 0, s_, 1.0), 0.0)
    v2 = v * v
    # d·v + 2x·v·Σ_{j>=1} v^(2j)/(2j + 1), in Horner form; |v| < 0.1 so 9 terms reach 1e-18.
    series = np.full_like(v2, 1.0 / 19.0)
    for j in range(8, 0, -1):
        series = series * v2 + 1.0 / (2 * j + 1)
    total = d * v + 2.0 * x * v * v2 * series
    far = np.where(x > 0, x * np.log(np.where(x > 0, x, 1.0) / m), 0.0) + m - x
    return np.where(near, total, far)


def _drop_point(c: FloatArray, b: FloatArray, exp_side: bool) -> FloatArray:
    """t > 0 where c·t + b·k(±t) reaches _DROP, k(t) = eᵗ - 1 - t (``exp_side`` picks +t).

    f(t) = c·t + b·k(±t) is convex and increasing on t > 0 with f(0) = 0. We start from the least
    of several closed-form upper bounds of the root (from k(t) >= t²/2 on the exp side;
    k(-t) >= t²/3 for t <= 1 and k(-t) >= t - 1 on the linear side) and take Newton steps, which
    from the right of a convex root stay to its right: any iterate is a safe cut-off.
    """
    sign = 1.0 if exp_side else -1.0
    t = np.where(c > 0, _DROP / c, np.inf)
    if exp_side:
        t = np.minimum(t, 2 * _DROP / (c + np.sqrt(c * c + 2 * b * _DROP)))
    else:
        quad = 2 * _DROP / (c + np.sqrt(c * c + 4 * b * _DROP / 3))
        t = np.minimum(t, np.where(quad <= 1.0, quad, np.inf))
        t = np.minimum(t, np.where(b > 0, (_DROP + b) / (c + b), np.inf))
    for _ in range(4):
        f = c * t + b * (np.expm1(sign * t) - sign * t) - _DROP
        fp = c + b * sign * np.expm1(sign * t)
        t = np.where(fp > 0, np.maximum(t - f / fp, 0.5 * t), t)
    return t


def _panel(length: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Distances from the mode in [0, length] and their weights; shape (..., nodes)."""
    span = length[..., None]
    return span * _OFFSETS01, span * _WEIGHTS01


def _quiet() -> np.errstate:
    """Silence warnings from lanes that ``np.where`` discards (e.g. log(y/a) at the boundary)."""
    return np.errstate(divide="ignore", over="ignore", under="ignore", invalid="ignore")


def _log_upper_integral(a: FloatArray, y: FloatArray) -> FloatArray:
    """log ∫₀^∞ exp(a·u - y·(eᵘ - 1)) du for a > 0, y > 0 (the Erlang B half).

    With a = n + 1 and y = A, Erlang B is B(n, A) = 1 / (A · integral) (Jagerman 1974).
    """
    a = np.asarray(a, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    a, y = np.broadcast_arrays(a, y)
    interior = a > y
    # Interior mode u* = log(a/y): ψ(u* + v) - ψ* = -a·k(v), ψ* = bd0(a, y).
    # Boundary mode at 0: ψ(v) = -(y - a)·v - y·k(v).
    c = np.where(interior, 0.0, y - a)
    b = np.where(interior, a, y)
    # log(a/y) as log1p: the panel is cut exactly at u = 0, where the integrand may still be ~1.
    u_star = np.where(interior, np.log1p((a - y) / y), 0.0)
    right = _drop_point(c, b, exp_side=True)
    left = np.where(
        interior, np.minimum(_drop_point(np.zeros_like(a), b, exp_side=False), u_star), 0.0
    )
    v_r, w_r = _panel(right)
    d_l, w_l = _panel(left)
    v_l = -d_l
    c_, b_ = c[..., None], b[..., None]
    s = np.sum(w_r * np.exp(-c_ * v_r - b_ * expm1_minus(v_r)), axis=-1)
    s = s + np.sum(w_l * np.exp(-c_ * v_l - b_ * expm1_minus(v_l)), axis=-1)
    peak = np.where(interior, bd0(a, y), 0.0)
    log_value: FloatArray = peak + np.log(s)
    return log_value


def _lower_integral(a: FloatArray, y: FloatArray, gap: FloatArray | None) -> LowerIntegral:
    """∫₀^∞ exp(-a·w + y·(1 - e^(-w))) dw (a > 0, y >= 0) in log space, with ⟨w⟩, ⟨1 - e^(-w)⟩.

    With a = x + 1 this is (J(x, y) - 1)/y, J the Erlang A function (Mandelbaum & Zeltyn 2007).
    ``gap``, when given, is a - y computed by the caller without cancellation (a and y reach 1e11
    for long patience while their difference stays small).
    """
    a = np.asarray(a, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    gap = a - y if gap is None else np.asarray(gap, dtype=np.float64)
    a, y, gap = np.broadcast_arrays(a, y, gap)
    interior = gap < 0
    # Interior mode w* = log(y/a): φ(w* + v) - φ* = -a·k(-v), φ* = bd0(a, y).
    # Boundary mode at 0: φ(v) = -(a - y)·v - y·k(-v).
    c = np.where(interior, 0.0, gap)
    b = np.where(interior, a, y)
    w_star = np.where(interior, -np.log1p(gap / np.where(interior, y, 1.0)), 0.0)
    right = _drop_point(c, b, exp_side=False)
    left = np.where(
        interior, np.minimum(_drop_point(np.zeros_like(a), b, exp_side=True), w_star), 0.0
    )
    c_, b_, ws = c[..., None], b[..., None], w_star[..., None]
    d_l, w_l = _panel(left)
    d_r, w_r = _panel(right)
    v = np.concatenate([-d_l, d_r], axis=-1)
    wt = np.concatenate([w_l, w_r], axis=-1)
    f = wt * np.exp(-c_ * v - b_ * expm1_minus(-v))
    s = np.sum(f, axis=-1)
    w = ws + v
    mean_w = np.sum(f * w, axis=-1) / s
    mean_one_minus_exp = np.sum(f * -np.expm1(-w), axis=-1) / s
    peak = np.where(interior, bd0(a, y, gap), 0.0)
    log_sum = np.log(s)
    return LowerIntegral(peak + log_sum, mean_w, mean_one_minus_exp, interior, log_sum)


def log_upper_integral(a: FloatArray, y: FloatArray) -> FloatArray:
    """log ∫₀^∞ exp(a·u - y·(eᵘ - 1)) du for a >= 1, y > 0 (the Erlang B half).

    With a = n + 1 and y = A, Erlang B is B(n, A) = 1 / (A · integral) (Jagerman 1974).
    """
    with _quiet():
        return _log_upper_integral(a, y)


def lower_integral(a: FloatArray, y: FloatArray, gap: FloatArray | None = None) -> LowerIntegral:
    """∫₀^∞ exp(-a·w + y·(1 - e^(-w))) dw (a >= 1, y >= 0) in log space, with ⟨w⟩, ⟨1 - e^(-w)⟩.

    With a = x + 1 this is (J(x, y) - 1)/y, J the Erlang A function (Mandelbaum & Zeltyn 2007).
    ``gap``, when given, is a - y computed by the caller without cancellation (a and y reach 1e11
    for long patience while their difference stays small). a >= 1 keeps the tail decay rate at
    least 1, which the single graded panel per side relies on.
    """
    with _quiet():
        return _lower_integral(a, y, gap)


# scipy's regularised incomplete gamma functions agree with the integrals above to ~1e-12 (in log)
# up to a ≈ 1e3 and drift beyond (1e-10 at 1e5, worse above); they are ~50x faster, so the
# staffing search, which only needs the sign of (model - target), uses them in that range.
_FAST_MAX_A = 1e3
_FAST_MIN_TAIL = 1e-280
# Beyond this y the logs carry ~eps·y of absolute error that the integral form cancels exactly.
_FAST_MAX_Y = 1e5
_HALF_LOG_2PI = 0.5 * np.log(2.0 * np.pi)


def _stirlerr(n: FloatArray) -> FloatArray:
    """log Γ(n + 1) - (n + ½)·log n + n - ½·log 2π for n >= 1 (Loader 2000)."""
    nn = n * n
    series = (1 / 12 - (1 / 360 - (1 / 1260 - (1 / 1680 - (1 / 1188) / nn) / nn) / nn) / nn) / n
    small = n <= 15
    if not np.any(small):
        return series
    direct = special.gammaln(n + 1.0) - (n + 0.5) * np.log(n) + n - _HALF_LOG_2PI
    return np.where(small, direct, series)


def _log_poisson(x: FloatArray, lam: FloatArray) -> FloatArray:
    """log(e^(-λ)·λ^x / Γ(x + 1)) for x >= 1, λ > 0, by Loader's saddle-point split.

    The deviance is taken as λ·((1 + u)·log1p(u) - u), u = (x - λ)/λ: its absolute error,
    eps·|x - λ|, is all a staffing decision can notice, and it costs a few operations where
    ``bd0``'s series costs twenty.
    """
    u = (x - lam) / lam
    deviance = lam * ((1.0 + u) * np.log1p(u) - u)
    return -_stirlerr(x) - deviance - 0.5 * np.log(2.0 * np.pi * x)


def _fast_or_exact(
    fast: FloatArray,
    usable: npt.NDArray[np.bool_],
    exact: Callable[[npt.NDArray[np.bool_]], FloatArray],
) -> FloatArray:
    if np.all(usable):
        return fast
    out = fast.copy()
    out[~usable] = exact(~usable)
    return out


def log_upper_integral_fast(a: FloatArray, y: FloatArray) -> FloatArray:
    """``log_upper_integral`` through scipy where that is accurate, the quadrature elsewhere."""
    a, y = np.broadcast_arrays(np.asarray(a, dtype=np.float64), np.asarray(y, dtype=np.float64))
    tail = special.gammaincc(a, y)
    usable = (a <= _FAST_MAX_A) & (tail > _FAST_MIN_TAIL)
    fast = np.log(tail) - np.log(a) - _log_poisson(a, y)
    return _fast_or_exact(fast, usable, lambda m: log_upper_integral(a[m], y[m]))


def log_lower_integral_fast(a: FloatArray, y: FloatArray, gap: FloatArray) -> FloatArray:
    """log of ``lower_integral`` through scipy where that is accurate, the quadrature elsewhere."""
    a, y, gap = np.broadcast_arrays(
        np.asarray(a, dtype=np.float64),
        np.asarray(y, dtype=np.float64),
        np.asarray(gap, dtype=np.float64),
    )
    head = special.gammainc(a, y)
    usable = (a <= _FAST_MAX_A) & (y <= _FAST_MAX_Y) & (head > _FAST_MIN_TAIL) & (y > 0)
    fast = np.log(head) - np.log(a) - _log_poisson(a, np.where(y > 0, y, 1.0))
    return _fast_or_exact(fast, usable, lambda m: lower_integral(a[m], y[m], gap[m]).log_value)
