"""Independent replications of a scenario and Student-t confidence intervals across them.

Replication ``r`` draws from ``SeedSequence(seed).spawn(n)[r]``: the streams are independent, and the
same seed reproduces every replication, whatever their number.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import stats

from helpline.sim.reporting import METRICS, RunKpis, run_kpis
from helpline.sim.scenario import Scenario
from helpline.sim.simulation import RunResult, Simulation

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class Estimate:
    """Mean over replications and the half-width of its confidence interval, shape
    (n_intervals + 1, n_queues) like :class:`~helpline.sim.reporting.RunKpis` values (NaN half-width with
    fewer than two replications that have a value)."""

    mean: FloatArray
    half_width: FloatArray

    @property
    def low(self) -> FloatArray:
        """Lower bound of the interval."""
        return self.mean - self.half_width

    @property
    def high(self) -> FloatArray:
        """Upper bound of the interval."""
        return self.mean + self.half_width


@dataclass(frozen=True, slots=True)
class SimulationSummary:
    """Every replication's KPIs, and per metric the mean with its ``confidence`` interval."""

    scenario: Scenario
    confidence: float
    runs: tuple[RunKpis, ...]
    estimates: dict[str, Estimate]
    contacts_simulated: int

    @property
    def queue_ids(self) -> tuple[str, ...]:
        """Column order of every estimate."""
        return self.runs[0].queue_ids

    @property
    def interval_starts_seconds(self) -> FloatArray:
        """Row order of every estimate (the extra last row is the whole run)."""
        return self.runs[0].interval_starts_seconds


def estimate(samples: FloatArray, confidence: float) -> Estimate:
    """Mean and Student-t half-width over axis 0, ignoring NaN (replications without a value)."""
    count = np.sum(~np.isnan(samples), axis=0)
    safe = np.where(np.isnan(samples), 0.0, samples)
    mean = np.full(samples.shape[1:], np.nan)
    np.divide(safe.sum(axis=0), count, out=mean, where=count > 0)
    deviations = np.where(np.isnan(samples), 0.0, samples - mean)
    variance = np.full(samples.shape[1:], np.nan)
    np.divide((deviations**2).sum(axis=0), count - 1, out=variance, where=count > 1)
    quantile = stats.t.ppf((1 + confidence) / 2, np.maximum(count - 1, 1))
    half = quantile * np.sqrt(variance / np.maximum(count, 1))
    return Estimate(mean, np.where(count > 1, half, np.nan))


def simulate(
    scenario: Scenario,
    replications: int,
    seed: int,
    *,
    confidence: float = 0.95,
    on_replication: Callable[[RunResult], None] | None = None,
) -> SimulationSummary:
    """Run ``replications`` independent replications; ``on_replication`` sees each run as it ends
    (progress bars, traces)."""
    if replications < 1:
        raise ValueError("replications must be >= 1")
    if not 0 < confidence < 1:
        raise ValueError("confidence must be between 0 and 1")
    runs = []
    contacts = 0
    for sequence in np.random.SeedSequence(seed).spawn(replications):
        result = Simulation(scenario, np.random.default_rng(sequence)).run()
        contacts += result.n_contacts
        runs.append(run_kpis(result))
        if on_replication is not None:
            on_replication(result)
    estimates = {
        metric: estimate(np.stack([run.values[metric] for run in runs]), confidence)
        for metric in METRICS
    }
    return SimulationSummary(scenario, confidence, tuple(runs), estimates, contacts)
