"""The wall clock, for the shells only; the pure core is always handed the time."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]
"""A source of the current time (UTC, timezone-aware): the wall clock, or a test's or a simulation's."""


def utc_now() -> datetime:
    """The current time in UTC, timezone-aware."""
    return datetime.now(UTC)
