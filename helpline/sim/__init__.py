"""Digital twin: a discrete-event simulator that runs the real routing engine on a virtual clock.

A validated declarative :class:`Scenario` (or one loaded with :func:`scenario_from_dict`) goes into
:func:`simulate` for several replications with confidence intervals, or into :class:`Simulation` for
one run; :func:`run_kpis` and :func:`contact_traces` turn a run into interval KPIs and per-contact
records. Pure: no I/O, time is the simulation clock, randomness a ``numpy.random.Generator``.
"""
# ruff: noqa: E402 -- the stale-extension check runs before the compiled modules are imported

from helpline import _native

_native.check(package="helpline.sim")  # before any compiled module: refuse stale extensions

from helpline.sim.arrivals import VolumeSeries, calls_per_interval
from helpline.sim.calllog import bank_contacts, parse_csv_log
from helpline.sim.distributions import Distribution, Empirical, Exponential, Fixed, Lognormal
from helpline.sim.loader import scenario_from_dict
from helpline.sim.records import ContactTrace, Outcome, contact_traces
from helpline.sim.replications import Estimate, SimulationSummary, simulate
from helpline.sim.reporting import METRICS, RunKpis, run_kpis
from helpline.sim.scenario import (
    AgentGroup,
    Break,
    LoggedContact,
    PoissonArrivals,
    QueueModel,
    ReplayedArrivals,
    Scenario,
    Shift,
)
from helpline.sim.simulation import RunResult, Simulation

__all__ = [
    "METRICS",
    "AgentGroup",
    "Break",
    "ContactTrace",
    "Distribution",
    "Empirical",
    "Estimate",
    "Exponential",
    "Fixed",
    "LoggedContact",
    "Lognormal",
    "Outcome",
    "PoissonArrivals",
    "QueueModel",
    "ReplayedArrivals",
    "RunKpis",
    "RunResult",
    "Scenario",
    "Shift",
    "Simulation",
    "SimulationSummary",
    "VolumeSeries",
    "bank_contacts",
    "calls_per_interval",
    "contact_traces",
    "parse_csv_log",
    "run_kpis",
    "scenario_from_dict",
    "simulate",
]
