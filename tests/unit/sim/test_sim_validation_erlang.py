"""The simulator (real routing engine, virtual clock) reproduces exact Erlang A and Erlang C.

M/M/N+M cases of issue 7: offered load A Erlangs, N agents, mean handle time 300 s, mean patience
180 s (Erlang A), and the same without abandonment (Erlang C). For each, P(wait), P(abandon), SL at
20 s and ASA from ``helpline.wfm.erlang`` (issue 4) must lie inside the simulator's 99% confidence
interval over independent replications (each with a one-hour warm-up from an empty centre).

The first two tests use small budgets (about 50,000-110,000 contacts per case). The issue's second
criterion, a 99% interval narrower than 0.01 for the probabilities, needs far more: P(wait) of A=8 needs
about 1.2 million contacts, A=90 about 5 million and A=900 about 16 million, because the all-agents-busy
state relaxes on the scale of a handle time whatever N is. The third test sizes its run from a pilot
(two-stage) and runs in about 5 minutes with the compiled simulator (2026-11-26: A=8 10 s, A=90 64 s,
A=900 213 s); ``make unit-pure`` leaves it out (the .py fallback is about 3x slower).
Common random numbers narrow the difference between two systems, not one system's interval; antithetic
draws gain well under 2x in queues; a control variate on the arrival count was not tried.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from helpline.sim import SimulationSummary, simulate
from helpline.wfm import erlang
from tests.unit.sim.sim_factories import single_queue

AHT = 300.0
PATIENCE = 180.0
TARGET = 20.0
CONFIDENCE = 0.99
MAX_WIDTH = 0.01  # of the 99 % interval of each probability

# (load, agents, replications, horizon seconds after warm-up): about 50k-110k contacts each. Large
# centres get long replications: their per-replication P(wait) is skewed (most windows see no queue)
# until a replication spans many handle times.
CASES = [
    pytest.param(8.0, 10, 10, 190_000.0, id="A=8,N=10"),
    pytest.param(90.0, 100, 8, 24_000.0, id="A=90,N=100"),
    pytest.param(900.0, 950, 5, 7_200.0, id="A=900,N=950"),
]
WARMUP = 3600.0


def _run(
    load: float, agents: int, replications: int, horizon: float, patience: float | None
) -> SimulationSummary:
    scenario = single_queue(
        load_erlangs=load,
        agents=agents,
        horizon_seconds=WARMUP + horizon,
        warmup_seconds=WARMUP,
        patience_seconds=patience,
        aht_seconds=AHT,
    )
    return simulate(scenario, replications, seed=2026, confidence=CONFIDENCE)


def _assert_inside(summary: SimulationSummary, expected: dict[str, float]) -> None:
    for metric, value in expected.items():
        estimate = summary.estimates[metric]
        low, high = float(estimate.low[-1, 0]), float(estimate.high[-1, 0])
        assert low <= value <= high, (
            f"{metric}: exact {value:.6g} outside 99% CI [{low:.6g}, {high:.6g}]"
        )


@pytest.mark.slow
@pytest.mark.parametrize(("load", "agents", "replications", "horizon"), CASES)
def test_mmn_m_matches_exact_erlang_a(
    load: float, agents: int, replications: int, horizon: float
) -> None:
    exact = erlang.erlang_a(load / AHT, AHT, agents, PATIENCE, TARGET)
    summary = _run(load, agents, replications, horizon, PATIENCE)
    _assert_inside(
        summary,
        {
            "p_wait": float(exact.p_wait),
            "abandonment_rate": float(exact.p_abandon),
            "service_level": float(exact.service_level),
            "asa_seconds": float(exact.asa),
        },
    )


@pytest.mark.slow
@pytest.mark.parametrize(("load", "agents", "replications", "horizon"), CASES)
def test_mmn_without_abandonment_matches_exact_erlang_c(
    load: float, agents: int, replications: int, horizon: float
) -> None:
    exact = erlang.erlang_c(load / AHT, AHT, agents, TARGET)
    summary = _run(load, agents, replications, horizon, None)
    assert float(summary.estimates["abandonment_rate"].mean[-1, 0]) == 0.0
    _assert_inside(
        summary,
        {
            "p_wait": float(exact.p_wait),
            "service_level": float(exact.service_level),
            "asa_seconds": float(exact.asa),
        },
    )


@pytest.mark.slow
@pytest.mark.parametrize(("load", "agents", "replications", "horizon"), CASES)
def test_probability_intervals_are_narrower_than_one_percent_point(
    load: float, agents: int, replications: int, horizon: float
) -> None:
    exact = erlang.erlang_a(load / AHT, AHT, agents, PATIENCE, TARGET)
    # Two-stage sizing: a pilot run's widest interval says how many replications the target width
    # needs (width ~ 1/sqrt(replications)), with a 10 % margin; grow again in the rare case it misses.
    count = replications
    while True:
        summary = _run(load, agents, count, horizon * 4, PATIENCE)
        widths = [
            2 * float(summary.estimates[m].half_width[-1, 0])
            for m in ("p_wait", "abandonment_rate", "service_level")
        ]
        if max(widths) < MAX_WIDTH:
            break
        count = max(count + 1, math.ceil(count * 1.1 * (max(widths) / MAX_WIDTH) ** 2))
    _assert_inside(
        summary,
        {
            "p_wait": float(exact.p_wait),
            "abandonment_rate": float(exact.p_abandon),
            "service_level": float(exact.service_level),
            "asa_seconds": float(exact.asa),
        },
    )
    assert np.all(np.array(widths) < MAX_WIDTH)
