"""Numerical cores of the Erlang models, shared by ``erlang`` (formulas) and ``erlang_search``.

Erlang B in log space, and the Erlang A state at one (λ, AHT, N, patience): the function J of
Mandelbaum & Zeltyn (2007) through ``gamma_integrals``, P(W > 0), P(Ab), ASA and occupancy, plus the
time-dependent probabilities within t. Callers run these inside ``np.errstate`` that silences
warnings from lanes ``np.where`` discards.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from helpline.wfm import gamma_integrals as gi

FloatArray = npt.NDArray[np.float64]


def _log1p_exp(v: FloatArray) -> FloatArray:
    """log(1 + e^v) without overflow."""
    return np.logaddexp(0.0, v)


def log_erlang_b(n: FloatArray, load: FloatArray, *, fast: bool = False) -> FloatArray:
    """log B(n, A) for whole n >= 0 and A >= 0 (log 0 = -inf for A = 0 < n).

    ``fast`` trades the last digits (not the decision of a staffing search) for speed.
    """
    n, load = np.broadcast_arrays(n, load)
    busy = (n > 0) & (load > 0)
    safe_load = np.where(busy, load, 1.0)
    upper = gi.log_upper_integral_fast if fast else gi.log_upper_integral
    log_b = -np.log(safe_load) - upper(np.where(busy, n, 0.0) + 1.0, safe_load)
    return np.where(busy, np.minimum(log_b, 0.0), np.where(n > 0, -np.inf, 0.0))


@dataclass(frozen=True)
class Within:
    """Outcomes within a time t of arrival (all over all arrivals)."""

    answered: FloatArray
    offered_wait_gt: FloatArray
    waited_le: FloatArray
    abandoned: FloatArray


class ErlangAState:
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
        log_b = log_erlang_b(n, self.load, fast=not exact)
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

    def within(self, t: FloatArray) -> Within:
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
        return Within(answered, np.clip(offered_wait_gt, 0.0, 1.0), waited_le, abandoned)
