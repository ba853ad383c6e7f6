"""Digital-twin fidelity: replay whole months of the Anonymous Bank log and score the simulated days.

For each month (January and February 1999, ``../shared/data/anonymous_bank_calls_1999``), every
input choice of ``helpline simulate replay`` is run on the same month with the same seed, and Erlang A
on the same inputs (per half hour: the calls, the mean handle time plus after-contact work, the agents
present, the fitted exponential patience) as the baseline. Printed per month and variant:
``sl_mae``, ``asa_mae_seconds``, ``abandon_mae_points`` (mean absolute error per day of the all-queue
service level, ASA and abandonment rate against the log's own, ``helpline report``'s definitions),
then the what-if check: removing 10 % of the agents, the rise in abandonment simulated and the rise
Erlang A predicts. One JSON line per month at the end. Run:
``HELPLINE_PURE_PYTHON=1 python benchmarks/twin.py [--replications 5] [--months january,february]``.
"""

from __future__ import annotations

import argparse
import calendar
import datetime as dt
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

from helpline.domain.anonymous_bank import parse_calls
from helpline.sim import twin

VARIANTS = (
    ("head counts + logged patience", "head-counts", "logged", False),
    ("head counts + fitted patience", "head-counts", "fitted", False),
    ("availability from log + logged patience", "from-log", "logged", False),
    ("availability from log + fitted patience", "from-log", "fitted", False),
    ("availability from log + fitted patience + pre-queue delay", "from-log", "fitted", True),
    ("availability from log + logged patience + pre-queue delay", "from-log", "logged", True),
    ("availability from log + Kaplan-Meier patience + pre-queue delay", "from-log", "km", True),
)
MONTHS = {"january": 1, "february": 2}


def shared_dir() -> Path:
    """../shared beside the repository, or $HELPLINE_SHARED_DIR."""
    override = os.environ.get("HELPLINE_SHARED_DIR")
    return Path(override) if override else Path(__file__).resolve().parents[1].parent / "shared"


def _rounded(mae: dict[str, float]) -> dict[str, float]:
    return {
        "sl_mae": round(mae["service_level"], 4),
        "asa_mae_seconds": round(mae["asa_seconds"], 2),
        "abandon_mae_points": round(mae["abandonment_rate"], 2),
    }


def _mean_abandonment(result: twin.ReplayResult) -> float:
    rows = [r for r in result.rows if r.queue_id == "all"]
    total = sum(r.offered for r in rows)
    return sum(r.simulated["abandonment_rate"] * r.offered for r in rows) / total


def run_month(name: str, replications: int, seed: int) -> dict[str, Any] | None:
    path = shared_dir() / "data" / "anonymous_bank_calls_1999" / f"{name}.txt"
    if not path.exists():
        print(f"skipping {name}: {path} not found", file=sys.stderr)
        return None
    with path.open(encoding="utf-8", newline="") as lines:
        calls = list(parse_calls(lines))
    month = MONTHS[name]
    period = twin.Period(
        dt.date(1999, month, 1), dt.date(1999, month, calendar.monthrange(1999, month)[1])
    )
    started = time.process_time()
    inputs = twin.replay_inputs(calls, period)
    print(
        f"{name}: {period.first} to {period.last}, {len(inputs.calls)} calls, "
        f"{len(inputs.timelines.agents)} agents, inputs in {time.process_time() - started:.1f} s CPU",
        file=sys.stderr,
    )
    out: dict[str, Any] = {"benchmark": "twin", "month": name, "replications": replications}
    baseline = twin.erlang_a_baseline(inputs)
    out["erlang_a"] = _rounded(baseline.mae)
    print(
        f"  Erlang A (head counts, fitted exponential patience): {out['erlang_a']}", file=sys.stderr
    )
    variants = {}
    best: twin.ReplayResult | None = None
    for label, staffing, patience, pickup in VARIANTS:
        started = time.process_time()
        result = twin.replay(
            inputs,
            staffing=staffing,
            patience=patience,
            replications=replications,
            seed=seed,
            pickup_delay=pickup,
        )
        variants[label] = _rounded(result.mae)
        print(
            f"  {label}: {variants[label]} ({time.process_time() - started:.0f} s CPU)",
            file=sys.stderr,
        )
        if label == "availability from log + fitted patience + pre-queue delay":
            best = result
    out["variants"] = variants
    assert best is not None
    fewer = twin.replay(
        inputs,
        staffing="from-log",
        patience="fitted",
        replications=replications,
        seed=seed,
        remove_share=0.1,
    )
    erlang_fewer = twin.erlang_a_baseline(inputs, remove_share=0.1)
    out["what_if_remove_10pct"] = {
        "simulated_abandonment": round(_mean_abandonment(best), 4),
        "simulated_abandonment_fewer": round(_mean_abandonment(fewer), 4),
        "erlang_a_abandonment": round(_mean_abandonment(baseline), 4),
        "erlang_a_abandonment_fewer": round(_mean_abandonment(erlang_fewer), 4),
    }
    what_if = out["what_if_remove_10pct"]
    what_if["simulated_rise_points"] = round(
        100 * (what_if["simulated_abandonment_fewer"] - what_if["simulated_abandonment"]), 2
    )
    what_if["erlang_a_rise_points"] = round(
        100 * (what_if["erlang_a_abandonment_fewer"] - what_if["erlang_a_abandonment"]), 2
    )
    print(f"  what-if, 10 % fewer agents: {what_if}", file=sys.stderr)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--replications", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--months", default="january,february")
    args = parser.parse_args()
    for name in args.months.split(","):
        result = run_month(name, args.replications, args.seed)
        if result is not None:
            print(json.dumps(result))


if __name__ == "__main__":
    main()
