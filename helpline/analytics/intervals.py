"""Intervals aligned in the organization's time zone: 15, 30 or 60 minutes, or whole local days."""

from __future__ import annotations

import enum
from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import numpy.typing as npt

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]


class Interval(enum.IntEnum):
    """A report interval, valued in minutes (``DAY`` is a local calendar day, 23-25 hours)."""

    MINUTES_15 = 15
    MINUTES_30 = 30
    MINUTES_60 = 60
    DAY = 1440

    @classmethod
    def parse(cls, text: str) -> Interval:
        """``"15m"``, ``"30m"``, ``"60m"``/``"1h"`` or ``"1d"``/``"day"``; ValueError otherwise."""
        names = {"15m": cls.MINUTES_15, "30m": cls.MINUTES_30, "60m": cls.MINUTES_60}
        names |= {"1h": cls.MINUTES_60, "1d": cls.DAY, "day": cls.DAY}
        try:
            return names[text.strip().lower()]
        except KeyError:
            raise ValueError(f"interval must be one of {', '.join(names)}") from None


def bucket_start(at: datetime, interval: Interval, zone: ZoneInfo) -> datetime:
    """The start, in ``zone``, of the interval holding the instant ``at`` (an aware datetime)."""
    local = at.astimezone(zone)
    if interval is Interval.DAY:
        return datetime.combine(local.date(), time(), tzinfo=zone)
    minute = local.minute - local.minute % int(interval) if interval < 60 else 0
    return local.replace(minute=minute, second=0, microsecond=0)


def _next_boundary(at: datetime, interval: Interval, zone: ZoneInfo) -> datetime:
    """The first interval boundary strictly after ``at``, in UTC."""
    start = bucket_start(at, interval, zone)
    if interval is Interval.DAY:
        following = datetime.combine(start.date() + timedelta(days=1), time(), tzinfo=zone)
        return following.astimezone(UTC)
    # Offsets are whole quarter hours in every zone, so a bucket lasts exactly ``interval`` of real
    # time and a DST change falls on a boundary: step in UTC to avoid wall-clock folds.
    return start.astimezone(UTC) + timedelta(minutes=int(interval))


def split_by_interval(
    start: datetime, end: datetime, interval: Interval, zone: ZoneInfo
) -> Iterator[tuple[datetime, float]]:
    """Cut the span ``[start, end)`` at interval boundaries: (bucket start in ``zone``, seconds)."""
    cursor = start.astimezone(UTC)
    finish = end.astimezone(UTC)
    while cursor < finish:
        boundary = min(_next_boundary(cursor, interval, zone), finish)
        yield bucket_start(cursor, interval, zone), (boundary - cursor).total_seconds()
        cursor = boundary


def to_epoch_us(at: datetime) -> int:
    """Microseconds since the Unix epoch of the aware instant ``at`` (exact, unlike a float)."""
    delta = at.astimezone(UTC) - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def from_epoch_us(epoch_us: int) -> datetime:
    """The UTC instant ``epoch_us`` microseconds after the Unix epoch (exact)."""
    return _EPOCH + timedelta(microseconds=epoch_us)


def boundaries(
    start: datetime, end: datetime, interval: Interval, zone: ZoneInfo
) -> list[datetime]:
    """The UTC interval boundaries from the bucket holding ``start`` up to the first one at or after
    ``end``: bucket k is ``[result[k], result[k + 1])``."""
    cursor = bucket_start(start, interval, zone).astimezone(UTC)
    result = [cursor]
    finish = end.astimezone(UTC)
    while cursor < finish:
        cursor = _next_boundary(cursor, interval, zone)
        result.append(cursor)
    return result


def split_spans(
    starts_us: IntArray, ends_us: IntArray, boundaries_us: IntArray
) -> tuple[IntArray, IntArray, FloatArray]:
    """Cut spans ``[start, end)`` (epoch microseconds, inside the boundaries) at the boundaries.

    Returns, per piece, the index of its span, the index of its bucket and its seconds. The
    vectorised twin of ``split_by_interval``: a month of spans is cut in a few array operations.
    """
    first = np.searchsorted(boundaries_us, starts_us, side="right") - 1
    last = np.searchsorted(boundaries_us, ends_us, side="left") - 1
    counts = np.maximum(last - first + 1, 0)
    span = np.repeat(np.arange(len(starts_us)), counts)
    offsets = np.arange(len(span)) - np.repeat(np.cumsum(counts) - counts, counts)
    bucket = first[span] + offsets
    piece_start = np.maximum(starts_us[span], boundaries_us[bucket])
    piece_end = np.minimum(ends_us[span], boundaries_us[bucket + 1])
    return span, bucket, (piece_end - piece_start) / 1e6
