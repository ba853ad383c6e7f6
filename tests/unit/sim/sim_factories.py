"""Scenario factories for the simulator's tests: one-queue M/M/N(+M) and a small multi-queue centre."""

from __future__ import annotations

from helpline.routing import (
    Channel,
    ChannelSettings,
    Overflow,
    ProfileQueue,
    Queue,
    RoutingConfig,
    RoutingProfile,
)
from helpline.sim import (
    AgentGroup,
    Exponential,
    PoissonArrivals,
    QueueModel,
    Scenario,
)
from helpline.sim.scenario import Arrivals


def single_queue(
    *,
    load_erlangs: float,
    agents: int,
    horizon_seconds: float,
    aht_seconds: float = 300.0,
    patience_seconds: float | None = 180.0,
    warmup_seconds: float = 0.0,
    auto_accept: bool = True,
    acw_timeout_seconds: float | None = 0.0,
    overflow: Overflow | None = None,
    group: AgentGroup | None = None,
    model: QueueModel | None = None,
    arrivals: tuple[Arrivals, ...] | None = None,
    interval_seconds: float | None = None,
) -> Scenario:
    """M/M/N+M (or M/M/N without patience): one voice queue, ``agents`` identical agents."""
    routing = RoutingConfig(
        queues=(
            Queue(
                "q",
                Channel.VOICE,
                acw_timeout_seconds=acw_timeout_seconds,
                overflow=overflow,
                offer_timeout_seconds=10.0,
            ),
        ),
        profiles=(
            RoutingProfile(
                "p",
                {Channel.VOICE: ChannelSettings(1, auto_accept=auto_accept)},
                (ProfileQueue("q"),),
            ),
        ),
    )
    patience = None if patience_seconds is None else Exponential(patience_seconds)
    return Scenario(
        routing,
        (model or QueueModel("q", Exponential(aht_seconds), patience=patience),),
        (group or AgentGroup("a", agents, "p"),),
        arrivals or (PoissonArrivals("q", (load_erlangs / aht_seconds,)),),
        horizon_seconds=horizon_seconds,
        interval_seconds=interval_seconds or horizon_seconds,
        warmup_seconds=warmup_seconds,
    )
