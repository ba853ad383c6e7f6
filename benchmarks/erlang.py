"""Benchmark issue 4: staff a week with Erlang C and Erlang A, and one 300,000-Erlang interval.

Prints one JSON line. pyworkforce's ErlangC (install with ``pip install -e '.[bench]'``) is timed
in the same run on the same intervals as the baseline. Reads
``shared/reference/week_requirements_80_20.csv`` beside the repository (or under
``$HELPLINE_SHARED_DIR``) and exits 0 with a message when it is absent.

Run: ``.venv/bin/python benchmarks/erlang.py``
"""

from __future__ import annotations

import csv
import json
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

from helpline.wfm import erlang

AHT_SECONDS = 300.0
INTERVAL_SECONDS = 1800.0
TARGET_SL = 0.8
TARGET_SECONDS = 20.0
PATIENCE_SECONDS = 120.0
BIG_LOAD_ERLANGS = 300_000.0


def shared_dir() -> Path:
    override = os.environ.get("HELPLINE_SHARED_DIR")
    return Path(override) if override else Path(__file__).resolve().parents[1].parent / "shared"


def median_ms(run: Callable[[], object], repeats: int) -> float:
    """Median wall time of ``repeats`` calls, after one warm-up call, in milliseconds."""
    run()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return round(statistics.median(times) * 1e3, 4)


def pyworkforce_figures(calls: np.ndarray, required: np.ndarray) -> dict[str, Any]:
    """Time pyworkforce's ErlangC over the same week and at 300,000 Erlangs."""
    try:
        from pyworkforce.queuing import ErlangC
    except ImportError as exc:
        return {
            "pyworkforce_version": None,
            "pyworkforce_erlang_c_week_ms": None,
            "pyworkforce_required_agents_300k_ms": None,
            "pyworkforce_skipped": f"pyworkforce not importable ({exc}); pip install -e '.[bench]'",
        }

    def staff_week() -> list[int]:
        return [
            ErlangC(
                transactions=float(c),
                aht=AHT_SECONDS / 60,
                asa=TARGET_SECONDS / 60,
                interval=INTERVAL_SECONDS / 60,
            ).required_positions(service_level=TARGET_SL)["raw_positions"]
            for c in calls
        ]

    theirs = np.array(staff_week())
    big_calls = BIG_LOAD_ERLANGS * INTERVAL_SECONDS / AHT_SECONDS

    def staff_big() -> object:
        return ErlangC(
            transactions=big_calls, aht=5.0, asa=TARGET_SECONDS / 60, interval=30
        ).required_positions(service_level=TARGET_SL)

    return {
        "pyworkforce_version": metadata.version("pyworkforce"),
        "pyworkforce_erlang_c_week_ms": median_ms(staff_week, repeats=7),
        "pyworkforce_week_agents_differing_from_reference": int(np.sum(theirs != required)),
        "pyworkforce_required_agents_300k_ms": median_ms(staff_big, repeats=1),
    }


def main() -> int:
    week_file = shared_dir() / "reference" / "week_requirements_80_20.csv"
    if not week_file.exists():
        print(f"skipped: {week_file} not found (set HELPLINE_SHARED_DIR)", file=sys.stderr)
        return 0
    with week_file.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    calls = np.array([float(r["calls"]) for r in rows])
    required = np.array([int(r["required_agents_80_20"]) for r in rows])
    rate = calls / INTERVAL_SECONDS

    ours_c = erlang.required_agents(rate, AHT_SECONDS, TARGET_SL, TARGET_SECONDS)
    ours_a = erlang.required_agents(
        rate, AHT_SECONDS, TARGET_SL, TARGET_SECONDS, patience=PATIENCE_SECONDS
    )
    big_rate = BIG_LOAD_ERLANGS / AHT_SECONDS
    figures: dict[str, Any] = {
        "benchmark": "erlang",
        "intervals": len(rows),
        "erlang_c_week_ms": median_ms(
            lambda: erlang.required_agents(rate, AHT_SECONDS, TARGET_SL, TARGET_SECONDS), 51
        ),
        "erlang_a_week_ms": median_ms(
            lambda: erlang.required_agents(
                rate, AHT_SECONDS, TARGET_SL, TARGET_SECONDS, patience=PATIENCE_SECONDS
            ),
            21,
        ),
        "required_agents_300k_ms": median_ms(
            lambda: erlang.required_agents(big_rate, AHT_SECONDS, TARGET_SL, TARGET_SECONDS), 51
        ),
        "erlang_c_eval_week_ms": median_ms(
            lambda: erlang.erlang_c(rate, AHT_SECONDS, required, TARGET_SECONDS), 21
        ),
        "erlang_a_eval_week_ms": median_ms(
            lambda: erlang.erlang_a(rate, AHT_SECONDS, ours_a, PATIENCE_SECONDS, TARGET_SECONDS),
            11,
        ),
        "week_agents_match_reference": bool(np.array_equal(ours_c, required)),
        "erlang_a_week_agent_hours": int(ours_a.sum()) / 2,
        "erlang_c_week_agent_hours": int(ours_c.sum()) / 2,
        "required_agents_300k": int(
            erlang.required_agents(big_rate, AHT_SECONDS, TARGET_SL, TARGET_SECONDS)
        ),
    }
    figures.update(pyworkforce_figures(calls, required))
    figures.update(
        {
            "python": platform.python_version(),
            "numpy": np.__version__,
            "scipy": metadata.version("scipy"),
            "cpus": os.cpu_count(),
            "load_average_1min": round(os.getloadavg()[0], 2),
        }
    )
    print(json.dumps(figures))
    return 0 if figures["week_agents_match_reference"] else 1


if __name__ == "__main__":
    sys.exit(main())
