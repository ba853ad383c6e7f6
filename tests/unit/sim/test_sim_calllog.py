"""Call logs parse into contacts to replay: the Anonymous Bank format and plain CSV."""

from __future__ import annotations

import datetime as dt
import io
import math
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from helpline.domain.anonymous_bank import BankCall, Outcome, parse_calls
from helpline.errors import InvalidInput
from helpline.routing import (
    Channel,
    ChannelSettings,
    ProfileQueue,
    Queue,
    RoutingConfig,
    RoutingProfile,
)
from helpline.sim import (
    AgentGroup,
    Exponential,
    Fixed,
    QueueModel,
    ReplayedArrivals,
    Scenario,
    Simulation,
    bank_contacts,
    parse_csv_log,
    run_kpis,
)

DATA = Path(__file__).resolve().parents[2] / "data" / "anonymous_bank"
SAMPLE = DATA / "january_1999-01-02.txt"
WEEK = DATA / "january_13_19.txt"
TYPES = ("PS", "PE", "IN", "NE", "NW", "TT")


def read_calls(path: Path = SAMPLE) -> list[BankCall]:
    with path.open(encoding="utf-8", newline="") as lines:
        return list(parse_calls(lines))


sample_calls = read_calls


def test_the_sample_day_keeps_calls_that_reached_the_queue() -> None:
    calls = [c for c in sample_calls() if c.reached_agents]
    counts = Counter((c.call_type, c.outcome is Outcome.AGENT) for c in calls)
    # tests/data/SOURCE.md, counted with awk from the raw file.
    assert counts == {
        ("PS", True): 199,
        ("PS", False): 2,
        ("NW", True): 14,
        ("NW", False): 2,
        ("PE", True): 1,
        ("PE", False): 1,
        ("TT", True): 11,
    }
    assert {c.queued_at.date() for c in calls} == {dt.date(1999, 1, 2)}


def test_bank_contacts_carry_logged_handle_times_and_patience() -> None:
    calls = sample_calls()
    contacts = bank_contacts(calls, dt.date(1999, 1, 2), 1)
    assert len(contacts) == 230
    answered = [c for c in contacts if c.patience_seconds == math.inf]
    assert len(answered) == 225
    assert all(c.handle_seconds is not None for c in answered)
    abandoned = [c for c in contacts if c.patience_seconds != math.inf]
    assert all(c.handle_seconds is None for c in abandoned)
    assert bank_contacts(calls, dt.date(1999, 1, 3), 7) == ()


def test_a_replay_with_ample_agents_offers_the_logged_calls_and_serves_them_as_logged() -> None:
    contacts = bank_contacts(sample_calls(), dt.date(1999, 1, 2), 1)
    routing = RoutingConfig(
        tuple(Queue(t, Channel.VOICE, acw_timeout_seconds=0) for t in TYPES),
        (
            RoutingProfile(
                "all",
                {Channel.VOICE: ChannelSettings(1, auto_accept=True)},
                tuple(ProfileQueue(t) for t in TYPES),
            ),
        ),
    )
    scenario = Scenario(
        routing,
        tuple(QueueModel(t, Exponential(200), patience=Exponential(300)) for t in TYPES),
        (AgentGroup("bank", 50, "all"),),
        (ReplayedArrivals(contacts),),
        horizon_seconds=86_400,
        interval_seconds=3600,
    )
    result = Simulation(scenario, np.random.default_rng(1)).run()
    kpis = run_kpis(result)
    offered = dict(
        zip([m.queue_id for m in scenario.queues], kpis.values["offered"][-1], strict=True)
    )
    assert offered == {"PS": 201, "PE": 2, "IN": 0, "NE": 0, "NW": 16, "TT": 11}
    assert kpis.values["answered"][-1].sum() == 230  # nobody waits with 50 agents
    logged = Counter(c.handle_seconds for c in contacts if c.handle_seconds is not None)
    served = Counter((result.closed_seconds - result.answered_seconds).tolist())
    assert logged - served == Counter()  # every logged handle time was served as logged


def test_csv_logs_leave_unknown_cells_to_the_model() -> None:
    contacts = parse_csv_log(
        io.StringIO(
            "arrival_seconds,queue_id,handle_seconds,patience_seconds\n1.5,q,,30\n2,q,100,\n"
        )
    )
    assert [(c.arrival_seconds, c.handle_seconds, c.patience_seconds) for c in contacts] == [
        (1.5, None, 30.0),
        (2.0, 100.0, None),
    ]
    with pytest.raises(InvalidInput) as error:
        parse_csv_log(io.StringIO("arrival_seconds,queue_id\nsoon,q\n"))
    assert error.value.field == "line 2.arrival_seconds"


def _logged_counts(path: Path) -> Counter[tuple[str, str]]:
    """(call type, AGENT or HANG) of the calls that asked for an agent, read from the raw rows
    without the parser (the week has none of the space-joined rows)."""
    counts: Counter[tuple[str, str]] = Counter()
    for line in path.read_text(encoding="utf-8").splitlines()[1:]:
        fields = line.split("\t")
        call_type, queue_start, outcome = fields[4], fields[9], fields[12]
        if outcome == "AGENT" or (outcome == "HANG" and queue_start != "0:00:00"):
            counts[(call_type, outcome)] += 1
    return counts


def test_a_week_replayed_with_logged_outcomes_reproduces_the_logs_counts() -> None:
    """Logged outcomes: every abandoning caller's patience is their logged wait, answered callers
    never abandon, and handle times are the logged ones. Ample agents who all pick up 1,500 s after
    the offer (longer than any logged abandonment, 1,482 s) answer exactly the calls the bank answered
    and see exactly its hang-ups, at their logged waits."""
    calls = read_calls(WEEK)
    contacts = bank_contacts(calls, dt.date(1999, 1, 13), 8)  # the 8th day: calls crossing midnight
    types = tuple(sorted({c.queue_id for c in contacts}))
    routing = RoutingConfig(
        tuple(
            Queue(t, Channel.VOICE, acw_timeout_seconds=0, offer_timeout_seconds=1_600)
            for t in types
        ),
        (
            RoutingProfile(
                "all",
                {Channel.VOICE: ChannelSettings(1, auto_accept=False)},
                tuple(ProfileQueue(t) for t in types),
            ),
        ),
    )
    scenario = Scenario(
        routing,
        tuple(QueueModel(t, Exponential(200), patience=Exponential(300)) for t in types),
        (AgentGroup("bank", 400, "all", answer_delay=Fixed(1_500)),),
        (ReplayedArrivals(contacts),),
        horizon_seconds=8 * 86_400,
        interval_seconds=86_400,
    )
    result = Simulation(scenario, np.random.default_rng(7)).run()
    kpis = run_kpis(result)
    simulated = Counter[tuple[str, str]]()
    for q, queue_id in enumerate(kpis.queue_ids):
        simulated[(queue_id, "AGENT")] = int(kpis.values["answered"][-1, q])
        simulated[(queue_id, "HANG")] = int(kpis.values["abandoned"][-1, q])
    assert +simulated == _logged_counts(WEEK)
    # Hang-ups left at their logged waits; answered calls were served their logged handle times.
    abandoned = ~np.isnan(result.abandoned_seconds)
    waits = sorted((result.abandoned_seconds - result.arrival_seconds)[abandoned].tolist())
    assert waits == sorted(
        float(c.wait_seconds) for c in calls if c.outcome is Outcome.HANG and c.was_queued
    )
    answered = ~np.isnan(result.answered_seconds)
    served = Counter((result.closed_seconds - result.answered_seconds)[answered].tolist())
    assert served == Counter(float(c.service_seconds) for c in calls if c.outcome is Outcome.AGENT)
