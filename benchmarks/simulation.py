"""Simulation benchmark: simulated contacts per second of wall time, ours against Ciw and SimPy.

The model is the M/M/N+M queue of issue 7's validation cases (A=8 N=10, A=90 N=100, A=900 N=950 Erlangs
and agents, mean handle time 300 s, mean patience 180 s): one voice queue, identical agents, auto-accept,
no after-contact work. Five implementations run it in the same process:

* ``contacts_per_second``: helpline.sim, i.e. the real routing engine on a virtual clock (construction
  of the simulation, arrival and duration draws, and the run);
* ``ciw_contacts_per_second``: Ciw (one node, N servers, exponential reneging);
* ``simpy_contacts_per_second``: SimPy (a Resource of N, each customer a process racing its request
  against its patience);
* ``bare_heap_contacts_per_second``: a bare event-heap loop of the same model in Python with no routing
  engine (FIFO deque, lazy abandonment): the cost of the model alone in interpreted Python;
* ``engine_only_contacts_per_second``: the same interpreted loop calling the routing engine (in the
  lean event mode helpline.sim uses) for every arrival, service end and abandonment, and nothing else.
  helpline.sim, whose loop is compiled with the engine, now runs faster than this loop.

A contact is one customer that arrived (answered or abandoned). The runs go round-robin (each tool once
per round, ``--repeats`` rounds) and the median of each tool is reported; the speed-ups are the medians
of the ratios within a round, so that a shared machine speeding up or slowing down between tools does
not decide them. Prints one JSON line. Run:
``.venv-bench/bin/python benchmarks/simulation.py`` (an environment with ``pip install -e '.[bench]'``;
``--quick`` for a short run). Ciw ships a top-level ``tests`` package, which shadows ours, so keep it out
of the test environment.
"""

from __future__ import annotations

import argparse
import collections
import datetime as dt
import gc
import heapq
import json
import math
import os
import platform
import random
import statistics
import sys
import time
from collections.abc import Callable
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

from helpline.domain.anonymous_bank import parse_calls
from helpline.routing import (
    AgentSpec,
    AgentStatus,
    Channel,
    ChannelSettings,
    ContactSpec,
    ProfileQueue,
    Queue,
    RoutingConfig,
    RoutingEngine,
    RoutingProfile,
)
from helpline.routing.events import ContactConnected
from helpline.sim import (
    AgentGroup,
    Exponential,
    PoissonArrivals,
    QueueModel,
    ReplayedArrivals,
    Scenario,
    Simulation,
    bank_contacts,
)

AHT = 300.0
PATIENCE = 180.0
CASES = ((8.0, 10), (90.0, 100), (900.0, 950))


def scenario(load: float, agents: int, horizon: float) -> Scenario:
    """The M/M/N+M case as a helpline.sim scenario."""
    routing = RoutingConfig(
        queues=(Queue("q", Channel.VOICE, acw_timeout_seconds=0),),
        profiles=(
            RoutingProfile(
                "p", {Channel.VOICE: ChannelSettings(1, auto_accept=True)}, (ProfileQueue("q"),)
            ),
        ),
    )
    return Scenario(
        routing,
        (QueueModel("q", Exponential(AHT), patience=Exponential(PATIENCE)),),
        (AgentGroup("a", agents, "p"),),
        (PoissonArrivals("q", (load / AHT,)),),
        horizon_seconds=horizon,
        interval_seconds=horizon,
    )


def run_helpline(load: float, agents: int, horizon: float, seed: int) -> int:
    result = Simulation(scenario(load, agents, horizon), np.random.default_rng(seed)).run()
    return result.n_contacts


def run_ciw(load: float, agents: int, horizon: float, seed: int) -> int:
    import ciw  # optional peer: imported only when benchmarked

    network = ciw.create_network(
        arrival_distributions=[ciw.dists.Exponential(load / AHT)],
        service_distributions=[ciw.dists.Exponential(1 / AHT)],
        number_of_servers=[agents],
        reneging_time_distributions=[ciw.dists.Exponential(1 / PATIENCE)],
    )
    ciw.seed(seed)
    simulation = ciw.Simulation(network)
    simulation.simulate_until_max_time(horizon)
    return len(simulation.get_all_records())


def run_simpy(load: float, agents: int, horizon: float, seed: int) -> int:
    import simpy  # optional peer: imported only when benchmarked

    rng = random.Random(seed)
    env = simpy.Environment()
    servers = simpy.Resource(env, capacity=agents)
    done = [0]

    def customer() -> Any:
        with servers.request() as request:
            outcome = yield request | env.timeout(rng.expovariate(1 / PATIENCE))
            if request in outcome:
                yield env.timeout(rng.expovariate(1 / AHT))
        done[0] += 1

    def source() -> Any:
        while True:
            yield env.timeout(rng.expovariate(load / AHT))
            env.process(customer())

    env.process(source())
    env.run(until=horizon)
    return done[0]


def run_bare_heap(load: float, agents: int, horizon: float, seed: int) -> int:
    """M/M/N+M with one heap of (time, kind, customer), a FIFO deque and lazy abandonment."""
    rng = random.Random(seed)
    expo = rng.expovariate
    rate, mu, theta = load / AHT, 1 / AHT, 1 / PATIENCE
    heap: list[tuple[float, int, int]] = [(expo(rate), 0, 0)]
    waiting: collections.deque[int] = collections.deque()
    gone: set[int] = set()
    free = agents
    arrived = 0
    push, pop = heapq.heappush, heapq.heappop
    while heap:
        t, kind, who = pop(heap)
        if t > horizon:
            break
        if kind == 0:  # arrival
            arrived += 1
            push(heap, (t + expo(rate), 0, arrived))
            if free:
                free -= 1
                push(heap, (t + expo(mu), 1, who))
            else:
                waiting.append(who)
                push(heap, (t + expo(theta), 2, who))
        elif kind == 1:  # service end: take the next one still waiting
            while waiting and waiting[0] in gone:
                gone.discard(waiting.popleft())
            if waiting:
                push(heap, (t + expo(mu), 1, waiting.popleft()))
            else:
                free += 1
        else:  # patience ran out: leave if still waiting
            gone.add(who)
    return arrived


def run_engine_only(load: float, agents: int, horizon: float, seed: int) -> int:
    """The bare heap loop driving the routing engine, with nothing else: the ceiling of any simulator
    that runs the real engine (what is left of our time goes to the customer model and bookkeeping)."""
    engine = RoutingEngine(scenario(load, agents, horizon).routing, lean=True)
    for k in range(agents):
        engine.add_agent(AgentSpec(f"a{k}", "p"), 0.0)
        engine.set_agent_status(f"a{k}", AgentStatus.AVAILABLE, 0.0)
    rng = random.Random(seed)
    expo = rng.expovariate
    rate, mu, theta = load / AHT, 1 / AHT, 1 / PATIENCE
    heap: list[tuple[float, int, int]] = [(expo(rate), 0, 0)]
    connected: set[int] = set()
    arrived = 0
    push, pop = heapq.heappush, heapq.heappop

    def started(events: list[Any], now: float) -> None:
        for event in events:
            if type(event) is ContactConnected:
                who = int(event.contact_id)
                connected.add(who)
                push(heap, (now + expo(mu), 1, who))

    while heap:
        t, kind, who = pop(heap)
        if t > horizon:
            break
        if kind == 0:
            arrived += 1
            push(heap, (t + expo(rate), 0, arrived))
            started(engine.add_contact(ContactSpec(str(arrived), "q"), t), t)
            if arrived not in connected:
                push(heap, (t + expo(theta), 2, arrived))
        elif kind == 1:
            started(engine.end_contact(str(who), t), t)
        elif who not in connected:
            engine.abandon_contact(str(who), t)
            connected.add(who)  # gone: never abandons twice
    return arrived


def shared_dir() -> Path:
    """``../shared`` next to the repository (``HELPLINE_SHARED_DIR`` overrides)."""
    override = os.environ.get("HELPLINE_SHARED_DIR")
    return Path(override) if override else Path(__file__).resolve().parents[1].parent / "shared"


def replay_bank_week(repeats: int) -> dict[str, Any] | None:
    """Replay the first full week of January 1999 of the Anonymous Bank (one queue per call type,
    logged handle times and patience, 12 agents all week): contacts per second, or None without data."""
    source = shared_dir() / "data" / "anonymous_bank_calls_1999" / "january.txt"
    if not source.exists():
        print(f"skipping the Anonymous Bank replay: {source} not found", file=sys.stderr)
        return None
    with source.open(encoding="utf-8", newline="") as lines:
        calls = list(parse_calls(lines))
    contacts = bank_contacts(calls, dt.date(1999, 1, 3), 7)
    types = ("PS", "PE", "IN", "NE", "NW", "TT", "AA")
    routing = RoutingConfig(
        tuple(Queue(t, Channel.VOICE, acw_timeout_seconds=0) for t in types),
        (
            RoutingProfile(
                "all",
                {Channel.VOICE: ChannelSettings(1, auto_accept=True)},
                tuple(ProfileQueue(t) for t in types),
            ),
        ),
    )
    week = Scenario(
        routing,
        tuple(QueueModel(t, Exponential(200), patience=Exponential(300)) for t in types),
        (AgentGroup("bank", 12, "all"),),
        (ReplayedArrivals(contacts),),
        horizon_seconds=7 * 86400.0,
        interval_seconds=1800.0,
    )
    rates = []
    for seed in range(repeats):
        start = time.process_time()
        result = Simulation(week, np.random.default_rng(seed)).run()
        rates.append(result.n_contacts / (time.process_time() - start))
    return {"contacts": len(contacts), "cpu_contacts_per_second": round(statistics.median(rates))}


def measure_once(
    run: Callable[[float, int, float, int], int],
    load: float,
    agents: int,
    contacts: int,
    seed: int,
) -> tuple[float, float]:
    """Contacts per second of wall time and of process CPU time of one run of about ``contacts``
    arrivals (CPU time is the steadier figure on a shared machine)."""
    horizon = contacts / (load / AHT)
    gc.collect()  # start every run with no garbage left by the previous tool's run
    wall, cpu = time.perf_counter(), time.process_time()
    done = run(load, agents, horizon, seed)
    return done / (time.perf_counter() - wall), done / (time.process_time() - cpu)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small runs (smoke test)")
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    ours, peers = (4_000, 1_000) if args.quick else (60_000, 6_000)
    out: dict[str, Any] = {"benchmark": "simulation", "model": "M/M/N+M, AHT 300 s, patience 180 s"}
    keys = (
        "contacts_per_second",
        "ciw_contacts_per_second",
        "simpy_contacts_per_second",
        "bare_heap_contacts_per_second",
        "engine_only_contacts_per_second",
    )
    runners = (run_helpline, run_ciw, run_simpy, run_bare_heap, run_engine_only)
    budgets = (ours, peers, peers, ours, ours)
    for key in keys:
        out[key] = {}
        out[f"cpu_{key}"] = {}
    for load, agents in CASES:
        case = f"A={load:g},N={agents}"
        # Round-robin: every tool runs once per round, so the tools of a round share the machine's
        # state of the moment (a shared machine speeds up and slows down over seconds); the ratios
        # to the peers are the medians of the ratios within each round.
        wall: dict[str, list[float]] = {key: [] for key in keys}
        cpu: dict[str, list[float]] = {key: [] for key in keys}
        for seed in range(1, args.repeats + 1):
            for key, runner, budget in zip(keys, runners, budgets, strict=True):
                wall_rate, cpu_rate = measure_once(runner, load, agents, budget, seed)
                wall[key].append(wall_rate)
                cpu[key].append(cpu_rate)
        for key in keys:
            out[key][case] = round(statistics.median(wall[key]))
            out[f"cpu_{key}"][case] = round(statistics.median(cpu[key]))

        def paired(rates: dict[str, list[float]], peer: str) -> float:
            ratios = [a / b for a, b in zip(rates[keys[0]], rates[peer], strict=True)]
            return round(statistics.median(ratios), 1)

        out.setdefault("cpu_speedup_vs_ciw", {})[case] = paired(cpu, "ciw_contacts_per_second")
        out.setdefault("speedup_vs_ciw", {})[case] = paired(wall, "ciw_contacts_per_second")
        out.setdefault("speedup_vs_simpy", {})[case] = paired(wall, "simpy_contacts_per_second")
        out.setdefault("share_of_bare_heap", {})[case] = round(
            statistics.median(
                a / b
                for a, b in zip(wall[keys[0]], wall["bare_heap_contacts_per_second"], strict=True)
            ),
            3,
        )
    out["contacts_per_run"] = {
        "helpline": ours,
        "ciw": peers,
        "simpy": peers,
        "bare_heap": ours,
        "engine_only": ours,
    }
    out["anonymous_bank_week_replay"] = replay_bank_week(args.repeats)
    out["repeats"] = args.repeats
    out["statistic"] = "median (ratios: median of the ratios within each round-robin round)"
    out["versions"] = {
        "python": platform.python_version(),
        "ciw": metadata.version("ciw"),
        "simpy": metadata.version("simpy"),
        "numpy": np.__version__,
    }
    json.dump(out, sys.stdout)
    sys.stdout.write("\n")
    assert all(math.isfinite(v) for v in out["contacts_per_second"].values())


if __name__ == "__main__":
    main()
