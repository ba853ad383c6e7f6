"""Benchmark: card-data redaction speed and accuracy.

Over the corpus of ``tests/data/redaction`` (see its SOURCE.md): ``precision`` and ``recall`` of the
secrets masked (positives with their patterns; negatives with every pattern on) and
``messages_per_second`` of ``redact`` with every pattern on. The peer is a naive detector (any run of
13-19 digits with spaces or dashes, as simple scanners do): its false positives on the negatives show
what the scheme, Luhn and context checks buy.

When ``shared/data`` (beside the repository, or ``$HELPLINE_SHARED_DIR``) holds real customer-support
text (the TWCS tweet sample, the Bitext utterances), also the throughput over it and how many
redactions were made there (each should be looked at: none is expected). Absent data are skipped.

Prints one JSON line. ``python benchmarks/redaction.py [--seconds 1.0]``
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import time
from pathlib import Path

from helpline.domain.redaction import OPTIONAL_PATTERNS, redact, redact_counting

CORPUS = Path(__file__).resolve().parents[1] / "tests" / "data" / "redaction"
ALL_PATTERNS = tuple(OPTIONAL_PATTERNS)
NAIVE = re.compile(r"(?<!\d)(?:\d[ -]?){12,18}\d(?!\d)")
LONG_DIGIT_RUN = re.compile(r"\d(?:[ .-]?\d){7,}")
"""8+ digits: the texts of a real data set where a false positive could happen at all."""


def shared_dir() -> Path:
    override = os.environ.get("HELPLINE_SHARED_DIR")
    return Path(override) if override else Path(__file__).resolve().parents[1].parent / "shared"


def _lines(name: str) -> list[dict[str, object]]:
    text = (CORPUS / name).read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def _flat(text: str) -> str:
    return re.sub(r"[^0-9A-Za-z]", "", text)


def accuracy() -> dict[str, float | int]:
    """True/false positives and negatives over the corpus."""
    found = missed = false = 0
    positives, negatives = _lines("positives.jsonl"), _lines("negatives.jsonl")
    for case in positives:
        redacted = redact(str(case["text"]), list(case.get("patterns", [])))  # type: ignore[call-overload]
        for secret in case["secrets"]:  # type: ignore[attr-defined]
            if secret in redacted or _flat(secret) in _flat(redacted):
                missed += 1
            else:
                found += 1
    for case in negatives:
        false += redact_counting(str(case["text"]), ALL_PATTERNS)[1]
    naive_false = sum(len(NAIVE.findall(str(case["text"]))) for case in negatives)
    return {
        "positives": len(positives),
        "negatives": len(negatives),
        "secrets_masked": found,
        "secrets_missed": missed,
        "false_positives": false,
        "precision": round(found / (found + false), 4) if found + false else 1.0,
        "recall": round(found / (found + missed), 4) if found + missed else 1.0,
        "naive_detector_false_positives": naive_false,
    }


def throughput(texts: list[str], seconds: float) -> tuple[float, int]:
    """Messages redacted per second (every pattern on) and redactions made in one pass."""
    redactions = sum(redact_counting(text, ALL_PATTERNS)[1] for text in texts)
    done, started = 0, time.perf_counter()
    while time.perf_counter() - started < seconds:
        for text in texts:
            redact(text, ALL_PATTERNS)
        done += len(texts)
    return done / (time.perf_counter() - started), redactions


def real_texts() -> dict[str, list[str]]:
    """Customer-support text found under shared/data, by data set."""
    data = shared_dir() / "data"
    sources = {
        "twcs_sample": (data / "twcs_sample" / "sample.csv", "text"),
        "bitext_customer_support_sample": (
            data / "bitext_customer_support_sample" / "TrainingdatasetBitextsample.csv",
            "utterance",
        ),
    }
    found = {}
    for name, (path, column) in sources.items():
        if path.exists():
            with path.open(encoding="utf-8", newline="") as handle:
                found[name] = [row[column] for row in csv.DictReader(handle) if row.get(column)]
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=1.0, help="time per throughput run")
    args = parser.parse_args()
    corpus = [str(c["text"]) for c in _lines("positives.jsonl") + _lines("negatives.jsonl")]
    result: dict[str, object] = dict(accuracy())
    result["messages_per_second"] = round(throughput(corpus, args.seconds)[0])
    for name, texts in real_texts().items():
        speed, redactions = throughput(texts, args.seconds)
        result[name] = {
            "messages": len(texts),
            "messages_per_second": round(speed),
            "redactions": redactions,
            "with_long_digit_runs": sum(1 for text in texts if LONG_DIGIT_RUN.search(text)),
        }
    if not real_texts():
        result["real_text"] = "skipped: no shared/data customer-support text"
    print(json.dumps(result))


if __name__ == "__main__":
    main()
