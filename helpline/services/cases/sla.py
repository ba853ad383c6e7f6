"""Case SLAs at run time: where each target stands, and the periodic evaluation that records first
responses, resumes cases the customer answered, and writes warnings, breaches and escalations.

The evaluation is derived from stored facts, so a late tick records the same instants as a prompt one:
the first response is the earliest agent answer (``contacts.connected_at``) or outbound message on a
linked contact since the case opened; a pending case resumes at the customer's first inbound message
after it went pending. Events: ``CaseFirstResponded``, ``CaseStatusChanged``, ``CaseSlaWarning``,
``CaseSlaBreached``, ``CaseEscalated``.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from helpline.domain.business_time import ALWAYS, Interval, complement, intersect, normalized
from helpline.domain.cases import (
    ACTIVE,
    RUNNING,
    CaseStatus,
    SlaClock,
    SlaPhase,
    running_periods,
    sla_clock,
)
from helpline.domain.enums import Direction
from helpline.routing.hours import OpenIntervals
from helpline.services.access import owned_by
from helpline.services.acd.engine_config import epoch, from_epoch, open_intervals
from helpline.services.cases.cases import set_status
from helpline.services.cases.views import case_summary, contact_ids_of
from helpline.storage.database import Database
from helpline.storage.events import append_event
from helpline.storage.tables import (
    Case,
    CaseContact,
    CaseStatusChange,
    Contact,
    Message,
    Organization,
    Queue,
    SlaPolicy,
)
from helpline.wfm.forecast.calendar import DayKind, day_kinds

SYSTEM = "system"
SLA_HORIZON = timedelta(days=60)
"""How far ahead business hours are expanded to predict due times."""
PENDING_RECHECK = timedelta(minutes=5)
"""How often a case pending the customer is looked at without a local trigger."""
BATCH = 500
"""Most cases refreshed in one transaction."""
FIRST_RESPONSE = "first_response"
RESOLUTION = "resolution"
RESPONSE_EVENTS = frozenset({"MessageSent", "MessageReceived", "ContactConnected"})
"""Commits after which an organization's cases are evaluated at the next short tick."""


@dataclass
class HoursBook:
    """Business hours of policies expanded once per evaluation (per policy)."""

    session: Session
    organization_id: int
    start: datetime
    end: datetime
    _cache: dict[int, tuple[Interval, ...]] = field(default_factory=dict)

    def of(self, policy: SlaPolicy) -> tuple[Interval, ...]:
        """The policy's open intervals over the book's span (``ALWAYS`` when always open)."""
        if policy.id not in self._cache:
            hours = policy.hours
            if policy.hours_queue_id is not None:
                queue = self.session.get(Queue, policy.hours_queue_id)
                if queue is not None and queue.organization_id == self.organization_id:
                    hours = queue.hours
            org = self.session.get(Organization, self.organization_id)
            zone = ZoneInfo(org.time_zone if org else "UTC")
            expanded = open_intervals(hours, zone, self.start, self.end)
            open_time = expanded.intervals if isinstance(expanded, OpenIntervals) else ALWAYS
            if policy.skip_public_holidays and org is not None and org.country:
                open_time = intersect(open_time, complement(self._holidays(org.country, zone)))
            self._cache[policy.id] = open_time
        return self._cache[policy.id]

    def _holidays(self, country: str, zone: ZoneInfo) -> tuple[Interval, ...]:
        """The country's public holidays over the book's span, as local whole days."""
        first = self.start.astimezone(zone).date() - timedelta(days=1)
        days = (self.end.astimezone(zone).date() - first).days + 2
        try:
            kinds = day_kinds(first, days, country)
        except ValueError:  # a country the holidays package does not know: no holidays
            return ()
        return normalized(
            (
                epoch(datetime.combine(first + timedelta(days=i), time(0), zone)),
                epoch(datetime.combine(first + timedelta(days=i + 1), time(0), zone)),
            )
            for i, kind in enumerate(kinds)
            if kind == DayKind.HOLIDAY
        )


def _history(session: Session, case: Case) -> list[tuple[float, CaseStatus]]:
    return [
        (epoch(row.changed_at), CaseStatus(row.status))
        for row in session.scalars(
            select(CaseStatusChange)
            .where(CaseStatusChange.case_id == case.id)
            .order_by(CaseStatusChange.changed_at, CaseStatusChange.id)
        )
    ]


def case_clocks(
    session: Session, case: Case, now: datetime, book: HoursBook | None = None
) -> dict[str, SlaClock]:
    """The case's SLA targets at ``now`` (empty without a policy)."""
    policy = session.get(SlaPolicy, case.sla_policy_id) if case.sla_policy_id else None
    if policy is None:
        return {}
    if book is None:
        book = HoursBook(session, case.organization_id, case.created_at, now + SLA_HORIZON)
    hours = book.of(policy)
    running = running_periods(_history(session, case), math.inf)
    first_response_stop = case.first_response_at or case.solved_at
    return {
        FIRST_RESPONSE: sla_clock(
            target_seconds=policy.first_response_seconds,
            warn_ratio=policy.warn_ratio,
            hours=hours,
            running=running,
            stopped_at=epoch(first_response_stop) if first_response_stop else None,
            now=epoch(now),
        ),
        RESOLUTION: sla_clock(
            target_seconds=policy.resolution_seconds,
            warn_ratio=policy.warn_ratio,
            hours=hours,
            running=running,
            stopped_at=epoch(case.solved_at) if case.solved_at else None,
            now=epoch(now),
        ),
    }


def represent_clock(clock: SlaClock) -> dict[str, Any]:
    """An SLA target for API responses."""
    return {
        "target_seconds": clock.target_seconds,
        "elapsed_seconds": round(clock.elapsed_seconds, 3),
        "phase": clock.phase.value,
        "is_running": clock.is_running,
        "due_at": from_epoch(clock.due_at) if clock.due_at is not None else None,
        "warn_at": from_epoch(clock.warn_at) if clock.warn_at is not None else None,
    }


def first_response_at(session: Session, case: Case) -> datetime | None:
    """When the customer first heard from an agent about the case: the earliest outbound message on a
    linked contact since the case opened, or an agent answering a linked contact (a conversation
    still going on when the case was opened counts from the case's opening)."""
    linked = select(CaseContact.contact_id).where(CaseContact.case_id == case.id)
    found: list[datetime] = []
    for connected_at, ended_at in session.execute(
        select(Contact.connected_at, Contact.ended_at).where(
            owned_by(case.organization_id, Contact),
            Contact.id.in_(linked),
            Contact.connected_at.is_not(None),
        )
    ):
        if connected_at is not None and (ended_at is None or ended_at >= case.created_at):
            found.append(max(connected_at, case.created_at))
    replied = session.scalar(
        select(func.min(Message.created_at)).where(
            owned_by(case.organization_id, Message),
            Message.contact_id.in_(linked),
            Message.direction == Direction.OUTBOUND.value,
            Message.created_at >= case.created_at,
        )
    )
    if replied is not None:
        found.append(replied)
    return min(found) if found else None


def _customer_reply_since(session: Session, case: Case, since: datetime) -> datetime | None:
    return session.scalar(
        select(func.min(Message.created_at)).where(
            owned_by(case.organization_id, Message),
            Message.contact_id.in_(
                select(CaseContact.contact_id).where(CaseContact.case_id == case.id)
            ),
            Message.direction == Direction.INBOUND.value,
            Message.created_at > since,
        )
    )


def _pending_since(session: Session, case: Case) -> datetime | None:
    return session.scalar(
        select(func.max(CaseStatusChange.changed_at)).where(
            CaseStatusChange.case_id == case.id,
            CaseStatusChange.status == CaseStatus.PENDING_CUSTOMER.value,
        )
    )


def _event(session: Session, case: Case, kind: str, now: datetime, **payload: Any) -> None:
    append_event(
        session,
        case.organization_id,
        kind,
        occurred_at=now,
        actor=SYSTEM,
        payload={"case_id": case.id, "reference": case.reference, **payload},
    )


def _escalate(session: Session, case: Case, policy: SlaPolicy, target: str, now: datetime) -> None:
    before = {"assignee_agent_id": case.assignee_agent_id, "team_id": case.team_id}
    if policy.escalate_to_agent_id is not None:
        case.assignee_agent_id = policy.escalate_to_agent_id
        case.assignee_user_id = None
    if policy.escalate_to_team_id is not None:
        case.team_id = policy.escalate_to_team_id
    _event(
        session,
        case,
        "CaseEscalated",
        now,
        target=target,
        sla_policy_id=policy.id,
        previous=before,
        assignee_agent_id=case.assignee_agent_id,
        team_id=case.team_id,
        action="reassigned"
        if before["assignee_agent_id"] != case.assignee_agent_id
        or before["team_id"] != case.team_id
        else "notified",
    )


def _record_phases(
    session: Session, case: Case, clocks: dict[str, SlaClock], now: datetime
) -> None:
    policy = session.get(SlaPolicy, case.sla_policy_id) if case.sla_policy_id else None
    if policy is None:
        return
    for target, clock in clocks.items():
        if clock.phase not in {SlaPhase.WARNING, SlaPhase.BREACHED}:
            continue
        due = from_epoch(clock.due_at).isoformat() if clock.due_at is not None else None
        if target not in case.sla_warnings:
            case.sla_warnings = {**case.sla_warnings, target: now.isoformat()}
            _event(
                session,
                case,
                "CaseSlaWarning",
                now,
                target=target,
                due_at=due,
                elapsed_seconds=round(clock.elapsed_seconds, 3),
                target_seconds=clock.target_seconds,
            )
        if clock.phase is SlaPhase.BREACHED and target not in case.sla_breaches:
            case.sla_breaches = {**case.sla_breaches, target: now.isoformat()}
            case.is_breached = True
            _event(
                session,
                case,
                "CaseSlaBreached",
                now,
                target=target,
                due_at=due,
                elapsed_seconds=round(clock.elapsed_seconds, 3),
                target_seconds=clock.target_seconds,
            )
            _escalate(session, case, policy, target, now)


def refresh_case(
    session: Session, case: Case, now: datetime, book: HoursBook | None = None
) -> None:
    """Bring one case up to date at ``now``: first response, customer reply, SLA phases."""
    if case.first_response_at is None:
        responded = first_response_at(session, case)
        if responded is not None and responded <= now:
            case.first_response_at = responded
            _event(
                session, case, "CaseFirstResponded", now, first_response_at=responded.isoformat()
            )
    if case.status == CaseStatus.PENDING_CUSTOMER.value:
        since = _pending_since(session, case)
        reply = _customer_reply_since(session, case, since) if since else None
        if reply is not None and reply <= now:
            set_status(
                session,
                case,
                CaseStatus.OPEN,
                now=reply,
                actor_label=SYSTEM,
                reason="the customer replied",
            )
    if CaseStatus(case.status) in ACTIVE:
        clocks = case_clocks(session, case, now, book)
        _record_phases(session, case, clocks, now)
        case.sla_check_at = next_check(case, clocks, now)
    else:
        case.sla_check_at = None


def next_check(case: Case, clocks: dict[str, SlaClock], now: datetime) -> datetime | None:
    """When the evaluation must look at the case again: the next warning or breach not yet
    recorded; a periodic look while pending the customer (a reply may arrive through another
    node); None when nothing can happen until the case changes."""
    status = CaseStatus(case.status)
    moments: list[datetime] = []
    if status is CaseStatus.PENDING_CUSTOMER:
        moments.append(now + PENDING_RECHECK)
    for target, clock in clocks.items():
        if clock.phase in {SlaPhase.MET, SlaPhase.MISSED} or target in case.sla_breaches:
            continue
        if clock.due_at is None:
            if status in RUNNING:  # the due time lies beyond the expanded hours
                moments.append(now + SLA_HORIZON / 2)
            continue
        if target not in case.sla_warnings and clock.warn_at is not None:
            moments.append(from_epoch(clock.warn_at))
        moments.append(from_epoch(clock.due_at))
    return max(now, min(moments)) if moments else None


def refresh_cases(
    session: Session, organization_id: int, case_ids: Iterable[int], now: datetime
) -> int:
    """Refresh the organization's active cases among ``case_ids``; how many were looked at."""
    cases = list(
        session.scalars(
            select(Case)
            .where(
                owned_by(organization_id, Case),
                Case.id.in_(list(case_ids)),
                Case.status.in_([s.value for s in ACTIVE]),
            )
            .order_by(Case.id)
        )
    )
    if not cases:
        return 0
    book = HoursBook(session, organization_id, min(c.created_at for c in cases), now + SLA_HORIZON)
    for case in cases:
        refresh_case(session, case, now, book)
    return len(cases)


def due_cases(session: Session, now: datetime, limit: int) -> dict[int, list[int]]:
    """Active cases (of every organization) whose SLA check is due, by organization."""
    rows = session.execute(
        select(Case.organization_id, Case.id)
        .where(Case.sla_check_at <= now, Case.status.in_([s.value for s in ACTIVE]))
        .order_by(Case.sla_check_at)
        .limit(limit)
    )
    found: dict[int, list[int]] = {}
    for organization_id, case_id in rows:
        found.setdefault(organization_id, []).append(case_id)
    return found


def awaiting_customer_or_response(session: Session, organization_id: int) -> list[int]:
    """The organization's cases a reply, an answer or a customer message may change."""
    return list(
        session.scalars(
            select(Case.id).where(
                owned_by(organization_id, Case),
                Case.status.in_([s.value for s in ACTIVE]),
                (Case.first_response_at.is_(None))
                | (Case.status == CaseStatus.PENDING_CUSTOMER.value),
            )
        )
    )


class CaseSlaMonitor:
    """Evaluates case SLAs on the app clock: all active cases each long tick, and an organization's
    cases at the next short tick after a reply, an answer or a customer message commits there."""

    def __init__(self, db: Database) -> None:
        self._db = db
        self._clock = db.clock
        self._dirty: set[int] = set()
        self._guard = threading.Lock()
        db.notifier.subscribe(self._on_commit)

    def _on_commit(self, organization_id: int, event_types: frozenset[str]) -> None:
        if event_types & RESPONSE_EVENTS:
            with self._guard:
                self._dirty.add(organization_id)

    def evaluate(self) -> int:
        """Refresh every case whose SLA check is due on the app clock (in batches, one transaction
        per organization and batch); the number of cases looked at."""
        now = self._clock()
        total = 0
        while True:
            with self._db.transaction() as session:
                due = due_cases(session, now, BATCH)
            for organization_id, case_ids in due.items():
                with self._db.transaction() as session:
                    total += refresh_cases(session, organization_id, case_ids, now)
            if sum(len(ids) for ids in due.values()) < BATCH:
                return total

    def evaluate_changed(self) -> int:
        """Refresh the cases that replies, answers or customer messages committed since the last call
        may have changed; the number of cases looked at."""
        with self._guard:
            dirty, self._dirty = self._dirty, set()
        now = self._clock()
        total = 0
        for organization_id in sorted(dirty):
            with self._db.transaction() as session:
                case_ids = awaiting_customer_or_response(session, organization_id)
                total += refresh_cases(session, organization_id, case_ids, now)
        return total


def represent_case(session: Session, case: Case, now: datetime) -> dict[str, Any]:
    """A case for API responses: its fields, linked contacts and SLA targets as of ``now``."""
    return case_summary(case) | {
        "team_id": case.team_id,
        "sla_policy_id": case.sla_policy_id,
        "updated_at": case.updated_at,
        "first_response_at": case.first_response_at,
        "solved_at": case.solved_at,
        "closed_at": case.closed_at,
        "contact_ids": contact_ids_of(session, case.organization_id, [case.id])[case.id],
        "sla": {
            name: represent_clock(clock) for name, clock in case_clocks(session, case, now).items()
        },
    }
