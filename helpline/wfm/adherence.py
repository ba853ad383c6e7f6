"""Schedule adherence and conformance, minute by minute, from agent states and the published schedule.

Pure: scheduled activities, state changes and approved exceptions in; frozen dataclasses out.

How a minute is judged
----------------------
Time is sampled once a minute: sample ``m`` of a window starting at ``start`` is the instant
``start + m minutes``, and stands for the minute that follows it. At a sample the agent has

- an *expected activity*: the kind of the scheduled activity covering the instant (``off`` when none
  does; where activities overlap, anything other than ``work`` wins over ``work``, so a break inside a
  shift is a break), and
- an *actual state*: the state of their last ``AgentStateChanged`` at or before the instant
  (``offline`` before the first one).

The agent is **in adherence** at a sample when the actual state is the one the activity expects:

=============  =======================================================================
activity       adherent states
=============  =======================================================================
``work``       ``available``, ``reserved``, ``busy``, ``acw`` (on the phones or handling)
``break``      ``not_ready`` with reason ``break``
``lunch``      ``not_ready`` with reason ``lunch``
``meeting``    ``not_ready`` with reason ``meeting``
``training``   ``not_ready`` with reason ``training``
``off``        ``offline``
=============  =======================================================================

Reasons compare case-insensitively. A sample covered by an approved exception (an excused deviation:
a coaching session, a system outage, a doctor's appointment) counts as in adherence whatever the state.

**Measured minutes** are the samples where the agent is scheduled (an activity other than ``off``) or
logged in (any state but ``offline``): logging in on a day off is out of adherence, staying offline on a
day off is not counted at all.

- adherence % = 100 x minutes in adherence / measured minutes;
- conformance % = 100 x (worked minutes + excused scheduled-work minutes not worked) / scheduled work
  minutes, where *worked* means in a work state (``available``, ``reserved``, ``busy``, ``acw``) whatever
  the schedule says; conformance compares how much was worked with how much was scheduled, and may
  exceed 100 %.

A team's figures are the ratios of its agents' summed minutes (a long shift weighs more than a short one).
Both percentages are ``None`` when their denominator is zero.
"""

from __future__ import annotations

import enum
from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypeVar

import numpy as np
import numpy.typing as npt

BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.int64]


class ActivityKind(enum.StrEnum):
    """What a schedule says an agent does at a given time."""

    WORK = "work"  # open: logged in and taking contacts
    BREAK = "break"  # a short (usually paid) break
    LUNCH = "lunch"  # the meal break (usually unpaid)
    MEETING = "meeting"  # team meeting, one-to-one
    TRAINING = "training"  # classroom or e-learning
    OFF = "off"  # not scheduled: expected offline


class AgentStateName(enum.StrEnum):
    """Agent states as recorded by ``AgentStateChanged`` events (see ``helpline.routing``)."""

    OFFLINE = "offline"  # logged out
    AVAILABLE = "available"  # ready, waiting for a contact
    RESERVED = "reserved"  # a contact is being offered
    BUSY = "busy"  # handling a contact
    ACW = "acw"  # after-contact work
    NOT_READY = "not_ready"  # logged in but not taking contacts (with a reason)


WORK_STATES = frozenset(
    {AgentStateName.AVAILABLE, AgentStateName.RESERVED, AgentStateName.BUSY, AgentStateName.ACW}
)
"""States that count as working: adherent during ``work`` and counted as worked for conformance."""

_KINDS = tuple(ActivityKind)
_KIND_INDEX = {kind: i for i, kind in enumerate(_KINDS)}
_OFF = _KIND_INDEX[ActivityKind.OFF]
_WORK = _KIND_INDEX[ActivityKind.WORK]


@dataclass(frozen=True)
class ScheduledActivity:
    """``agent`` is scheduled to do ``kind`` during ``[starts_at, ends_at)`` (aware datetimes)."""

    agent: Hashable
    kind: ActivityKind
    starts_at: datetime
    ends_at: datetime


@dataclass(frozen=True)
class StateChange:
    """``agent`` entered ``state`` (with ``reason`` when not ready) at ``at``."""

    agent: Hashable
    at: datetime
    state: str
    reason: str | None = None


@dataclass(frozen=True)
class AdherenceException:
    """An approved deviation: ``agent`` is excused during ``[starts_at, ends_at)``."""

    agent: Hashable
    starts_at: datetime
    ends_at: datetime


@dataclass(frozen=True)
class AdherenceFigures:
    """Minutes and percentages of one agent or team over a window (see the module docstring)."""

    key: Hashable
    measured_minutes: int
    adherent_minutes: int
    excused_minutes: int
    scheduled_work_minutes: int
    worked_minutes: int
    adherence_percent: float | None
    conformance_percent: float | None


@dataclass(frozen=True)
class OutOfAdherence:
    """``agent`` is out of adherence at ``now``: expected ``expected``, is in ``state`` since ``since``."""

    agent: Hashable
    expected: ActivityKind
    state: str
    reason: str | None
    since: datetime
    minutes: int


def is_adherent(kind: ActivityKind, state: str, reason: str | None) -> bool:
    """Whether ``state`` (with ``reason``) is what ``kind`` expects (the table in the module docstring)."""
    if kind is ActivityKind.WORK:
        return state in WORK_STATES
    if kind is ActivityKind.OFF:
        return state == AgentStateName.OFFLINE
    return state == AgentStateName.NOT_READY and (reason or "").strip().lower() == kind.value


_Item = TypeVar("_Item", ScheduledActivity, StateChange, AdherenceException)


@dataclass(frozen=True)
class _Timeline:
    """One agent's samples: expected activity index, index into ``states``, excused flag."""

    kinds: IntArray
    state_index: IntArray  # -1: before the first change (offline)
    states: tuple[tuple[str, str | None], ...]
    excused: BoolArray

    def adherent(self) -> BoolArray:
        table = np.array(
            [
                [is_adherent(kind, state, reason) for kind in _KINDS]
                for state, reason in ((AgentStateName.OFFLINE.value, None), *self.states)
            ],
            dtype=bool,
        )
        return np.asarray(table[self.state_index + 1, self.kinds], dtype=bool)

    def logged_in(self) -> BoolArray:
        flags = np.array(
            [False, *(state != AgentStateName.OFFLINE for state, _ in self.states)], dtype=bool
        )
        return np.asarray(flags[self.state_index + 1], dtype=bool)

    def working(self) -> BoolArray:
        flags = np.array([False, *(state in WORK_STATES for state, _ in self.states)], dtype=bool)
        return np.asarray(flags[self.state_index + 1], dtype=bool)


def _minute_range(start: datetime, begin: datetime, end: datetime, count: int) -> tuple[int, int]:
    """Samples ``[first, last)`` whose instants fall in ``[begin, end)``."""
    first = int(np.ceil((begin - start).total_seconds() / 60.0))
    last = int(np.ceil((end - start).total_seconds() / 60.0))
    return max(first, 0), min(max(last, 0), count)


def _timeline(
    start: datetime,
    count: int,
    activities: Sequence[ScheduledActivity],
    changes: Sequence[StateChange],
    exceptions: Sequence[AdherenceException],
) -> _Timeline:
    kinds = np.full(count, _OFF, dtype=np.int64)
    # Work first, then the rest on top: a break inside a shift is a break.
    for activity in sorted(activities, key=lambda a: a.kind is not ActivityKind.WORK):
        first, last = _minute_range(start, activity.starts_at, activity.ends_at, count)
        kinds[first:last] = _KIND_INDEX[activity.kind]
    ordered = sorted(changes, key=lambda c: c.at)
    seconds = np.array([(c.at - start).total_seconds() for c in ordered], dtype=np.float64)
    samples = np.arange(count, dtype=np.float64) * 60.0
    state_index = np.searchsorted(seconds, samples, side="right").astype(np.int64) - 1
    excused = np.zeros(count, dtype=bool)
    for exception in exceptions:
        first, last = _minute_range(start, exception.starts_at, exception.ends_at, count)
        excused[first:last] = True
    return _Timeline(
        kinds=kinds,
        state_index=state_index,
        states=tuple((c.state, c.reason) for c in ordered),
        excused=excused,
    )


def _by_agent(items: Iterable[_Item]) -> dict[Hashable, list[_Item]]:
    grouped: dict[Hashable, list[_Item]] = defaultdict(list)
    for item in items:
        grouped[item.agent].append(item)
    return grouped


def _percent(part: int, whole: int) -> float | None:
    return 100.0 * part / whole if whole else None


def _figures(key: Hashable, minutes: Mapping[str, int]) -> AdherenceFigures:
    scheduled_work = minutes["scheduled_work"]
    return AdherenceFigures(
        key=key,
        measured_minutes=minutes["measured"],
        adherent_minutes=minutes["adherent"],
        excused_minutes=minutes["excused"],
        scheduled_work_minutes=scheduled_work,
        worked_minutes=minutes["worked"],
        adherence_percent=_percent(minutes["adherent"], minutes["measured"]),
        conformance_percent=_percent(minutes["worked"] + minutes["excused_work"], scheduled_work),
    )


def agent_minutes(
    start: datetime,
    end: datetime,
    activities: Iterable[ScheduledActivity],
    changes: Iterable[StateChange],
    exceptions: Iterable[AdherenceException] = (),
) -> dict[Hashable, dict[str, int]]:
    """Per agent, the minute counts behind adherence and conformance over ``[start, end)``.

    Keys: ``measured``, ``adherent`` (including excused), ``excused`` (measured and excused),
    ``scheduled_work``, ``worked``, ``excused_work`` (scheduled work, excused, not worked). Pass every
    change up to ``end``, including each agent's last change before ``start``. Agents with no measured
    minute are left out.
    """
    if end <= start:
        raise ValueError("end must be after start")
    count = int((end - start).total_seconds() // 60)
    by_activity, by_change, by_exception = (
        _by_agent(activities),
        _by_agent(changes),
        _by_agent(exceptions),
    )
    result: dict[Hashable, dict[str, int]] = {}
    for agent in sorted({*by_activity, *by_change}, key=str):
        line = _timeline(
            start,
            count,
            by_activity.get(agent, []),
            by_change.get(agent, []),
            by_exception.get(agent, []),
        )
        measured = (line.kinds != _OFF) | line.logged_in()
        if not measured.any():
            continue
        working = line.working()
        scheduled_work = line.kinds == _WORK
        result[agent] = {
            "measured": int(measured.sum()),
            "adherent": int((measured & (line.adherent() | line.excused)).sum()),
            "excused": int((measured & line.excused).sum()),
            "scheduled_work": int(scheduled_work.sum()),
            "worked": int(working.sum()),
            "excused_work": int((scheduled_work & line.excused & ~working).sum()),
        }
    return result


def adherence_by_agent(
    start: datetime,
    end: datetime,
    activities: Iterable[ScheduledActivity],
    changes: Iterable[StateChange],
    exceptions: Iterable[AdherenceException] = (),
) -> list[AdherenceFigures]:
    """Adherence and conformance of each agent over ``[start, end)`` (see the module docstring)."""
    minutes = agent_minutes(start, end, activities, changes, exceptions)
    return [_figures(agent, counts) for agent, counts in minutes.items()]


def adherence_by_team(
    start: datetime,
    end: datetime,
    activities: Iterable[ScheduledActivity],
    changes: Iterable[StateChange],
    teams: Mapping[Hashable, Hashable],
    exceptions: Iterable[AdherenceException] = (),
) -> list[AdherenceFigures]:
    """Adherence and conformance per team (``teams`` maps agent -> team; missing agents: ``None``)."""
    totals: dict[Hashable, dict[str, int]] = {}
    for agent, counts in agent_minutes(start, end, activities, changes, exceptions).items():
        team = teams.get(agent)
        summed = totals.setdefault(team, dict.fromkeys(counts, 0))
        for name, value in counts.items():
            summed[name] += value
    return [
        _figures(team, counts) for team, counts in sorted(totals.items(), key=lambda i: str(i[0]))
    ]


def out_of_adherence(
    now: datetime,
    activities: Iterable[ScheduledActivity],
    changes: Iterable[StateChange],
    exceptions: Iterable[AdherenceException] = (),
    *,
    lookback_minutes: int = 24 * 60,
) -> list[OutOfAdherence]:
    """Agents out of adherence at ``now``, longest first, with since when and for how many minutes.

    The samples run back from ``now`` one minute at a time to find the unbroken out-of-adherence run
    that ends at ``now`` (at most ``lookback_minutes`` back); ``since`` is the state change, schedule
    boundary or exception end that started it (or its first sample). Pass every change up to ``now``,
    including each agent's last change before the lookback.
    """
    if lookback_minutes < 1:
        raise ValueError("lookback_minutes must be >= 1")
    start = now - timedelta(minutes=lookback_minutes)
    count = lookback_minutes + 1  # the last sample is ``now`` itself
    by_activity, by_change, by_exception = (
        _by_agent(activities),
        _by_agent(changes),
        _by_agent(exceptions),
    )
    found = []
    for agent in sorted({*by_activity, *by_change}, key=str):
        line = _timeline(
            start,
            count,
            by_activity.get(agent, []),
            by_change.get(agent, []),
            by_exception.get(agent, []),
        )
        measured = (line.kinds != _OFF) | line.logged_in()
        bad = measured & ~line.adherent() & ~line.excused
        if not bad[-1]:
            continue
        good = np.nonzero(~bad)[0]
        since = start
        if good.size:
            # The run began after the last good sample, at the latest change of state, schedule or
            # exception up to its first bad sample.
            after = start + timedelta(minutes=int(good[-1]))
            first_bad = after + timedelta(minutes=1)
            moments = [c.at for c in by_change.get(agent, [])]
            for activity in by_activity.get(agent, []):
                moments += [activity.starts_at, activity.ends_at]
            for excused in by_exception.get(agent, []):
                moments += [excused.starts_at, excused.ends_at]
            since = max((m for m in moments if after < m <= first_bad), default=first_bad)
        index = int(line.state_index[-1])
        state, reason = line.states[index] if index >= 0 else (AgentStateName.OFFLINE.value, None)
        found.append(
            OutOfAdherence(
                agent=agent,
                expected=_KINDS[int(line.kinds[-1])],
                state=state,
                reason=reason,
                since=since,
                minutes=int((now - since).total_seconds() // 60),
            )
        )
    return sorted(found, key=lambda item: (-item.minutes, str(item.agent)))
