"""Tallies per (interval start, group) held as NumPy columns, so a report of a month by agent (tens of
thousands of cells) is summed and turned into metrics in a few array operations."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import NamedTuple

import numpy as np
import numpy.typing as npt

from helpline.analytics.metrics import TALLY_FIELDS, Metrics, Tally, TallyColumns, metrics_of

GroupKey = int | str | None
Buckets = dict[tuple[datetime, GroupKey], Tally]
IntArray = npt.NDArray[np.int64]


class ReportRow(NamedTuple):
    """The metrics of one group in one interval (``interval_start`` in the organization's zone).

    A named tuple rather than a frozen dataclass: a month by agent builds tens of thousands."""

    interval_start: datetime
    group: GroupKey
    metrics: Metrics
    columns: TallyColumns
    position: int

    @property
    def tally(self) -> Tally:
        """The additive tally the metrics were derived from."""
        return self.columns.tally(self.position)


def _group_order(group: GroupKey) -> tuple[bool, str]:
    return group is None, str(group).zfill(20) if isinstance(group, int) else str(group)


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
        starts = sorted({start for start, _ in self._keys})
        groups = sorted({group for _, group in self._keys}, key=_group_order)
        start_rank = {start: rank for rank, start in enumerate(starts)}
        group_rank = {group: rank for rank, group in enumerate(groups)}
        order = np.lexsort(
            (
                np.array([group_rank[group] for _, group in self._keys], dtype=np.int64),
                np.array([start_rank[start] for start, _ in self._keys], dtype=np.int64),
            )
        )
        columns = TallyColumns({k: v[order] for k, v in self.columns().columns.items()})
        keys = [self._keys[i] for i in order.tolist()]
        return [
            ReportRow(start, group, metrics, columns, index)
            for index, ((start, group), metrics) in enumerate(
                zip(keys, metrics_of(columns), strict=True)
            )
        ]
