"""Translate stored configuration and live state into the routing engine's plain values.

Database ids become strings on the engine side (``str(id)``); skills are named by their id so a
rename never changes routing. A queue's criteria are its ``routing_steps`` when it has them, else one
step that requires the queue's skills for ever; a contact may bring its own steps.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from helpline.domain.business_time import complement, intersect, normalized
from helpline.domain.calendar import OrganizationCalendar, QueueCalendar
from helpline.domain.enums import ContactState as StoredState
from helpline.domain.hours import WEEKDAYS, parse_clock
from helpline.errors import InvalidInput
from helpline.routing import (
    ALWAYS_OPEN,
    AgentSelection,
    AgentSnapshot,
    AgentSpec,
    AgentStatus,
    Channel,
    ChannelSettings,
    ClosedTreatment,
    ContactSpec,
    ContactState,
    EngineSnapshot,
    HeldContact,
    Hours,
    OpenIntervals,
    Overflow,
    ProfileQueue,
    Queue,
    RoutingConfig,
    RoutingCriteria,
    RoutingProfile,
    SkillRequirement,
    Step,
    WaitingContact,
)
from helpline.services.access import access, owned, owned_by
from helpline.services.acd.calendar import organization_calendar
from helpline.storage import tables

logger = logging.getLogger(__name__)

HOURS_HORIZON = timedelta(days=14)
"""How far ahead opening hours are expanded; the engine is rebuilt before the horizon runs out."""

WAITING_STATES = (StoredState.QUEUED.value, StoredState.OFFERED.value)
HELD_STATES = {
    StoredState.CONNECTED.value: ContactState.CONNECTED,
    StoredState.ON_HOLD.value: ContactState.ON_HOLD,
    StoredState.WRAP_UP.value: ContactState.ACW,
}


def epoch(moment: datetime) -> float:
    """Seconds since the Unix epoch: the live engine's clock."""
    return moment.timestamp()


def from_epoch(seconds: float) -> datetime:
    """The UTC datetime of an engine time."""
    return datetime.fromtimestamp(seconds, UTC)


FULL_DAY: tuple[Mapping[str, str], ...] = ({"open": "00:00", "close": "24:00"},)
"""An always-open queue's day, when a calendar date changes it."""


def open_intervals(
    hours: Mapping[str, Any],
    zone: ZoneInfo,
    start: datetime,
    end: datetime,
    calendar: QueueCalendar | None = None,
) -> Hours:
    """A queue's weekly hours in ``zone`` as absolute open intervals covering ``[start, end]``.

    With a ``calendar`` (``helpline.domain.calendar``), special opening hours replace a date's
    weekly spans, a public holiday that closes routing has none, and closures are cut out of what
    is left; an always-open queue stays ``ALWAYS_OPEN`` unless a calendar date falls in the span.
    Dates are local dates of ``zone``: a day is from local midnight to the next (23 or 25 hours
    long on a DST change day).
    """
    first: date = start.astimezone(zone).date() - timedelta(days=1)
    last = end.astimezone(zone).date() + timedelta(days=1)
    always_open = hours.get("always_open", True)
    if always_open and (calendar is None or not calendar.changes_between(first, last)):
        return ALWAYS_OPEN
    weekly: Mapping[str, Sequence[Mapping[str, str]]] = hours.get("weekly") or {}
    spans: list[tuple[float, float]] = []
    day = first
    while day <= last:
        usual = FULL_DAY if always_open else weekly.get(WEEKDAYS[day.weekday()], ())
        for span in calendar.day_spans(day, usual) if calendar else usual:
            opens = datetime.combine(day, parse_clock(span["open"]), zone)
            close_clock = parse_clock(span["close"])
            closes = (
                datetime.combine(day + timedelta(days=1), time(0), zone)
                if close_clock == time.max
                else datetime.combine(day, close_clock, zone)
            )
            spans.append((epoch(opens), epoch(closes)))
        day += timedelta(days=1)
    merged = normalized(spans)
    if calendar is not None:
        closed = [
            (epoch(s.replace(tzinfo=zone)), epoch(e.replace(tzinfo=zone)))
            for s, e in calendar.local_closures
        ]
        closed.extend((epoch(s), epoch(e)) for s, e in calendar.closed_periods)
        merged = intersect(merged, complement(normalized(closed)))
    return OpenIntervals(merged)


def calendar_around(
    session: Session, organization_id: int, zone: ZoneInfo, start: datetime, end: datetime
) -> OrganizationCalendar:
    """The organization's calendar over every local date ``open_intervals`` expands for
    ``[start, end]`` (a day more either side)."""
    first = start.astimezone(zone).date() - timedelta(days=1)
    last = end.astimezone(zone).date() + timedelta(days=1)
    return organization_calendar(session, organization_id, first, last)


def queue_hours(
    session: Session, organization_id: int, queue_id: int, start: datetime, end: datetime
) -> Hours:
    """A queue's open time over ``[start, end]`` exactly as the routing engine is given it: weekly
    hours, public holidays, closures and special opening hours in the organization's time zone.

    For use cases that ask "is the queue open then?" (timed callbacks, the open-intervals API).
    Raises NotFound for a queue of another organization.
    """
    queue = access(session, organization_id, tables.Queue, queue_id, "queue")
    org = session.get(tables.Organization, organization_id)
    zone = ZoneInfo(org.time_zone if org else "UTC")
    calendar = calendar_around(session, organization_id, zone, start, end)
    return open_intervals(queue.hours, zone, start, end, calendar.for_queue(queue_id))


def criteria_from_steps(steps: Iterable[Mapping[str, Any]]) -> RoutingCriteria:
    """Stored routing steps (API shape) as engine criteria."""
    compiled = []
    for step in steps:
        preferred = step.get("preferred_agent_ids") or []
        compiled.append(
            Step(
                skills=frozenset(
                    SkillRequirement(str(r["skill_id"]), int(r.get("min_proficiency", 1)))
                    for r in step.get("requirements", ())
                ),
                preferred_agent_ids=frozenset(str(a) for a in preferred) if preferred else None,
                expiry_seconds=step.get("expires_after_seconds"),
            )
        )
    return RoutingCriteria(tuple(compiled))


def check_routing_steps(steps: Sequence[Mapping[str, Any]], field: str = "routing_steps") -> None:
    """Refuse, naming the step and field, escalation steps the routing engine could not apply: a
    skill twice in one step, skills and preferred agents in one step, an expiry missing before the
    last step. Checked before anything is stored (the engine would refuse them later)."""
    for index, step in enumerate(steps):
        where = f"{field}.{index}"
        skills = [str(r.get("skill_id")) for r in step.get("requirements", ())]
        if len(skills) != len(set(skills)):
            raise InvalidInput(f"{where}.requirements", "names a skill twice; give each skill once")
        if skills and step.get("preferred_agent_ids"):
            raise InvalidInput(
                f"{where}.preferred_agent_ids",
                "a step requires skills or names preferred agents, not both: use two steps",
            )
        if index < len(steps) - 1 and step.get("expires_after_seconds") is None:
            raise InvalidInput(
                f"{where}.expires_after_seconds",
                "only the last step may lack an expiry (a later step would never apply)",
            )
        try:
            criteria_from_steps([step])
        except (ValueError, KeyError, TypeError) as error:
            raise InvalidInput(where, str(error)) from None


def _stored_criteria(steps: Iterable[Mapping[str, Any]], owner: str) -> RoutingCriteria | None:
    """Stored steps as criteria, or None (with a warning) when they are unusable: data stored before
    :func:`check_routing_steps` existed must not keep an organization's routing from starting."""
    try:
        return criteria_from_steps(steps)
    except (ValueError, KeyError, TypeError) as error:
        logger.warning("ignoring unusable routing steps of %s: %s", owner, error)
        return None


def _queue(row: tables.Queue, skills: Sequence[tables.QueueSkill], hours: Hours) -> Queue:
    own = _stored_criteria(row.routing_steps, f"queue {row.id}") if row.routing_steps else None
    if own is not None:
        criteria = own
    elif skills:
        criteria = RoutingCriteria(
            (Step(frozenset(SkillRequirement(str(s.skill_id), s.min_proficiency) for s in skills)),)
        )
    else:
        criteria = RoutingCriteria()
    overflow = None
    if row.overflow_after_seconds is not None:
        target = row.overflow_queue_id
        overflow = Overflow(float(row.overflow_after_seconds), str(target) if target else None)
    treatment = ClosedTreatment(row.closed_treatment)
    return Queue(
        queue_id=str(row.id),
        channel=Channel(row.channel),
        criteria=criteria,
        agent_selection=AgentSelection(row.agent_selection),
        offer_timeout_seconds=float(row.offer_timeout_seconds),
        acw_timeout_seconds=float(row.after_contact_work_seconds),
        overflow=overflow,
        hours=hours,
        closed_treatment=treatment,
        closed_overflow_queue_id=(
            str(row.overflow_queue_id) if treatment is ClosedTreatment.OVERFLOW else None
        ),
        sticky_seconds=float(row.sticky_seconds) if row.sticky_seconds else None,
    )


def load_config(session: Session, organization_id: int, now: datetime) -> RoutingConfig:
    """The organization's queues and routing profiles as an engine configuration."""
    org = session.get(tables.Organization, organization_id)
    zone = ZoneInfo(org.time_zone if org else "UTC")
    queue_skills: dict[int, list[tables.QueueSkill]] = {}
    for skill in session.scalars(owned(organization_id, tables.QueueSkill)):
        queue_skills.setdefault(skill.queue_id, []).append(skill)
    start, end = now - timedelta(days=1), now + HOURS_HORIZON
    calendar = calendar_around(session, organization_id, zone, start, end)
    queues = tuple(
        _queue(
            row,
            queue_skills.get(row.id, []),
            open_intervals(row.hours, zone, start, end, calendar.for_queue(row.id)),
        )
        for row in session.scalars(
            select(tables.Queue)
            .where(owned_by(organization_id, tables.Queue))
            .order_by(tables.Queue.id)
        )
    )
    channels: dict[int, dict[Channel, ChannelSettings]] = {}
    for channel in session.scalars(
        select(tables.RoutingProfileChannel).where(
            owned_by(organization_id, tables.RoutingProfileChannel)
        )
    ):
        channels.setdefault(channel.routing_profile_id, {})[Channel(channel.channel)] = (
            ChannelSettings(channel.concurrency if channel.is_enabled else 0, channel.auto_accept)
        )
    members: dict[int, list[ProfileQueue]] = {}
    for member in session.scalars(
        select(tables.RoutingProfileQueue)
        .where(owned_by(organization_id, tables.RoutingProfileQueue))
        .order_by(tables.RoutingProfileQueue.queue_id)
    ):
        members.setdefault(member.routing_profile_id, []).append(
            ProfileQueue(str(member.queue_id), member.priority, float(member.delay_seconds))
        )
    profiles = tuple(
        RoutingProfile(
            profile_id=str(row.id),
            channels=channels.get(row.id, {}),
            queues=tuple(members.get(row.id, [])),
            voice_blocks_other_channels=row.voice_blocks_other_channels,
        )
        for row in session.scalars(
            select(tables.RoutingProfile)
            .where(owned_by(organization_id, tables.RoutingProfile))
            .order_by(tables.RoutingProfile.id)
        )
    )
    return RoutingConfig(queues=queues, profiles=profiles)


def routed_agents(session: Session, organization_id: int) -> list[AgentSpec]:
    """Active agents with a routing profile, in id order (the engine's tie-break order)."""
    skills: dict[int, dict[str, int]] = {}
    for row in session.scalars(owned(organization_id, tables.AgentSkill)):
        skills.setdefault(row.agent_id, {})[str(row.skill_id)] = row.proficiency
    return [
        AgentSpec(str(agent.id), str(agent.routing_profile_id), skills.get(agent.id, {}))
        for agent in session.scalars(
            select(tables.Agent)
            .where(
                owned_by(organization_id, tables.Agent),
                tables.Agent.is_active.is_(True),
                tables.Agent.routing_profile_id.is_not(None),
            )
            .order_by(tables.Agent.id)
        )
    ]


def contact_spec(contact: tables.Contact) -> ContactSpec:
    """The engine's view of a stored contact (``routing_state`` keeps what routing was given)."""
    state = contact.routing_state
    steps = state.get("criteria")
    last_agent_id = state.get("last_agent_id")
    return ContactSpec(
        contact_id=str(contact.id),
        queue_id=str(contact.queue_id),
        priority=contact.priority,
        criteria=_stored_criteria(steps, f"contact {contact.id}") if steps else None,
        age_adjustment_seconds=float(state.get("age_adjustment_seconds", 0.0)),
        customer_id=str(contact.customer_id) if contact.customer_id else None,
        last_agent_id=str(last_agent_id) if last_agent_id else None,
    )


def _offer_expiry(contact: tables.Contact) -> float | None:
    expires = contact.routing_state.get("offer_expires_at")
    if contact.state != StoredState.OFFERED.value or expires is None:
        return None
    return float(expires)


def load_snapshot(
    session: Session, organization_id: int, agents: Sequence[AgentSpec]
) -> EngineSnapshot:
    """Agents' chosen statuses and every live contact, as the engine last reported them."""
    statuses = {
        row.agent_id: row for row in session.scalars(owned(organization_id, tables.AgentStatus))
    }
    agent_snapshots = []
    for agent in agents:
        row = statuses.get(int(agent.agent_id))
        agent_snapshots.append(
            AgentSnapshot(
                agent,
                AgentStatus(row.status) if row else AgentStatus.OFFLINE,
                row.reason if row else None,
                epoch(row.idle_since) if row and row.idle_since else 0.0,
            )
        )
    known = {agent.agent_id for agent in agents}
    waiting: list[WaitingContact] = []
    held: list[HeldContact] = []
    live = session.scalars(
        owned(organization_id, tables.Contact).where(
            tables.Contact.state.in_([*WAITING_STATES, *HELD_STATES]),
            tables.Contact.queue_id.is_not(None),
        )
    )
    for contact in live:
        state = contact.routing_state
        if "queue_sequence" not in state:
            continue  # never reached the engine (e.g. created without routing)
        spec = contact_spec(contact)
        waiting_since = float(state.get("waiting_since", state.get("enqueued_at", 0.0)))
        holder = str(contact.agent_id) if contact.agent_id else None
        if contact.state in WAITING_STATES:
            personal = state.get("personal_agent_id")
            waiting.append(
                WaitingContact(
                    spec=spec,
                    queue_sequence=int(state["queue_sequence"]),
                    waiting_since=waiting_since,
                    enqueued_at=float(state["enqueued_at"]),
                    is_callback=bool(state.get("is_callback", False)),
                    personal_agent_id=personal if personal in known else None,
                    offered_to_agent_id=holder
                    if contact.state == StoredState.OFFERED.value and holder in known
                    else None,
                    overflow_done=bool(state.get("overflow_done", False)),
                    consult_of_contact_id=state.get("consult_of"),
                    offer_expires_at=_offer_expiry(contact),
                    step_index=int(state.get("step_index", 0)),
                )
            )
        elif holder is not None and holder in known:
            held.append(
                HeldContact(
                    spec=spec,
                    agent_id=holder,
                    state=HELD_STATES[contact.state],
                    queue_sequence=int(state["queue_sequence"]),
                    waiting_since=waiting_since,
                    is_callback=bool(state.get("is_callback", False)),
                    acw_ends_at=state.get("acw_ends_at"),
                    consult_of_contact_id=state.get("consult_of"),
                )
            )
    return EngineSnapshot(agents=tuple(agent_snapshots), waiting=tuple(waiting), held=tuple(held))
