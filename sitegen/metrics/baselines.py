"""A daily series against its own past, with robust statistics: a day's z-score and median over the days
before it (median and MAD, so that one extreme day does not hide the next one). `baseline` does every day of
a series at once; `robust_z`, one day at a time, is what it is checked against (tests/test_alerts.py)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from sitegen.metrics.periods import DAY_NS

MAD_SCALE = 1.4826  # makes the MAD comparable to a standard deviation for normal data


def _median(values: list[float]) -> float:
    """np.median's value for a short list, without its per-call cost (a few hundred calls a report)."""
    ordered = sorted(values)
    half = len(ordered) // 2
    return ordered[half] if len(ordered) % 2 else (ordered[half - 1] + ordered[half]) / 2


def robust_z(value: float, history: np.ndarray, min_mad: float = 1.0) -> tuple[float, float]:
    """(z, median) of value against history, with a floor on the MAD so flat history is not infinite.

    The floor is 5 % of the median, and at least `min_mad` (one unit for counts; tiny for rates)."""
    values = history.tolist()
    median = _median(values)
    mad = _median([abs(v - median) for v in values])
    floor = max(0.05 * abs(median), min_mad)
    return (value - median) / (MAD_SCALE * max(mad, floor)), median


@dataclass(frozen=True)
class Baseline:
    """A daily series against its own past, for every day at once: z and median of the `window` days
    before it (robust_z), where there are at least seven of them (`ok`)."""

    stamps: np.ndarray  # int64 ns
    values: np.ndarray
    z: np.ndarray
    median: np.ndarray
    ok: np.ndarray

    def days(self, days: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """(day as int64 ns, value, z, median) of those of `days` (int64 ns, sorted) that have a baseline."""
        if not len(self.stamps):
            return (np.zeros(0, dtype=np.int64), *(np.zeros(0) for _ in range(3)))
        at = np.searchsorted(self.stamps, days)
        at = at[self.stamps[np.minimum(at, len(self.stamps) - 1)] == days]
        at = at[self.ok[at]]
        return self.stamps[at], self.values[at], self.z[at], self.median[at]


def baseline(series: pd.Series, window: int, min_mad: float = 1.0) -> Baseline:
    stamps = series.index.as_unit("ns").asi8
    values = series.to_numpy(dtype="float64")
    n = len(values)
    first = np.searchsorted(stamps, stamps - window * DAY_NS)
    count = np.arange(n) - first
    ok = count >= 7
    z, median = np.full(n, np.nan), np.full(n, np.nan)
    if ok.any() and np.isfinite(values).all():
        # every day's history as a row, padded with inf (sorted last), so that one sort gives every median
        with np.errstate(invalid="ignore", divide="ignore"):  # (inf - inf in the padding, never read)
            width = int(count.max())
            index = first[:, None] + np.arange(width)
            inside = np.arange(width) < count[:, None]
            history = np.where(inside, values[np.minimum(index, n - 1)], np.inf)
            history.sort(axis=1)
            median = _row_medians(history, count)
            deviation = np.where(inside, np.abs(history - median[:, None]), np.inf)
            deviation.sort(axis=1)
            mad = _row_medians(deviation, count)
            floor = np.maximum(0.05 * np.abs(median), min_mad)
            z = (values - median) / (MAD_SCALE * np.maximum(mad, floor))
    elif ok.any():  # (nan or inf in the series: one day at a time, as robust_z compares them)
        for i in np.flatnonzero(ok).tolist():
            z[i], median[i] = robust_z(values[i], values[first[i]:i], min_mad)
    return Baseline(stamps, values, z, median, ok)


def _row_medians(ordered: np.ndarray, count: np.ndarray) -> np.ndarray:
    """Each sorted row's median over its first `count` values, with _median's arithmetic."""
    rows, half = np.arange(len(ordered)), count // 2
    upper = ordered[rows, np.minimum(half, ordered.shape[1] - 1)]
    lower = ordered[rows, np.maximum(half - 1, 0)]
    return np.where(count % 2 == 1, upper, (lower + upper) / 2)
