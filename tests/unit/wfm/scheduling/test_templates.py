"""Shift-template documents (helpline.wfm.scheduling.templates) and Erlang C curves."""

from __future__ import annotations

import numpy as np
import pytest

from helpline.wfm.scheduling import ScheduleInputError, WeeklyPattern
from helpline.wfm.scheduling.service_level import erlang_c_curve
from helpline.wfm.scheduling.solve import concave_start
from helpline.wfm.scheduling.templates import parse_minutes, shift_settings_from_data


def test_document_becomes_templates_with_breaks_days_and_patterns() -> None:
    settings = shift_settings_from_data(
        {
            "understaffing_penalty": 500,
            "wraps_around": False,
            "templates": [
                {
                    "name": "early",
                    "length": "8h30m",
                    "starts": {"from": "06:00", "to": "08:00", "every": "30m"},
                    "days": ["mon", "tue", "Wednesday", 3, "fri"],
                    "breaks": [{"name": "lunch", "duration": "30m", "window": ["3h", "5h"]}],
                    "weekly_pattern": {"days_worked": 5, "min_consecutive_days_off": 2},
                    "max_shifts": 40,
                    "cost_per_paid_hour": 21.5,
                    "may_cross_midnight": False,
                },
                {"name": "late", "length": 240, "starts": ["16:00", "18:00"]},
            ],
        }
    )
    early, late = settings.templates
    assert settings.understaffing_penalty == 500
    assert settings.wraps_around is False
    assert early.length_minutes == 510
    assert early.paid_minutes == 480
    assert early.start_minutes == (360, 390, 420, 450, 480)
    assert early.days == (0, 1, 2, 3, 4)
    assert early.breaks[0].earliest_start_minutes == 180
    assert early.breaks[0].latest_start_minutes == 300
    assert early.weekly_pattern == WeeklyPattern(5, 2)
    assert early.max_shifts == 40
    assert early.may_cross_midnight is False
    assert late.start_minutes == (960, 1080)
    assert late.days == (0, 1, 2, 3, 4, 5, 6)


@pytest.mark.parametrize(
    ("value", "minutes"), [(90, 90), ("90", 90), ("1h30m", 90), ("8h", 480), ("45m", 45)]
)
def test_durations_read_as_minutes(value: object, minutes: int) -> None:
    assert parse_minutes(value, "x") == minutes


def test_overlapping_break_windows_are_rejected() -> None:
    with pytest.raises(ScheduleInputError, match="overlaps"):
        shift_settings_from_data(
            {
                "templates": [
                    {
                        "name": "t",
                        "length": "8h",
                        "starts": ["08:00"],
                        "breaks": [
                            {"name": "a", "duration": "1h", "window": ["2h", "4h"]},
                            {"name": "b", "duration": "15m", "window": ["4h", "5h"]},
                        ],
                    }
                ]
            }
        )


def test_concave_start_skips_the_convex_foot_of_an_erlang_like_curve() -> None:
    # Increments 0, .1, .3, .3, .15, ... keep falling (or equal) from 2 agents on.
    curve = np.array([0.0, 0.0, 0.1, 0.4, 0.7, 0.85, 0.93, 0.97, 0.99, 1.0])
    assert concave_start(curve) == 2


def test_erlang_c_curve_rises_from_zero_at_the_load_to_one() -> None:
    # 360 calls in 30 min with AHT 300 s = 60 Erlangs: no agent count up to the load answers in
    # time (Erlang C's SL is 0 for N <= A, issue 4), then SL rises to 1.
    curve = erlang_c_curve(
        [360.0, 0.0], interval_minutes=30, aht_seconds=300, answer_time_seconds=20
    )
    assert curve.service_level.shape[1] > 65
    assert np.all(curve.service_level[1] == 1.0)
    assert np.all(curve.service_level[0, :61] == 0.0)
    assert np.all(np.diff(curve.service_level[0]) >= -1e-12)
    assert curve.service_level[0, -1] >= 1 - 1e-6
