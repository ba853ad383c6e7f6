"""The event builders the engine uses on its hot path give exactly the events their classes build."""

from __future__ import annotations

import dataclasses

from helpline.routing import events as ev
from helpline.routing.model import AgentState


def test_builders_equal_the_constructed_events_in_fields_equality_hash_and_repr() -> None:
    pairs = [
        (
            ev.agent_state_changed(12.5, "a-1", AgentState.NOT_READY, "lunch"),
            ev.AgentStateChanged(12.5, "a-1", AgentState.NOT_READY, "lunch"),
        ),
        (
            ev.contact_connected(3.0, "c-9", "a-2", "cards", 1.25),
            ev.ContactConnected(3.0, "c-9", "a-2", "cards", 1.25),
        ),
        (
            ev.contact_closed(7.0, "c-9", None, ev.CloseReason.CLOSED_BY_AGENT),
            ev.ContactClosed(7.0, "c-9", None, ev.CloseReason.CLOSED_BY_AGENT),
        ),
    ]
    for built, constructed in pairs:
        assert type(built) is type(constructed)
        assert built == constructed
        assert hash(built) == hash(constructed)
        assert repr(built) == repr(constructed)
        assert dataclasses.asdict(built) == dataclasses.asdict(constructed)
    assert ev.contact_connected(3.0, "c-9", "a-2", "cards", 1.0) != pairs[1][1]
