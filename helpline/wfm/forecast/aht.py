"""Average handle time per interval: a volume-weighted profile of recent same-weekday history."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]


def forecast_aht(
    volume: FloatArray,
    aht_seconds: FloatArray,
    weekday: npt.NDArray[np.int8],
    future_weekday: npt.NDArray[np.int8],
    *,
    weeks: int = 8,
    half_life_weeks: float = 4.0,
) -> FloatArray:
    """AHT (seconds) per interval of future days (days x intervals).

    For each weekday and interval: sum(w * volume * AHT) / sum(w * volume) over the last ``weeks``
    same-weekday days, with weights halving every ``half_life_weeks``; the handle time of busy intervals
    counts more, as it does in the workload (volume x AHT) that staffing needs. Intervals never seen with
    contacts fall back to the weekday's, then the overall, volume-weighted AHT; NaN if there is none.
    """
    n_days = volume.shape[0]
    work = np.nan_to_num(volume) * np.nan_to_num(aht_seconds)
    contacts = np.where(np.isnan(aht_seconds), 0.0, np.nan_to_num(volume))
    total_contacts = contacts.sum()
    overall = float(work.sum() / total_contacts) if total_contacts > 0 else np.nan
    per_weekday = np.full((7, volume.shape[1]), overall)
    for day in range(7):
        rows = np.flatnonzero((weekday == day) & (contacts.sum(axis=1) > 0))[-weeks:]
        if rows.size == 0:
            continue
        weights = 0.5 ** ((n_days - 1 - rows) / 7.0 / half_life_weeks)
        slot_work = weights @ work[rows]
        slot_contacts = weights @ contacts[rows]
        day_aht = float(slot_work.sum() / slot_contacts.sum())
        with np.errstate(invalid="ignore", divide="ignore"):
            per_weekday[day] = np.where(slot_contacts > 0, slot_work / slot_contacts, day_aht)
    return per_weekday[future_weekday]
