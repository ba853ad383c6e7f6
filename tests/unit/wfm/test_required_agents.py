"""required_agents equals a brute-force search (the issue's sweep: loads 0.1..60 by 0.1).

Brute force evaluates the model at every N from 0 to 100 and takes the first N meeting all
targets; the search under test starts from a guess and brackets, so any disagreement would be a
search bug (or a non-monotone target, which this sweep would also expose).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from helpline.wfm import erlang

AHT = 180.0
LOADS = np.round(np.arange(1, 601) * 0.1, 10)
AGENTS = np.arange(0, 101)
LAM_GRID, N_GRID = np.meshgrid(LOADS / AHT, AGENTS, indexing="ij")


def first_met(met: np.ndarray) -> np.ndarray:
    assert met[:, -1].all(), "grid too small for the brute force"
    return np.argmax(met, axis=1)


@pytest.mark.parametrize(
    ("sl", "target", "limits"),
    [
        (0.8, 20.0, {}),
        (0.9, 15.0, {"max_occupancy": 0.85, "max_asa": 10.0}),
    ],
)
def test_erlang_c_staffing_equals_brute_force(
    sl: float, target: float, limits: dict[str, float]
) -> None:
    grid = erlang.erlang_c(LAM_GRID, AHT, N_GRID, target)
    met = grid.service_level >= sl
    met &= grid.occupancy <= limits.get("max_occupancy", np.inf)
    met &= grid.asa <= limits.get("max_asa", np.inf)
    got = erlang.required_agents(LOADS / AHT, AHT, sl, target, **limits)
    np.testing.assert_array_equal(got, first_met(met))


@pytest.mark.parametrize(
    ("patience", "sl", "target", "limits", "below_load"),
    [
        (120.0, 0.8, 20.0, {}, True),
        (30.0, 0.3, 60.0, {"max_abandon": 0.5, "max_occupancy": 0.98}, True),
        (60.0, 0.5, 30.0, {"max_abandon": 0.1, "max_asa": 30.0, "max_occupancy": 0.9}, False),
        (600.0, 0.95, 10.0, {"max_occupancy": 0.95}, False),
    ],
)
def test_erlang_a_staffing_equals_brute_force(
    patience: float, sl: float, target: float, limits: dict[str, Any], below_load: bool
) -> None:
    grid = erlang.erlang_a(LAM_GRID, AHT, N_GRID, patience, target)
    met = grid.service_level >= sl
    met &= grid.p_abandon <= limits.get("max_abandon", np.inf)
    met &= grid.asa <= limits.get("max_asa", np.inf)
    met &= grid.occupancy <= limits.get("max_occupancy", np.inf)
    got = erlang.required_agents(LOADS / AHT, AHT, sl, target, patience=patience, **limits)
    np.testing.assert_array_equal(got, first_met(met))
    # Under Erlang A impatient callers make staffing below the offered load possible.
    assert bool(np.any(got < LOADS)) == below_load


def test_required_agents_keeps_the_shape_of_its_inputs() -> None:
    got = erlang.required_agents(np.array([[1.0, 2.0], [3.0, 4.0]]) / 60, 180.0, 0.8, 20.0)
    assert got.shape == (2, 2)
    assert got.dtype == np.int64
