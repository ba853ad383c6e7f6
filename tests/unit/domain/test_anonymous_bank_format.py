"""Every quirk of the Anonymous Bank log (SOURCE.md) is read, one synthetic row per quirk."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from helpline.demo.anonymous_bank import past_call
from helpline.domain.anonymous_bank import FIELDS, FormatError, Outcome, parse_calls, parse_row
from helpline.services.conversations.history import CallEnd

HEADER = "\t".join(FIELDS)


def row(**changes: str) -> str:
    values = dict(
        zip(
            FIELDS,
            [
                "AA0101",
                "33116",
                "9664491",
                "2",
                "PS",
                "990113",
                "10:00:00",
                "10:00:06",
                "6",
                "10:00:06",
                "10:00:30",
                "24",
                "AGENT",
                "10:00:29",
                "10:03:29",
                "180",
                "DORIT",
            ],
            strict=True,
        )
    )
    values.update({key.replace("_plus_", "+"): value for key, value in changes.items()})
    return "\t".join(values[name] for name in FIELDS)


def test_a_served_call_maps_to_queue_wait_and_service_time() -> None:
    call = parse_row(row(), 2)
    assert call.queue_start == datetime(1999, 1, 13, 10, 0, 6)  # noqa: DTZ001 - the log's wall clock
    assert (call.queue_seconds, call.service_seconds, call.server) == (24, 180, "DORIT")
    # ser_start 1 s before q_exit is logging granularity: the wait is q_time.
    history = past_call(call, queue_id=1, agent_id=7, zone=ZoneInfo("Asia/Jerusalem"))
    assert history.end is CallEnd.ANSWERED
    assert history.wait_seconds == 24
    assert history.connected_at is not None
    assert history.queued_at is not None
    assert (history.connected_at - history.queued_at).total_seconds() == 24
    assert (history.ended_at - history.connected_at).total_seconds() == 180
    assert history.queued_at.isoformat() == "1999-01-13T08:00:06+00:00"  # IST is UTC+2


def test_crlf_lf_and_a_missing_final_newline_read_the_same() -> None:
    crlf = f"{HEADER}\r\n{row()}\r\n{row(call_id='2')}\r\n"
    no_final_newline = f"{HEADER}\n{row()}\n{row(call_id='2')}"
    assert list(parse_calls(crlf.splitlines(keepends=True))) == list(
        parse_calls(no_final_newline.splitlines(keepends=True))
    )


def test_priority_and_type_joined_by_spaces_are_split() -> None:
    fields = row().split("\t")
    joined = "\t".join([*fields[:3], '"0       NW"', *fields[5:]])
    call = parse_row(joined, 7315)
    assert (call.priority, call.call_type) == (0, "NW")


def test_service_crossing_midnight_ends_the_next_day() -> None:
    call = parse_row(
        row(
            vru_entry="23:58:00",
            vru_exit="23:58:05",
            q_start="23:58:05",
            q_exit="23:59:05",
            q_time="60",
            ser_start="23:59:05",
            ser_exit="0:01:05",
            ser_time="120",
        ),
        2,
    )
    assert call.service_seconds == 120
    assert call.service_start == datetime(1999, 1, 13, 23, 59, 5)  # noqa: DTZ001


def test_queue_start_after_midnight_is_on_the_next_day() -> None:
    call = parse_row(row(vru_entry="23:59:58", vru_exit="0:00:03", q_start="0:00:03"), 2)
    assert call.queue_start == datetime(1999, 1, 14, 0, 0, 3)  # noqa: DTZ001
    assert call.vru_exit == datetime(1999, 1, 14, 0, 0, 3)  # noqa: DTZ001


def test_negative_vru_time_is_the_same_day() -> None:
    call = parse_row(
        row(vru_entry="15:46:01", vru_exit="15:45:24", vru_time="-37", q_start="15:45:24"), 2
    )
    assert call.vru_exit == call.queue_start == datetime(1999, 1, 13, 15, 45, 24)  # noqa: DTZ001
    history = past_call(call, 1, 2, ZoneInfo("UTC"))
    assert history.created_at == history.queued_at


def test_agent_rows_without_a_server_are_answered_by_nobody_known() -> None:
    call = parse_row(row(server="NO_SERVER"), 2)
    assert (call.outcome, call.server) == (Outcome.AGENT, None)


def test_a_hang_up_in_the_voice_response_unit_is_deflected() -> None:
    call = parse_row(
        row(outcome="HANG", q_start="0:00:00", q_exit="0:00:00", q_time="0", server="NO_SERVER"),
        2,
    )
    assert past_call(call, 1, None, ZoneInfo("UTC")).end is CallEnd.DEFLECTED


def test_a_hang_up_in_the_queue_is_abandoned_after_its_queue_time() -> None:
    call = parse_row(row(outcome="HANG", q_time="40", server="SHARON"), 2)
    history = past_call(call, 1, None, ZoneInfo("UTC"))
    assert history.end is CallEnd.ABANDONED
    assert history.wait_seconds == 40


def test_customer_ids_mangled_by_a_spreadsheet_are_kept_as_text() -> None:
    assert parse_row(row(customer_id="6.02E+11"), 2).customer_id == "6.02E+11"
    assert parse_row(row(customer_id="0"), 2).customer_id is None


def test_undocumented_call_type_and_phantom_calls_are_read() -> None:
    assert parse_row(row(type="AA"), 2).call_type == "AA"
    assert parse_row(row(outcome="PHANTOM"), 2).outcome is Outcome.PHANTOM


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("AA0101\t1\t2", "expected 17 tab-separated fields, found 3"),
        (row(vru_entry="ten"), "vru_entry 'ten' is not H:MM:SS"),
        (row(outcome="LOST"), "'LOST' is not a valid Outcome"),
    ],
)
def test_unreadable_rows_name_their_line(line: str, message: str) -> None:
    with pytest.raises(FormatError, match=message) as caught:
        list(parse_calls([HEADER, line]))
    assert caught.value.line == 2


def test_a_file_without_the_header_is_refused() -> None:
    with pytest.raises(FormatError, match="not an Anonymous Bank log"):
        list(parse_calls([row()]))
