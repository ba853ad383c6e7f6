"""The wallboard: today's events of an organization through ``analytics.realtime_snapshot``."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from helpline.analytics import Interval, RealtimeSnapshot, bucket_start, realtime_snapshot
from helpline.domain.enums import Role
from helpline.services.access import any_member, owned_by, requires
from helpline.services.actor import Actor
from helpline.services.reporting.reports import load_dimensions, load_events, organization_zone
from helpline.storage.events import last_sequence
from helpline.storage.tables import Agent, Queue

REALTIME_ROLES = (Role.MANAGER, Role.SUPERVISOR, Role.WFM_ANALYST)


@requires(*REALTIME_ROLES)
def snapshot(session: Session, actor: Actor, now: datetime) -> RealtimeSnapshot:
    """Queues and agents of the actor's organization at ``now`` (today: since local midnight)."""
    zone = organization_zone(session, actor)
    midnight = bucket_start(now, Interval.DAY, zone)
    events = [
        event
        for event in load_events(session, actor.organization_id, midnight, now, fcr_days=0)
        if event.occurred_at <= now
    ]
    dims = load_dimensions(session, actor.organization_id, fcr_days=0)
    return realtime_snapshot(events, dims, now, zone)


@any_member
def represent(session: Session, actor: Actor, now: datetime) -> dict[str, Any]:
    """The wallboard as JSON-ready data, with queue and agent names and the last event sequence."""
    found = snapshot(session, actor, now)
    scoped_queues = select(Queue.id, Queue.name).where(owned_by(actor, Queue))
    scoped_agents = select(Agent.id, Agent.display_name).where(owned_by(actor, Agent))
    queue_names = {row[0]: row[1] for row in session.execute(scoped_queues)}
    agent_names = {row[0]: row[1] for row in session.execute(scoped_agents)}
    return {
        "at": found.at.isoformat(),
        "last_sequence": last_sequence(session, actor.organization_id),
        "queues": [
            {
                "queue_id": queue.queue_id,
                "name": queue_names.get(queue.queue_id, ""),
                "waiting": queue.waiting,
                "longest_wait_seconds": queue.longest_wait_seconds,
                "agents_by_state": queue.agents_by_state,
                "today": asdict(queue.today),
            }
            for queue in found.queues
        ],
        "agents": [
            {**asdict(agent), "name": agent_names.get(agent.agent_id, "")} for agent in found.agents
        ],
    }
