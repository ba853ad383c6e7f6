"""Server-side charts are inline SVG with their text kept as text."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from helpline.web.charts import Chart, Series, render_svg


def test_a_chart_renders_as_inline_svg_with_gaps_for_undefined_values() -> None:
    start = datetime(2026, 11, 25, 8, tzinfo=ZoneInfo("America/New_York"))
    times = [start + timedelta(minutes=30 * i) for i in range(6)]
    svg = render_svg(
        Chart("SL", "%", times, [Series("service level", [90, None, 70, 85, None, 99])], target=80)
    )
    assert svg.startswith("<svg")
    assert "<?xml" not in svg
    assert "service level" in svg  # legend text stays text (searchable, small)


def test_bars_of_several_series_render() -> None:
    start = datetime(2026, 11, 25, tzinfo=ZoneInfo("UTC"))
    svg = render_svg(
        Chart(
            "Volume",
            "contacts",
            [start, start + timedelta(days=1)],
            [Series("offered", [3, 4]), Series("answered", [2, 4])],
            kind="bar",
            interval_days=1.0,
        )
    )
    assert "offered" in svg
    assert "answered" in svg
