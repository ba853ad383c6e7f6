"""Agent time per interval: spans split over intervals agree with a span-by-span overlap sum."""

from __future__ import annotations

import numpy as np
import pytest

from helpline.sim.simulation import _interval_totals


def _overlaps(
    starts: np.ndarray, ends: np.ndarray, codes: np.ndarray, edges: np.ndarray, n_codes: int
) -> np.ndarray:
    out = np.zeros((len(edges) - 1, n_codes))
    for s, e, c in zip(starts, ends, codes, strict=True):
        for k in range(len(edges) - 1):
            out[k, c] += max(0.0, min(e, edges[k + 1]) - max(s, edges[k]))
    return out


@pytest.mark.parametrize("seed", range(20))
def test_totals_equal_the_overlap_of_every_span_with_every_interval(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n, n_codes = int(rng.integers(0, 60)), int(rng.integers(1, 5))
    edges = np.minimum(np.arange(6) * 1800.0, 8000.0)  # a short last interval
    starts = rng.uniform(-600.0, 8600.0, n)  # some before the first edge, some past the last
    lengths = rng.exponential(rng.choice([60.0, 900.0, 5000.0]), n)  # within one or across many
    if seed % 4 == 0:  # spans starting and ending exactly on edges
        starts, lengths = np.round(starts / 1800.0) * 1800.0, np.round(lengths / 1800.0) * 1800.0
    codes = rng.integers(0, n_codes, n)
    totals = _interval_totals(starts, starts + lengths, codes, edges, n_codes)
    expected = _overlaps(starts, starts + lengths, codes, edges, n_codes)
    assert totals.shape == (5, n_codes)
    np.testing.assert_allclose(totals, expected, rtol=1e-12, atol=1e-9)


def test_a_span_over_the_whole_horizon_fills_every_interval() -> None:
    edges = np.array([0.0, 1800.0, 3600.0, 4000.0])
    totals = _interval_totals(np.array([-100.0]), np.array([9999.0]), np.array([1]), edges, 2)
    np.testing.assert_array_equal(totals, [[0.0, 1800.0], [0.0, 1800.0], [0.0, 400.0]])
