"""Golden vectors: the KPIs of ``golden.EVENTS``, computed by hand (see the comments and
``docs/metrics.md``), per 30-minute interval, per day and per group."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from helpline.analytics import GroupBy, Interval, Metrics, Window, aggregate
from tests.unit.analytics.golden import DIMENSIONS, EVENTS

BERLIN = ZoneInfo("Europe/Berlin")
START = datetime(2026, 1, 5, 0, 0, tzinfo=UTC)
END = datetime(2026, 1, 6, 0, 0, tzinfo=UTC)


def rows(interval: Interval, group_by: GroupBy = GroupBy.NONE) -> dict[tuple[str, object], Metrics]:
    window = Window(START, END, interval, BERLIN)
    return {
        (row.interval_start.strftime("%Y-%m-%d %H:%M"), row.group): row.metrics
        for row in aggregate(EVENTS, DIMENSIONS, window, group_by)
    }


def test_contacts_count_in_the_interval_they_arrived() -> None:
    first = rows(Interval.MINUTES_30)[("2026-01-05 09:00", None)]
    # c1..c4 queued; c6 deflected without queueing.
    assert (first.offered, first.answered, first.abandoned, first.short_abandoned) == (4, 2, 2, 1)
    assert (first.deflected, first.callbacks_requested) == (1, 0)
    second = rows(Interval.MINUTES_30)[("2026-01-05 09:30", None)]
    assert (second.offered, second.answered, second.abandoned, second.callbacks_requested) == (
        2,
        1,
        0,
        1,
    )


def test_service_level_variants_by_hand() -> None:
    first = rows(Interval.MINUTES_30)[("2026-01-05 09:00", None)]
    # Within 20 s: c1 answered (10 s); c2 abandoned (3 s, short) left within it.
    assert first.service_level == pytest.approx(1 / 3)  # 1 / (2 answered + 1 long abandon)
    assert first.service_level_of_answered == pytest.approx(1 / 2)
    assert first.service_level_of_offered == pytest.approx(1 / 4)
    assert first.service_level_removed_of_offered == pytest.approx(2 / 4)  # c1, c2
    second = rows(Interval.MINUTES_30)[("2026-01-05 09:30", None)]
    assert second.service_level == pytest.approx(1.0)  # c5 in 5 s; the callback is not counted
    assert second.service_level_of_offered == pytest.approx(1 / 2)
    assert second.service_level_removed_of_offered == pytest.approx(1.0)  # callback after 15 s


def test_waits_and_abandonment() -> None:
    first = rows(Interval.MINUTES_30)[("2026-01-05 09:00", None)]
    assert first.asa_seconds == pytest.approx(20.0)  # (10 + 30) / 2: abandons excluded
    assert first.longest_wait_seconds == pytest.approx(40.0)  # c3's abandon
    assert first.abandonment_rate == pytest.approx(1 / 3)  # (2 - 1 short) / (4 - 1 short)


def test_handle_time_counts_where_handling_ended() -> None:
    table = rows(Interval.MINUTES_30)
    first, second = table[("2026-01-05 09:00", None)], table[("2026-01-05 09:30", None)]
    # 09:00: c1 (talk 140 = 170 - 30 hold, hold 30, ACW 60).
    assert (first.handled, first.aht_seconds) == (1, pytest.approx(230.0))
    assert (first.talk_seconds, first.hold_seconds, first.acw_seconds) == (140.0, 30.0, 60.0)
    # 09:30: c4 (talk 870, ended 08:35 UTC) and c5 (talk 120 + 180, ACW 60).
    assert second.handled == 2
    assert second.aht_seconds == pytest.approx((870 + 300 + 60) / 2)
    assert second.acw_seconds == pytest.approx(30.0)
    assert second.transfer_rate == pytest.approx(1.0)  # c5 was transferred


def test_occupancy_utilization_and_cost_by_hand() -> None:
    first = rows(Interval.MINUTES_30)[("2026-01-05 09:00", None)]
    # Agent 10 from 08:00 to 08:30: available 10 + 990, busy 170 + 570, ACW 60.
    assert first.occupancy == pytest.approx(800 / 1800)
    assert first.occupancy_concurrent == pytest.approx(800 / 1800)  # one slot: the same
    assert first.utilization == pytest.approx(1.0)
    assert first.cost_per_contact == pytest.approx(18.0)  # 30 min at 36/h, 1 contact handled
    second = rows(Interval.MINUTES_30)[("2026-01-05 09:30", None)]
    # Agent 10: busy 300 + 120, available 305 + 475, not ready 600.
    # Agent 11 (3 slots): available 735 + 225, busy 180, ACW 60; its one chat weighs 240 / 3.
    assert second.occupancy == pytest.approx((420 + 240) / (420 + 240 + 780 + 960))
    assert second.occupancy_concurrent == pytest.approx((420 + 80) / 2400)
    assert second.utilization == pytest.approx(2400 / 3000)
    assert second.cost_per_contact == pytest.approx((18.0 + 8.0) / 2)


def test_surveys_and_first_contact_resolution_by_hand() -> None:
    table = rows(Interval.MINUTES_30)
    first, second = table[("2026-01-05 09:00", None)], table[("2026-01-05 09:30", None)]
    assert (first.csat, first.nps, first.ces) == (1.0, -100.0, 2.0)
    assert (second.csat, second.nps, second.ces) == (0.0, 100.0, 4.0)
    # c1 repeated by c5 (same customer and reason) within 7 days; c4 and c5 resolved.
    assert first.fcr_rate == pytest.approx(1 / 2)
    assert second.fcr_rate == pytest.approx(1.0)


def test_a_day_is_the_sum_of_its_intervals() -> None:
    day = rows(Interval.DAY)[("2026-01-05 00:00", None)]
    assert (day.offered, day.answered, day.abandoned, day.handled) == (6, 3, 2, 3)
    assert day.service_level == pytest.approx(2 / 4)  # c1, c5 within of 3 answered + 1 long
    assert day.nps == pytest.approx(100 * (2 - 1) / 3)
    assert day.asa_seconds == pytest.approx(45 / 3)


def test_groups_split_contacts_and_agent_time() -> None:
    by_agent = rows(Interval.DAY, GroupBy.AGENT)
    ten, eleven = by_agent[("2026-01-05 00:00", 10)], by_agent[("2026-01-05 00:00", 11)]
    assert (ten.answered, ten.handled) == (3, 3)  # c5 stays with the agent who answered it
    assert eleven.answered == 0
    assert eleven.occupancy == pytest.approx(240 / 1200)
    assert eleven.occupancy_concurrent == pytest.approx(80 / 1200)
    unassigned = by_agent[("2026-01-05 00:00", None)]
    assert (unassigned.abandoned, unassigned.deflected, unassigned.callbacks_requested) == (2, 1, 1)
    by_queue = rows(Interval.DAY, GroupBy.QUEUE)
    assert by_queue[("2026-01-05 00:00", 1)].offered == 6
    assert by_queue[("2026-01-05 00:00", 1)].occupancy is None  # agent time has no queue
    assert by_queue[("2026-01-05 00:00", None)].deflected == 1
    by_team = rows(Interval.DAY, GroupBy.TEAM)
    assert by_team[("2026-01-05 00:00", 100)].handled == 3
    by_channel = rows(Interval.DAY, GroupBy.CHANNEL)
    assert by_channel[("2026-01-05 00:00", "voice")].offered == 6
