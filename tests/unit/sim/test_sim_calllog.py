"""Call logs parse into contacts to replay: the Anonymous Bank format and plain CSV."""

from __future__ import annotations

import datetime as dt
import io
import math
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

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
    QueueModel,
    ReplayedArrivals,
    Scenario,
    Simulation,
    bank_contacts,
    parse_anonymous_bank,
    parse_csv_log,
    run_kpis,
)

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "anonymous_bank" / "january_1999-01-02.txt"
TYPES = ("PS", "PE", "IN", "NE", "NW", "TT")


def sample_calls():  # type: ignore[no-untyped-def]
    with SAMPLE.open(encoding="utf-8", newline="") as lines:
        return parse_anonymous_bank(lines)


def test_the_sample_day_keeps_calls_that_reached_the_queue() -> None:
    calls = sample_calls()
    counts = Counter((c.call_type, c.is_answered) for c in calls)
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
    assert {c.day for c in calls} == {dt.date(1999, 1, 2)}


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


def test_a_malformed_bank_line_is_reported_with_its_number() -> None:
    text = [*SAMPLE.read_text(encoding="utf-8").splitlines()[:3], "AA0101\t1\t2"]
    with pytest.raises(InvalidInput) as error:
        parse_anonymous_bank(text)
    assert error.value.field == "line 4"


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
