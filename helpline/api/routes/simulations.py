"""What-if simulations against the live configuration (the digital twin, ``helpline.sim``)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter
from pydantic import AwareDatetime, BaseModel, Field

from helpline.api.schemas import Body, Id
from helpline.documents import Count
from helpline.http.deps import DB, CurrentActor
from helpline.services.planning import simulations as service

router = APIRouter(tags=["Simulations"])


class QueueChangeIn(Body):
    queue_id: Id
    calls_per_interval: list[Count] | None = Field(
        default=None,
        max_length=1000,
        description="Expected arrivals per interval (Poisson); the last value holds to the horizon",
    )
    forecast_id: Id | None = Field(
        default=None, description="A stored forecast of this queue (default: its published one)"
    )
    aht_seconds: float | None = Field(
        default=None, gt=0, description="Mean handle time (exponential); default: the forecast's"
    )
    patience_seconds: float | None = Field(
        default=None, gt=0, description="Mean patience (exponential); null: never abandon"
    )
    acw_seconds: float | None = Field(
        default=None, ge=0, description="Fixed after-contact work; null: the queue's ACW timeout"
    )


class AddedAgentsIn(Body):
    like_agent_id: Id = Field(description="Copy this live agent's routing profile and skills")
    count: int = Field(ge=1, le=service.MAX_AGENTS)


class SimulationIn(Body):
    start: AwareDatetime = Field(description="Start of the run (with time zone)")
    horizon_minutes: int = Field(default=480, ge=15, le=service.MAX_HORIZON_MINUTES)
    interval_minutes: Literal[15, 30, 60] = 30
    replications: int = Field(default=5, ge=1, le=service.MAX_REPLICATIONS)
    seed: int = Field(default=1, ge=0, le=2**32 - 1)
    confidence: float = Field(default=0.95, ge=0.5, lt=1)
    patience_seconds: float | None = Field(
        default=None, gt=0, description="Mean patience of queues without their own"
    )
    queues: list[QueueChangeIn] = Field(default_factory=list, max_length=500)
    remove_agent_ids: list[Id] = Field(default_factory=list, max_length=service.MAX_AGENTS)
    add_agents: list[AddedAgentsIn] = Field(default_factory=list, max_length=100)
    agents_per_interval: list[Annotated[int, Field(ge=0, le=service.MAX_AGENTS)]] | None = Field(
        default=None,
        max_length=1000,
        description="Logged-in agents per interval (the first n: live by id, then added)",
    )


class EstimateOut(BaseModel):
    mean: float | None
    low: float | None = Field(description="Lower bound of the confidence interval")
    high: float | None


class IntervalKpisOut(BaseModel):
    interval_start: datetime
    queue_id: int
    metrics: dict[str, EstimateOut]


class QueueTotalsOut(BaseModel):
    queue_id: int
    metrics: dict[str, EstimateOut]


class SimulationOut(BaseModel):
    start: datetime
    interval_minutes: int
    horizon_minutes: int
    replications: int
    confidence: float
    seed: int
    agents: int
    contacts_simulated: int
    intervals: list[IntervalKpisOut]
    totals: list[QueueTotalsOut] = Field(description="The whole run, per queue")


@router.post("/simulations", response_model=SimulationOut, summary="Simulate a what-if scenario")
def run_simulation(body: SimulationIn, actor: CurrentActor, db: DB) -> dict[str, object]:
    """Run the organization's live queues, routing profiles, agents and skills through the real
    routing engine on a virtual clock, with changed staffing, handle times, patience or arrivals
    (a stored forecast, the published one, or numbers per interval). Returns per interval and queue
    offered, answered, abandoned, SL, ASA, AHT, occupancy... (``docs/metrics.md``) with confidence
    intervals over the replications. Nothing is stored. Bounded: at most 20 replications, 7 days,
    2,000 agents and 300,000 simulated contacts in all."""
    request = service.SimulationRequest(
        start=body.start,
        horizon_minutes=body.horizon_minutes,
        interval_minutes=body.interval_minutes,
        replications=body.replications,
        seed=body.seed,
        confidence=body.confidence,
        patience_seconds=body.patience_seconds,
        queues=tuple(
            service.QueueChange(
                q.queue_id,
                None if q.calls_per_interval is None else tuple(q.calls_per_interval),
                q.forecast_id,
                q.aht_seconds,
                q.patience_seconds,
                q.acw_seconds,
            )
            for q in body.queues
        ),
        remove_agent_ids=tuple(body.remove_agent_ids),
        add_agents=tuple(service.AddedAgents(a.like_agent_id, a.count) for a in body.add_agents),
        agents_per_interval=(
            None if body.agents_per_interval is None else tuple(body.agents_per_interval)
        ),
    )
    with db.transaction() as session:
        scenario = service.build_scenario(session, actor, request)
    return service.run_simulation(scenario, request)
