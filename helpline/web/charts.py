"""Server-side charts: small matplotlib figures rendered to inline SVG (no script, no CDN)."""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

import matplotlib
import numpy as np
from matplotlib.dates import AutoDateLocator, ConciseDateFormatter, date2num
from matplotlib.figure import Figure

# Text as SVG <text> instead of glyph outlines: a third of the size, and searchable. SVG-only, so
# the PNG plots of the command line are unaffected.
matplotlib.rcParams["svg.fonttype"] = "none"
MARKER_LIMIT = 60
"""Lines with more points than this are drawn without point markers."""
PALETTE = ("#2563eb", "#16a34a", "#dc2626", "#9333ea", "#ea580c")


@dataclass(frozen=True)
class Series:
    """One line or bar series; ``None`` values are gaps (the KPI is undefined there)."""

    label: str
    values: Sequence[float | None]


@dataclass(frozen=True)
class Chart:
    """A chart over time: ``kind`` is ``"bar"`` or ``"line"``; ``target`` draws a dashed line."""

    title: str
    unit: str
    times: Sequence[datetime]
    series: Sequence[Series]
    kind: str = "line"
    target: float | None = None
    interval_days: float = field(default=1 / 48)
    """Length of one interval (the x axis ends one interval after the last start)."""


_XML_HEADER = re.compile(r"^.*?(?=<svg)", re.DOTALL)


def render_svg(chart: Chart) -> str:
    """The chart as an ``<svg>`` element (without the XML prologue), sized by CSS."""
    figure = Figure(figsize=(5.6, 2.4), dpi=100, layout="constrained")
    axes = figure.add_subplot()
    times = list(chart.times)
    # Matplotlib plots dates as days since its epoch; bars are offset in those units.
    x = date2num(times) if times else np.zeros(0)  # type: ignore[no-untyped-call]
    for index, series in enumerate(chart.series):
        values = [float("nan") if v is None else v for v in series.values]
        colour = PALETTE[index % len(PALETTE)]
        if chart.kind == "bar":
            # Series side by side inside each interval: bar i starts i widths after the interval.
            width = chart.interval_days / max(1, len(chart.series))
            axes.bar(
                x + width * index,
                values,
                width=width * 0.9,
                align="edge",
                label=series.label,
                color=colour,
            )
        else:
            marker = "." if len(times) <= MARKER_LIMIT else None
            axes.plot(x, values, label=series.label, color=colour, linewidth=1.6, marker=marker)
    if chart.target is not None:
        axes.axhline(chart.target, color="#6b7280", linestyle="--", linewidth=1, label="target")
    if times:
        axes.set_xlim(float(x[0]), float(x[-1]) + chart.interval_days)
    zone = times[0].tzinfo if times else None
    locator = AutoDateLocator(tz=zone)  # type: ignore[no-untyped-call]
    axes.xaxis.set_major_locator(locator)
    axes.xaxis.set_major_formatter(ConciseDateFormatter(locator, tz=zone))  # type: ignore[no-untyped-call]
    axes.set_ylabel(chart.unit, fontsize=8)
    axes.tick_params(labelsize=7)
    axes.grid(axis="y", color="#e5e7eb")
    axes.set_axisbelow(True)
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    if len(chart.series) > 1 or chart.target is not None:
        axes.legend(fontsize=7, frameon=False, loc="upper left")
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None})
    return _XML_HEADER.sub("", buffer.getvalue(), count=1)
