"""Periods people enter (time off, adherence exceptions): checked once, the same way everywhere."""

from __future__ import annotations

from datetime import datetime

from helpline.errors import InvalidInput


def require_period(starts_at: datetime, ends_at: datetime) -> None:
    """InvalidInput naming the field unless both instants carry a time zone and the period is not empty."""
    for name, value in (("starts_at", starts_at), ("ends_at", ends_at)):
        if value.tzinfo is None:
            raise InvalidInput(name, "give a time zone, e.g. 2026-12-01T09:00:00Z")
    if ends_at <= starts_at:
        raise InvalidInput("ends_at", "must be after starts_at")
