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
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np

from helpline.analytics.facts import (
    AgentTimeline,
    ContactFact,
    SurveyAnswer,
    agent_timelines,
    contact_facts,
    survey_answers,
)
from helpline.analytics.intervals import (
    FloatArray,
    IntArray,
    Interval,
    boundaries,
    bucket_start,
    split_spans,
    to_epoch_us,
)
from helpline.analytics.metrics import Tally
from helpline.analytics.records import Dimensions, EventRecord, QueueSettings
from helpline.analytics.table import Buckets, GroupKey, ReportRow, TallyTable


class GroupBy(enum.StrEnum):
    """The dimension a report is broken down by (``none``: one row per interval)."""

    NONE = "none"
    QUEUE = "queue"
    AGENT = "agent"
    TEAM = "team"
    CHANNEL = "channel"


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


def contact_key(fact: ContactFact, group_by: GroupBy, dims: Dimensions) -> GroupKey:
    """The group of ``fact``'s counts and handle time in a report broken down by ``group_by``."""
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
    """Count ``fact`` into ``t``, the bucket where it arrived (rule 1): offered, answered, abandoned...,
    judged against ``queue``'s thresholds (the settings of ``fact.queue_id``)."""
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


ARRIVAL_FIELDS = (
    "offered",
    "answered",
    "abandoned",
    "short_abandoned",
    "deflected",
    "callbacks_requested",
    "answered_within_threshold",
    "removed_within_threshold",
    "answered_wait_seconds",
    "longest_wait_seconds",
    "transferred",
)
"""The ``Tally`` fields a contact adds to the interval it arrived in (FCR aside: it needs the
contacts that follow)."""
HANDLING_FIELDS = ("handled", "talk_seconds", "hold_seconds", "acw_seconds")
"""The ``Tally`` fields a contact adds to the interval its handling ended in."""


def contact_tallies(fact: ContactFact, dims: Dimensions) -> tuple[Tally, Tally | None]:
    """What one contact adds to a report: at its arrival (``ARRIVAL_FIELDS``), and where its
    handling ended (``HANDLING_FIELDS``; None while it is not handled)."""
    arrival = Tally()
    tally_arrival(arrival, fact, dims.queue(fact.queue_id))
    if fact.handling_ended_at is None:
        return arrival, None
    handling = Tally()
    tally_handling(handling, fact)
    return arrival, handling


def first_contact_resolutions(facts: Sequence[ContactFact], dims: Dimensions) -> dict[int, bool]:
    """For each answered contact with a customer and a reason: was it resolved (no repeat)?

    ``facts`` needs only the contacts with a customer and a reason (the others are ignored)."""
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


def tally_first_contact_resolution(
    table: TallyTable,
    facts: Sequence[ContactFact],
    dims: Dimensions,
    window: Window,
    group_by: GroupBy,
) -> None:
    """Add FCR to the interval each answered contact arrived in (see ``first_contact_resolutions``)."""
    resolutions = first_contact_resolutions(facts, dims)
    buckets: Buckets = {}
    for fact in facts:
        if fact.contact_id not in resolutions or not window.holds(fact.arrived_at):
            continue
        key = contact_key(fact, group_by, dims)
        t = buckets.setdefault((window.bucket(fact.arrived_at), key), Tally())
        t.fcr_eligible += 1
        t.fcr_resolved += resolutions[fact.contact_id]
    table.add_buckets(buckets)


_STATE_FIELD = {
    "available": "available_seconds",
    "reserved": "reserved_seconds",
    "busy": "busy_seconds",
    "acw": "acw_state_seconds",
    "not_ready": "not_ready_seconds",
}


@dataclass(frozen=True)
class Grid:
    """A window's bucket boundaries as epoch microseconds, and each bucket's local start."""

    boundaries_us: IntArray
    labels: list[datetime]

    @classmethod
    def of(cls, window: Window) -> Grid:
        """The grid of ``window``'s intervals (from the one holding its start)."""
        edges = boundaries(window.start, window.end, window.interval, window.zone)
        labels = [window.bucket(edge) for edge in edges[:-1]]
        return cls(np.array([to_epoch_us(edge) for edge in edges], dtype=np.int64), labels)

    def coarsest_grain_us(self, interval: Interval) -> int:
        """The longest of the interval, an hour, 30, 15 or 1 minute, or 1 second that divides every
        boundary (epoch microseconds): UTC instants grouped by it never straddle an interval. With
        whole-quarter-hour zone offsets it is at least 15 minutes."""
        for seconds in (int(interval) * 60, 3600, 1800, 900, 60):
            if not (self.boundaries_us % (seconds * 1_000_000)).any():
                return seconds * 1_000_000
        return 1_000_000

    def label_of(self, instant_us: int) -> datetime:
        """The local start of the interval holding ``instant_us``."""
        index = int(np.searchsorted(self.boundaries_us, instant_us, side="right")) - 1
        return self.labels[index]


def _group_of_agent(agent_id: int, group_by: GroupBy, dims: Dimensions) -> GroupKey:
    if group_by is GroupBy.AGENT:
        return agent_id
    if group_by is GroupBy.TEAM:
        return dims.agent(agent_id).team_id
    return None


def _add_seconds(
    table: TallyTable,
    grid: Grid,
    agent_ids: IntArray,
    starts_us: IntArray,
    ends_us: IntArray,
    weights: FloatArray,
    field_name: str,
    dims: Dimensions,
    group_by: GroupBy,
) -> None:
    """Add ``weight`` x the seconds of each agent's span to ``field_name`` of its cells."""
    span, bucket, seconds = split_spans(starts_us, ends_us, grid.boundaries_us)
    if not len(span):
        return
    agents, agent_index = np.unique(agent_ids[span], return_inverse=True)
    cell, inverse = np.unique(bucket * len(agents) + agent_index, return_inverse=True)
    sums = np.bincount(inverse, weights=seconds * weights[span])
    keys = [
        (
            grid.labels[index // len(agents)],
            _group_of_agent(int(agents[index % len(agents)]), group_by, dims),
        )
        for index in cell.tolist()
    ]
    table.add(field_name, table.cells(keys), sums)


def tally_agent_time(
    table: TallyTable,
    timelines: Iterable[AgentTimeline],
    dims: Dimensions,
    window: Window,
    group_by: GroupBy,
) -> None:
    """Add each agent's time per reported state (cut at interval boundaries) and its cost."""
    rows: dict[str, list[tuple[int, int, int]]] = defaultdict(list)
    window_start, window_end = to_epoch_us(window.start), to_epoch_us(window.end)
    for timeline in timelines:
        for span in timeline.spans:
            if span.state not in _STATE_FIELD:
                continue
            start = max(to_epoch_us(span.start), window_start)
            end = min(to_epoch_us(span.end) if span.end else window_end, window_end)
            if start < end:
                rows[_STATE_FIELD[span.state]].append((timeline.agent_id, start, end))
    if not rows:
        return
    grid = Grid.of(window)
    for field_name, spans in rows.items():
        agent_ids, starts, ends = (
            np.array(column, dtype=np.int64) for column in zip(*spans, strict=True)
        )
        ones = np.ones(len(spans))
        _add_seconds(table, grid, agent_ids, starts, ends, ones, field_name, dims, group_by)
        costs = np.array([(dims.agent(int(a)).hourly_cost or 0.0) / 3600.0 for a in agent_ids])
        _add_seconds(table, grid, agent_ids, starts, ends, costs, "staffed_cost", dims, group_by)


def tally_concurrency(
    table: TallyTable,
    agent_ids: IntArray,
    starts_us: IntArray,
    ends_us: IntArray,
    dims: Dimensions,
    window: Window,
    group_by: GroupBy,
) -> None:
    """Slot-weighted handling from handling spans (agent, connected, ended or -1 while handled).

    At each instant an agent holding n contacts with s slots counts min(n, s)/s of a second per
    second (a voice agent on one call, or a chat agent on 3 of 3 chats, counts 1; a chat agent on 1
    of 3 chats counts 1/3). Vectorised: every agent's +1/-1 steps are sorted once, a running sum
    gives how many contacts it holds between consecutive steps.
    """
    if not len(agent_ids):
        return
    window_start, window_end = to_epoch_us(window.start), to_epoch_us(window.end)
    ends = np.where(ends_us < 0, window_end, ends_us)
    times = np.concatenate([starts_us, ends])
    steps = np.concatenate([np.ones(len(starts_us), np.int64), -np.ones(len(ends), np.int64)])
    agents = np.concatenate([agent_ids, agent_ids])
    order = np.lexsort((steps, times, agents))
    times, steps, agents = times[order], steps[order], agents[order]
    held = np.cumsum(steps)[:-1]
    start = np.maximum(times[:-1], window_start)
    end = np.minimum(times[1:], window_end)
    keep = (agents[:-1] == agents[1:]) & (held > 0) & (start < end)
    unique, index = np.unique(agents[:-1][keep], return_inverse=True)
    slots = np.array([dims.agent(int(a)).slots for a in unique], dtype=np.float64)[index]
    weights = np.minimum(held[keep], slots) / slots
    field_name = "slot_weighted_handling_seconds"
    grid = Grid.of(window)
    kept_agents = agents[:-1][keep]
    _add_seconds(
        table, grid, kept_agents, start[keep], end[keep], weights, field_name, dims, group_by
    )


def handling_spans(facts: Iterable[ContactFact]) -> tuple[IntArray, IntArray, IntArray]:
    """The handling spans of ``facts`` as columns: agent, connected and ended (-1 while handled)
    in epoch microseconds; spans without an agent are left out."""
    rows = [
        (agent_id, to_epoch_us(start), to_epoch_us(end) if end is not None else -1)
        for fact in facts
        for agent_id, start, end in fact.handling_spans
        if agent_id is not None
    ]
    if not rows:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, empty
    agent_ids, starts, ends = (
        np.array(column, dtype=np.int64) for column in zip(*rows, strict=True)
    )
    return agent_ids, starts, ends


def tally_surveys(
    table: TallyTable,
    answers: Iterable[SurveyAnswer],
    facts_by_id: Mapping[int, ContactFact],
    dims: Dimensions,
    window: Window,
    group_by: GroupBy,
) -> None:
    """Add each survey answer given in the window to its interval and its contact's group."""
    buckets: Buckets = {}
    for answer in answers:
        if not window.holds(answer.answered_at):
            continue
        fact = facts_by_id.get(answer.contact_id) if answer.contact_id is not None else None
        key = contact_key(fact, group_by, dims) if fact is not None else None
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
    table.add_buckets(buckets)


def tally_events(
    events: Sequence[EventRecord],
    dims: Dimensions,
    window: Window,
    group_by: GroupBy = GroupBy.NONE,
) -> TallyTable:
    """The additive tallies of ``events`` per (interval start, group), following the attribution rule.

    ``events`` must hold every event of the contacts arriving in the window (from their creation to
    ``dims.fcr_days`` after the window for FCR) and each agent's last state change before it.
    """
    facts = contact_facts(events)
    buckets: Buckets = {}
    for fact in facts:
        key = contact_key(fact, group_by, dims)
        if window.holds(fact.arrived_at):
            tally_arrival(
                buckets.setdefault((window.bucket(fact.arrived_at), key), Tally()),
                fact,
                dims.queue(fact.queue_id),
            )
        if fact.handling_ended_at is not None and window.holds(fact.handling_ended_at):
            t = buckets.setdefault((window.bucket(fact.handling_ended_at), key), Tally())
            tally_handling(t, fact)
    table = TallyTable()
    table.add_buckets(buckets)
    tally_first_contact_resolution(table, facts, dims, window, group_by)
    if group_by in AGENT_GROUPINGS:
        tally_agent_time(table, agent_timelines(events), dims, window, group_by)
        tally_concurrency(table, *handling_spans(facts), dims, window, group_by)
    facts_by_id = {fact.contact_id: fact for fact in facts}
    tally_surveys(table, survey_answers(events), facts_by_id, dims, window, group_by)
    return table


def tally(
    events: Sequence[EventRecord],
    dims: Dimensions,
    window: Window,
    group_by: GroupBy = GroupBy.NONE,
) -> Buckets:
    """``tally_events`` as a ``Tally`` per (interval start, group)."""
    return tally_events(events, dims, window, group_by).buckets()


AGENT_GROUPINGS = (GroupBy.NONE, GroupBy.AGENT, GroupBy.TEAM)
"""Groupings that carry agent time (occupancy, utilization, cost): queues and channels do not."""


def aggregate(
    events: Sequence[EventRecord],
    dims: Dimensions,
    window: Window,
    group_by: GroupBy = GroupBy.NONE,
) -> list[ReportRow]:
    """The report rows of ``events``: one per interval and group that had any activity, in order."""
    return tally_events(events, dims, window, group_by).rows()
