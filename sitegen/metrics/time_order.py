"""Putting a client's rows in time order, so that a period's rows are one contiguous slice.

A stable sort of 10 million rows by time, done the plain way (`np.argsort(kind="stable")`, `frame.iloc[order]`),
is most of the time taken to load a big export: rows of whole days are placed by a counting sort, a block of rows
at a time, and the columns of a big table are scattered through the inverse permutation rather than gathered in
random order (a small table is reordered the plain way, which is faster there). tests/test_client_facts.py
checks both against the plain way, on small tables and on tables over SCATTER_FROM rows."""

from __future__ import annotations

import numpy as np
import pandas as pd

from sitegen.metrics.periods import DAY_NS

_NAT = np.iinfo(np.int64).min  # NaT as int64
SCATTER_FROM = 250_000  # rows from which a table is reordered column by column


def reordered(table: pd.DataFrame, inverse: np.ndarray) -> pd.DataFrame:
    """table.iloc[order] with a fresh index, where row i goes to inverse[i]. A big table column by column:
    numpy columns are scattered through the inverse permutation (a gather in random order is several times
    slower on millions of rows), and a column with no value at all is the same in any order, so it is kept as
    it is."""
    order = np.empty_like(inverse)
    order[inverse] = np.arange(len(inverse))
    if len(table) < SCATTER_FROM:
        return table.iloc[order].reset_index(drop=True)
    columns = {}
    for name in table.columns:
        series = table[name]
        if not isinstance(series.dtype, np.dtype):  # an extension array (Arrow text): its own take
            columns[name] = pd.Series(series.array.take(order), name=name)
            continue
        values = series.to_numpy()
        if values.dtype.kind in "fM" and (np.isnan(values) if values.dtype.kind == "f" else np.isnat(values)).all():
            columns[name] = series.reset_index(drop=True)
            continue
        moved = np.empty_like(values)
        moved[inverse] = values
        columns[name] = pd.Series(moved, name=name, dtype=values.dtype, copy=False)
    return pd.DataFrame(columns, copy=False)


_BLOCK = 1 << 15  # rows a step of the sort works on (its temporaries stay in the CPU's cache)


def _is_sorted(values: np.ndarray) -> bool:
    """Whether the values never decrease (a stable sort would keep every row where it is)."""
    step, last = _BLOCK << 4, len(values) - 1
    return all(bool((values[i + 1:min(i + step, last) + 1] >= values[i:min(i + step, last)]).all())
               for i in range(0, max(last, 0), step))


def time_order(when: np.ndarray) -> np.ndarray | None:
    """The inverse of `np.argsort(when, kind="stable")` (row i of the table is row inverse[i] of the sorted
    table); None when the rows are in time order already.

    Times of whole days (dates) within 65,535 days of each other are numbered (NaT first) and placed by a
    counting sort, a block of rows at a time: no n-sized order and no n log n sort."""
    n = len(when)
    if _is_sorted(when):
        return None
    inverse = np.empty(n, dtype=np.intp)
    days = _whole_days(when)
    if days is None:
        inverse[np.argsort(when, kind="stable")] = np.arange(n)
        return inverse
    key, counts = days
    seen = np.cumsum(counts) - counts  # where each day's rows start in the sorted table, then how far they got
    for i in range(0, n, _BLOCK):
        block = key[i:i + _BLOCK]
        order = np.argsort(block, kind="stable")  # numpy sorts 16-bit keys by radix
        ranked = block[order]
        here = np.bincount(block, minlength=len(counts))
        inverse[i + order] = seen[ranked] + (np.arange(len(block)) - (np.cumsum(here) - here)[ranked])
        seen += here
    return inverse


def _whole_days(when: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """(each row's day number from the first day + 1 (NaT: 0) as uint16, how many rows each number has), when
    every time is a whole day and they span fewer than 65,535 days; None otherwise."""
    step = _BLOCK << 4
    low, high = None, None
    for i in range(0, len(when), step):
        block = when[i:i + step]
        block = block[block != _NAT]
        if not len(block):
            continue
        if (block % DAY_NS).any():
            return None
        low = int(block.min()) if low is None else min(low, int(block.min()))
        high = int(block.max()) if high is None else max(high, int(block.max()))
    if low is None or (high - low) // DAY_NS >= np.iinfo(np.uint16).max:
        return None
    key = np.empty(len(when), dtype=np.uint16)
    counts = np.zeros((high - low) // DAY_NS + 2, dtype=np.intp)
    for i in range(0, len(when), step):
        block = when[i:i + step]
        key[i:i + step] = np.where(block != _NAT, (block - low) // DAY_NS + 1, 0)
        counts += np.bincount(key[i:i + step], minlength=len(counts))
    return key, counts
