"""A hand-built day of events whose KPIs were computed by hand (``docs/metrics.md``, "Golden vectors").

Organization zone Europe/Berlin (UTC+1 in January): 08:00 UTC is 09:00 local. Queue 1 (voice,
T = 20 s, short abandon 5 s); agent 10 (team 100, 36/h, 1 slot), agent 11 (team 100, 24/h, 3 slots).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from helpline.analytics import AgentSettings, Dimensions, EventRecord, QueueSettings

DIMENSIONS = Dimensions(
    queues={1: QueueSettings("voice", service_level_seconds=20, short_abandon_seconds=5)},
    agents={
        10: AgentSettings(team_id=100, hourly_cost=36.0, slots=1),
        11: AgentSettings(team_id=100, hourly_cost=24.0, slots=3),
    },
    fcr_days=7,
)


def at(clock: str) -> datetime:
    """A UTC instant on 2026-01-05 from ``HH:MM:SS``."""
    hour, minute, second = (int(part) for part in clock.split(":"))
    return datetime(2026, 1, 5, hour, minute, second, tzinfo=UTC)


# (UTC time, type, contact, agent, payload) in the order they happened; one event per line reads
# as a timeline, so the formatter leaves the table alone.
# fmt: off
_SCRIPT: list[tuple[str, str, int | None, int | None, dict[str, Any]]] = [
    ("08:00:00", "AgentStateChanged", None, 10, {"state": "available", "reason": None}),
    # c1: waits 10 s, talks 170 s of which 30 s on hold, 60 s after-contact work.
    ("08:00:00", "ContactCreated", 1, None, {"channel": "voice", "customer_id": 500, "queue_id": 1}),
    ("08:00:00", "ContactQueued", 1, None, {"queue_id": "1"}),
    ("08:00:10", "ContactConnected", 1, 10, {"queue_id": "1", "wait_seconds": 10.0}),
    ("08:00:10", "AgentStateChanged", None, 10, {"state": "busy", "reason": None}),
    ("08:01:00", "ContactHeld", 1, 10, {}),
    ("08:01:30", "ContactResumed", 1, 10, {}),
    ("08:03:00", "AfterContactWorkStarted", 1, 10, {"ends_at": None}),
    ("08:03:00", "AgentStateChanged", None, 10, {"state": "acw", "reason": None}),
    ("08:03:30", "ContactWrappedUp", 1, 10, {"wrap_up_code": "7", "notes": ""}),
    ("08:04:00", "ContactClosed", 1, 10, {"reason": "wrapped_up"}),
    ("08:04:00", "AgentStateChanged", None, 10, {"state": "available", "reason": None}),
    # c2: abandons after 3 s (short); c3: abandons after 40 s.
    ("08:05:00", "ContactCreated", 2, None, {"channel": "voice", "queue_id": 1}),
    ("08:05:00", "ContactQueued", 2, None, {"queue_id": "1"}),
    ("08:05:03", "ContactAbandoned", 2, None, {"queue_id": "1", "wait_seconds": 3.0}),
    ("08:10:00", "ContactCreated", 3, None, {"channel": "voice", "queue_id": 1}),
    ("08:10:00", "ContactQueued", 3, None, {"queue_id": "1"}),
    ("08:10:00", "SurveyAnswered", 1, None, {"question": "csat", "score": 5}),
    ("08:10:00", "SurveyAnswered", 1, None, {"question": "nps", "score": 5}),
    ("08:10:00", "SurveyAnswered", 1, None, {"question": "ces", "score": 2}),
    ("08:10:40", "ContactAbandoned", 3, None, {"queue_id": "1", "wait_seconds": 40.0}),
    # c6: served by self-service, never queued.
    ("08:15:00", "ContactCreated", 6, None, {"channel": "voice", "queue_id": None}),
    ("08:16:00", "ContactDeflected", 6, None, {}),
    # c4: waits 30 s, talks 870 s, no after-contact work; handling ends in the next interval.
    ("08:20:00", "ContactCreated", 4, None, {"channel": "voice", "customer_id": 501, "queue_id": 1}),
    ("08:20:00", "ContactQueued", 4, None, {"queue_id": "1"}),
    ("08:20:30", "ContactConnected", 4, 10, {"queue_id": "1", "wait_seconds": 30.0}),
    ("08:20:30", "AgentStateChanged", None, 10, {"state": "busy", "reason": None}),
    ("08:30:00", "AgentStateChanged", None, 11, {"state": "available", "reason": None}),
    ("08:34:50", "ContactWrappedUp", 4, 10, {"wrap_up_code": "8", "notes": ""}),
    ("08:35:00", "ContactClosed", 4, 10, {"reason": "closed_by_agent"}),
    ("08:35:00", "AgentStateChanged", None, 10, {"state": "available", "reason": None}),
    # c5: same customer and reason as c1 (so c1 was not resolved first time); blind transfer.
    ("08:40:00", "ContactCreated", 5, None, {"channel": "voice", "customer_id": 500, "queue_id": 1}),
    ("08:40:00", "ContactQueued", 5, None, {"queue_id": "1"}),
    ("08:40:00", "SurveyAnswered", 4, None, {"question": "csat", "score": 3}),
    ("08:40:00", "SurveyAnswered", 4, None, {"question": "nps", "score": 10}),
    ("08:40:05", "ContactConnected", 5, 10, {"queue_id": "1", "wait_seconds": 5.0}),
    ("08:40:05", "AgentStateChanged", None, 10, {"state": "busy", "reason": None}),
    (
        "08:42:05",
        "ContactTransferred",
        5,
        10,
        {"from_agent_id": "10", "to_queue_id": "1", "to_agent_id": None, "is_consult": False},
    ),
    ("08:42:05", "AgentStateChanged", None, 10, {"state": "available", "reason": None}),
    ("08:42:05", "ContactQueued", 5, None, {"queue_id": "1"}),
    ("08:42:15", "ContactConnected", 5, 11, {"queue_id": "1", "wait_seconds": 10.0}),
    ("08:42:15", "AgentStateChanged", None, 11, {"state": "busy", "reason": None}),
    ("08:45:15", "AfterContactWorkStarted", 5, 11, {"ends_at": None}),
    ("08:45:15", "AgentStateChanged", None, 11, {"state": "acw", "reason": None}),
    ("08:45:45", "ContactWrappedUp", 5, 11, {"wrap_up_code": "7", "notes": ""}),
    ("08:46:15", "ContactClosed", 5, 11, {"reason": "wrapped_up"}),
    ("08:46:15", "AgentStateChanged", None, 11, {"state": "available", "reason": None}),
    # c7: asks for a callback after 15 s.
    ("08:50:00", "ContactCreated", 7, None, {"channel": "voice", "queue_id": 1}),
    ("08:50:00", "ContactQueued", 7, None, {"queue_id": "1"}),
    ("08:50:00", "AgentStateChanged", None, 10, {"state": "not_ready", "reason": "break"}),
    ("08:50:00", "AgentStateChanged", None, 11, {"state": "offline", "reason": None}),
    ("08:50:00", "SurveyAnswered", 5, None, {"question": "nps", "score": 9}),
    ("08:50:00", "SurveyAnswered", 5, None, {"question": "ces", "score": 4}),
    ("08:50:15", "CallbackRequested", 7, None, {"callback_contact_id": "70", "queue_id": "1"}),
    ("09:00:00", "AgentStateChanged", None, 10, {"state": "offline", "reason": None}),
]
# fmt: on

EVENTS = [
    EventRecord(index, kind, at(clock), contact, agent, payload)
    for index, (clock, kind, contact, agent, payload) in enumerate(_SCRIPT, start=1)
]
