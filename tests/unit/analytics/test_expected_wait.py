"""The expected wait shown to a queued chat visitor."""

from __future__ import annotations

import pytest

from helpline.analytics.expected_wait import expected_wait_seconds, queue_position


@pytest.mark.parametrize(
    ("position", "slots", "handle", "waits", "expected"),
    [
        # position x AHT / slots: 3rd in line, AHT 300 s, 2 agents with 3 chats each -> 150 s
        (3, 6, [200.0, 400.0], [5.0], 150.0),
        (1, 1, [120.0], [], 120.0),
        # no finished contacts yet: the recent average speed of answer
        (2, 4, [], [10.0, 30.0], 20.0),
        # nobody staffed, or nothing known: no estimate rather than a made-up one
        (1, 0, [300.0], [10.0], None),
        (1, 3, [], [], None),
    ],
)
def test_expected_wait_follows_position_handle_time_and_staffing(
    position: int,
    slots: int,
    handle: list[float],
    waits: list[float],
    expected: float | None,
) -> None:
    assert expected_wait_seconds(position, slots, handle, waits) == expected


def test_positions_start_at_one() -> None:
    with pytest.raises(ValueError, match="position"):
        expected_wait_seconds(0, 1, [1.0], [])


def test_queue_position_finds_the_contact_in_line_order() -> None:
    found = queue_position(["7", "3", "9"], "3", 2, [60.0], [])
    assert found is not None
    assert (found.position, found.waiting, found.expected_wait_seconds) == (2, 3, 60.0)
    assert queue_position(["7"], "3", 2, [60.0], []) is None
