"""Schedule adherence and conformance, minute by minute, from scheduled activities and agent states.

Definitions (per agent, over a window of minutes ``[start, end)``; scheduled "off" time is not counted):

- **adherence %** = minutes in adherence / scheduled minutes. A minute is in adherence when the agent's
  actual state is one the scheduled activity allows (``AdherenceRules``), or when an approved exception
  covers it (exceptions count as adherent).
- **conformance %** = minutes actually worked (in a work state, whenever) / minutes scheduled for work:
  did the agent work the scheduled amount, regardless of when.
- **out of adherence now**: agents whose last minute before ``end`` is out of adherence, with the
  scheduled activity, the actual state and for how many minutes in a row.

Times are integer minutes on one timeline chosen by the caller (e.g. minutes since midnight UTC of the
first day). Pure: the caller passes the window end (``now``) in.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

OFF = "off"
NO_STATE = "offline"
WORK_STATES = frozenset({"available", "reserved", "busy", "after_contact_work"})


class AdherenceInputError(ValueError):
    """An input of the adherence computation is invalid; the message names it."""


def _default_allowed() -> dict[str, frozenset[str]]:
    return {
        "work": WORK_STATES,
        "break": frozenset({"not_ready:break"}),
        "lunch": frozenset({"not_ready:lunch"}),
        "training": frozenset({"not_ready:training"}),
        "meeting": frozenset({"not_ready:meeting"}),
        OFF: frozenset({NO_STATE}),
    }


@dataclass(frozen=True)
class AdherenceRules:
    """Which actual agent states adhere to each scheduled activity; which states count as work.

    Agent states follow ARCHITECTURE.md (``available``, ``reserved``, ``busy``,
    ``after_contact_work``, ``not_ready:<reason>``, ``offline``). An activity missing from
    ``allowed`` adheres only to a state of the same name.
    """

    allowed: Mapping[str, frozenset[str]] = field(default_factory=_default_allowed)
    work_activities: frozenset[str] = frozenset({"work"})
    work_states: frozenset[str] = WORK_STATES


@dataclass(frozen=True)
class ScheduledActivity:
    """``agent`` is scheduled for ``activity`` during minutes ``[start_minute, end_minute)``."""

    agent: str
    activity: str
    start_minute: int
    end_minute: int


@dataclass(frozen=True)
class StateInterval:
    """``agent`` was in ``state`` during minutes ``[start_minute, end_minute)``."""

    agent: str
    state: str
    start_minute: int
    end_minute: int


@dataclass(frozen=True)
class ApprovedException:
    """An approved deviation: ``agent``'s minutes ``[start_minute, end_minute)`` count as adherent."""

    agent: str
    start_minute: int
    end_minute: int
    reason: str = ""


@dataclass(frozen=True)
class AgentAdherence:
    """Adherence and conformance of one agent (or a team: the sums of its agents)."""

    name: str
    scheduled_minutes: int
    adherent_minutes: int
    exception_minutes: int
    scheduled_work_minutes: int
    worked_minutes: int

    @property
    def adherence(self) -> float:
        """Minutes in adherence / scheduled minutes (1.0 when nothing was scheduled)."""
        return self.adherent_minutes / self.scheduled_minutes if self.scheduled_minutes else 1.0

    @property
    def conformance(self) -> float:
        """Minutes worked / minutes scheduled for work (1.0 when no work was scheduled)."""
        if not self.scheduled_work_minutes:
            return 1.0
        return self.worked_minutes / self.scheduled_work_minutes


@dataclass(frozen=True)
class OutOfAdherence:
    """``agent`` should be in ``scheduled_activity`` but is ``actual_state``, for ``minutes`` now."""

    agent: str
    scheduled_activity: str
    actual_state: str
    since_minute: int
    minutes: int


@dataclass(frozen=True)
class AdherenceReport:
    """Per agent and per team figures, and who is out of adherence at the end of the window."""

    agents: tuple[AgentAdherence, ...]
    teams: tuple[AgentAdherence, ...]
    out_of_adherence: tuple[OutOfAdherence, ...]


def _paint(
    labels: npt.NDArray[np.int64],
    start: int,
    items: Iterable[tuple[int, int, int]],
) -> None:
    """Write code ``c`` into ``labels`` over each ``[s, e)`` (later items win), clipped to the window."""
    size = labels.shape[0]
    for code, s, e in items:
        low, high = max(s - start, 0), min(e - start, size)
        if high > low:
            labels[low:high] = code


def _check(agent: str, start: int, end: int, what: str) -> None:
    if end < start:
        raise AdherenceInputError(f"{what} of {agent!r}: ends ({end}) before it starts ({start})")


def compute_adherence(
    schedule: Iterable[ScheduledActivity],
    states: Iterable[StateInterval],
    *,
    start_minute: int,
    end_minute: int,
    exceptions: Iterable[ApprovedException] = (),
    rules: AdherenceRules | None = None,
    teams: Mapping[str, str] | None = None,
) -> AdherenceReport:
    """Adherence and conformance of every scheduled agent over ``[start_minute, end_minute)``.

    ``end_minute`` is "now" for a real-time view. Minutes with no recorded state count as
    ``offline``; minutes with no scheduled activity as ``off``. ``teams`` maps agent -> team.
    """
    if end_minute < start_minute:
        raise AdherenceInputError("end_minute is before start_minute")
    rules = rules or AdherenceRules()
    size = end_minute - start_minute
    activities: dict[str, list[tuple[str, int, int]]] = defaultdict(list)
    for item in schedule:
        _check(item.agent, item.start_minute, item.end_minute, "scheduled activity")
        activities[item.agent].append((item.activity, item.start_minute, item.end_minute))
    actual: dict[str, list[tuple[str, int, int]]] = defaultdict(list)
    for state in states:
        _check(state.agent, state.start_minute, state.end_minute, "state interval")
        actual[state.agent].append((state.state, state.start_minute, state.end_minute))
    excused: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for approved in exceptions:
        _check(approved.agent, approved.start_minute, approved.end_minute, "exception")
        excused[approved.agent].append((approved.start_minute, approved.end_minute))

    activity_names = sorted({OFF} | {a for items in activities.values() for a, _, _ in items})
    state_names = sorted({NO_STATE} | {s for items in actual.values() for s, _, _ in items})
    activity_code = {name: i for i, name in enumerate(activity_names)}
    state_code = {name: i for i, name in enumerate(state_names)}
    # allowed[activity, state]: one table lookup per minute instead of set tests.
    allowed = np.zeros((len(activity_names), len(state_names)), dtype=bool)
    for a, activity in enumerate(activity_names):
        permitted = rules.allowed.get(activity, frozenset({activity}))
        for s, state_name in enumerate(state_names):
            allowed[a, s] = state_name in permitted
    is_work_activity = np.array([a in rules.work_activities for a in activity_names])
    is_work_state = np.array([s in rules.work_states for s in state_names])

    agents, lists = [], []
    for agent in sorted(activities):
        scheduled = np.full(size, activity_code[OFF], dtype=np.int64)
        _paint(scheduled, start_minute, ((activity_code[a], s, e) for a, s, e in activities[agent]))
        doing = np.full(size, state_code[NO_STATE], dtype=np.int64)
        _paint(doing, start_minute, ((state_code[n], s, e) for n, s, e in actual.get(agent, [])))
        is_excused = np.zeros(size, dtype=np.int64)
        _paint(is_excused, start_minute, ((1, s, e) for s, e in excused.get(agent, [])))
        counted = scheduled != activity_code[OFF]
        matches = allowed[scheduled, doing]
        adherent = counted & (matches | (is_excused == 1))
        agents.append(
            AgentAdherence(
                name=agent,
                scheduled_minutes=int(counted.sum()),
                adherent_minutes=int(adherent.sum()),
                exception_minutes=int((counted & ~matches & (is_excused == 1)).sum()),
                scheduled_work_minutes=int(is_work_activity[scheduled].sum()),
                worked_minutes=int(is_work_state[doing].sum()),
            )
        )
        out = counted & ~adherent
        if size and out[-1]:
            run = size - int(np.flatnonzero(~out)[-1]) - 1 if (~out).any() else size
            lists.append(
                OutOfAdherence(
                    agent=agent,
                    scheduled_activity=activity_names[scheduled[-1]],
                    actual_state=state_names[doing[-1]],
                    since_minute=end_minute - run,
                    minutes=run,
                )
            )
    return AdherenceReport(
        agents=tuple(agents),
        teams=_team_totals(agents, teams or {}),
        out_of_adherence=tuple(sorted(lists, key=lambda o: (-o.minutes, o.agent))),
    )


def _team_totals(
    agents: list[AgentAdherence], teams: Mapping[str, str]
) -> tuple[AgentAdherence, ...]:
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0])
    for agent in agents:
        team = teams.get(agent.name)
        if team is None:
            continue
        total = totals[team]
        for i, value in enumerate(
            (
                agent.scheduled_minutes,
                agent.adherent_minutes,
                agent.exception_minutes,
                agent.scheduled_work_minutes,
                agent.worked_minutes,
            )
        ):
            total[i] += value
    return tuple(AgentAdherence(team, *values) for team, values in sorted(totals.items()))
