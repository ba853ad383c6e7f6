"""Vectorised search for the smallest whole number of agents meeting a monotone target.

Staffing a week means 336 independent searches. Walking N up one at a time from the load costs
O(√A) evaluations each (hundreds at 300,000 Erlangs); instead each element starts from a guess,
gallops (steps 1, 2, 4, ...) away from it until the answer is bracketed, then bisects. Every round
evaluates all still-open elements in one vectorised call, so a week costs about
2·log2(|answer - guess|) + 1 calls of the model, however many intervals there are.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import numpy.typing as npt

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

#: ``is_met(index, agents)`` evaluates the elements ``index`` at ``agents`` (same shape).
IsMet = Callable[[IntArray, IntArray], BoolArray]

# Doubling steps before giving up: 2^62 agents is beyond any target a model can report as met.
_MAX_ROUNDS = 62


def smallest_satisfying(is_met: IsMet, guess: IntArray, lowest: IntArray) -> IntArray:
    """Per element, the smallest n >= ``lowest`` with ``is_met`` true, given is_met monotone in n.

    ``guess`` and ``lowest`` are 1-d arrays of equal length. Raises ValueError if some element
    is not met however many agents are added (a target the model cannot reach).
    """
    guess = np.maximum(guess, lowest).astype(np.int64)
    lowest = lowest.astype(np.int64)
    everyone = np.arange(guess.size, dtype=np.int64)
    met = is_met(everyone, guess)
    # Invariant: `hi` is met; `lo` is not met, or is lowest - 1 (nothing below to try).
    hi = np.where(met, guess, -1)
    lo = np.where(met, lowest - 1, guess)
    step = np.ones_like(guess)
    # Gallop: down from a met guess until a failure is found, up from a failed one until met.
    galloping = np.where(met, guess > lowest, True)
    for _ in range(_MAX_ROUNDS):
        open_ = np.flatnonzero(galloping)
        if open_.size == 0:
            break
        going_down = hi[open_] >= 0
        probe = np.where(going_down, hi[open_] - step[open_], lo[open_] + step[open_])
        floor_hit = going_down & (probe <= lowest[open_] - 1)
        probe = np.where(floor_hit, lowest[open_] - 1, probe)
        ask = ~floor_hit
        result = np.zeros(open_.size, dtype=bool)
        if np.any(ask):
            result[ask] = is_met(open_[ask], probe[ask])
        # Going down: met -> new hi, keep galloping; failed -> new lo, stop. Floor -> stop.
        # Going up: met -> new hi, stop; failed -> new lo, keep galloping.
        new_hi = result & ask
        hi[open_[new_hi]] = probe[new_hi]
        lo[open_[~result & ask]] = probe[~result & ask]
        galloping[open_] = np.where(going_down, new_hi, ~result)
        step[open_] *= 2
    else:
        raise ValueError("the targets cannot be met with any number of agents")
    while True:
        open_ = np.flatnonzero(hi - lo > 1)
        if open_.size == 0:
            return hi
        mid = (lo[open_] + hi[open_]) // 2
        result = is_met(open_, mid)
        hi[open_[result]] = mid[result]
        lo[open_[~result]] = mid[~result]
