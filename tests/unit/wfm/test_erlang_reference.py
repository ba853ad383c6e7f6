"""helpline.wfm.erlang against the 50-digit reference tables (tests/data/erlang/SOURCE.md).

Tolerances are the issue's: relative 1e-12 for Erlang C and 1e-9 for Erlang A on every column
the API returns, absolute 1e-15 where the reference value is below 1e-6.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest

from helpline.wfm import erlang

DATA = Path(__file__).resolve().parents[2] / "data" / "erlang"


def _columns(name: str) -> dict[str, npt.NDArray[np.float64]]:
    with (DATA / name).open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    return {key: np.array([float(row[key]) for row in rows]) for key in rows[0]}


def assert_matches(got: npt.ArrayLike, want: npt.NDArray[np.float64], rel: float) -> None:
    got = np.asarray(got, dtype=np.float64)
    tiny = np.abs(want) < 1e-6
    np.testing.assert_allclose(got[~tiny], want[~tiny], rtol=rel, atol=0)
    np.testing.assert_allclose(got[tiny], want[tiny], rtol=0, atol=1e-15)


C = _columns("erlang_reference_c.csv")
A = _columns("erlang_reference_a.csv")


@pytest.mark.parametrize(
    ("column", "field"),
    [
        ("erlang_b", "erlang_b"),
        ("p_wait_erlang_c", "p_wait"),
        ("service_level", "service_level"),
        ("asa_s", "asa"),
        ("occupancy", "occupancy"),
    ],
)
def test_erlang_c_matches_reference_to_1e_12(column: str, field: str) -> None:
    aht = C["aht_s"]
    result = erlang.erlang_c(
        C["offered_load_erlangs"] / aht, aht, C["agents_N"], C["target_answer_time_s"]
    )
    assert_matches(getattr(result, field), C[column], rel=1e-12)


def test_erlang_b_function_matches_reference() -> None:
    aht = C["aht_s"]
    got = erlang.erlang_b(C["offered_load_erlangs"] / aht, aht, C["agents_N"])
    assert_matches(got, C["erlang_b"], rel=1e-12)


def test_required_agents_marks_the_reference_minimum_for_80_in_20() -> None:
    loads = np.unique(C["offered_load_erlangs"])
    got = erlang.required_agents(loads / 180.0, 180.0, 0.8, 20.0)
    marked = C["agents_N"][C["is_min_N_for_80pct_in_20s"] == 1]
    marked_loads = C["offered_load_erlangs"][C["is_min_N_for_80pct_in_20s"] == 1]
    assert dict(zip(loads, got, strict=True)) == dict(zip(marked_loads, marked, strict=True))


@pytest.mark.parametrize(
    ("column", "field"),
    [
        ("erlang_b", "erlang_b"),
        ("p_wait", "p_wait"),
        ("p_abandon", "p_abandon"),
        ("p_abandon_given_wait", "p_abandon_given_wait"),
        ("p_offered_wait_gt_T", "p_offered_wait_gt_t"),
        ("sl_answered_within_T_over_all", "service_level"),
        ("p_abandon_within_T", "p_abandon_within_t"),
        ("sl_answered_within_T_excl_short_abandons", "service_level_excl_short"),
        ("p_wait_le_T", "p_wait_le_t"),
        ("mean_wait_all_s", "mean_wait_all"),
        ("mean_wait_answered_s", "asa"),
        ("mean_queue_len", "mean_queue_length"),
        ("occupancy", "occupancy"),
    ],
)
def test_erlang_a_matches_reference_to_1e_9(column: str, field: str) -> None:
    target = A["target_answer_time_s"]
    result = erlang.erlang_a(
        A["lambda_per_s"],
        A["aht_s"],
        A["agents_N"],
        A["mean_patience_s"],
        target,
        short_abandon=target,  # the reference's "short" abandons are those within T
    )
    assert_matches(getattr(result, field), A[column], rel=1e-9)
