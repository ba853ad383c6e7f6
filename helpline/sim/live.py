"""Decisions of the live demo's simulated customers and agents: when customers arrive (a daily curve),
on which channel and queue, and how long agents take. Pure: time and randomness come in.

The durations are compressed (a call of about a minute and a half) so a demo visibly moves.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from helpline.sim.distributions import Lognormal

DAILY_CURVE = (
    0.04, 0.03, 0.02, 0.02, 0.03, 0.06, 0.15, 0.35, 0.70, 0.95, 1.00, 0.95,
    0.80, 0.85, 0.95, 0.90, 0.80, 0.65, 0.50, 0.40, 0.30, 0.20, 0.12, 0.07,
)  # fmt: skip
"""Share of the peak arrival rate in each local hour (0-23): a bank's two-peak weekday."""


@dataclass(frozen=True)
class Arrival:
    """A simulated customer: the demo queue it enters (a key such as ``"billing"``) and its channel."""

    queue_key: str
    channel: str


ARRIVAL_MIX: tuple[tuple[Arrival, float], ...] = (
    (Arrival("billing", "voice"), 0.24),
    (Arrival("cards", "voice"), 0.20),
    (Arrival("loans", "voice"), 0.08),
    (Arrival("spanish", "voice"), 0.08),
    (Arrival("chat", "chat"), 0.25),
    (Arrival("email", "email"), 0.15),
)
HANDLE_TIME = {
    "voice": Lognormal(90.0, 45.0),
    "chat": Lognormal(120.0, 60.0),
    "email": Lognormal(60.0, 30.0),
}
PATIENCE = {"voice": Lognormal(120.0, 80.0), "chat": Lognormal(300.0, 200.0)}
"""How long customers wait before hanging up (email customers never abandon)."""


def arrival_rate_per_second(local_hour: float, peak_per_second: float) -> float:
    """The arrival rate at a local time of day (hours, 0 <= h < 24), linear between hour centres."""
    position = (local_hour - 0.5) % 24
    lower = int(position)
    weight = position - lower
    share = (1 - weight) * DAILY_CURVE[lower] + weight * DAILY_CURVE[(lower + 1) % 24]
    return peak_per_second * share


def next_arrival_gap_seconds(rate_per_second: float, rng: np.random.Generator) -> float:
    """Seconds to the next Poisson arrival at ``rate_per_second`` (a long pause when the rate is 0)."""
    if rate_per_second <= 0:
        return 60.0
    return float(rng.exponential(1.0 / rate_per_second))


def choose_arrival(rng: np.random.Generator) -> Arrival:
    """The queue and channel of the next customer, by ``ARRIVAL_MIX``."""
    weights = np.array([share for _, share in ARRIVAL_MIX])
    index = int(rng.choice(len(ARRIVAL_MIX), p=weights / weights.sum()))
    return ARRIVAL_MIX[index][0]


def handle_seconds(channel: str, rng: np.random.Generator) -> float:
    """How long an agent talks or writes before ending the contact."""
    return float(HANDLE_TIME.get(channel, HANDLE_TIME["chat"]).sample(rng, 1)[0])


def patience_seconds(channel: str, rng: np.random.Generator) -> float | None:
    """How long the customer waits before abandoning; None when they never do."""
    distribution = PATIENCE.get(channel)
    return None if distribution is None else float(distribution.sample(rng, 1)[0])


def answer_delay_seconds(rng: np.random.Generator) -> float:
    """How long a simulated agent takes to accept an offer."""
    return float(rng.uniform(1.0, 4.0))


def wrap_up_seconds(rng: np.random.Generator) -> float:
    """After-contact work before the agent picks a wrap-up code."""
    return float(rng.uniform(5.0, 25.0))


def takes_break(rng: np.random.Generator, tick_seconds: float) -> bool:
    """Whether an idle agent goes on a break in this tick (about one break an hour)."""
    return bool(rng.random() < tick_seconds / 3600.0)


def break_seconds(rng: np.random.Generator) -> float:
    """Length of a short break."""
    return float(rng.uniform(60.0, 240.0))
