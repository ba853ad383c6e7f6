"""Callers' patience estimated from censored waits: Kaplan-Meier and parametric maximum likelihood.

A call log shows a caller's patience only when they hung up: the wait of an abandoning caller *is*
their patience (an event); an answered caller's patience is only known to exceed the wait (right
censored by the answer). Treating answered callers as infinitely patient, or dropping them, biases
the estimate (Brown et al. 2005, "Statistical analysis of a telephone call center: a queueing-science
perspective", JASA 100(469):36-50, on this very log). Here:

* :func:`kaplan_meier`: the non-parametric survival curve of patience (its table, to check by hand);
* :func:`fit_exponential` (closed form: events / total exposure), :func:`fit_weibull` and
  :func:`fit_lognormal` (numerical maximum likelihood with ``scipy``), each returning a
  :class:`PatienceFit` whose log-likelihood counts events by their density and censored waits by
  their survival;
* :func:`select_family`: the family with the best *held-out* log-likelihood (fit on one part of the
  data, score on the other, both ways), so a family with more parameters wins only when it predicts
  unseen days better.

Pure: no I/O. Times are seconds; waits of 0 are allowed (an answered caller who did not wait
tells nothing; an abandoning caller at 0 s is counted at ``MIN_SECONDS``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import optimize, stats

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

FAMILIES = ("exponential", "weibull", "lognormal")
MIN_SECONDS = 0.5
"""Events logged at 0 s (whole-second logging) are counted at half a second."""


@dataclass(frozen=True, slots=True)
class CensoredWaits:
    """Waits in seconds and whether each ended by abandonment (an event) or an answer (censored)."""

    seconds: FloatArray
    abandoned: BoolArray

    @classmethod
    def of(cls, seconds: Sequence[float], abandoned: Sequence[bool]) -> CensoredWaits:
        """Checked arrays: same length, finite waits >= 0."""
        times = np.asarray(seconds, dtype=np.float64)
        events = np.asarray(abandoned, dtype=np.bool_)
        if times.shape != events.shape or times.ndim != 1:
            raise ValueError("seconds and abandoned must be sequences of one length")
        if not np.all(np.isfinite(times)) or np.any(times < 0):
            raise ValueError("waits must be finite numbers >= 0")
        return cls(times, events)

    @property
    def events(self) -> int:
        """Number of abandonments."""
        return int(self.abandoned.sum())

    def __len__(self) -> int:
        return len(self.seconds)

    def subset(self, mask: BoolArray) -> CensoredWaits:
        """The waits where ``mask`` is true."""
        return CensoredWaits(self.seconds[mask], self.abandoned[mask])


@dataclass(frozen=True, slots=True)
class KaplanMeier:
    """The Kaplan-Meier table: at each distinct abandonment time, callers at risk (wait >= t),
    abandonments there, and the survival S(t) just after it."""

    times: FloatArray
    at_risk: npt.NDArray[np.int64]
    events: npt.NDArray[np.int64]
    survival: FloatArray

    def survival_at(self, t: float) -> float:
        """S(t): the estimated probability that patience exceeds ``t`` seconds."""
        index = int(np.searchsorted(self.times, t, side="right")) - 1
        return 1.0 if index < 0 else float(self.survival[index])


def kaplan_meier(waits: CensoredWaits) -> KaplanMeier:
    """The product-limit estimate: S(t) = prod over event times u <= t of (1 - d_u / n_u), where a
    caller censored at u is still at risk at u (answered and abandoned at the same second: the
    abandonment counts first)."""
    times = waits.seconds
    order = np.sort(times)
    event_times = np.unique(times[waits.abandoned])
    at_risk = len(order) - np.searchsorted(order, event_times, side="left")
    events = np.array(
        [int(np.sum(waits.abandoned & (times == t))) for t in event_times], dtype=np.int64
    )
    survival: FloatArray = np.cumprod(1.0 - events / at_risk).astype(np.float64)
    return KaplanMeier(event_times, at_risk.astype(np.int64), events, survival)


@dataclass(frozen=True, slots=True)
class PatienceFit:
    """A fitted patience distribution: ``family`` and its ``parameters`` (exponential: mean;
    weibull: shape, scale; lognormal: mu, sigma of log seconds), with the log-likelihood of the data
    it was fitted on and the number of events and waits."""

    family: str
    parameters: tuple[float, ...]
    log_likelihood: float
    events: int
    waits: int

    def frozen(self) -> stats.rv_continuous:
        """The scipy distribution (``logpdf``, ``logsf``, ``mean``, ``rvs``)."""
        return _frozen(self.family, self.parameters)

    @property
    def mean_seconds(self) -> float:
        """The mean patience, seconds (inf when no caller ever abandoned)."""
        if self.family == "exponential":
            return self.parameters[0]
        return float(self.frozen().mean())

    def log_likelihood_of(self, waits: CensoredWaits) -> float:
        """Censored log-likelihood of other data under this fit (events: log density; answered
        callers: log survival)."""
        return _log_likelihood(self.family, self.parameters, waits)


def _frozen(family: str, parameters: Sequence[float]) -> stats.rv_continuous:
    if family == "exponential":
        return stats.expon(scale=parameters[0])
    if family == "weibull":
        return stats.weibull_min(parameters[0], scale=parameters[1])
    if family == "lognormal":
        return stats.lognorm(parameters[1], scale=math.exp(parameters[0]))
    raise ValueError(f"unknown family {family!r}: one of {', '.join(FAMILIES)}")


def _log_likelihood(family: str, parameters: Sequence[float], waits: CensoredWaits) -> float:
    dist = _frozen(family, parameters)
    events = np.maximum(waits.seconds[waits.abandoned], MIN_SECONDS)
    censored = waits.seconds[~waits.abandoned]
    censored = censored[censored > 0]  # an answer at 0 s says nothing about patience
    return float(np.sum(dist.logpdf(events)) + np.sum(dist.logsf(censored)))


def _exposure(waits: CensoredWaits) -> float:
    return float(
        np.sum(np.where(waits.abandoned, np.maximum(waits.seconds, MIN_SECONDS), waits.seconds))
    )


def fit_exponential(waits: CensoredWaits) -> PatienceFit:
    """Exponential patience by maximum likelihood: mean = total exposure (every caller's wait) /
    number of abandonments; Erlang A's patience. Raises ValueError without any abandonment."""
    if waits.events == 0:
        raise ValueError("no caller abandoned: patience cannot be estimated")
    mean = _exposure(waits) / waits.events
    parameters = (mean,)
    return PatienceFit(
        "exponential",
        parameters,
        _log_likelihood("exponential", parameters, waits),
        waits.events,
        len(waits),
    )


def _fit_numerical(family: str, waits: CensoredWaits, start: FloatArray) -> PatienceFit:
    def unpack(x: FloatArray) -> tuple[float, float]:
        if family == "weibull":
            return math.exp(x[0]), math.exp(x[1])
        return float(x[0]), math.exp(x[1])

    def negative(x: FloatArray) -> float:
        value = -_log_likelihood(family, unpack(x), waits)
        return value if math.isfinite(value) else 1e300

    result = optimize.minimize(
        negative,
        start,
        method="Nelder-Mead",
        options={"xatol": 1e-6, "fatol": 1e-8, "maxiter": 4000},
    )
    parameters = unpack(result.x)
    return PatienceFit(
        family,
        parameters,
        _log_likelihood(family, parameters, waits),
        waits.events,
        len(waits),
    )


def fit_weibull(waits: CensoredWaits) -> PatienceFit:
    """Weibull patience (shape, scale) by censored maximum likelihood."""
    mean = fit_exponential(waits).parameters[0]
    return _fit_numerical("weibull", waits, np.array([0.0, math.log(mean)]))


def fit_lognormal(waits: CensoredWaits) -> PatienceFit:
    """Log-normal patience (mu, sigma of log seconds) by censored maximum likelihood."""
    mean = fit_exponential(waits).parameters[0]
    return _fit_numerical("lognormal", waits, np.array([math.log(mean) - 0.5, 0.0]))


FITTERS = {"exponential": fit_exponential, "weibull": fit_weibull, "lognormal": fit_lognormal}


@dataclass(frozen=True, slots=True)
class Selection:
    """The chosen family, its fit on all the data, and every family's held-out log-likelihood."""

    fit: PatienceFit
    held_out: dict[str, float]


def select_family(
    waits: CensoredWaits, folds: npt.NDArray[np.int64], families: Sequence[str] = FAMILIES
) -> Selection:
    """The family whose fits predict held-out data best: for each fold k (``folds`` gives every
    wait's fold), fit on the other folds and score the waits of fold k; the scores summed over folds.
    A family that cannot be fitted on some fold (no abandonment there) scores -inf. The winner is
    refitted on all the data."""
    held_out: dict[str, float] = {}
    for family in families:
        total = 0.0
        for fold in np.unique(folds):
            train, test = waits.subset(folds != fold), waits.subset(folds == fold)
            try:
                total += FITTERS[family](train).log_likelihood_of(test)
            except ValueError:
                total = -math.inf
                break
        held_out[family] = total
    best = max(families, key=lambda f: held_out[f])
    return Selection(FITTERS[best](waits), held_out)
