"""Contact-center KPIs as pure code over the event log (see ``docs/metrics.md``).

The same definitions serve live wallboards, historical reports and the simulator: storage maps event
rows into ``EventRecord`` values, ``contact_facts``/``agent_timelines`` fold them, and ``aggregate``
buckets the folds into intervals of the organization's time zone.
"""

from __future__ import annotations

from helpline.analytics.aggregate import (
    GroupBy,
    Window,
    aggregate,
    tally,
    tally_arrival,
    tally_events,
    tally_handling,
)
from helpline.analytics.facts import AgentTimeline, ContactFact, agent_timelines, contact_facts
from helpline.analytics.intervals import Interval, bucket_start, split_by_interval
from helpline.analytics.metrics import Metrics, ServiceLevelVariant, Tally
from helpline.analytics.realtime import AgentNow, QueueNow, RealtimeSnapshot, realtime_snapshot
from helpline.analytics.records import AgentSettings, Dimensions, EventRecord, QueueSettings
from helpline.analytics.table import ReportRow, TallyTable

__all__ = [
    "AgentNow",
    "AgentSettings",
    "AgentTimeline",
    "ContactFact",
    "Dimensions",
    "EventRecord",
    "GroupBy",
    "Interval",
    "Metrics",
    "QueueNow",
    "QueueSettings",
    "RealtimeSnapshot",
    "ReportRow",
    "ServiceLevelVariant",
    "Tally",
    "TallyTable",
    "Window",
    "agent_timelines",
    "aggregate",
    "bucket_start",
    "contact_facts",
    "realtime_snapshot",
    "split_by_interval",
    "tally",
    "tally_arrival",
    "tally_events",
    "tally_handling",
]
