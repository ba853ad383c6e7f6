"""Report and event exports: CSV text and Parquet bytes from flat records."""

from __future__ import annotations

import csv
import enum
import io
import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq


class ExportFormat(enum.StrEnum):
    """How a report or the raw events are returned."""

    JSON = "json"
    CSV = "csv"
    PARQUET = "parquet"


MEDIA_TYPES = {
    ExportFormat.JSON: "application/json",
    ExportFormat.CSV: "text/csv; charset=utf-8",
    ExportFormat.PARQUET: "application/vnd.apache.parquet",
}


def _flat(value: Any, *, keep_datetimes: bool = False) -> Any:
    """A scalar for a table cell: dicts and lists as JSON text, datetimes as ISO 8601."""
    if isinstance(value, Mapping | list):
        return json.dumps(value, sort_keys=True, default=str)
    if isinstance(value, datetime) and not keep_datetimes:
        return value.isoformat()
    return value


def to_csv(records: Sequence[Mapping[str, Any]], columns: Sequence[str]) -> str:
    """``records`` as CSV with a header row of ``columns`` (empty cells for None)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for record in records:
        writer.writerow(["" if record.get(c) is None else _flat(record.get(c)) for c in columns])
    return buffer.getvalue()


def to_parquet(
    records: Sequence[Mapping[str, Any]], columns: Sequence[str], types: Mapping[str, Any]
) -> bytes:
    """``records`` as a Parquet file; ``types`` gives each column's Arrow type (e.g. ``pa.float64()``)."""
    schema = pa.schema([(name, types[name]) for name in columns])
    table = pa.table(
        {
            name: [_flat(record.get(name), keep_datetimes=True) for record in records]
            for name in columns
        },
        schema=schema,
    )
    sink = io.BytesIO()
    pq.write_table(table, sink)
    return sink.getvalue()


def report_types(columns: Sequence[str], integer_columns: frozenset[str]) -> dict[str, Any]:
    """Arrow types of report columns: the labels are text, counts integers, the rest floats."""
    text = {"interval_start", "group", "group_name"}
    return {
        name: pa.string()
        if name in text
        else (pa.int64() if name in integer_columns else pa.float64())
        for name in columns
    }


EVENT_TYPES = {
    "sequence": pa.int64(),
    "type": pa.string(),
    "occurred_at": pa.timestamp("us", tz="UTC"),
    "contact_id": pa.int64(),
    "agent_id": pa.int64(),
    "actor": pa.string(),
    "payload": pa.string(),
}
"""Arrow types of the raw event export (``payload`` as JSON text)."""
