"""Scenario documents are validated on load and every error names the offending field."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from helpline.errors import InvalidInput
from helpline.routing import Channel
from helpline.sim import Lognormal, PoissonArrivals, scenario_from_dict

EXAMPLE = Path(__file__).resolve().parents[3] / "docs" / "scenarios" / "bank_day.yaml"


def example() -> dict[str, Any]:
    data = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def test_the_documented_example_loads() -> None:
    scenario = scenario_from_dict(example())
    assert [q.queue_id for q in scenario.routing.queues] == ["cards", "general", "chat"]
    assert scenario.routing.queues[2].channel is Channel.CHAT
    assert isinstance(scenario.queues[0].handle_time, Lognormal)
    assert scenario.agents[0].shifts[0].breaks[0].duration_seconds == 1800
    arrivals = scenario.arrivals[0]
    assert isinstance(arrivals, PoissonArrivals)
    assert arrivals.rates_per_second[0] == pytest.approx(40 / 1800)


def _set(data: dict[str, Any], path: tuple[Any, ...], value: Any) -> dict[str, Any]:
    changed = copy.deepcopy(data)
    target: Any = changed
    for key in path[:-1]:
        target = target[key]
    if value is KeyError:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return changed


@pytest.mark.parametrize(
    ("path", "value", "field"),
    [
        (("horizon_seconds",), KeyError, "horizon_seconds"),
        (("horizon_seconds",), "long", "horizon_seconds"),
        (("queues", 0, "handle_time"), KeyError, "queues[0].handle_time"),
        (
            ("queues", 0, "handle_time", "distribution"),
            "gamma",
            "queues[0].handle_time.distribution",
        ),
        (("queues", 1, "handle_time", "mean_seconds"), -3, "queues[1].handle_time.mean_seconds"),
        (("queues", 0, "retrial", "probability"), 1.5, "queues[0].retrial_probability"),
        (("queues", 0, "queue_id"), "nowhere", "queues[0].queue_id"),
        (("agents", 1, "profile_id"), "ghost", "agents[1].profile_id"),
        (("agents", 0, "count"), 2.5, "agents[0].count"),
        (("agents", 0, "skills", "cards"), 9, "agents[0].skills.cards"),
        (("agents", 0, "shifts", 0, "end"), "25:99", "agents[0].shifts[0].end"),
        (("agents", 0, "shifts", 0, "end"), "00:00", "agents[0].shifts[0].end"),
        (("agents", 0, "colour"), "blue", "agents[0].colour"),
        (("routing", "queues", 0, "channel"), "pigeon", "routing.queues[0].channel"),
        (("arrivals", 0, "calls_per_interval", 2), -1, "arrivals[0].calls_per_interval[2]"),
        (("arrivals", 0, "queue_id"), "nowhere", "arrivals[0].queue_id"),
    ],
)
def test_a_bad_value_is_reported_with_its_field(
    path: tuple[Any, ...], value: Any, field: str
) -> None:
    with pytest.raises(InvalidInput) as error:
        scenario_from_dict(_set(example(), path, value))
    assert error.value.field == field


def test_a_routing_queue_without_customer_model_is_refused() -> None:
    data = example()
    data["queues"] = data["queues"][:2]
    with pytest.raises(InvalidInput, match="chat"):
        scenario_from_dict(data)


def test_a_head_count_per_interval_becomes_one_seat_per_agent_present() -> None:
    data = example()
    data["agents"][1] = {
        "name": "late-team",
        "count_per_interval": [1, 2, 0, 2],
        "profile_id": "voice-first",
        "skills": {"cards": 1},
    }
    scenario = scenario_from_dict(data)
    seats = {g.name: g for g in scenario.agents if g.name.startswith("late-team")}
    assert sorted(seats) == ["late-team-seat-1", "late-team-seat-2"]
    first = [(s.start_seconds, s.end_seconds) for s in seats["late-team-seat-1"].shifts]
    second = [(s.start_seconds, s.end_seconds) for s in seats["late-team-seat-2"].shifts]
    assert first == [(0, 3600), (5400, 7200)]
    assert second == [(1800, 3600), (5400, 7200)]


@pytest.mark.parametrize(
    ("group", "field"),
    [
        ({"count": 2, "count_per_interval": [1]}, "agents[1]"),
        ({}, "agents[1]"),
        ({"count_per_interval": [1, -1]}, "agents[1].count_per_interval"),
        ({"count_per_interval": [1], "shifts": [{"start": 0, "end": 60}]}, "agents[1].shifts"),
    ],
)
def test_head_counts_and_count_exclude_each_other(group: dict[str, Any], field: str) -> None:
    data = example()
    data["agents"][1] = {"name": "late-team", "profile_id": "voice-first", **group}
    with pytest.raises(InvalidInput) as error:
        scenario_from_dict(data)
    assert error.value.field.startswith(field)
