"""Stage 1, per kind: the files of one kind typed (each distinct cell once, see `distinct`) and made one table.
Bad cells are raised together, figures checked for plausibility, rows that several files report counted once."""

from __future__ import annotations

import ctypes
import dataclasses
import sys
import threading
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow

from sitegen.data.cells import (
    MAX_CELL_ERRORS,
    blank_value,
    cell_error,
    overflow_errors,
    raise_cell_errors,
    range_limits,
    typed_empty,
    typed_empty_column,
)
from sitegen.data.conversion_cache import ConversionCache
from sitegen.data.currencies import Money, settle_money
from sitegen.data.distinct import Source, Typed, file_numbers, type_sources
from sitegen.data.file_dates import Download, FileDays, reference_day
from sitegen.data.fx import RateUsed
from sitegen.data.kinds import NUMBER_TYPES, TIME_COLUMN, TIME_TYPES, Kind
from sitegen.data.overlaps import in_two_files, settle_overlaps
from sitegen.data.plausibility import plausibility
from sitegen.errors import Diagnostics, SitegenError


@dataclass
class CachedFile:
    """A file whose typed cells came from the conversion cache."""
    path: Path
    kind: Kind
    typed: Typed
    row_numbers: np.ndarray
    first: date | None = None
    last: date | None = None
    days: FileDays | None = None  # what the file's name and client.toml tell of its dates


Item = Source | CachedFile  # a file of a kind, ready to be combined


def combine(kind: Kind, items: list[Item], typed: list[Typed], diagnostics: Diagnostics,
            cache: ConversionCache | None, money: Money | None = None) -> tuple[pd.DataFrame, list[RateUsed]]:
    """All files of one kind as one typed table (`typed`: each file's typed cells, `typed_files`), its amounts in
    `money`'s currency (see `currencies`), and the exchange rates that converted some.

    A row that several files report is counted once, the later download's (`overlaps`); repeats inside one file
    are kept, since two interactions or two ads may well look alike, but for videos (`snapshots`)."""
    if not items:
        return typed_empty(kind), []
    for item, t in zip(items, typed):
        for message, row, column in t.warnings:
            diagnostics.warn(message, item.path, row, column)
    origins = [(i.path, i.row_numbers) for i in items]
    _raise_bad_cells(kind, typed, origins)
    writers = _keep_in_cache(cache, items, typed)
    settled = None
    try:
        rates = settle_money(kind, origins, typed, money) if money is not None else []
        table, arrays = _typed_table(kind, items, typed)
        file_of = file_numbers([t.rows for t in typed])
        times = arrays[TIME_COLUMN[kind.name]]
        _note_ranges(times, items, typed)
        plausibility(table, kind, origins, diagnostics, arrays=arrays)
        # rows that two files report share their time: only then is it worth comparing rows (videos: a file's
        # own are compared too, and another download may place a post time in another year)
        if kind.name == "videos" or len(items) > 1 and in_two_files(times, file_of):
            events = np.array([i.kind.events for i in items])  # (a shop's orders)
            table, file_of, notes = settle_overlaps(table, kind, origins, file_of, downloads(items), diagnostics,
                                                    events)
            settled = table, file_of
            for index, more in notes.items():
                typed[index].notes.extend(more)
    finally:
        for writer in writers:
            writer.join()
        if writers:
            release_memory()
    _warn_uneven_columns(kind, items, typed, diagnostics, settled)
    return table, rates


def downloads(items: list[Item]) -> list[Download]:
    """Each file's download day (`file_dates`), which decides which of two files reporting a row is the later."""
    return [reference_day(i.days if isinstance(i, CachedFile) else i.dates.days if i.dates else None, i.path)
            for i in items]


def typed_files(kind: Kind, items: list[Item]) -> list[Typed]:
    """Each file's typed cells: small files typed together, a file for the cache on its own (its entry must not
    depend on the files beside it), a cached file as it was stored. A file with rules of its own (`shop_orders`:
    an order without a code) is typed on its own by its own `Kind`."""
    fresh = [i for i in items if isinstance(i, Source)]
    together = [s for s in fresh if s.cache_key is None and s.kind == kind]
    typed_of = dict(zip(map(id, together), type_sources(kind, together) if together else []))
    for s in fresh:
        if s.cache_key is not None or s.kind != kind:
            typed_of[id(s)] = type_sources(s.kind, [s])[0]
    for s in fresh:
        s.columns = {}  # typed now: let the cells as read go
    return [typed_of[id(i)] if isinstance(i, Source) else i.typed for i in items]


def _warn_uneven_columns(kind: Kind, items: list[Item], typed: list[Typed], diagnostics: Diagnostics,
                        settled: tuple[pd.DataFrame, np.ndarray] | None = None) -> None:
    """A file without a column that other files of its kind have adds nothing to its sums: say so (account files
    are exempt: TikTok Studio's daily files each have some of a day's columns, and merge by day). `settled`: the
    table and each row's file once rows that several files report were made one; a file whose rows there all
    have the column's figure (from a file that reports the same rows) is not warned about."""
    if kind.name == "account" or len(items) < 2:
        return
    # (files typed together share their columns: a Source's own are in its header mapping)
    own = [set(i.mapping.values()) if isinstance(i, Source) else set(t.columns) for i, t in zip(items, typed)]
    have = [columns & set(kind.optional) for columns, t in zip(own, typed) if t.rows]
    every = set().union(*have) if have else set()
    short: dict[str, set[int]] = {}  # column -> the files with a row left without its figure
    if settled is not None:
        table, file_of = settled
        short = {c: set(np.unique(file_of[table[c].isna().to_numpy()]).tolist())
                 for c in every if any(c not in columns for columns in own)}
    for index, (item, t, columns) in enumerate(zip(items, typed, own)):
        lacking = sorted(c for c in every - columns if settled is None or index in short[c]) if t.rows else []
        if lacking:
            diagnostics.warn(f"no {', '.join(repr(c) for c in lacking)} column, which other {kind.name} files have: "
                             f"its rows add nothing to {'those sums' if len(lacking) > 1 else 'that sum'} (a KPI "
                             f"of a period with only such rows is n/a)", item.path)


def _keep_in_cache(cache: ConversionCache | None, items: list[Item], typed: list[Typed]) -> list[threading.Thread]:
    """Threads writing the new files' typed cells into the conversion cache, under each file's own kind, while
    the table is made (pyarrow lets go of the GIL); the caller joins them."""
    writers = []
    for item, t in zip(items, typed):
        if cache is not None and isinstance(item, Source) and item.cache_key is not None:
            # _typed_table takes from t.columns, settle_money converts amounts there and adds notes, and the notes
            # on overlaps with other files come later
            snapshot = dataclasses.replace(t, columns=dict(t.columns), notes=list(t.notes))
            writers.append(threading.Thread(target=cache.put, name="sitegen conversion cache", args=(
                item.cache_key, item.kind, snapshot, item.row_numbers, item.prepare_warnings)))
            writers[-1].start()
    return writers


def _note_ranges(times: np.ndarray, items: list[Item], typed: list[Typed]) -> None:
    """Each file's first and last day, for all files at once from the time column (NaT left out)."""
    times = times.astype("datetime64[ns]", copy=False).view("int64")
    rows = np.array([t.rows for t in typed], dtype=np.int64)
    starts = (np.cumsum(rows) - rows)[rows > 0]  # files without rows (a totals row alone) have no range
    if not len(starts):
        return
    nat, top = np.iinfo(np.int64).min, np.iinfo(np.int64).max
    if len(starts) == 1:  # one file: no n-sized temporaries
        known = times != nat
        present, low, high = [int(np.count_nonzero(known))], [times.min(where=known, initial=top)], [times.max()]
    else:
        missing = times == nat
        present = np.add.reduceat(~missing, starts)
        low = np.minimum.reduceat(np.where(missing, top, times), starts)
        high = np.maximum.reduceat(times, starts)  # NaT is the smallest int64
    epoch, day = date(1970, 1, 1).toordinal(), 86_400_000_000_000
    for item, count, first, last in zip([i for i, n in zip(items, rows) if n], present, low, high):
        if count:  # (numpy's ns -> day conversion overflows near 1677)
            item.first, item.last = (date.fromordinal(epoch + int(v) // day) for v in (first, last))


def _raise_bad_cells(kind: Kind, typed: list[Typed], origins: list[tuple[Path, np.ndarray]]) -> None:
    """validate's errors: per column the first bad cells in file order, then per file how many more."""
    if not any(t.bad for t in typed):
        return
    errors = []
    for col, ctype in kind.columns.items():
        listed: list[SitegenError] = []
        unlisted: dict[Path, int] = {}
        for (path, numbers), t in zip(origins, typed):
            if col not in t.bad:
                continue
            rows, found, far = t.bad[col]
            take = min(len(rows), MAX_CELL_ERRORS - len(listed))
            listed += [cell_error(found[j], ctype, bool(far[j]), range_limits(ctype), path, int(numbers[rows[j]]), col)
                       for j in range(take)]
            unlisted[path] = unlisted.get(path, 0) + len(rows) - take
        errors += listed
        errors += overflow_errors(unlisted, {e.file for e in listed}, ctype, col)
    raise_cell_errors(errors, kind)


BIG_TABLE = 250_000  # rows from which a table's columns keep their own arrays (see _typed_table)


def _typed_table(kind: Kind, items: list[Item], typed: list[Typed]) -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
    """The typed cells of all files of one kind as one table (validate's frame), and its columns' arrays.

    A big table is not consolidated (pandas would copy every float column into one 2-D block, doubling the
    memory for a moment), and its columns that no file has share one array of missing values: copy-on-write
    keeps them apart should one ever be written to. The files' encoded cells are released column by column."""
    present = {c for t in typed for c in t.columns}
    n = sum(t.rows for t in typed)
    big = n >= BIG_TABLE
    shared: dict[str, pd.Series] = {}
    out = {}
    for col, ctype in kind.columns.items():
        if col not in present:
            if not big:
                out[col] = typed_empty_column(ctype, n).to_numpy()
                continue
            group = "float" if ctype in NUMBER_TYPES else "time" if ctype in TIME_TYPES else ""
            if group not in shared:
                shared[group] = typed_empty_column(ctype, 0) if not n else _missing(ctype, n)
            out[col] = shared[group].copy(deep=False)
            continue
        parts = _column_parts(typed, col, ctype, big)
        array = parts[0] if len(parts) == 1 else np.concatenate(parts)
        del parts
        out[col] = pd.Series(array, dtype=array.dtype, copy=False) if big else array
    if not big:
        return _consolidated(out, n), out
    frame = pd.DataFrame(out, copy=False)
    frame.index = pd.RangeIndex(len(frame))
    return frame, {col: series.to_numpy() for col, series in out.items()}


def _column_parts(typed: list[Typed], col: str, ctype: str, big: bool) -> list[np.ndarray]:
    """One column's typed cells, file after file (missing values where a file has no such column); consecutive
    files with the same typed values (typed together) in one take of all their codes."""
    parts: list[np.ndarray] = []
    pending: list = []
    for t in [*typed, None]:
        cells = None if t is None else t.columns.pop(col, None) if big else t.columns.get(col)
        if cells is not None and cells.codes is not None and (not pending or pending[0].values is cells.values):
            pending.append(cells)
            continue
        if pending:
            codes = pending[0].codes if len(pending) == 1 else np.concatenate([c.codes for c in pending])
            parts.append(pending[0].values.take(codes))
            pending.clear()
        if t is None:
            break
        if cells is not None:
            parts.append(cells.array())
        elif ctype in NUMBER_TYPES:
            parts.append(np.full(t.rows, np.nan))
        elif ctype in TIME_TYPES:
            parts.append(np.full(t.rows, np.datetime64("NaT"), dtype="datetime64[ns]"))
        else:
            parts.append(np.full(t.rows, blank_value(ctype), dtype=object))
    return parts


def _consolidated(arrays: dict[str, np.ndarray], n: int) -> pd.DataFrame:
    """pd.DataFrame({name: pd.Series(values, dtype=values.dtype)}) with a RangeIndex, made from its blocks
    (the columns of one type stacked): a monthly drop's table in a fifth of the time."""
    try:
        from pandas.api.internals import create_dataframe_from_blocks
    except ImportError:  # pandas before 2.3
        frame = pd.DataFrame({k: pd.Series(v, dtype=v.dtype, copy=False) for k, v in arrays.items()})
        frame.index = pd.RangeIndex(n)
        return frame
    names = list(arrays)
    where: dict[np.dtype, list[int]] = {}
    for i, values in enumerate(arrays.values()):
        where.setdefault(values.dtype, []).append(i)
    blocks = [(np.stack([arrays[names[i]] for i in columns]), np.array(columns, dtype=np.intp))
              for columns in where.values()]
    return create_dataframe_from_blocks(blocks, index=pd.RangeIndex(n), columns=pd.Index(names))


def _missing(ctype: str, n: int) -> pd.Series:
    """typed_empty_column, made without a list of n Nones."""
    if ctype in NUMBER_TYPES + TIME_TYPES:
        return typed_empty_column(ctype, n)
    values = np.empty(n, dtype=object)
    values.fill(None)
    return pd.Series(values, dtype=object, copy=False)


def release_memory() -> None:
    """Give the memory kept for reuse back to the system, after a big file is read and once it is loaded: what
    pyarrow's pool keeps (10 M rows: 400 MB, which numpy, allocating elsewhere, would not reuse), and what the
    C library keeps in its arenas (300 MB)."""
    pyarrow.default_memory_pool().release_unused()
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


@lru_cache(maxsize=1)
def _malloc_trim():
    """glibc's malloc_trim, None elsewhere."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError):
        return None
