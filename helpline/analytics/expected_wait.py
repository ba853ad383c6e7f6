"""Expected wait of a queued contact, as shown to a waiting chat visitor.

The estimate is the usual position-based one (e.g. Genesys' and Amazon Connect's "estimated wait
time" for a contact already in line): the contacts ahead are served as agent slots free up, and a
slot frees up on average once per average handle time (AHT), so with ``slots`` staffed slots the
contact at ``position`` waits about ``position * AHT / slots``. Without recent handle times it falls
back to the recent average speed of answer (ASA) of the queue.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class QueuePosition:
    """Where a waiting contact stands: 1 is next in line; ``waiting`` counts the whole line."""

    position: int
    waiting: int
    expected_wait_seconds: float | None
    """None when nothing is known to estimate from (no staffed slots, no recent history)."""


def expected_wait_seconds(
    position: int,
    staffed_slots: int,
    recent_handle_seconds: Sequence[float],
    recent_wait_seconds: Sequence[float],
) -> float | None:
    """Seconds until the contact at ``position`` (1 = next) is likely answered.

    ``staffed_slots``: contacts the queue's available agents may handle at once (agents times their
    channel concurrency). ``recent_handle_seconds``: handle times of recently finished contacts of the
    queue; ``recent_wait_seconds``: waits of recently answered ones. Returns None when no agent is
    staffed, or when there is no recent history at all.
    """
    if position < 1:
        raise ValueError("position starts at 1")
    if staffed_slots <= 0:
        return None
    if recent_handle_seconds:
        aht = sum(recent_handle_seconds) / len(recent_handle_seconds)
        return position * aht / staffed_slots
    if recent_wait_seconds:
        return sum(recent_wait_seconds) / len(recent_wait_seconds)
    return None


def queue_position(
    line: Sequence[str],
    contact_id: str,
    staffed_slots: int,
    recent_handle_seconds: Sequence[float],
    recent_wait_seconds: Sequence[float],
) -> QueuePosition | None:
    """The position and expected wait of ``contact_id`` in ``line`` (queue order), or None when it
    is not waiting in it."""
    try:
        position = line.index(contact_id) + 1
    except ValueError:
        return None
    return QueuePosition(
        position,
        len(line),
        expected_wait_seconds(position, staffed_slots, recent_handle_seconds, recent_wait_seconds),
    )
