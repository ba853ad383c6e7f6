"""Fold the event stream into one fact per contact and one state timeline per agent.

Everything a metric needs about a contact (when it arrived, waited, was answered, talked, held, wrapped
up) is read here once, so every metric and every report uses the same reading of the events.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from helpline.analytics.records import EventRecord


@dataclass(frozen=True, slots=True)
class ContactFact:
    """What happened to one contact, read from its events (times are UTC, durations seconds).

    ``arrived_at`` is when it first entered a queue, or when it was created if it never queued
    (deflected contacts): the attribution instant of its counts. ``handling_ended_at`` is when its
    last agent finished (after-contact work included): the attribution instant of its handle time.
    """

    contact_id: int
    arrived_at: datetime
    channel: str | None = None
    customer_id: int | None = None
    queue_id: int | None = None
    agent_id: int | None = None
    """The agent who answered it (a transfer does not move its counts or handle time)."""
    reason: str | None = None
    is_queued: bool = False
    wait_seconds: float | None = None
    """From entering the queue to being answered or abandoning; None while still waiting."""
    is_answered: bool = False
    is_abandoned: bool = False
    is_deflected: bool = False
    is_callback_requested: bool = False
    removed_at: datetime | None = None
    transfers: int = 0
    talk_seconds: float = 0.0
    hold_seconds: float = 0.0
    acw_seconds: float = 0.0
    handling_ended_at: datetime | None = None
    handling_spans: tuple[tuple[int | None, datetime, datetime | None], ...] = ()
    """(agent, connected, ended or None while still handled) per agent who handled the contact."""


@dataclass(frozen=True, slots=True)
class SurveyAnswer:
    """One answer of a post-contact survey: ``question`` is csat, nps or ces."""

    contact_id: int | None
    answered_at: datetime
    question: str
    score: float
    scale_max: float | None = None


@dataclass(frozen=True, slots=True)
class StateSpan:
    """An agent was in ``state`` from ``start`` until ``end`` (None: still is)."""

    state: str
    start: datetime
    end: datetime | None
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class AgentTimeline:
    """The reported states of one agent in time order."""

    agent_id: int
    spans: tuple[StateSpan, ...]


def _int(value: Any) -> int | None:
    return int(value) if value is not None and value != "" else None


def _seconds(start: datetime, end: datetime) -> float:
    return max(0.0, (end - start).total_seconds())


@dataclass(slots=True)
class _Fold:
    """Mutable state while reading one contact's events."""

    contact_id: int
    created_at: datetime | None = None
    channel: str | None = None
    customer_id: int | None = None
    queue_id: int | None = None
    agent_id: int | None = None
    reason: str | None = None
    queued_at: datetime | None = None
    wait_seconds: float | None = None
    answered: bool = False
    abandoned: bool = False
    deflected: bool = False
    callback: bool = False
    removed_at: datetime | None = None
    transfers: int = 0
    talk: float = 0.0
    hold: float = 0.0
    acw: float = 0.0
    talk_since: datetime | None = None
    hold_since: datetime | None = None
    acw_since: datetime | None = None
    ended_at: datetime | None = None
    spans: list[tuple[int | None, datetime, datetime | None]] = field(default_factory=list)

    def end_talk(self, at: datetime) -> None:
        if self.hold_since is not None:
            self.hold += _seconds(self.hold_since, at)
            self.talk -= _seconds(self.hold_since, at)
            self.hold_since = None
        if self.talk_since is not None:
            self.talk += _seconds(self.talk_since, at)
            self.talk_since = None

    def close_span(self, at: datetime) -> None:
        if self.spans and self.spans[-1][2] is None:
            agent, start, _ = self.spans[-1]
            self.spans[-1] = (agent, start, at)

    def fact(self) -> ContactFact | None:
        arrived = self.queued_at or self.created_at
        if arrived is None:
            return None
        return ContactFact(
            contact_id=self.contact_id,
            arrived_at=arrived,
            channel=self.channel,
            customer_id=self.customer_id,
            queue_id=self.queue_id,
            agent_id=self.agent_id,
            reason=self.reason,
            is_queued=self.queued_at is not None,
            wait_seconds=self.wait_seconds,
            is_answered=self.answered,
            is_abandoned=self.abandoned,
            is_deflected=self.deflected,
            is_callback_requested=self.callback,
            removed_at=self.removed_at,
            transfers=self.transfers,
            talk_seconds=self.talk,
            hold_seconds=self.hold,
            acw_seconds=self.acw,
            handling_ended_at=self.ended_at,
            handling_spans=tuple(self.spans),
        )


def _created(f: _Fold, e: EventRecord, p: Mapping[str, Any]) -> None:
    f.created_at = f.created_at or e.occurred_at
    f.channel = p.get("channel", f.channel)
    f.customer_id = _int(p.get("customer_id"))
    f.queue_id = f.queue_id or _int(p.get("queue_id"))


def _queued(f: _Fold, e: EventRecord, p: Mapping[str, Any]) -> None:
    if f.queued_at is None:
        f.queued_at = e.occurred_at
    if not f.answered:
        f.queue_id = _int(p.get("queue_id")) or f.queue_id


def _connected(f: _Fold, e: EventRecord, p: Mapping[str, Any]) -> None:
    agent = e.agent_id if e.agent_id is not None else _int(p.get("agent_id"))
    if not f.answered and not f.abandoned:
        f.answered = True
        f.removed_at = e.occurred_at
        f.queue_id = _int(p.get("queue_id")) or f.queue_id
        wait = p.get("wait_seconds")
        start = f.queued_at or e.occurred_at
        f.wait_seconds = float(wait) if wait is not None else _seconds(start, e.occurred_at)
        f.agent_id = agent
    f.close_span(e.occurred_at)
    f.spans.append((agent, e.occurred_at, None))
    if f.talk_since is None:
        f.talk_since = e.occurred_at


def _abandoned(f: _Fold, e: EventRecord, p: Mapping[str, Any]) -> None:
    if f.answered or f.abandoned:
        return
    f.abandoned = True
    f.removed_at = e.occurred_at
    f.queue_id = _int(p.get("queue_id")) or f.queue_id
    wait = p.get("wait_seconds")
    start = f.queued_at or e.occurred_at
    f.wait_seconds = float(wait) if wait is not None else _seconds(start, e.occurred_at)


def _held(f: _Fold, e: EventRecord, p: Mapping[str, Any]) -> None:
    if f.hold_since is None and f.talk_since is not None:
        f.hold_since = e.occurred_at


def _resumed(f: _Fold, e: EventRecord, p: Mapping[str, Any]) -> None:
    if f.hold_since is not None:
        f.hold += _seconds(f.hold_since, e.occurred_at)
        f.talk -= _seconds(f.hold_since, e.occurred_at)
        f.hold_since = None


def _transferred(f: _Fold, e: EventRecord, p: Mapping[str, Any]) -> None:
    f.transfers += 1
    if not p.get("is_consult"):
        # A blind transfer: the first agent's part ends; the contact waits for the next agent.
        f.end_talk(e.occurred_at)
        f.close_span(e.occurred_at)


def _acw(f: _Fold, e: EventRecord, p: Mapping[str, Any]) -> None:
    f.end_talk(e.occurred_at)
    if f.acw_since is None:
        f.acw_since = e.occurred_at


def _closed(f: _Fold, e: EventRecord, p: Mapping[str, Any]) -> None:
    if not f.spans:
        return  # never handled by an agent (closed out of hours, callback requested...)
    f.end_talk(e.occurred_at)
    if f.acw_since is not None:
        f.acw += _seconds(f.acw_since, e.occurred_at)
        f.acw_since = None
    f.close_span(e.occurred_at)
    f.ended_at = e.occurred_at


def _deflected(f: _Fold, e: EventRecord, p: Mapping[str, Any]) -> None:
    if not f.answered and not f.abandoned:
        f.deflected = True
        f.removed_at = f.removed_at or e.occurred_at


def _callback(f: _Fold, e: EventRecord, p: Mapping[str, Any]) -> None:
    f.callback = True
    f.removed_at = f.removed_at or e.occurred_at


def _wrapped_up(f: _Fold, e: EventRecord, p: Mapping[str, Any]) -> None:
    code = p.get("wrap_up_code")
    f.reason = str(code) if code is not None else f.reason


_FOLD = {
    "ContactCreated": _created,
    "ContactQueued": _queued,
    "ContactConnected": _connected,
    "ContactAbandoned": _abandoned,
    "ContactHeld": _held,
    "ContactResumed": _resumed,
    "ContactTransferred": _transferred,
    "AfterContactWorkStarted": _acw,
    "ContactClosed": _closed,
    "ContactDeflected": _deflected,
    "CallbackRequested": _callback,
    "ContactWrappedUp": _wrapped_up,
}


FOLDED_EVENT_TYPES = frozenset(_FOLD)
"""The event types a contact fact reads."""


def contact_facts(events: Iterable[EventRecord]) -> list[ContactFact]:
    """One fact per contact that has a ``ContactCreated`` or ``ContactQueued`` event.

    Events are read in ``sequence`` order per contact; give each contact's events from its
    creation on (a contact whose first events are missing has no fact).
    """
    folds: dict[int, _Fold] = {}
    for event in sorted(events, key=lambda e: e.sequence):
        apply = _FOLD.get(event.type)
        if apply is None or event.contact_id is None:
            continue
        fold = folds.get(event.contact_id)
        if fold is None:
            fold = folds[event.contact_id] = _Fold(event.contact_id)
        apply(fold, event, event.payload)
    return [fact for fold in folds.values() if (fact := fold.fact()) is not None]


def survey_answers(events: Iterable[EventRecord]) -> list[SurveyAnswer]:
    """The ``SurveyAnswered`` events (payload ``question``, ``score``, optional ``scale_max``)."""
    answers = []
    for event in events:
        if event.type != "SurveyAnswered":
            continue
        scale = event.payload.get("scale_max")
        answers.append(
            SurveyAnswer(
                contact_id=event.contact_id,
                answered_at=event.occurred_at,
                question=str(event.payload["question"]).lower(),
                score=float(event.payload["score"]),
                scale_max=float(scale) if scale is not None else None,
            )
        )
    return answers


def agent_timelines(events: Iterable[EventRecord]) -> list[AgentTimeline]:
    """Each agent's ``AgentStateChanged`` events as consecutive spans; the last is open-ended."""
    changes: dict[int, list[EventRecord]] = defaultdict(list)
    for event in events:
        if event.type == "AgentStateChanged" and event.agent_id is not None:
            changes[event.agent_id].append(event)
    timelines = []
    for agent_id, rows in changes.items():
        rows.sort(key=lambda e: e.sequence)
        spans = []
        for index, row in enumerate(rows):
            end = rows[index + 1].occurred_at if index + 1 < len(rows) else None
            reason = row.payload.get("reason")
            spans.append(
                StateSpan(
                    state=str(row.payload["state"]),
                    start=row.occurred_at,
                    end=end,
                    reason=str(reason) if reason is not None else None,
                )
            )
        timelines.append(AgentTimeline(agent_id, tuple(spans)))
    return timelines
