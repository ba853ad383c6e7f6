"""Configuration use cases: create, read, update and delete teams, skills, agents, queues, routing
profiles and wrap-up codes, each change with its event in the same transaction.

The six resources share one mechanism described by a ``ResourceKind``: the table, which fields must be
unique in the organization, which fields point at other rows (checked to belong to the same
organization), and child rows (an agent's skills, a profile's queues...) replaced as a whole.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, func, inspect, select
from sqlalchemy.orm import Session

from helpline.domain.callbacks import OPEN_STATES
from helpline.domain.enums import ContactState, Role
from helpline.errors import Conflict, InvalidInput
from helpline.services.access import access, any_member, owned, owned_by, referenced
from helpline.services.acd.engine_config import check_routing_steps
from helpline.services.actor import Actor
from helpline.services.conversations.email_verification import start_claim
from helpline.storage.database import session_now
from helpline.storage.events import append_event
from helpline.storage.tables import (
    Agent,
    AgentSkill,
    Base,
    Callback,
    ChatWidget,
    Contact,
    EmailAddress,
    ProviderConnection,
    Queue,
    QueueSkill,
    RoutingProfile,
    RoutingProfileChannel,
    RoutingProfileQueue,
    Skill,
    SlaPolicy,
    Team,
    User,
    VoiceNumber,
    WrapUpCode,
)

CONFIGURATION_ROLES = (Role.MANAGER,)
"""Who may change configuration besides admins."""
CONTENT_ROLES = (Role.MANAGER, Role.SUPERVISOR)
"""Who may change what agents say (canned responses) besides admins: supervisors too."""

OPEN_CONTACT_STATES = tuple(
    s.value
    for s in (
        ContactState.CREATED,
        ContactState.QUEUED,
        ContactState.OFFERED,
        ContactState.CONNECTED,
        ContactState.ON_HOLD,
        ContactState.WRAP_UP,
    )
)


@dataclass(frozen=True)
class ChildKind:
    """Rows owned by a parent and replaced together (e.g. an agent's skills)."""

    attribute: str  # name in the representation, e.g. "skills"
    table: type[Base]
    parent_column: str  # e.g. "agent_id"
    key: str  # unique within one parent, e.g. "skill_id"
    references: Mapping[str, type[Base]] = field(default_factory=dict)


@dataclass(frozen=True)
class ResourceKind:
    """How one configuration resource is stored, checked and reported."""

    name: str  # singular, for messages: "routing profile"
    event_prefix: str  # "RoutingProfile" -> RoutingProfileCreated/Updated/Deleted
    table: type[Base]
    unique_fields: tuple[str, ...] = ()
    references: Mapping[str, type[Base]] = field(default_factory=dict)
    children: tuple[ChildKind, ...] = ()
    write_only: tuple[str, ...] = ()
    """Secrets the caller sets: stored, never represented (``<name>_is_set`` says whether one is)
    nor put in events."""
    hidden: tuple[str, ...] = ()
    """Columns Helpline sets itself and never represents (API responses, event payloads)."""
    check: Callable[[Session, Actor, Any], None] | None = None
    """Rules of this kind on the row as it will be stored (may normalise values in place)."""
    writers: tuple[Role, ...] = CONFIGURATION_ROLES
    derived: Mapping[str, Callable[[Any], Any]] = field(default_factory=dict)
    """Values computed from the row by name, represented after its columns (``is_verified``)."""
    """Who may create, change and delete it besides admins: ``create``, ``update`` and ``remove``
    admit every member and check these first thing (the roles depend on the kind)."""


TEAM = ResourceKind("team", "Team", Team, unique_fields=("name",))
SKILL = ResourceKind("skill", "Skill", Skill, unique_fields=("name",))
WRAP_UP_CODE = ResourceKind("wrap-up code", "WrapUpCode", WrapUpCode, unique_fields=("code",))
QUEUE = ResourceKind(
    "queue",
    "Queue",
    Queue,
    unique_fields=("name",),
    references={"overflow_queue_id": Queue},
    children=(ChildKind("skills", QueueSkill, "queue_id", "skill_id", {"skill_id": Skill}),),
)
ROUTING_PROFILE = ResourceKind(
    "routing profile",
    "RoutingProfile",
    RoutingProfile,
    unique_fields=("name",),
    children=(
        ChildKind("channels", RoutingProfileChannel, "routing_profile_id", "channel"),
        ChildKind(
            "queues", RoutingProfileQueue, "routing_profile_id", "queue_id", {"queue_id": Queue}
        ),
    ),
)
AGENT = ResourceKind(
    "agent",
    "Agent",
    Agent,
    unique_fields=("user_id", "extension"),
    references={"user_id": User, "team_id": Team, "routing_profile_id": RoutingProfile},
    children=(ChildKind("skills", AgentSkill, "agent_id", "skill_id", {"skill_id": Skill}),),
)


def _check_email_address(session: Session, actor: Actor, row: EmailAddress) -> None:
    """An address is configured once per organization, feeds an email queue, and polling a mailbox
    needs its login. A new or changed address starts a claim: its mail reaches the organization
    once someone reading it confirms (``email_verification``). Other organizations' claims are
    never looked at here, so nothing says whether another organization has the address."""
    row.address = row.address.strip().lower()
    taken = select(EmailAddress.id).where(
        owned_by(actor, EmailAddress), EmailAddress.address == row.address
    )
    if row.id is not None:
        taken = taken.where(EmailAddress.id != row.id)
    if session.scalar(taken) is not None:
        raise Conflict("this organization already has that address")
    if row.id is None or inspect(row).attrs.address.history.has_changes():
        start_claim(row)
    if row.queue_id is not None:
        channel = session.scalar(
            select(Queue.channel).where(Queue.id == row.queue_id, owned_by(actor, Queue))
        )
        if channel is not None and channel != "email":
            raise InvalidInput("queue_id", f"queue {row.queue_id} serves {channel}, not email")
    if row.imap_host and not (row.imap_username and row.imap_password):
        field_name = "imap_username" if not row.imap_username else "imap_password"
        raise InvalidInput(field_name, "needed to poll a mailbox (imap_host is set)")


EMAIL_ADDRESS = ResourceKind(
    "email address",
    "EmailAddress",
    EmailAddress,
    references={"queue_id": Queue},
    write_only=("imap_password",),
    hidden=(
        "imap_state",
        "verified_at",
        "verification_token",
        "verification_token_hash",
        "verification_sent_at",
    ),
    check=_check_email_address,
    derived={"is_verified": lambda row: row.verified_at is not None},
)

KINDS: tuple[ResourceKind, ...] = (
    TEAM,
    SKILL,
    WRAP_UP_CODE,
    QUEUE,
    ROUTING_PROFILE,
    AGENT,
    EMAIL_ADDRESS,
)


def _columns(kind: ResourceKind) -> list[str]:
    return [c.key for c in kind.table.__table__.columns]


def represent(session: Session, kind: ResourceKind, row: Base) -> dict[str, Any]:
    """A plain dict of the row's columns (without ``organization_id``) and its children."""
    skipped = {"organization_id", *kind.hidden}
    data = {name: getattr(row, name) for name in _columns(kind) if name not in skipped}
    for name in kind.write_only:
        data[f"{name}_is_set"] = bool(data.pop(name))
    for name, compute in kind.derived.items():
        data[name] = compute(row)
    for child in kind.children:
        rows = session.scalars(
            select(child.table)
            .where(getattr(child.table, child.parent_column) == data["id"])
            .order_by(getattr(child.table, child.key))
        ).all()
        skip = {child.parent_column, "organization_id"}
        data[child.attribute] = [
            {c.key: getattr(r, c.key) for c in child.table.__table__.columns if c.key not in skip}
            for r in rows
        ]
    return data


@any_member
def get_row(session: Session, actor: Actor, kind: ResourceKind, row_id: int) -> Base:
    """The row ``row_id`` of the actor's organization, or NotFound (also for other organizations)."""
    return access(session, actor, kind.table, row_id, kind.name)


@any_member
def list_rows(
    session: Session, actor: Actor, kind: ResourceKind, *, limit: int, offset: int
) -> list[dict[str, Any]]:
    """The organization's rows of ``kind`` by id, one page."""
    table: Any = kind.table
    rows = session.scalars(owned(actor, table).order_by(table.id).limit(limit).offset(offset)).all()
    return [represent(session, kind, row) for row in rows]


def _check_reference(
    session: Session, actor: Actor, field_name: str, table: type[Base], value: Any
) -> None:
    if value is None:
        return
    referenced(session, actor, table, value, field_name, table.__tablename__[:-1])


def _check_unique(
    session: Session,
    actor: Actor,
    kind: ResourceKind,
    values: Mapping[str, Any],
    exclude_id: int | None,
) -> None:
    table: Any = kind.table
    for name in kind.unique_fields:
        if values.get(name) is None:  # absent, or NULL (never equal to another NULL)
            continue
        query = select(table.id).where(owned_by(actor, table), getattr(table, name) == values[name])
        if exclude_id is not None:
            query = query.where(table.id != exclude_id)
        if session.scalar(query) is not None:
            raise Conflict(f"a {kind.name} with {name} {values[name]!r} already exists")


def _replace_children(
    session: Session,
    actor: Actor,
    kind: ResourceKind,
    parent_id: int,
    children: Mapping[str, Sequence[Mapping[str, Any]]],
) -> None:
    for child in kind.children:
        if child.attribute not in children:
            continue
        items = children[child.attribute]
        seen: set[Any] = set()
        for index, item in enumerate(items):
            key = item[child.key]
            if key in seen:
                raise InvalidInput(
                    f"{child.attribute}.{index}.{child.key}", f"{key!r} is listed twice"
                )
            seen.add(key)
            for ref_field, ref_table in child.references.items():
                _check_reference(
                    session,
                    actor,
                    f"{child.attribute}.{index}.{ref_field}",
                    ref_table,
                    item[ref_field],
                )
        session.execute(
            delete(child.table).where(getattr(child.table, child.parent_column) == parent_id)
        )
        session.add_all(
            child.table(
                **{child.parent_column: parent_id, "organization_id": actor.organization_id},
                **item,
            )
            for item in items
        )
    session.flush()


def _split(kind: ResourceKind, values: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    child_fields = {c.attribute for c in kind.children}
    own = {k: v for k, v in values.items() if k not in child_fields}
    children = {k: v for k, v in values.items() if k in child_fields}
    return own, children


def _check_kind_rules(
    session: Session, actor: Actor, kind: ResourceKind, row_id: int | None, own: Mapping[str, Any]
) -> None:
    if kind is QUEUE and row_id is not None and own.get("overflow_queue_id") == row_id:
        raise InvalidInput("overflow_queue_id", "a queue cannot overflow to itself")
    if kind is QUEUE and "routing_steps" in own:
        check_routing_steps(own["routing_steps"])
    for index, step in enumerate(own.get("routing_steps", ()) if kind is QUEUE else ()):
        where = f"routing_steps.{index}"
        for number, requirement in enumerate(step.get("requirements", ())):
            _check_reference(
                session,
                actor,
                f"{where}.requirements.{number}.skill_id",
                Skill,
                requirement["skill_id"],
            )
        for number, agent_id in enumerate(step.get("preferred_agent_ids", ())):
            _check_reference(
                session, actor, f"{where}.preferred_agent_ids.{number}", Agent, agent_id
            )


def _check_row(session: Session, actor: Actor, kind: ResourceKind, row: Any) -> None:
    """Rules across fields, checked on the row as it will be stored (after a PATCH too)."""
    if kind.check is not None:
        kind.check(session, actor, row)
    if kind is QUEUE and row.closed_treatment == "overflow" and row.overflow_queue_id is None:
        raise InvalidInput("overflow_queue_id", "needed when closed_treatment is overflow")


@any_member  # then kind.writers, first thing
def create(
    session: Session, actor: Actor, kind: ResourceKind, values: Mapping[str, Any]
) -> dict[str, Any]:
    """Create a resource from validated ``values`` (children included) and record ``<Kind>Created``."""
    actor.require(*kind.writers)
    own, children = _split(kind, values)
    for name, table in kind.references.items():
        _check_reference(session, actor, name, table, own.get(name))
    _check_kind_rules(session, actor, kind, None, own)
    _check_unique(session, actor, kind, own, None)
    row: Any = kind.table(organization_id=actor.organization_id, **own)
    _check_row(session, actor, kind, row)
    session.add(row)
    session.flush()
    _replace_children(session, actor, kind, row.id, children)
    data = represent(session, kind, row)
    append_event(
        session,
        actor.organization_id,
        f"{kind.event_prefix}Created",
        occurred_at=session_now(session),
        actor=actor.label,
        agent_id=row.id if kind is AGENT else None,
        payload=data,
    )
    return data


@any_member  # then kind.writers, first thing
def update(
    session: Session, actor: Actor, kind: ResourceKind, row_id: int, values: Mapping[str, Any]
) -> dict[str, Any]:
    """Change the given fields (children lists are replaced whole) and record ``<Kind>Updated``."""
    actor.require(*kind.writers)
    row: Any = get_row(session, actor, kind, row_id)
    own, children = _split(kind, values)
    for name, table in kind.references.items():
        if name in own:
            _check_reference(session, actor, name, table, own[name])
    _check_kind_rules(session, actor, kind, row_id, own)
    _check_unique(session, actor, kind, own, row_id)
    for name, value in own.items():
        setattr(row, name, value)
    _check_row(session, actor, kind, row)
    session.flush()
    _replace_children(session, actor, kind, row_id, children)
    data = represent(session, kind, row)
    append_event(
        session,
        actor.organization_id,
        f"{kind.event_prefix}Updated",
        occurred_at=session_now(session),
        actor=actor.label,
        agent_id=row_id if kind is AGENT else None,
        payload={
            "id": row_id,
            "changed": {k: "***" if k in kind.write_only else v for k, v in values.items()},
        },
    )
    return data


@dataclass(frozen=True)
class QueueHolder:
    """Configuration that sends contacts to a queue, or takes its hours, through ``column``.

    Deleting the queue would leave it pointing nowhere (a widget whose chats cannot start, an
    address whose mail has no queue, a closed queue overflowing to nothing), so such a queue is
    kept (409) until the holders are changed or deleted.
    """

    noun: str
    table: type[Base]
    column: str
    label: str  # the column that names a row to the user


QUEUE_HOLDERS = (
    QueueHolder("queue", Queue, "overflow_queue_id", "name"),
    QueueHolder("routing profile", RoutingProfileQueue, "queue_id", "name"),
    QueueHolder("chat widget", ChatWidget, "queue_id", "name"),
    QueueHolder("chat widget (callbacks)", ChatWidget, "callback_queue_id", "name"),
    QueueHolder("email address", EmailAddress, "queue_id", "address"),
    QueueHolder("provider connection", ProviderConnection, "queue_id", "name"),
    QueueHolder("voice number", VoiceNumber, "queue_id", "number"),
    QueueHolder("SLA policy", SlaPolicy, "hours_queue_id", "name"),
)
"""Everything whose reference to a queue keeps the queue from being deleted. History (contacts,
schedules) lets go of a deleted queue and its own plans (forecasts, calendar events) go with it."""


def _queue_holders(session: Session, actor: Actor, queue_id: int) -> list[str]:
    """``"chat widget 'Website' (3)"`` for each configuration row that uses the queue."""
    found: list[str] = []
    for holder in QUEUE_HOLDERS:
        if holder.table is RoutingProfileQueue:  # a profile lists its queues in a child table
            query = (
                select(RoutingProfile.id, RoutingProfile.name)
                .join(
                    RoutingProfileQueue, RoutingProfileQueue.routing_profile_id == RoutingProfile.id
                )
                .where(owned_by(actor, RoutingProfile), RoutingProfileQueue.queue_id == queue_id)
                .order_by(RoutingProfile.id)
            )
        else:
            table: Any = holder.table
            query = (
                select(table.id, getattr(table, holder.label))
                .where(owned_by(actor, table), getattr(table, holder.column) == queue_id)
                .order_by(table.id)
            )
        found.extend(
            f"{holder.noun} {label!r} ({row_id})" for row_id, label in session.execute(query)
        )
    # Customers were promised a call from this queue: cancel those callbacks first.
    promised = session.scalar(
        select(func.count()).where(
            owned_by(actor, Callback),
            Callback.queue_id == queue_id,
            Callback.state.in_([state.value for state in OPEN_STATES]),
        )
    )
    if promised:
        found.append(f"{promised} scheduled callback(s)")
    return found


def _check_queue_unused(session: Session, actor: Actor, queue_id: int) -> None:
    waiting = session.scalar(
        select(func.count())
        .select_from(Contact)
        .where(Contact.queue_id == queue_id, Contact.state.in_(OPEN_CONTACT_STATES))
    )
    if waiting:
        raise Conflict(f"queue {queue_id} still has {waiting} open contacts")
    holders = _queue_holders(session, actor, queue_id)
    if holders:
        raise Conflict(
            f"queue {queue_id} is used by {', '.join(holders)}: change or delete them first"
        )


@any_member  # then kind.writers, first thing
def remove(session: Session, actor: Actor, kind: ResourceKind, row_id: int) -> None:
    """Delete a resource and record ``<Kind>Deleted``. A queue with open contacts, or one that
    other configuration uses (:data:`QUEUE_HOLDERS`), is kept (409 naming them)."""
    actor.require(*kind.writers)
    row = get_row(session, actor, kind, row_id)
    if kind is QUEUE:
        _check_queue_unused(session, actor, row_id)
    session.delete(row)
    session.flush()
    append_event(
        session,
        actor.organization_id,
        f"{kind.event_prefix}Deleted",
        occurred_at=session_now(session),
        actor=actor.label,
        agent_id=row_id if kind is AGENT else None,
        payload={"id": row_id},
    )
