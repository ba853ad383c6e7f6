"""The simulator drives the real routing engine: customers, agents' shifts, offers and outcomes."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from helpline.routing import Overflow
from helpline.sim import (
    AgentGroup,
    Break,
    Exponential,
    Fixed,
    LoggedContact,
    Outcome,
    QueueModel,
    ReplayedArrivals,
    Shift,
    Simulation,
    contact_traces,
    run_kpis,
    simulate,
)
from tests.unit.sim.sim_factories import single_queue


def run(scenario, seed: int = 7):  # type: ignore[no-untyped-def]
    return Simulation(scenario, np.random.default_rng(seed)).run()


def test_same_seed_gives_the_same_run_and_another_seed_does_not() -> None:
    scenario = single_queue(load_erlangs=8, agents=9, horizon_seconds=20_000)
    first, again, other = run(scenario, 1), run(scenario, 1), run(scenario, 2)
    np.testing.assert_array_equal(first.answered_seconds, again.answered_seconds)
    assert first.agent_ids == again.agent_ids
    assert first.n_contacts != other.n_contacts or not np.array_equal(
        first.arrival_seconds, other.arrival_seconds
    )


def test_every_contact_is_answered_or_abandoned_and_waits_are_consistent() -> None:
    result = run(single_queue(load_erlangs=9, agents=9, horizon_seconds=30_000))
    traces = contact_traces(result)
    assert {t.outcome for t in traces} <= {Outcome.ANSWERED, Outcome.ABANDONED}
    for t in traces:
        assert t.wait_seconds is not None
        assert t.wait_seconds >= 0
        if t.outcome is Outcome.ANSWERED:
            assert t.closed_seconds is not None
            assert t.closed_seconds >= t.answered_seconds
    answered = [t for t in traces if t.outcome is Outcome.ANSWERED]
    assert len({t.agent_id for t in answered}) == 9


def test_an_agent_never_holds_two_voice_contacts_at_once() -> None:
    result = run(single_queue(load_erlangs=9, agents=5, horizon_seconds=10_000))
    spans: dict[str, list[tuple[float, float]]] = {}
    for t in contact_traces(result):
        if t.agent_id is not None:
            assert t.answered_seconds is not None
            assert t.closed_seconds is not None
            spans.setdefault(t.agent_id, []).append((t.answered_seconds, t.closed_seconds))
    for agent_spans in spans.values():
        agent_spans.sort()
        for (_, end), (start, _) in itertools.pairwise(agent_spans):
            assert start >= end


def test_nobody_is_answered_outside_shifts_or_during_the_break() -> None:
    group = AgentGroup(
        "a",
        3,
        "p",
        shifts=(Shift(1000, 5000, breaks=(Break(2000, 1000, "lunch"),)),),
    )
    result = run(
        single_queue(
            load_erlangs=2, agents=3, horizon_seconds=6000, group=group, patience_seconds=30
        )
    )
    answered = result.answered_seconds[~np.isnan(result.answered_seconds)]
    assert len(answered) > 0
    assert answered.min() >= 1000
    assert answered.max() < 5000
    assert not np.any((answered >= 2000) & (answered < 3000))
    kpis = run_kpis(result)
    assert 0 < kpis.values["occupancy"][-1, 0] <= 1


def test_an_agent_finishes_the_contact_in_hand_when_the_shift_ends() -> None:
    group = AgentGroup("a", 1, "p", shifts=(Shift(0, 100),))
    model = QueueModel("q", Fixed(500))
    arrivals = (ReplayedArrivals((LoggedContact(50, "q"), LoggedContact(60, "q"))),)
    result = run(
        single_queue(
            load_erlangs=1,
            agents=1,
            horizon_seconds=1000,
            group=group,
            model=model,
            arrivals=arrivals,
        )
    )
    assert result.closed_seconds[0] == 550
    assert math.isnan(result.answered_seconds[1])  # the agent logged out after the first call


def test_missed_offers_make_the_agent_not_ready_then_available_again() -> None:
    group = AgentGroup(
        "a",
        4,
        "p",
        answer_delay=Exponential(3),
        miss_probability=0.3,
        not_ready_after_miss_seconds=30,
    )
    result = run(
        single_queue(
            load_erlangs=2,
            agents=4,
            horizon_seconds=20_000,
            auto_accept=False,
            group=group,
            patience_seconds=None,
        )
    )
    waits = result.answered_seconds - result.arrival_seconds
    assert np.all(~np.isnan(waits[result.arrival_seconds < 15_000]))
    assert np.nanmax(waits) >= 10  # some offers timed out (10 s) before someone answered


def test_after_contact_work_is_drawn_and_capped_by_the_queue_timeout() -> None:
    model = QueueModel("q", Fixed(100), acw=Fixed(40))
    result = run(
        single_queue(
            load_erlangs=1, agents=5, horizon_seconds=5000, model=model, acw_timeout_seconds=30
        )
    )
    handled = ~np.isnan(result.closed_seconds)
    handle = result.closed_seconds[handled] - result.answered_seconds[handled]
    np.testing.assert_allclose(handle, 130)
    assert run_kpis(result).values["aht_seconds"][-1, 0] == pytest.approx(130)


def test_abandoning_customers_retry_with_the_same_customer_id() -> None:
    model = QueueModel(
        "q",
        Exponential(300),
        patience=Exponential(30),
        retrial_probability=1.0,
        retrial_delay=Fixed(60),
    )
    contacts = tuple(LoggedContact(float(i), "q", customer_id=f"c{i}") for i in range(20))
    result = run(
        single_queue(
            load_erlangs=1,
            agents=1,
            horizon_seconds=3000,
            model=model,
            arrivals=(ReplayedArrivals(contacts),),
        )
    )
    traces = contact_traces(result)
    retrials = [t for t in traces if t.is_retrial]
    assert retrials
    assert {t.customer_id for t in retrials} <= {f"c{i}" for i in range(20)}


def test_customers_who_accept_a_callback_stop_abandoning() -> None:
    model = QueueModel("q", Fixed(600), patience=Fixed(100), callback_acceptance_probability=1.0)
    arrivals = (ReplayedArrivals(tuple(LoggedContact(float(i), "q") for i in range(5))),)
    result = run(
        single_queue(
            load_erlangs=1,
            agents=1,
            horizon_seconds=4000,
            model=model,
            arrivals=arrivals,
            overflow=Overflow(after_seconds=50),
        )
    )
    assert np.all(np.isnan(result.abandoned_seconds))
    assert result.is_callback[1:].all()
    assert np.all(~np.isnan(result.answered_seconds))


def test_replications_give_confidence_intervals_that_shrink_with_more_runs() -> None:
    scenario = single_queue(load_erlangs=8, agents=9, horizon_seconds=20_000)
    few = simulate(scenario, 3, seed=5)
    many = simulate(scenario, 12, seed=5)
    assert few.estimates["offered"].half_width[-1, 0] > 0
    assert (
        many.estimates["service_level"].half_width[-1, 0]
        < (few.estimates["service_level"].half_width[-1, 0])
    )
    low, high = many.estimates["offered"].low[-1, 0], many.estimates["offered"].high[-1, 0]
    assert low < 8 / 300 * 20_000 < high


def test_interval_kpis_add_up_to_the_whole_run() -> None:
    scenario = single_queue(load_erlangs=8, agents=9, horizon_seconds=7200, interval_seconds=1800)
    kpis = run_kpis(run(scenario))
    offered = kpis.values["offered"]
    assert offered.shape == (5, 1)
    assert offered[:4].sum() == offered[4, 0]
