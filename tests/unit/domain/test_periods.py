"""Entered periods need time zones and a positive length."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from helpline.domain.periods import require_period
from helpline.errors import InvalidInput

NINE = datetime(2026, 12, 1, 9, tzinfo=UTC)
TEN = datetime(2026, 12, 1, 10, tzinfo=UTC)


def test_a_period_with_zones_and_length_passes() -> None:
    require_period(NINE, TEN)


@pytest.mark.parametrize(
    ("starts_at", "ends_at", "field"),
    [
        (NINE.replace(tzinfo=None), TEN, "starts_at"),
        (NINE, TEN.replace(tzinfo=None), "ends_at"),
        (TEN, NINE, "ends_at"),
        (NINE, NINE, "ends_at"),
    ],
)
def test_a_bad_period_names_the_field(starts_at: datetime, ends_at: datetime, field: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        require_period(starts_at, ends_at)
    assert refused.value.field == field
