"""Tallies per (interval start, group) held as NumPy columns, so a report of a month by agent (tens of
thousands of cells) is summed and turned into metrics in a few array operations."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

import numpy as np
import numpy.typing as npt

from helpline.analytics.metrics import TALLY_FIELDS, Metrics, Tally, TallyColumns, metrics_of

GroupKey = int | str | None
Buckets = dict[tuple[datetime, GroupKey], Tally]
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True, slots=True)
class ReportRow:
    """The metrics of one group in one interval (``interval_start`` in the organization's zone)."""

    interval_start: datetime
    group: GroupKey
    metrics: Metrics
    tally: Tally


def _sort_key(key: tuple[datetime, GroupKey]) -> tuple[datetime, bool, str]:
    start, group = key
    return start, group is None, str(group).zfill(20) if isinstance(group, int) else str(group)


class TallyTable:
    """Additive tallies per cell (interval start, group), added in bulk: ``add`` sums values into a
    field of many cells at once (``longest_wait_seconds`` keeps the maximum)."""

    def __init__(self) -> None:
        self._index: dict[tuple[datetime, GroupKey], int] = {}
        self._keys: list[tuple[datetime, GroupKey]] = []
        self._parts: list[tuple[str, IntArray, npt.NDArray[np.float64]]] = []

    def cells(self, keys: Iterable[tuple[datetime, GroupKey]]) -> IntArray:
        """The cell number of each key, creating cells as needed."""
        numbers = []
        for key in keys:
            number = self._index.get(key)
            if number is None:
                number = self._index[key] = len(self._keys)
                self._keys.append(key)
            numbers.append(number)
        return np.array(numbers, dtype=np.int64)

    def add(self, field: str, cells: IntArray, values: npt.ArrayLike) -> None:
        """Add ``values`` to ``field`` of ``cells`` (a cell may repeat)."""
        self._parts.append((field, cells, np.asarray(values, dtype=np.float64)))

    def add_buckets(self, buckets: Mapping[tuple[datetime, GroupKey], Tally]) -> None:
        """Add whole tallies, one per cell."""
        if not buckets:
            return
        cells = self.cells(buckets)
        tallies = list(buckets.values())
        for name in TALLY_FIELDS:
            self.add(name, cells, [getattr(t, name) for t in tallies])

    def columns(self) -> TallyColumns:
        """The summed tallies of every cell, in cell order."""
        count = len(self._keys)
        columns = {name: np.zeros(count) for name in TALLY_FIELDS}
        for name, cells, values in self._parts:
            if name == "longest_wait_seconds":
                np.maximum.at(columns[name], cells, values)
            else:
                columns[name] += np.bincount(cells, weights=values, minlength=count)
        return TallyColumns(columns)

    def buckets(self) -> Buckets:
        """The cells as ``Tally`` values by (interval start, group)."""
        return dict(zip(self._keys, self.columns().tallies(), strict=True))

    def rows(self) -> list[ReportRow]:
        """The report rows in order: interval, then group (None last)."""
        order = sorted(range(len(self._keys)), key=lambda i: _sort_key(self._keys[i]))
        picked = np.array(order, dtype=np.int64)
        columns = TallyColumns({k: v[picked] for k, v in self.columns().columns.items()})
        return [
            ReportRow(self._keys[i][0], self._keys[i][1], metrics, tally)
            for i, metrics, tally in zip(order, metrics_of(columns), columns.tallies(), strict=True)
        ]
