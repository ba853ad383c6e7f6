"""The live demo's pure decisions: the daily arrival curve, the channel mix and the durations."""

from __future__ import annotations

import numpy as np
import pytest

from helpline.sim import live


def test_arrival_rate_follows_the_daily_curve_between_hour_centres() -> None:
    assert live.arrival_rate_per_second(10.5, 2.0) == pytest.approx(2.0 * live.DAILY_CURVE[10])
    halfway = live.arrival_rate_per_second(11.0, 1.0)
    assert halfway == pytest.approx((live.DAILY_CURVE[10] + live.DAILY_CURVE[11]) / 2)
    assert live.arrival_rate_per_second(3.5, 1.0) < live.arrival_rate_per_second(10.5, 1.0) / 10
    assert live.arrival_rate_per_second(23.99, 1.0) == pytest.approx(
        live.arrival_rate_per_second(0.0, 1.0), abs=1e-3
    )  # midnight wraps around smoothly


def test_gaps_between_arrivals_average_the_inverse_rate() -> None:
    rng = np.random.default_rng(1)
    gaps = [live.next_arrival_gap_seconds(0.1, rng) for _ in range(4000)]
    assert np.mean(gaps) == pytest.approx(10.0, rel=0.06)
    assert live.next_arrival_gap_seconds(0.0, rng) == 60.0


def test_arrivals_come_on_every_channel_in_the_configured_mix() -> None:
    rng = np.random.default_rng(2)
    drawn = [live.choose_arrival(rng) for _ in range(5000)]
    chat_share = sum(a.channel == "chat" for a in drawn) / len(drawn)
    assert {a.channel for a in drawn} == {"voice", "chat", "email"}
    assert chat_share == pytest.approx(0.25, abs=0.03)


def test_email_customers_never_abandon_and_durations_are_positive() -> None:
    rng = np.random.default_rng(3)
    assert live.patience_seconds("email", rng) is None
    assert (live.patience_seconds("voice", rng) or 0) > 0
    assert all(live.handle_seconds(c, rng) > 0 for c in ("voice", "chat", "email"))
    assert 1.0 <= live.answer_delay_seconds(rng) <= 4.0
