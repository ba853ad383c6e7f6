"""smallest_satisfying finds the first met n from any guess, in few rounds."""

from __future__ import annotations

import numpy as np
import pytest

from helpline.wfm.agent_search import smallest_satisfying


def test_finds_each_threshold_from_guesses_above_below_and_at_it() -> None:
    rng = np.random.default_rng(7)
    thresholds = rng.integers(0, 1_000_000, size=500)
    guesses = np.clip(thresholds + rng.integers(-5_000, 5_000, size=500), 0, None)
    lowest = np.zeros(500, dtype=np.int64)
    calls = []

    def is_met(index: np.ndarray, agents: np.ndarray) -> np.ndarray:
        calls.append(index.size)
        return agents >= thresholds[index]

    got = smallest_satisfying(is_met, guesses, lowest)
    np.testing.assert_array_equal(got, thresholds)
    assert len(calls) <= 2 * 14 + 2  # gallop + bisection over a 5,000-wide miss


def test_never_goes_below_the_lowest_allowed() -> None:
    got = smallest_satisfying(
        lambda index, agents: np.ones(index.size, dtype=bool),
        np.array([10, 3]),
        np.array([4, 3]),
    )
    np.testing.assert_array_equal(got, [4, 3])


def test_an_unreachable_target_raises() -> None:
    with pytest.raises(ValueError, match="cannot be met"):
        smallest_satisfying(
            lambda index, agents: np.zeros(index.size, dtype=bool), np.array([1]), np.array([0])
        )
