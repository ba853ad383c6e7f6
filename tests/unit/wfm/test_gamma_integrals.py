"""The Laplace-integral forms of the incomplete gamma ratios against closed forms.

For whole a the integrals have elementary closed forms (Γ(n, y) = (n-1)!·e^(-y)·Σ_{k<n} y^k/k!);
with ``math.fsum`` those are exact to a few ulps for the moderate values used here.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import special

from helpline.wfm import gamma_integrals as gi


def exact_log_upper(n: int, y: float) -> float:
    """log ∫₀^∞ exp(n·u - y(eᵘ - 1)) du = log(e^y·y^(-n)·Γ(n, y)), Γ(n, y) by its finite sum."""
    terms = [math.exp(k * math.log(y) - math.lgamma(k + 1)) for k in range(n)]
    return math.lgamma(n) - n * math.log(y) + math.log(math.fsum(terms))


@pytest.mark.parametrize("n", [1, 2, 5, 20, 60])
@pytest.mark.parametrize("y", [0.01, 0.7, 3.0, 19.5, 60.0, 300.0])
def test_upper_integral_matches_the_finite_sum(n: int, y: float) -> None:
    got = float(gi.log_upper_integral(np.array(float(n)), np.array(y)))
    assert got == pytest.approx(exact_log_upper(n, y), abs=1e-13 * max(1.0, abs(got)))


@pytest.mark.parametrize("y", [1e-6, 0.5, 3.0, 40.0, 600.0])
def test_lower_integral_at_a_one_is_expm1_over_y(y: float) -> None:
    # ∫₀^∞ exp(-w + y(1 - e^(-w))) dw = (e^y - 1)/y.
    got = gi.lower_integral(np.array(1.0), np.array(y))
    want = math.log(math.expm1(y) / y)
    assert float(got.log_value) == pytest.approx(want, abs=2e-14 * max(1.0, want))


@pytest.mark.parametrize("a", [1.0, 3.5, 40.0, 1e3, 1e5, 1e8, 1e11])
@pytest.mark.parametrize("ratio", [0.2, 0.9, 1.0, 1.1, 5.0])
def test_the_two_halves_add_up_to_the_whole_line(a: float, ratio: float) -> None:
    # lower + upper = Γ(a)·e^y·y^(-a); the right side is itself only good to ~eps·y in log.
    y = a * ratio
    lower = float(gi.lower_integral(np.array(a), np.array(y)).log_value)
    upper = float(gi.log_upper_integral(np.array(a), np.array(y)))
    whole = special.gammaln(a) + y - a * math.log(y)
    assert np.logaddexp(lower, upper) == pytest.approx(whole, abs=1e-14 * (a + y) + 1e-13)


def test_the_integrals_stay_finite_across_the_whole_domain() -> None:
    a = 1.0 + np.logspace(-8, 12, 60)[:, None]
    y = np.concatenate([[0.0], np.logspace(-10, 12, 60)])[None, :]
    lower = gi.lower_integral(a, y)
    assert np.all(np.isfinite(lower.log_value))
    assert np.all(np.isfinite(lower.mean_w))
    assert np.all(lower.mean_w >= 0)
    assert np.all((lower.mean_one_minus_exp >= 0) & (lower.mean_one_minus_exp <= 1))
    assert np.all(np.isfinite(gi.log_upper_integral(a, np.where(y > 0, y, 1e-10))))


def test_bd0_keeps_its_digits_when_x_is_close_to_m() -> None:
    # x·log(x/m) + m - x ≈ (x - m)²/(2m) for x near m; the naive form would return 0 or noise.
    m = 1e10
    got = gi.bd0(np.array(m + 1.0), np.array(m))
    assert float(got) == pytest.approx(1.0 / (2 * m), rel=1e-9)
