"""Patience from censored waits: Kaplan-Meier and maximum likelihood against known answers."""

from __future__ import annotations

import math

import numpy as np
import pytest

from helpline.wfm.patience import (
    CensoredWaits,
    fit_exponential,
    fit_lognormal,
    fit_weibull,
    kaplan_meier,
    select_family,
)


def test_the_exponential_mle_is_abandonments_over_total_exposure() -> None:
    # 2 abandonments (at 30 s and 90 s), 3 answered after 10, 20 and 50 s: exposure 200 s.
    waits = CensoredWaits.of([30, 10, 90, 20, 50], [True, False, True, False, False])
    fit = fit_exponential(waits)
    assert fit.mean_seconds == pytest.approx(200 / 2)
    # log-likelihood: 2 log(rate) - rate * exposure
    assert fit.log_likelihood == pytest.approx(2 * math.log(1 / 100) - 200 / 100)


def test_kaplan_meier_matches_the_hand_computed_table() -> None:
    # times: 10a 20c 30a 30c 40a 50c   (a: abandoned, c: answered)
    waits = CensoredWaits.of([10, 20, 30, 30, 40, 50], [True, False, True, False, True, False])
    table = kaplan_meier(waits)
    assert table.times.tolist() == [10, 30, 40]
    assert table.at_risk.tolist() == [6, 4, 2]  # the caller answered at 30 s is at risk at 30 s
    assert table.events.tolist() == [1, 1, 1]
    expected = [5 / 6, 5 / 6 * 3 / 4, 5 / 6 * 3 / 4 * 1 / 2]
    assert table.survival.tolist() == pytest.approx(expected)
    assert table.survival_at(5) == 1.0
    assert table.survival_at(35) == pytest.approx(expected[1])


def _censored_sample(patience: np.ndarray, seed: int) -> CensoredWaits:
    """Callers answered after an exponential(60 s) offered wait unless their patience ran out."""
    offered = np.random.default_rng(seed).exponential(60.0, len(patience))
    return CensoredWaits.of(np.minimum(patience, offered).tolist(), (patience < offered).tolist())


def test_weibull_and_lognormal_fits_recover_their_parameters_from_censored_data() -> None:
    rng = np.random.default_rng(3)
    weibull = _censored_sample(200.0 * rng.weibull(0.7, 20_000), 4)
    fit = fit_weibull(weibull)
    assert fit.parameters[0] == pytest.approx(0.7, rel=0.08)
    assert fit.parameters[1] == pytest.approx(200.0, rel=0.15)
    lognormal = _censored_sample(rng.lognormal(4.5, 1.2, 20_000), 5)
    fit = fit_lognormal(lognormal)
    assert fit.parameters[0] == pytest.approx(4.5, abs=0.1)
    assert fit.parameters[1] == pytest.approx(1.2, rel=0.08)


def test_the_naive_mean_of_abandoners_underestimates_what_censoring_corrects() -> None:
    patience = np.random.default_rng(6).exponential(300.0, 20_000)
    waits = _censored_sample(patience, 7)
    naive = float(np.mean(waits.seconds[waits.abandoned]))
    assert naive < 100  # only the impatient are seen
    assert fit_exponential(waits).mean_seconds == pytest.approx(300.0, rel=0.08)


def test_held_out_selection_picks_the_family_that_generated_the_data() -> None:
    rng = np.random.default_rng(8)
    waits = _censored_sample(rng.lognormal(4.0, 1.5, 6_000), 9)
    folds = np.arange(len(waits)) % 2
    chosen = select_family(waits, folds)
    assert chosen.fit.family == "lognormal"
    assert chosen.held_out["lognormal"] > chosen.held_out["exponential"]


def test_no_abandonment_cannot_be_fitted() -> None:
    with pytest.raises(ValueError, match="abandoned"):
        fit_exponential(CensoredWaits.of([10, 20], [False, False]))
    with pytest.raises(ValueError, match="finite"):
        CensoredWaits.of([-1], [True])
