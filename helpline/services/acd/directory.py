"""Look-ups of an organization's configured resources for pickers, labels and page headers.

Every function reads only the actor's organization. The pages check who may see them; these
functions answer what is there.
"""

from __future__ import annotations

from enum import Enum

from sqlalchemy import select
from sqlalchemy.orm import Session

from helpline.services.access import any_member, owned, owned_by
from helpline.services.actor import Actor
from helpline.storage.tables import (
    Agent,
    AgentStatus,
    Queue,
    RoutingProfile,
    RoutingProfileQueue,
    Team,
    User,
    WrapUpCode,
)


class Choice(Enum):
    """A resource whose rows a form offers in a select: their ids and one label column."""

    QUEUE = (Queue, "name")
    TEAM = (Team, "name")
    ROUTING_PROFILE = (RoutingProfile, "name")
    USER = (User, "email")


@any_member
def choices(session: Session, actor: Actor, choice: Choice) -> list[tuple[str, str]]:
    """``(id, label)`` of every row of ``choice`` in the actor's organization, by label."""
    table, label = choice.value
    column = getattr(table, label)
    rows = session.execute(select(table.id, column).where(owned_by(actor, table)).order_by(column))
    return [(str(row[0]), str(row[1])) for row in rows]


@any_member
def queues(session: Session, actor: Actor) -> list[Queue]:
    """The queues of the actor's organization, by name."""
    return list(session.scalars(owned(actor, Queue).order_by(Queue.name)))


@any_member
def queue_names(session: Session, actor: Actor) -> dict[int, str]:
    """Each queue's name by id."""
    return {queue.id: queue.name for queue in queues(session, actor)}


@any_member
def teams(session: Session, actor: Actor) -> list[Team]:
    """The teams of the actor's organization, by name."""
    return list(session.scalars(owned(actor, Team).order_by(Team.name)))


@any_member
def team_name(session: Session, actor: Actor, team_id: int | None) -> str | None:
    """The name of team ``team_id`` (None when there is no such team in the organization)."""
    if team_id is None:
        return None
    return session.scalar(select(Team.name).where(Team.id == team_id, owned_by(actor, Team)))


@any_member
def active_agents(session: Session, actor: Actor) -> list[Agent]:
    """The active agents of the actor's organization, by display name."""
    return list(
        session.scalars(
            owned(actor, Agent).where(Agent.is_active.is_(True)).order_by(Agent.display_name)
        )
    )


@any_member
def active_wrap_up_codes(session: Session, actor: Actor) -> list[WrapUpCode]:
    """The active wrap-up codes of the actor's organization, by label."""
    return list(
        session.scalars(
            owned(actor, WrapUpCode)
            .where(WrapUpCode.is_active.is_(True))
            .order_by(WrapUpCode.label)
        )
    )


@any_member
def agents_serving(session: Session, actor: Actor, queue_id: int) -> set[int]:
    """The ids of the agents whose routing profile includes queue ``queue_id``."""
    return set(
        session.scalars(
            select(Agent.id)
            .join(RoutingProfile, RoutingProfile.id == Agent.routing_profile_id)
            .join(RoutingProfileQueue, RoutingProfileQueue.routing_profile_id == RoutingProfile.id)
            .where(
                owned_by(actor, Agent),
                RoutingProfileQueue.queue_id == queue_id,
            )
        )
    )


@any_member
def agent_status(session: Session, actor: Actor, agent_id: int) -> AgentStatus | None:
    """The chosen status and reported state of agent ``agent_id`` (None before its first change)."""
    status = session.get(AgentStatus, agent_id)
    if status is None or status.organization_id != actor.organization_id:
        return None
    return status
