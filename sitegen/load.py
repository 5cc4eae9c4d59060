"""Stage 1: read a client's data files, recognise each file's kind, validate and type every cell.

Exports load as they were downloaded or re-saved: headers are mapped through an alias table
(and the user's `[columns]`), totals rows are dropped and cross-checked, missing-value tokens,
decimal marks and date orders are handled per file (see readers.py, columns.py, conventions.py).
Several files of one kind become one table; a row repeated exactly in another file counts once.
Cells are typed and checked in validate.py; bad cells are collected and raised together.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import threading
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from sitegen import conventions as conv
from sitegen.columns import map_headers, suggestions, unmapped
from sitegen.errors import Diagnostics, SitegenError, raise_all
from sitegen.kinds import KINDS, TIME_COLUMN, Kind
from sitegen.readers import READABLE, RawTable, read_table
from sitegen.validate import _typed_empty_column, in_two_files, locator, plausibility, typed_empty, validate

_TOTALS = re.compile(r"^(total|totals|gesamt|gesamtsumme|summe|insgesamt)\b", re.IGNORECASE)
VIDEO_IN_LINK = _VIDEO_IN_LINK = re.compile(r"/video/(\d{8,})")
CROSS_CHECKED = ("spend", "impressions", "clicks", "conversions", "revenue")


@dataclass
class DataFile:
    path: Path
    kind: str
    rows: int
    first: date | None = None
    last: date | None = None
    notes: list[str] = field(default_factory=list)


@dataclass
class ClientData:
    tables: dict[str, pd.DataFrame]
    files: list[DataFile] = field(default_factory=list)
    currencies: set[str] = field(default_factory=set)  # from the files' currency columns

    def __getitem__(self, kind: str) -> pd.DataFrame:
        return self.tables[kind]


@dataclass
class PreparedFile:
    """One file with canonical columns, cells in plain form, not yet typed."""

    path: Path
    kind: Kind
    frame: pd.DataFrame
    row_numbers: np.ndarray
    notes: list[str]
    currencies: set[str]
    totals: pd.Series | None = None  # the export's totals row, if it had one
    mapping: dict[str, str] = field(default_factory=dict)  # header as written -> canonical column
    first: date | None = None  # set once the cells are typed
    last: date | None = None


FAST = True  # the column-wise path (columnar.py); False: the row-by-row path below, which tests compare it with


def load_client_data(data_dir: Path, diagnostics: Diagnostics, columns: dict[str, str] | None = None,
                     cache_dir: Path | None = None) -> ClientData:
    """A client's data folder as typed tables, one per kind.

    `cache_dir`: the project's cache folder (chart_images.cache_root); big files' typed cells are kept in
    its `data/` folder, keyed by the file's contents (datacache.py). None: no cache."""
    if not data_dir.is_dir():
        raise SitegenError("data folder is missing, expected data files (CSV, XLSX, Parquet, JSON) here",
                           data_dir)
    if not FAST:
        return _load_rows(data_dir, diagnostics, columns)
    from sitegen.datacache import DataCache

    cache = DataCache(cache_dir, columns) if cache_dir is not None else None
    errors: list[SitegenError] = []
    parts: dict[str, list] = {k: [] for k in KINDS}
    big = False
    for path in data_paths(data_dir):
        if path.suffix.lower() not in READABLE:
            diagnostics.warn(f"not a data file (expected {', '.join(READABLE)}), ignored", path)
            continue
        warnings: list[tuple[str, int | None, str | None]] = []
        size = 0
        try:
            size = path.stat().st_size
            item = _prepare(path, columns or {}, cache, warnings, size)
        except SitegenError as exc:
            errors.extend(getattr(exc, "errors", [exc]))
            continue
        finally:
            for message, row, column in warnings:
                diagnostics.warn(message, path, row, column)
            if size >= _big_bytes():
                big = True
                _release_memory()
        parts[item.kind.name].append(item)
    tables, files, currencies = {}, [], set()
    for name, items in parts.items():
        try:
            tables[name], typed = _combine_fast(KINDS[name], items, diagnostics, cache)
        except SitegenError as exc:
            errors.extend(getattr(exc, "errors", [exc]))
            continue
        for item, t in zip(items, typed):
            files.append(DataFile(item.path, name, t.rows, item.first, item.last, t.notes))
            currencies |= t.currencies
    del parts
    if big:
        _release_memory()
    raise_all(errors)
    return ClientData(tables, sorted(files, key=lambda f: f.path), currencies)


def _big_bytes() -> int:
    """The size from which a file is big: cached (datacache), and followed by _release_memory."""
    from sitegen.datacache import CACHE_MIN_BYTES

    return CACHE_MIN_BYTES


def _release_memory() -> None:
    """Give the memory kept for reuse back to the system, after a big file is read and once it is loaded: what
    pyarrow's pool keeps (10 M rows: 400 MB, which numpy, allocating elsewhere, would not reuse), and what the
    C library keeps in its arenas (300 MB)."""
    import pyarrow

    pyarrow.default_memory_pool().release_unused()
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


@lru_cache(maxsize=1)
def _malloc_trim():
    """glibc's malloc_trim, None elsewhere."""
    import ctypes
    import sys

    if not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError):
        return None


@dataclass
class _Cached:
    """A file whose typed cells came from the conversion cache."""

    path: Path
    kind: Kind
    typed: object  # columnar.Typed
    row_numbers: np.ndarray
    first: date | None = None
    last: date | None = None


def _prepare(path: Path, user_columns: dict[str, str], cache, warnings: list, size: int | None = None):
    """prepare_file for the column-wise path: a columnar.Source, or a _Cached hit of the conversion cache.
    `size`: the file's size, if known."""
    from sitegen.columnar import Source
    from sitegen.datacache import CACHE_MIN_BYTES
    from sitegen.readers import STREAM_BYTES, NotPlain, from_raw, open_table, scan_file

    size = path.stat().st_size if size is None else size
    key, scan = None, None
    if cache is not None and size >= CACHE_MIN_BYTES:
        scan = cache.scan(path)
        key = cache.key(scan.digest, path)
        hit = cache.get(key)
        if hit is not None:
            warnings.extend(hit.prepare_warnings)
            return _Cached(path, hit.kind, hit.typed, hit.row_numbers)
    elif size >= STREAM_BYTES:
        scan = scan_file(path, digest=False)
    for attempt in ("fast", "general"):
        table = open_table(path, scan, size) if attempt == "fast" else from_raw(read_table(path))
        local: list = []
        headers = table.names
        kind, mapping, candidates = recognise(headers, user_columns)
        if kind is None:
            if table.lazy:  # a file that cannot be read at all says so first
                read_table(path)
            raise SitegenError(_missing_columns_message(headers, candidates, user_columns), path, table.header_row)
        for header in unmapped(headers, mapping):
            close = suggestions(header)
            hint = f"; nearest known names: {', '.join(close)}" if close else ""
            local.append((f"unknown column {header!r} for {kind.name} data (ignored; map it in [columns] if it "
                          f"matters){hint}", table.header_row, header))
        try:
            numbers, cells = table.read([*mapping, headers[0]])
        except NotPlain:
            continue
        break
    warnings.extend(local)
    totals_rows = _total_rows(cells[headers[0]])
    totals = None
    if totals_rows is not None:
        last = int(np.flatnonzero(totals_rows)[-1])
        totals = {h: _cell(cells[h], last) for h in mapping}
        kept = np.flatnonzero(~totals_rows)
        if len(kept) and kept[-1] == len(kept) - 1:  # the usual last row(s): a view, not a copy
            kept = slice(0, len(kept))
        cells = {h: _rows(c, kept) for h, c in cells.items()}
        numbers = numbers[kept]
    _check_lossy_ids(table.lossy_ids, kind, mapping, path)
    return Source(path, kind, {mapping[h]: cells[h] for h in mapping}, numbers, list(table.notes), mapping,
                  totals, list(local), key)


_TOTALS_HINT = re.compile("total|ge[sſ]amt|[sſ]umme", re.IGNORECASE)  # finds every cell _TOTALS matches


def _total_rows(cells) -> np.ndarray | None:
    """_without_totals' test of the first column (on its distinct cells); None when no row is a totals row."""
    import pyarrow.compute as pc

    from sitegen.columnar import Column

    if isinstance(cells, tuple | list):
        # one look at all cells first: _TOTALS (ignoring case) only matches text whose lower case holds one
        # of these words, once the long s (ſ), which Python's re takes for an s, is an s
        low = "\n".join(cells).lower().replace("ſ", "s")
        if "total" not in low and "gesamt" not in low and "summe" not in low:
            return None
        hint = np.fromiter((_TOTALS_HINT.search(c) is not None for c in cells), dtype=bool, count=len(cells))
        values, codes = cells, None
    else:
        values, codes = (cells.uniques, cells.codes) if isinstance(cells, Column) else (cells, None)
        hint = pc.match_substring_regex(values, _TOTALS_HINT.pattern, ignore_case=True).to_numpy(zero_copy_only=False)
    if not hint.any():
        return None
    where = np.flatnonzero(hint)
    first = [values[int(i)] for i in where]
    first = pd.Series([v if isinstance(v, str) else v.as_py() for v in first], dtype="str")
    match = first.astype(str).str.strip().str.match(_TOTALS).to_numpy(dtype=bool)
    is_total = np.zeros(len(values), dtype=bool)
    is_total[where[match]] = True
    rows = is_total if codes is None else is_total[codes]
    return rows if rows.any() else None


def _cell(cells, row: int) -> str:
    from sitegen.columnar import Column

    if isinstance(cells, Column):
        return cells.uniques[int(cells.codes[row])].as_py()
    if isinstance(cells, tuple | list):
        return cells[row]
    return cells[row].as_py()


def _rows(cells, rows: np.ndarray | slice):
    import pyarrow as pa

    from sitegen.columnar import Column

    if isinstance(cells, Column):
        return cells.take(rows)
    if isinstance(rows, slice):
        return cells[rows]
    if isinstance(cells, tuple | list):
        return tuple(cells[i] for i in rows.tolist())
    return cells.take(pa.array(rows))


def _combine_fast(kind: Kind, items: list, diagnostics: Diagnostics, cache) -> tuple[pd.DataFrame, list]:
    """_combine for the column-wise path: (the kind's table, each file's columnar.Typed)."""
    from sitegen.columnar import Source, file_numbers, type_sources

    if not items:
        return typed_empty(kind), []
    fresh = [i for i in items if isinstance(i, Source)]
    together = [s for s in fresh if s.cache_key is None]
    typed_of = dict(zip(map(id, together), type_sources(kind, together) if together else []))
    for s in fresh:
        if s.cache_key is not None:
            typed_of[id(s)] = type_sources(kind, [s])[0]
    typed = [typed_of[id(i)] if isinstance(i, Source) else i.typed for i in items]
    for s in fresh:
        s.columns = {}  # typed now: let the cells as read go
    for item, t in zip(items, typed):
        for message, row, column in t.warnings:
            diagnostics.warn(message, item.path, row, column)
    origins = [(i.path if isinstance(i, Source) else i.path,
                i.row_numbers) for i in items]
    _raise_bad_cells(kind, typed, origins)
    writers = []
    if cache is not None:  # written while the table is made (pyarrow lets go of the GIL), done before returning
        for item, t in zip(items, typed):
            if isinstance(item, Source) and item.cache_key is not None:
                snapshot = dataclasses.replace(t, columns=dict(t.columns))  # _typed_table takes from t.columns
                writers.append(threading.Thread(target=cache.put, name="sitegen conversion cache", args=(
                    item.cache_key, kind, snapshot, item.row_numbers, item.prepare_warnings)))
                writers[-1].start()
    try:
        table, arrays = _typed_table(kind, items, typed)
        file_of = file_numbers([t.rows for t in typed])
        _note_ranges_fast(arrays[TIME_COLUMN[kind.name]], items, typed)
        plausibility(table, kind, origins, file_of, diagnostics, quick=True, arrays=arrays)
        # rows repeated exactly share their time: only then is it worth hashing whole rows
        if len(items) > 1 and in_two_files(arrays[TIME_COLUMN[kind.name]], file_of):
            table = _drop_repeats_across_files(table, kind, origins, file_of, diagnostics)
    finally:
        for writer in writers:
            writer.join()
        if writers:
            _release_memory()
    return table, typed


def _note_ranges_fast(times: np.ndarray, items: list, typed: list) -> None:
    """_note_ranges for all files at once, from the time column: each file's first and last day (NaT left out)."""
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


def _raise_bad_cells(kind: Kind, typed: list, origins) -> None:
    """validate's errors: per column the first bad cells in file order, then how many more."""
    from sitegen.validate import MAX_CELL_ERRORS, cell_error, more_cells_error, raise_cell_errors, range_limits

    if not any(t.bad for t in typed):
        return
    errors = []
    for col, ctype in kind.columns.items():
        listed, total, more_at = [], 0, None
        for (path, numbers), t in zip(origins, typed):
            if col not in t.bad:
                continue
            rows, found, far = t.bad[col]
            for j in range(min(len(rows), MAX_CELL_ERRORS + 1 - len(listed) - (more_at is not None))):
                if len(listed) < MAX_CELL_ERRORS:
                    listed.append((path, int(numbers[rows[j]]), found[j], bool(far[j])))
                elif more_at is None:
                    more_at = path
            total += len(rows)
        for path, row, found, far in listed:
            errors.append(cell_error(found, ctype, far, range_limits(ctype), path, row, col))
        if total > MAX_CELL_ERRORS:
            errors.append(more_cells_error(total - MAX_CELL_ERRORS, ctype, more_at, col))
    raise_cell_errors(errors, kind)


BIG_TABLE = 250_000  # rows from which a table's columns keep their own arrays (see _typed_table)


def _typed_table(kind: Kind, items: list, typed: list) -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
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
                out[col] = _typed_empty_column(ctype, n).to_numpy()
                continue
            group = "float" if ctype in ("int", "money", "float") else "time" if ctype in ("date", "datetime") else ""
            if group not in shared:
                shared[group] = _typed_empty_column(ctype, 0) if not n else _missing(ctype, n)
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


def _column_parts(typed: list, col: str, ctype: str, big: bool) -> list[np.ndarray]:
    """One column's typed cells, file after file (missing values where a file has no such column); consecutive
    files with the same typed values (typed together) in one take of all their codes."""
    from sitegen.validate import blank_value

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
        elif ctype in ("int", "money", "float"):
            parts.append(np.full(t.rows, np.nan))
        elif ctype in ("date", "datetime"):
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
    """_typed_empty_column, made without a list of n Nones."""
    if ctype in ("int", "money", "float", "date", "datetime"):
        return _typed_empty_column(ctype, n)
    values = np.empty(n, dtype=object)
    values.fill(None)
    return pd.Series(values, dtype=object, copy=False)


def _load_rows(data_dir: Path, diagnostics: Diagnostics, columns: dict[str, str] | None = None) -> ClientData:
    """The row-by-row path: pandas reads every file as text, every cell is typed where it stands."""
    paths = data_paths(data_dir)
    errors: list[SitegenError] = []
    parts: dict[str, list[PreparedFile]] = {k: [] for k in KINDS}
    for path in paths:
        if path.suffix.lower() not in READABLE:
            diagnostics.warn(f"not a data file (expected {', '.join(READABLE)}), ignored", path)
            continue
        try:
            prepared = prepare_file(path, diagnostics, columns or {})
        except SitegenError as exc:
            errors.extend(getattr(exc, "errors", [exc]))
            continue
        parts[prepared.kind.name].append(prepared)
    tables, files, currencies = {}, [], set()
    for name, prepared in parts.items():
        try:
            tables[name] = _combine(KINDS[name], prepared, diagnostics)
        except SitegenError as exc:
            errors.extend(getattr(exc, "errors", [exc]))
            continue
        for p in prepared:
            files.append(DataFile(p.path, name, len(p.frame), p.first, p.last, p.notes))
            currencies |= p.currencies
    raise_all(errors)
    return ClientData(tables, sorted(files, key=lambda f: f.path), currencies)


def is_data_name(name: str) -> bool:
    """Hidden files and folders (.git, an editor's) and Office lock files are not data."""
    return not name.startswith((".", "~$"))


def data_paths(data_dir: Path) -> list[Path]:
    """The files a client's data is loaded from: every data name under data/, outside hidden folders (which
    are not walked into: a .git folder can hold thousands of files)."""
    found = []
    for folder, folders, names in os.walk(data_dir):
        folders[:] = [f for f in folders if is_data_name(f)]
        found.extend(Path(folder, n) for n in names if is_data_name(n) and os.path.isfile(os.path.join(folder, n)))
    return sorted(found)


def recognise(headers: list[str], user: dict[str, str]) -> tuple[Kind | None, dict[str, str], list[Kind]]:
    """The kind whose required columns the file has and which knows most of its columns.

    Returns (kind, header mapping, []), or (None, {}, candidates) when the kind that shares most
    columns with the file lacks a required one."""
    kind, mapping, candidates = _recognised(tuple(headers), tuple(user.items()))
    return kind, dict(mapping), list(candidates)


@lru_cache(maxsize=256)  # a client's monthly drops share their headers
def _recognised(headers: tuple[str, ...], user: tuple[tuple[str, str], ...]):
    headers, user = list(headers), dict(user)
    mappings = {name: map_headers(headers, name, user) for name in KINDS}
    present = {name: _present(m) for name, m in mappings.items()}
    overlap = {name: len(present[name] & set(KINDS[name].columns)) for name in KINDS}
    missing = {name: len(set(KINDS[name].required) - present[name]) for name in KINDS}
    eligible = [k for k in KINDS.values() if not missing[k.name]]
    best = max(eligible, key=lambda k: (overlap[k.name], len(k.required)), default=None)
    # a kind that knows more of the columns but lacks one required column is what the user meant
    near = [n for n in KINDS if missing[n] == 1 and overlap[n] > (overlap[best.name] if best else 0)]
    if best is not None and not near:
        return best, mappings[best.name], []
    top = max(overlap[n] for n in near) if near else max(overlap.values())
    return None, {}, [KINDS[n] for n in (near or KINDS) if overlap[n] == top and top > 0]


def _present(mapping: dict[str, str]) -> set[str]:
    columns = set(mapping.values())
    if "video_link" in columns:  # TikTok Studio: the ID is part of the link
        columns.add("video_id")
    return columns


def prepare_file(path: Path, diagnostics: Diagnostics, user_columns: dict[str, str]) -> PreparedFile:
    """Read one file, recognise its kind and map its headers; its cells are interpreted per kind."""
    raw = read_table(path)
    headers = list(raw.frame.columns)
    kind, mapping, candidates = recognise(headers, user_columns)
    if kind is None:
        raise SitegenError(_missing_columns_message(headers, candidates, user_columns), path, raw.header_row)
    for header in unmapped(headers, mapping):
        close = suggestions(header)
        hint = f"; nearest known names: {', '.join(close)}" if close else ""
        diagnostics.warn(f"unknown column {header!r} for {kind.name} data (ignored; map it in [columns] if it "
                         f"matters){hint}", path, raw.header_row, header)
    raw, totals = _without_totals(raw)
    frame = raw.frame[list(mapping)].rename(columns=mapping)
    _check_lossy_ids(raw.lossy_ids, kind, mapping, path)
    return PreparedFile(path, kind, frame, raw.row_numbers, list(raw.notes), set(), totals=totals, mapping=mapping)


def _without_totals(raw: RawTable) -> tuple[RawTable, pd.Series | None]:
    """Ads Manager's last row "Total of N results" is not data: drop it, keep it to cross-check."""
    if raw.frame.empty:
        return raw, None
    first = raw.frame.iloc[:, 0].astype(str).str.strip()
    is_total = first.str.match(_TOTALS).to_numpy()
    if not is_total.any():
        return raw, None
    totals = raw.frame[is_total].iloc[-1]
    kept = RawTable(raw.frame[~is_total].reset_index(drop=True), raw.row_numbers[~is_total], raw.header_row,
                    raw.notes, raw.lossy_ids)
    return kept, totals


def _plain_cells(frame: pd.DataFrame, kind: Kind, conventions: conv.Conventions) -> pd.DataFrame:
    numbers = [c for c in frame.columns if kind.columns.get(c) in ("int", "money", "float")]
    times = [c for c in frame.columns if kind.columns.get(c) in ("date", "datetime")]
    time_cells = pd.concat([frame[c] for c in times]) if times else pd.Series([], dtype=object)
    day_first, why_dates = conv.detect_date_order(time_cells, prefer_day_first=False)
    plain = all((conv.is_plain_number(frame[c]) | (frame[c] == "")).all() for c in numbers)
    if numbers and not plain:  # the common case of plain numbers needs no detection or rewriting
        cells = conv.numeric_text(pd.concat([frame[c] for c in numbers]))
        decimal, why = conv.detect_decimal(cells, prefer_comma=day_first == "dmy")
        conventions.decimal = decimal
        if decimal == ",":
            conventions.notes.append("decimal comma (1.234,56)")
        if why:
            conventions.ambiguous.append(why)
        for c in numbers:
            frame[c] = conv.normalise_numbers(frame[c], decimal)
    if times:
        if why_dates:
            day_first, why_dates = conv.detect_date_order(time_cells, prefer_day_first=conventions.decimal == ",")
            conventions.ambiguous.append(why_dates)
        conventions.date_order = day_first
        if day_first != "ymd":
            conventions.notes.append("dates as " + {"dmy": "day.month.year", "mdy": "month/day/year"}[day_first])
        for c in times:
            frame[c] = conv.normalise_dates(frame[c], day_first)
    return frame


def _cross_check(frame: pd.DataFrame, totals: pd.Series, mapping: dict[str, str], decimal: str, path: Path,
                 diagnostics: Diagnostics) -> str:
    sums = {column: pd.to_numeric(frame[column].replace("", None), errors="coerce").sum()
            for column in CROSS_CHECKED if column in mapping.values()}
    note, warning = cross_check(sums, {h: str(totals[h]) for h in mapping if h in totals.index}, mapping, decimal)
    if warning:
        diagnostics.warn(warning, path)
    return note


def cross_check(sums: dict, totals: dict[str, str], mapping: dict[str, str], decimal: str) -> tuple[str, str | None]:
    """(note, warning or None): the export's totals row against the sums of the file's rows (`sums`:
    column -> the sum of the file's cells read as numbers)."""
    header_of = {v: k for k, v in mapping.items()}
    checked, differ = [], []
    for column in CROSS_CHECKED:
        if column not in header_of:  # `frame` has the columns of every file of its kind, this file may lack some
            continue
        expected_total = pd.to_numeric(conv.normalise_numbers(pd.Series([totals[header_of[column]]]), decimal)
                                       .replace("", None), errors="coerce").iloc[0]
        if pd.isna(expected_total):
            continue
        actual = round(float(sums[column]), 6)
        checked.append(column)
        if abs(actual - float(expected_total)) > 0.005 + 1e-9 * abs(float(expected_total)):
            differ.append(f"{column}: totals row {float(expected_total):,.2f}, rows add up to {actual:,.2f}")
    if differ:
        return "totals row checked: mismatch", "totals row does not match the rows (" + "; ".join(differ) + ")"
    return (f"totals row matches ({', '.join(checked)})" if checked else "totals row dropped"), None


def _shown(header: str) -> str:
    """A header as written, quoted when it holds a line break or another invisible character."""
    return header if header.isprintable() else repr(header)


def _missing_columns_message(headers: list[str], candidates: list[Kind], user: dict[str, str]) -> str:
    found = ", ".join(map(_shown, headers)) or "none"
    if not candidates:
        kinds = "; ".join(f"{k.name}: {', '.join(k.required)}" for k in KINDS.values())
        return f"unknown kind of data (columns: {found}); expected the columns of one kind ({kinds})"
    kind = candidates[0]
    mapping = map_headers(headers, kind.name, user)
    missing = [c for c in kind.required if c not in _present(mapping)]
    hints = []
    for header in unmapped(headers, mapping):
        close = suggestions(header)
        if close:
            hints.append(f"{header!r} is close to {', '.join(close)}")
    hint = ("; " + "; ".join(hints)) if hints else ""
    loose = unmapped(headers, mapping)
    example = f", e.g. {json.dumps(loose[0], ensure_ascii=False)} = \"{missing[0]}\"" if loose else ""
    return (f"missing required column {', '.join(repr(m) for m in missing)} for {kind.name} data "
            f"(needs {', '.join(kind.required)}; file columns: {found}){hint}; "
            f"map a column in client.toml [columns]{example}")


def interpret(kind: Kind, files: list[PreparedFile], diagnostics: Diagnostics) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(cells in plain form, cells as written) of all files of one kind, with each file's conventions.

    Work is done on all files at once; only a file whose numbers or dates are not already plain
    (1234.56, 2026-10-31) is looked at on its own to detect its decimal mark and date order."""
    written = pd.concat([f.frame for f in files], ignore_index=True) if len(files) > 1 else files[0].frame
    written = written.reset_index(drop=True)
    file_of = np.repeat(np.arange(len(files)), [len(f.frame) for f in files])
    found = [conv.Conventions() for _ in files]
    frame = conv.blank_null_tokens(written, conv.Conventions())
    for column in frame.columns:
        blanked = (frame[column] == "").to_numpy() & (written[column].astype(str).str.strip() != "").to_numpy()
        for i, n in enumerate(np.bincount(file_of[blanked], minlength=len(files))):
            if n:
                found[i].nulls[column] = int(n)
    odd = np.zeros(len(frame), dtype=bool)
    for column in frame.columns:
        ctype = kind.columns.get(column)
        if ctype in ("int", "money", "float"):
            odd |= ~(conv.is_plain_number(frame[column]) | (frame[column] == "")).to_numpy()
        elif ctype in ("date", "datetime"):
            odd |= ~(conv.is_iso_date(frame[column]) | (frame[column] == "")).to_numpy()
    for i in np.unique(file_of[odd]):
        rows = np.flatnonzero(file_of == i)
        part = _plain_cells(frame.iloc[rows].copy(), kind, found[i])
        for column in part.columns:
            frame.loc[rows, column] = part[column].to_numpy()
    if kind.name == "videos" and "video_link" in frame.columns:
        from_link = frame["video_link"].str.extract(_VIDEO_IN_LINK)[0].fillna("")
        frame["video_id"] = frame["video_id"].where(frame["video_id"] != "", from_link) \
            if "video_id" in frame.columns else from_link
    for i, f in enumerate(files):
        mine = frame.iloc[np.flatnonzero(file_of == i)]
        if "currency" in mine.columns:
            f.currencies = set(mine["currency"].unique()) - {""}
        for guess in found[i].ambiguous:
            diagnostics.warn(guess, f.path)
        f.notes += found[i].notes + [f"{n} cells in column {c!r} read as missing ('-', 'N/A', ...)"
                                     for c, n in sorted(found[i].nulls.items())]
        if f.totals is not None:
            f.notes.append(_cross_check(mine, f.totals, f.mapping, found[i].decimal, f.path, diagnostics))
    extra = [c for c in ("currency", "video_link") if c in frame.columns]
    return frame.drop(columns=extra), written.drop(columns=extra)


def _combine(kind: Kind, files: list[PreparedFile], diagnostics: Diagnostics) -> pd.DataFrame:
    """All files of one kind as one typed table.

    A row repeated exactly in a later file (overlapping drops) is counted once; repeats inside
    one file are kept, since two interactions or two ads may well look alike."""
    if not files:
        return typed_empty(kind)
    raw, shown = interpret(kind, files, diagnostics)
    origins = [(f.path, f.row_numbers) for f in files]
    table = validate(raw, kind, origins, shown)
    file_of = np.repeat(np.arange(len(files)), [len(f.frame) for f in files])
    _note_ranges(table, kind, files, file_of)
    plausibility(table, kind, origins, file_of, diagnostics)
    if len(files) > 1:
        table = _drop_repeats_across_files(table, kind, origins, file_of, diagnostics)
    return table


def _note_ranges(table: pd.DataFrame, kind: Kind, files: list[PreparedFile], file_of: np.ndarray) -> None:
    times = table[TIME_COLUMN[kind.name]]
    for i, f in enumerate(files):
        mine = times[file_of == i]
        if mine.notna().any():
            f.first, f.last = mine.min().date(), mine.max().date()


def _drop_repeats_across_files(table: pd.DataFrame, kind: Kind, origins, file_of: np.ndarray,
                               diagnostics: Diagnostics) -> pd.DataFrame:
    hashes = pd.util.hash_pandas_object(table, index=False).to_numpy()
    # the k-th copy of a row in its own file matches only the k-th copy in an earlier file
    nth = pd.DataFrame({"file": file_of, "hash": hashes}).groupby(["file", "hash"]).cumcount().to_numpy()
    dupes = pd.DataFrame({"hash": hashes, "nth": nth}).duplicated(keep="first").to_numpy()
    if not dupes.any():
        return table
    locate = locator(origins)
    first = int(np.flatnonzero(dupes)[0])
    original = int(np.flatnonzero((hashes == hashes[first]) & (nth == nth[first]))[0])
    path, row = locate(first)
    was_path, was_row = locate(original)
    diagnostics.warn(f"{int(dupes.sum())} {kind.name} rows repeat rows of another file exactly, each counted "
                     f"once (this row repeats {was_path.name}:{was_row})", path, row)
    return table[~dupes].reset_index(drop=True)


def _check_lossy_ids(lossy_ids, kind: Kind, mapping: dict[str, str], path: Path) -> None:
    """An ID column the spreadsheet stored as a number has lost digits: one located error per cell."""
    raise_all([SitegenError("found an ID stored as a number, expected the ID as text (Excel keeps only 15 digits "
                            "of a number; format the column as text and export again)", path, row, mapping[header])
               for row, header in lossy_ids if kind.columns.get(mapping.get(header, "")) == "id"])
