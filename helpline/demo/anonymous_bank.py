"""Import the Anonymous Bank call-center log (Technion SEE Lab, 1999) as history.

The format and its quirks are read by :mod:`helpline.domain.anonymous_bank` (shared with the
simulator's replay). Mapping to Helpline (one contact per call, in the organization's zone,
Asia/Jerusalem by default): created at the earliest of its times (VRU entry, or a queue start logged
before it); queued at ``q_start`` (calls answered straight from the VRU queue at ``ser_start`` with a
zero wait); answered ``q_time`` seconds after queueing and closed ``ser_time`` seconds later; ``HANG``
after queueing is abandoned after ``q_time``; ``HANG`` in the VRU without queueing is deflected (the
caller used the voice response unit and left without asking for an agent); ``PHANTOM`` rows are skipped.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from helpline.domain.anonymous_bank import BankCall, Outcome
from helpline.domain.enums import Role
from helpline.errors import InvalidInput
from helpline.services.acd import configuration as config
from helpline.services.actor import Actor
from helpline.services.conversations.history import (
    CallEnd,
    KeyedCall,
    PastCall,
    known_import_keys,
    record_past_calls,
)
from helpline.services.identity import organizations
from helpline.storage.tables import Agent, Organization, Queue

UNUSABLE_PASSWORD = "!imported"  # noqa: S105 - not a secret: no argon2 hash looks like this
"""Password hash of imported agents' users: matches no password until an admin sets one."""
CALL_TYPES = {
    "PS": "Regular activity",
    "PE": "Regular activity in English",
    "IN": "Internet site support",
    "NE": "Stock exchange activity",
    "NW": "Prospective customers",
    "TT": "Customers who left a message for a call back",
}


KEY_PREFIX = "anonymous-bank:"
DEFAULT_TIME_ZONE = "Asia/Jerusalem"
"""The bank's zone: the log's clock times are local (Israel Standard Time in winter, IDT in summer)."""


@dataclass
class ImportSummary:
    """What an import did, in calls (``PHANTOM`` rows are not calls: they are skipped)."""

    read: int = 0
    imported: int = 0
    already_imported: int = 0
    phantom: int = 0
    queues_created: int = 0
    agents_created: int = 0

    def add(self, other: ImportSummary) -> None:
        """Add the counts of ``other``."""
        for name in vars(self):
            setattr(self, name, getattr(self, name) + getattr(other, name))


def _utc(local: datetime, zone: ZoneInfo) -> datetime:
    return local.replace(tzinfo=zone).astimezone(UTC)


def past_call(call: BankCall, queue_id: int, agent_id: int | None, zone: ZoneInfo) -> PastCall:
    """The Helpline history of one (non-phantom) call (mapping in the module docstring)."""
    attributes = {
        "source": "anonymous-bank",
        "vru_line": call.vru_line,
        "call_id": call.call_id,
        "customer_id": call.customer_id,
        "priority": call.priority,
        "call_type": call.call_type,
    }
    if call.outcome is Outcome.AGENT:
        queued, wait = call.queued_at, call.wait_seconds
        connected = queued + timedelta(seconds=wait)
        ended = connected + timedelta(seconds=call.service_seconds)
        return PastCall(
            queue_id=queue_id,
            end=CallEnd.ANSWERED,
            created_at=_utc(min(call.vru_entry, queued), zone),
            queued_at=_utc(queued, zone),
            ended_at=_utc(ended, zone),
            wait_seconds=float(wait),
            connected_at=_utc(connected, zone),
            agent_id=agent_id,
            attributes=attributes,
        )
    if call.queue_start is not None:
        ended = call.queue_start + timedelta(seconds=call.queue_seconds)
        return PastCall(
            queue_id=queue_id,
            end=CallEnd.ABANDONED,
            created_at=_utc(min(call.vru_entry, call.queue_start), zone),
            queued_at=_utc(call.queue_start, zone),
            ended_at=_utc(ended, zone),
            wait_seconds=float(call.queue_seconds),
            attributes=attributes,
        )
    return PastCall(
        queue_id=queue_id,
        end=CallEnd.DEFLECTED,
        created_at=_utc(min(call.vru_entry, call.vru_exit), zone),
        queued_at=None,
        ended_at=_utc(call.vru_exit, zone),
        attributes=attributes,
    )


class AnonymousBankImporter:
    """Imports calls into one organization, creating a queue per call type and an agent per server.

    Keeps the queues, agents and already-imported keys it has seen, so import batches in several
    transactions (one per ``import_calls`` call) with the same importer.
    """

    def __init__(self, session: Session, actor: Actor) -> None:
        actor.require()
        self.actor = actor
        organization = session.get(Organization, actor.organization_id)
        if organization is None:
            raise InvalidInput("organization", f"no organization {actor.organization_id}")
        self.zone = ZoneInfo(organization.time_zone)
        self.known = known_import_keys(session, actor, KEY_PREFIX)
        self.queues: dict[str, Queue] = {}
        self.agents: dict[str, int] = {}

    def _queue(self, session: Session, call_type: str, summary: ImportSummary) -> Queue:
        if call_type not in self.queues:
            name = call_type or "unknown"
            queue = session.scalar(
                select(Queue).where(
                    Queue.organization_id == self.actor.organization_id, Queue.name == name
                )
            )
            if queue is None:
                created = config.create(
                    session, self.actor, config.QUEUE, {"name": name, "channel": "voice"}
                )
                queue = session.get(Queue, created["id"])
                summary.queues_created += 1
            if queue is None:  # pragma: no cover - created just above
                raise LookupError(f"queue {name!r} vanished")
            self.queues[call_type] = queue
        return self.queues[call_type]

    def _agent(self, session: Session, server: str | None, summary: ImportSummary) -> int | None:
        if server is None:
            return None
        if server not in self.agents:
            agent_id = session.scalar(
                select(Agent.id).where(
                    Agent.organization_id == self.actor.organization_id,
                    Agent.display_name == server,
                )
            )
            if agent_id is None:
                user = organizations.create_user(
                    session,
                    self.actor,
                    email=f"{server.lower()}.{self.actor.organization_id}@anonymous-bank.invalid",
                    display_name=server,
                    role=Role.AGENT,
                    password_hash=UNUSABLE_PASSWORD,
                )
                created = config.create(
                    session,
                    self.actor,
                    config.AGENT,
                    {"user_id": user.id, "display_name": server},
                )
                agent_id = int(created["id"])
                summary.agents_created += 1
            self.agents[server] = agent_id
        return self.agents[server]

    def import_calls(self, session: Session, calls: Iterable[BankCall]) -> ImportSummary:
        """Store each new non-phantom call of ``calls`` in ``session`` (one transaction)."""
        summary = ImportSummary()
        batch: list[KeyedCall] = []
        for call in calls:
            summary.read += 1
            if call.outcome is Outcome.PHANTOM:
                summary.phantom += 1
                continue
            if call.key in self.known:
                summary.already_imported += 1
                continue
            queue = self._queue(session, call.call_type, summary)
            agent_id = self._agent(session, call.server, summary)
            if call.outcome is Outcome.HANG:
                agent_id = None  # a hang-up is not served, whatever the server column says
            batch.append(
                KeyedCall(
                    past_call(call, queue.id, agent_id, self.zone),
                    call.key,
                    queue.short_abandon_seconds,
                )
            )
            self.known.add(call.key)
        record_past_calls(session, self.actor, batch)
        summary.imported += len(batch)
        return summary
