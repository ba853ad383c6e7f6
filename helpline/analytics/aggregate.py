"""Bucket contact facts, agent timelines and survey answers into (interval, group) tallies.

Attribution rule (``docs/metrics.md``), followed by every report, wallboard and the simulator:

- a contact's counts and waits (offered, answered, abandoned, service level, ASA, transfers, FCR)
  belong to the interval in which it *arrived* (first entered a queue; created, if it never queued);
- its handle time (talk, hold, after-contact work) and ``handled`` belong to the interval in which
  its handling *ended*;
- agent-state time is cut at interval boundaries and each piece belongs to its own interval;
- a survey answer belongs to the interval in which it was given.
"""

from __future__ import annotations

import enum
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from helpline.analytics.facts import (
    AgentTimeline,
    ContactFact,
    SurveyAnswer,
    agent_timelines,
    contact_facts,
    survey_answers,
)
from helpline.analytics.intervals import Interval, bucket_start, split_by_interval
from helpline.analytics.metrics import Metrics, Tally
from helpline.analytics.records import Dimensions, EventRecord, QueueSettings

GroupKey = int | str | None


class GroupBy(enum.StrEnum):
    """The dimension a report is broken down by (``none``: one row per interval)."""

    NONE = "none"
    QUEUE = "queue"
    AGENT = "agent"
    TEAM = "team"
    CHANNEL = "channel"


@dataclass(frozen=True, slots=True)
class ReportRow:
    """The metrics of one group in one interval (``interval_start`` in the organization's zone)."""

    interval_start: datetime
    group: GroupKey
    metrics: Metrics
    tally: Tally


@dataclass(frozen=True, slots=True)
class Window:
    """A report's span ``[start, end)`` and how it is cut: interval length and time zone."""

    start: datetime
    end: datetime
    interval: Interval
    zone: ZoneInfo

    def holds(self, at: datetime | None) -> bool:
        """Whether ``at`` falls in ``[start, end)``."""
        return at is not None and self.start <= at < self.end

    def bucket(self, at: datetime) -> datetime:
        """The interval start of ``at``."""
        return bucket_start(at, self.interval, self.zone)


Buckets = dict[tuple[datetime, GroupKey], Tally]


def _contact_key(fact: ContactFact, group_by: GroupBy, dims: Dimensions) -> GroupKey:
    if group_by is GroupBy.QUEUE:
        return fact.queue_id
    if group_by is GroupBy.AGENT:
        return fact.agent_id
    if group_by is GroupBy.TEAM:
        return dims.agent(fact.agent_id).team_id if fact.agent_id is not None else None
    if group_by is GroupBy.CHANNEL:
        return fact.channel or (dims.queue(fact.queue_id).channel if fact.queue_id else None)
    return None


def tally_arrival(t: Tally, fact: ContactFact, queue: QueueSettings) -> None:
    """Count ``fact`` into ``t``, the bucket of its arrival, by the settings of its ``queue``:
    offered, answered, abandoned, waits and thresholds (rule 1 of the attribution rule)."""
    if fact.is_deflected:
        t.deflected += 1
    if fact.is_callback_requested:
        t.callbacks_requested += 1
    if not (fact.is_queued or fact.is_answered or fact.is_abandoned):
        return
    t.offered += 1
    wait = fact.wait_seconds
    if fact.is_answered and wait is not None:
        t.answered += 1
        t.answered_wait_seconds += wait
        t.longest_wait_seconds = max(t.longest_wait_seconds, wait)
        if wait <= queue.service_level_seconds:
            t.answered_within_threshold += 1
            t.removed_within_threshold += 1
        if fact.transfers:
            t.transferred += 1
    elif fact.is_abandoned and wait is not None:
        t.abandoned += 1
        t.longest_wait_seconds = max(t.longest_wait_seconds, wait)
        if wait < queue.short_abandon_seconds:
            t.short_abandoned += 1
        if wait <= queue.service_level_seconds:
            t.removed_within_threshold += 1
    elif fact.is_callback_requested and fact.removed_at is not None:
        waited = (fact.removed_at - fact.arrived_at).total_seconds()
        if waited <= queue.service_level_seconds:
            t.removed_within_threshold += 1


def tally_handling(t: Tally, fact: ContactFact) -> None:
    """Count the handle time of ``fact`` into ``t``, the bucket where its handling ended (rule 2)."""
    t.handled += 1
    t.talk_seconds += fact.talk_seconds
    t.hold_seconds += fact.hold_seconds
    t.acw_seconds += fact.acw_seconds


def _first_contact_resolutions(facts: Sequence[ContactFact], dims: Dimensions) -> dict[int, bool]:
    """For each answered contact with a customer and a reason: was it resolved (no repeat)?"""
    by_subject: dict[tuple[int, str], list[ContactFact]] = defaultdict(list)
    for fact in facts:
        if fact.customer_id is not None and fact.reason is not None:
            by_subject[(fact.customer_id, fact.reason)].append(fact)
    window = timedelta(days=dims.fcr_days)
    resolved: dict[int, bool] = {}
    for group in by_subject.values():
        group.sort(key=lambda f: (f.arrived_at, f.contact_id))
        for index, fact in enumerate(group):
            if not fact.is_answered:
                continue
            repeat = next(iter(group[index + 1 : index + 2]), None)
            resolved[fact.contact_id] = (
                repeat is None or repeat.arrived_at > fact.arrived_at + window
            )
    return resolved


_STATE_FIELD = {
    "available": "available_seconds",
    "reserved": "reserved_seconds",
    "busy": "busy_seconds",
    "acw": "acw_state_seconds",
    "not_ready": "not_ready_seconds",
}


def _tally_agent_time(
    buckets: Buckets,
    timelines: Iterable[AgentTimeline],
    dims: Dimensions,
    window: Window,
    group_by: GroupBy,
) -> None:
    for timeline in timelines:
        agent = dims.agent(timeline.agent_id)
        key: GroupKey = {
            GroupBy.AGENT: timeline.agent_id,
            GroupBy.TEAM: agent.team_id,
        }.get(group_by)
        for span in timeline.spans:
            name = _STATE_FIELD.get(span.state)
            start = max(span.start, window.start)
            end = min(span.end or window.end, window.end)
            if name is None or start >= end:
                continue
            for bucket, seconds in split_by_interval(start, end, window.interval, window.zone):
                t = buckets.setdefault((bucket, key), Tally())
                setattr(t, name, getattr(t, name) + seconds)
                if agent.hourly_cost is not None:
                    t.staffed_cost += seconds * agent.hourly_cost / 3600.0


def _tally_concurrency(
    buckets: Buckets,
    facts: Iterable[ContactFact],
    dims: Dimensions,
    window: Window,
    group_by: GroupBy,
) -> None:
    """Slot-weighted handling: at each instant an agent holding n contacts with s slots counts
    min(n, s)/s of a second per second (a voice agent on one call, or a chat agent on 3 of 3 chats,
    counts 1; a chat agent on 1 of 3 chats counts 1/3)."""
    changes: dict[int, list[tuple[datetime, int]]] = defaultdict(list)
    for fact in facts:
        for agent_id, start, end in fact.handling_spans:
            if agent_id is None:
                continue
            changes[agent_id].append((start, 1))
            changes[agent_id].append((end or window.end, -1))
    for agent_id, steps in changes.items():
        settings = dims.agent(agent_id)
        key: GroupKey = {GroupBy.AGENT: agent_id, GroupBy.TEAM: settings.team_id}.get(group_by)
        steps.sort(key=lambda step: (step[0], step[1]))
        held = 0
        for index, (at, delta) in enumerate(steps[:-1]):
            held += delta
            following = steps[index + 1][0]
            start, end = max(at, window.start), min(following, window.end)
            if held <= 0 or start >= end:
                continue
            weight = min(held, settings.slots) / settings.slots
            for bucket, seconds in split_by_interval(start, end, window.interval, window.zone):
                t = buckets.setdefault((bucket, key), Tally())
                t.slot_weighted_handling_seconds += seconds * weight


def _tally_surveys(
    buckets: Buckets,
    answers: Iterable[SurveyAnswer],
    facts_by_id: dict[int, ContactFact],
    dims: Dimensions,
    window: Window,
    group_by: GroupBy,
) -> None:
    for answer in answers:
        if not window.holds(answer.answered_at):
            continue
        fact = facts_by_id.get(answer.contact_id) if answer.contact_id is not None else None
        key = _contact_key(fact, group_by, dims) if fact is not None else None
        t = buckets.setdefault((window.bucket(answer.answered_at), key), Tally())
        if answer.question == "csat":
            t.csat_responses += 1
            t.csat_top_two_box += answer.score >= (answer.scale_max or 5) - 1
        elif answer.question == "nps":
            t.nps_responses += 1
            t.nps_promoters += answer.score >= 9
            t.nps_detractors += answer.score <= 6
        elif answer.question == "ces":
            t.ces_responses += 1
            t.ces_score_sum += answer.score


def tally(
    events: Sequence[EventRecord],
    dims: Dimensions,
    window: Window,
    group_by: GroupBy = GroupBy.NONE,
) -> Buckets:
    """The additive tallies of ``events`` per (interval start, group), following the attribution rule.

    ``events`` must hold every event of the contacts arriving in the window (from their creation to
    ``dims.fcr_days`` after the window for FCR) and each agent's last state change before it.
    """
    facts = contact_facts(events)
    buckets: Buckets = {}
    resolutions = _first_contact_resolutions(facts, dims)
    for fact in facts:
        key = _contact_key(fact, group_by, dims)
        if window.holds(fact.arrived_at):
            t = buckets.setdefault((window.bucket(fact.arrived_at), key), Tally())
            tally_arrival(t, fact, dims.queue(fact.queue_id))
            if fact.contact_id in resolutions:
                t.fcr_eligible += 1
                t.fcr_resolved += resolutions[fact.contact_id]
        if fact.handling_ended_at is not None and window.holds(fact.handling_ended_at):
            tally_handling(
                buckets.setdefault((window.bucket(fact.handling_ended_at), key), Tally()), fact
            )
    if group_by in (GroupBy.NONE, GroupBy.AGENT, GroupBy.TEAM):
        _tally_agent_time(buckets, agent_timelines(events), dims, window, group_by)
        _tally_concurrency(buckets, facts, dims, window, group_by)
    facts_by_id = {fact.contact_id: fact for fact in facts}
    _tally_surveys(buckets, survey_answers(events), facts_by_id, dims, window, group_by)
    return buckets


def _sort_key(item: tuple[tuple[datetime, GroupKey], Tally]) -> tuple[datetime, int, str]:
    (start, group), _ = item
    return start, group is None, str(group).zfill(20) if isinstance(group, int) else str(group)


def aggregate(
    events: Sequence[EventRecord],
    dims: Dimensions,
    window: Window,
    group_by: GroupBy = GroupBy.NONE,
) -> list[ReportRow]:
    """The report rows of ``events``: one per interval and group that had any activity, in order."""
    buckets = tally(events, dims, window, group_by)
    return [
        ReportRow(start, group, Metrics.from_tally(t), t)
        for (start, group), t in sorted(buckets.items(), key=_sort_key)
    ]
