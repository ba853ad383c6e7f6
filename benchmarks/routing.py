"""Routing engine benchmark: decisions per second at contact-center scale, against a naive full scan.

Scenario (seeded, one core): 50 skills; 20 queues (10 voice, 6 chat, 4 email), each keyed on a home skill
with three related skills; 10,000 agents with 1-5 random skills at random proficiency 1-5, each serving
the queues of the home skills they have plus one random queue (voice 1, chat 2, email 2, voice blocks
the rest, offers auto-accepted so the run needs no agent answers). Contacts carry random criteria: step 1
``home >= 2..5`` plus, for 30%, ``related >= 1..3`` for 20-60 s; step 2 ``home >= 1`` for 60 s; then any
agent of the queue. One arrival per virtual millisecond, so escalations fire during the run.

Phase "new contact -> agent": contacts arrive until 100,000 wait (the first ones are taken by agents).
Phase "freed agent -> contact": 50,000 times a random handled contact closes and its agent takes the
next contact. Each command is timed on its own. On a sample of both phases, just before the command,
``helpline.routing.naive`` (the same rules as full scans over every agent / every waiting contact)
predicts the decision; the engine must agree, and the scan time gives the naive baseline.

Prints one JSON line. Run: ``.venv/bin/python benchmarks/routing.py`` (``--quick`` for a small run).
"""

from __future__ import annotations

import argparse
import gc
import itertools
import json
import random
import sys
import time

from helpline.routing import (
    AgentSpec,
    AgentStatus,
    Channel,
    ChannelSettings,
    ContactSpec,
    ProfileQueue,
    Queue,
    RoutingConfig,
    RoutingCriteria,
    RoutingEngine,
    RoutingProfile,
    SkillRequirement,
    Step,
    naive,
)
from helpline.routing.events import (
    ContactClosed,
    ContactConnected,
    ContactEscalated,
    ContactOffered,
    ContactQueued,
    Event,
)

# Engine and naive calls are timed in this thread's CPU time: the machine is shared, and wall-clock
# timings there mostly measure the scheduler (another process's time slice lands inside a decision).
CLOCK_NS = time.thread_time_ns
SKILLS = [f"s{i:02d}" for i in range(50)]
CHANNELS = [Channel.VOICE] * 10 + [Channel.CHAT] * 6 + [Channel.EMAIL] * 4


def build_config(rng: random.Random) -> tuple[RoutingConfig, list[str], dict[str, list[str]]]:
    """Queues keyed on home skills; returns the config shell (profiles added later), homes, related."""
    homes = rng.sample(SKILLS, len(CHANNELS))
    queues = []
    related: dict[str, list[str]] = {}
    for i, (home, channel) in enumerate(zip(homes, CHANNELS, strict=True)):
        queue_id = f"q{i:02d}"
        related[queue_id] = rng.sample([s for s in SKILLS if s != home], 3)
        queues.append(Queue(queue_id, channel, offer_timeout_seconds=1e9, acw_timeout_seconds=0.0))
    return RoutingConfig(tuple(queues), ()), homes, related


def random_agents(
    rng: random.Random, n_agents: int, queues: tuple[Queue, ...], homes: list[str]
) -> tuple[list[AgentSpec], list[RoutingProfile]]:
    """Agents with random skills; one profile per distinct set of served queues."""
    channels = {
        Channel.VOICE: ChannelSettings(1, auto_accept=True),
        Channel.CHAT: ChannelSettings(2, auto_accept=True),
        Channel.EMAIL: ChannelSettings(2, auto_accept=True),
    }
    home_queue = {home: q.queue_id for home, q in zip(homes, queues, strict=True)}
    profiles: dict[tuple[str, ...], RoutingProfile] = {}
    agents = []
    for i in range(n_agents):
        skills = {s: rng.randint(1, 5) for s in rng.sample(SKILLS, rng.randint(1, 5))}
        served = {home_queue[s] for s in skills if s in home_queue}
        served.add(rng.choice(queues).queue_id)
        key = tuple(sorted(served))
        if key not in profiles:
            pqs = tuple(ProfileQueue(q, priority=1 + (j % 2)) for j, q in enumerate(key))
            profiles[key] = RoutingProfile(f"p{len(profiles)}", channels, pqs)
        agents.append(AgentSpec(f"a{i:05d}", profiles[key].profile_id, skills))
    return agents, list(profiles.values())


def criteria_pool(
    queues: tuple[Queue, ...], homes: list[str], related: dict[str, list[str]]
) -> list[list[RoutingCriteria]]:
    """Per queue, every criteria a contact may carry (see the module docstring), built once: a flow
    hands the engine the criteria object of the block that routed the contact, not a fresh copy."""
    pool = []
    for queue, home in zip(queues, homes, strict=True):
        options = []
        for level, expiry in itertools.product(range(2, 6), (20.0, 30.0, 60.0)):
            extras: list[frozenset[SkillRequirement]] = [frozenset()] * 7  # 70% without extra skill
            extras += [
                frozenset({SkillRequirement(s, n)})
                for s in related[queue.queue_id]
                for n in (1, 2, 3)
            ]
            for extra in extras:
                first = Step(
                    frozenset({SkillRequirement(home, level)}) | extra, expiry_seconds=expiry
                )
                second = Step(frozenset({SkillRequirement(home, 1)}), expiry_seconds=60.0)
                options.append(RoutingCriteria((first, second)))
        pool.append(options)
    return pool


def random_contact(
    rng: random.Random, n: int, queues: tuple[Queue, ...], pool: list[list[RoutingCriteria]]
) -> ContactSpec:
    """A contact for a random queue with random criteria from the pool and random priority 1-3."""
    i = rng.randrange(len(queues))
    return ContactSpec(f"c{n:07d}", queues[i].queue_id, rng.randint(1, 3), rng.choice(pool[i]))


def first_offer(
    events: list[Event], *, contact_id: str | None = None, agent_id: str | None = None
) -> str | None:
    """The agent (or contact) of the first offer matching the filter."""
    for e in events:
        if isinstance(e, ContactOffered):
            if contact_id is not None and e.contact_id == contact_id:
                return e.agent_id
            if agent_id is not None and e.agent_id == agent_id:
                return e.contact_id
    return None


class Tally:
    """Timings and counts of the engine calls, and the contacts a close can pick from."""

    def __init__(self) -> None:
        self.ns: dict[str, list[int]] = {"arrival": [], "free": [], "timers": []}
        self.escalations = 0
        self.waiting = 0
        self.handled: list[str] = []
        self.where: dict[str, int] = {}

    def record(self, kind: str, started_ns: int, events: list[Event]) -> None:
        """Store a call's latency and apply its events to the counts."""
        self.ns[kind].append(CLOCK_NS() - started_ns)
        for e in events:
            if isinstance(e, ContactQueued):
                self.waiting += 1
            elif isinstance(e, ContactOffered):
                self.waiting -= 1
            elif isinstance(e, ContactEscalated):
                self.escalations += 1
            elif isinstance(e, ContactConnected):
                self.where[e.contact_id] = len(self.handled)
                self.handled.append(e.contact_id)
            elif isinstance(e, ContactClosed) and e.contact_id in self.where:
                index = self.where.pop(e.contact_id)
                last = self.handled.pop()
                if last != e.contact_id:
                    self.handled[index] = last
                    self.where[last] = index


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agents", type=int, default=10_000)
    parser.add_argument("--queued", type=int, default=100_000)
    parser.add_argument("--frees", type=int, default=50_000)
    parser.add_argument("--naive-samples", type=int, default=40)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--gc", choices=("tuned", "default"), default="tuned", help="see BENCHMARKS.md"
    )
    parser.add_argument("--quick", action="store_true", help="1,000 agents, 10,000 queued contacts")
    args = parser.parse_args()
    if args.quick:
        args.agents, args.queued, args.frees = 1_000, 10_000, 5_000
    started = time.perf_counter()
    rng = random.Random(args.seed)
    shell, homes, related = build_config(rng)
    agents, profiles = random_agents(rng, args.agents, shell.queues, homes)
    engine = RoutingEngine(RoutingConfig(shell.queues, tuple(profiles)))
    pool = criteria_pool(shell.queues, homes, related)
    now = 0.0
    agreed = 0
    for spec in agents:
        engine.add_agent(spec, now)
        engine.set_agent_status(spec.agent_id, AgentStatus.AVAILABLE, now)
    if args.gc == "tuned":
        # What a long-running server hosting the engine should do: the engine's records live for the
        # whole process and hold no reference cycles once closed, so full collections only cost time.
        gc.freeze()
        gc.set_threshold(100_000, 50, 1_000)
    tally = Tally()
    naive_seconds = 0.0
    naive_decisions = 0

    def run_timers() -> None:
        t0 = CLOCK_NS()
        tally.record("timers", t0, engine.advance(now))

    # Phase 1: new contact -> agent, until the queues hold the target number of waiting contacts.
    sample_every = max(1, (args.queued + args.agents) // args.naive_samples)
    n = 0
    while tally.waiting < args.queued:
        n += 1
        now += 0.001
        spec = random_contact(rng, n, shell.queues, pool)
        run_timers()  # the driver wakes the engine at next_wakeup(); here once per arrival
        expected: str | None = None
        sampled = n % sample_every == 0
        if sampled:
            t1 = CLOCK_NS()
            expected = naive.choose_agent_for_new(engine, spec, now)
            naive_seconds += (CLOCK_NS() - t1) / 1e9
            naive_decisions += 1
        t0 = CLOCK_NS()
        events = engine.add_contact(spec, now)
        tally.record("arrival", t0, events)
        if sampled:
            got = first_offer(events, contact_id=spec.contact_id)
            assert got == expected, f"arrival {spec.contact_id}: engine {got}, naive {expected}"
            agreed += 1
    queued = tally.waiting

    # Phase 2: freed agent -> contact, one random handled contact closing at a time.
    sample_every = max(1, args.frees // args.naive_samples)
    for i in range(args.frees):
        now += 0.001
        run_timers()
        contact_id = tally.handled[rng.randrange(len(tally.handled))]
        agent_id = engine.contact_view(contact_id).agent_id
        assert agent_id is not None
        sampled = i % sample_every == 0
        if sampled:
            t1 = CLOCK_NS()
            expected = naive.choose_contact(engine, agent_id, now, releasing=contact_id)
            naive_seconds += (CLOCK_NS() - t1) / 1e9
            naive_decisions += 1
        t0 = CLOCK_NS()
        events = engine.close_contact(contact_id, now)
        tally.record("free", t0, events)
        if sampled:
            got = first_offer(events, agent_id=agent_id)
            assert got == expected, f"free {agent_id}: engine {got}, naive {expected}"
            agreed += 1

    seconds = {kind: sum(ns) / 1e9 for kind, ns in tally.ns.items()}
    commands_ns = tally.ns["arrival"] + tally.ns["free"]
    decisions = len(commands_ns) + tally.escalations
    dps = decisions / sum(seconds.values())
    naive_dps = naive_decisions / naive_seconds
    result = {
        "benchmark": "routing",
        "agents": args.agents,
        "skills": len(SKILLS),
        "queued_contacts": queued,
        "decisions": decisions,
        "decisions_per_second": round(dps),
        "arrival_decisions_per_second": round(len(tally.ns["arrival"]) / seconds["arrival"]),
        "freed_agent_decisions_per_second": round(len(tally.ns["free"]) / seconds["free"]),
        "escalation_decisions": tally.escalations,
        "command_decisions_per_second": round(
            len(commands_ns) / (seconds["arrival"] + seconds["free"])
        ),
        "p50_latency_ms": round(percentile(commands_ns, 0.50) / 1e6, 4),
        "p99_latency_ms": round(percentile(commands_ns, 0.99) / 1e6, 4),
        "naive_decisions_per_second": round(naive_dps, 1),
        "speedup_vs_naive": round(dps / naive_dps, 1),
        "naive_agreements": agreed,
        "gc": args.gc,
        "clock": "thread_cpu_time",
        "wall_seconds": round(time.perf_counter() - started, 1),
        "python": sys.version.split()[0],
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
