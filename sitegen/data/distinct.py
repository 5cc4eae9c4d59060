"""Typing a kind's files: cells kept column-wise in Arrow, each distinct cell typed once.

The readers give every file's cells as text, exactly as the user wrote them; here a file's (or a batch of
small files') columns are dictionary-encoded, and the rules of `conventions` and `cells` run on the distinct
cells only (tests/reference_loader.py applies the same rules to every cell, row by row, to compare with).
A typed column is then a `take` of the typed distinct cells by the rows' codes. An export of ten
million rows has a few thousand distinct dates, campaigns and amounts, and a client's small monthly
drops repeat the same dates and names; either way the per-cell work shrinks to the distinct cells.

What makes this exact: every rule the loader applies to a cell (missing-value tokens, the rewrite of a
number or date once the file's conventions are known, the typing and the checks) depends on the cell
and its file's conventions only. File-level decisions (decimal mark, date order) look at all of a
file's cells, which is the distinct cells with their counts; a file whose cells are all plain already
needs no decision, and files that do are typed on their own.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from sitegen.data import conventions as conv
from sitegen.data.cells import MAX_CELL_ERRORS, convert_fast, out_of_range
from sitegen.data.encoded import Column, TextCells
from sitegen.data.file_conventions import apply_conventions, odd_rows
from sitegen.data.groups import Group, arrow_text, text_series, unique_groups
from sitegen.data.kinds import NUMBER_TYPES, TIME_TYPES, Kind
from sitegen.data.spelled_dates import DateContext
from sitegen.data.totals import CROSS_CHECKED, cross_check

VIDEO_IN_LINK = re.compile(r"/video/(\d{8,})")  # TikTok Studio's exports give a video's ID in its link


@dataclass
class Source:
    """One file's cells with canonical column names, ready to be typed (see load.prepare)."""

    path: Path
    kind: Kind
    columns: dict[str, TextCells]  # canonical column -> cells as written (file's column order)
    row_numbers: np.ndarray
    notes: list[str]
    mapping: dict[str, str]  # header as written -> canonical column
    totals: dict[str, str] | None = None  # the totals row's cells by header, if the export had one
    prepare_warnings: list[tuple[str, int | None, str | None]] = field(default_factory=list)
    cache_key: str | None = None
    first: date | None = None  # the file's date range, once typed
    last: date | None = None
    dates: DateContext | None = None  # what places dates the file writes without a year

    def __len__(self) -> int:
        return len(self.row_numbers)


@dataclass
class Cells:
    """A typed column, still encoded: row i holds `values[codes[i]]` (all of `values` when codes is None)."""

    codes: np.ndarray | None
    values: np.ndarray  # float64, datetime64[ns] or object

    def __len__(self) -> int:
        return len(self.values) if self.codes is None else len(self.codes)

    def array(self) -> np.ndarray:
        return self.values if self.codes is None else self.values.take(self.codes)


@dataclass
class Typed:
    """One file's typed cells and what typing found out about the file."""

    columns: dict[str, Cells]  # canonical kind column -> typed cells (only the columns the file has)
    notes: list[str]  # the reader's notes, the conventions found, missing-value counts, the totals check
    warnings: list[tuple[str, int | None, str | None]]  # (message, row, column) about this file
    currencies: set[str]  # the currency column's cells (trimmed, blanks left out)
    bad: dict[str, tuple[np.ndarray, list[str], np.ndarray]]  # column -> (rows, found text of the first, far)
    rows: int
    # money column -> each row's cell as written where it has a currency marker (`€100`), else None
    marks: dict[str, Cells] = field(default_factory=dict)
    markers: dict[str, np.ndarray] = field(default_factory=dict)  # the marker of each of marks[column].values
    currency: Cells | None = None  # each row's currency column cell (trimmed; None where blank or absent)


def type_sources(kind: Kind, sources: list[Source]) -> list[Typed]:
    """Type the cells of several files of one kind; one `Typed` per file, in order.

    Files whose numbers and dates are all plain are typed together; a file that needs its conventions
    detected (decimal comma, day.month.year, ...) is typed on its own."""
    if not sources:
        return []
    if len(sources) == 1:
        return [_type_one(kind, sources[0])]
    names, groups, file_of = _groups(kind, sources)
    odd = odd_rows(kind, groups, len(file_of))
    odd_files = set(np.unique(file_of[odd]).tolist()) if odd.any() else set()
    if not odd_files:
        return _type_batch(kind, sources, names, groups, file_of)
    plain = [s for i, s in enumerate(sources) if i not in odd_files]
    typed_plain = iter(type_sources(kind, plain) if plain else [])
    return [_type_one(kind, s) if i in odd_files else next(typed_plain) for i, s in enumerate(sources)]


def _type_one(kind: Kind, source: Source) -> Typed:
    names, groups, file_of = _groups(kind, [source])
    found = conv.Conventions()
    if odd_rows(kind, groups, len(source)).any():
        apply_conventions(kind, names, groups, found, source.dates)
    return _type_batch(kind, [source], names, groups, file_of, [(found.notes, found.ambiguous, found.decimal)])[0]


def _ctype(kind: Kind, name: str) -> str:
    return kind.columns.get(name, "extra")


def _groups(kind: Kind, sources: list[Source]) -> tuple[list[str], dict[str, Group], np.ndarray]:
    """(columns in order, column -> its group, each row's file): cells of one type dictionary-encoded
    together; a column a file read in blocks (already encoded) keeps its own distinct cells."""
    names = list(dict.fromkeys(c for s in sources for c in s.columns))
    lengths = [len(s) for s in sources]
    file_of = file_numbers(lengths)
    groups: dict[str, Group] = {}
    stacked: dict[str, list[str]] = {}
    for name in names:
        parts = [s.columns.get(name) for s in sources]
        if len(parts) == 1 and isinstance(parts[0], Column):
            groups[name] = Group(_ctype(kind, name), {name: parts[0].codes}, parts[0].uniques)
        else:
            stacked.setdefault(_ctype(kind, name) if name != "video_link" else "link", []).append(name)
    for columns in stacked.values():
        parts = [(s.columns.get(name), n) for name in columns for s, n in zip(sources, lengths)]
        if all(isinstance(p, tuple | list) or p is None for p, _ in parts):  # the csv module's cells: one array
            cells = list(itertools.chain.from_iterable(p if p is not None else [None] * n for p, n in parts))
            column = Column.encode(pa.array(cells, pa.string()))
        else:
            column = Column.encode(pa.chunked_array([_strings(p, n) for p, n in parts], pa.string()))
        group = Group(_ctype(kind, columns[0]), {}, column.uniques)
        n = len(file_of)
        for i, name in enumerate(columns):
            group.codes[name] = column.codes[i * n:(i + 1) * n]
            groups[name] = group
    for group, _ in unique_groups(groups, names):
        if group.ctype == "money":
            group.strip_markers()
    return names, groups, file_of


def file_numbers(lengths: list[int]) -> np.ndarray:
    """Each row's file: np.repeat(np.arange(len(lengths)), lengths), in the smallest unsigned type (10 M rows of
    one file: 10 MB, not 80)."""
    dtype = np.uint8 if len(lengths) <= 1 << 8 else np.uint16 if len(lengths) <= 1 << 16 else np.uint32
    return np.repeat(np.arange(len(lengths), dtype=dtype), lengths)


def _strings(cells, n: int) -> pa.Array:
    if cells is None:
        return pa.nulls(n, pa.string())
    if isinstance(cells, Column):
        return cells.uniques.take(pa.array(cells.codes))
    if isinstance(cells, pa.Array):
        return cells
    return pa.array(list(cells), pa.string())


def _type_batch(kind: Kind, sources: list[Source], names: list[str], groups: dict[str, Group],
                file_of: np.ndarray, found: list[tuple[list[str], list[str], str]] | None = None) -> list[Typed]:
    """Each file's `Typed` from the batch's groups; `found`: each file's conventions (notes, guesses, decimal)."""
    found = found or [([], [], ".")] * len(sources)
    starts = np.concatenate([[0], np.cumsum([len(s) for s in sources])])
    slices = [slice(int(starts[i]), int(starts[i + 1])) for i in range(len(sources))]
    if kind.name == "videos" and "video_link" in groups:
        _video_id_from_link(groups, VIDEO_IN_LINK)
        if "video_id" not in names:
            names = [*names, "video_id"]
    results = [Typed({}, list(s.notes) + list(found[i][0]), [(w, None, None) for w in found[i][1]], set(), {},
                     len(s)) for i, s in enumerate(sources)]
    if "currency" in groups:
        _row_currencies(groups["currency"], slices, results)
    for group, columns in unique_groups(groups, [n for n in kind.columns if n in groups]):
        _type_group(kind, group, columns, slices, results)
    nulls = _null_counts(names, groups, file_of, len(sources))
    for i, s in enumerate(sources):
        results[i].notes += [f"{n} cells in column {c!r} read as missing ('-', 'N/A', ...)"
                             for c, n in sorted(nulls[i].items())]
        if s.totals is not None:
            sums = {c: _column_sum(groups[c], groups[c].codes[c][slices[i]]) for c in CROSS_CHECKED
                    if c in s.mapping.values() and c in groups}
            note, warning = cross_check(sums, s.totals, s.mapping, found[i][2])
            if note:
                results[i].notes.append(note)
            if warning:
                results[i].warnings.append((warning, None, None))
    return results


def _row_currencies(group: Group, slices: list[slice], results: list[Typed]) -> None:
    """Each file's currency column: its distinct cells, and each row's (see `currencies.settle_money`)."""
    values = np.array(group.clean.to_pylist(), dtype=object)
    values[values == ""] = None
    codes = group.codes["currency"]
    for result, part in zip(results, slices):
        present = values[np.unique(codes[part])]
        result.currencies = set(present[present != None].tolist())  # noqa: E711 (elementwise)
        if result.currencies:
            result.currency = Cells(codes[part], values)


def _marks(group: Group, name: str, slices: list[slice], results: list[Typed]) -> None:
    """Each file's money cells with a currency marker, as written (for `currencies.settle_money`)."""
    is_marked = group.marks != None  # noqa: E711 (elementwise)
    written = np.full(len(group.marks), None, dtype=object)
    written[is_marked] = group.written.filter(pa.array(is_marked)).to_pylist()
    codes = group.codes[name]
    for result, part in zip(results, slices):
        if is_marked[codes[part]].any():
            result.marks[name], result.markers[name] = Cells(codes[part], written), group.marks


def _type_group(kind: Kind, group: Group, columns: list[str], slices: list[slice], results: list[Typed]) -> None:
    """Type a group's distinct cells once; each of its columns, in each file, takes them by its codes."""
    ctype = group.ctype
    simple = group.simple() if ctype in NUMBER_TYPES or ctype in TIME_TYPES else None
    typed, bad, blank = convert_fast(group.clean, ctype, trimmed=group.clean is group.trimmed, simple=simple)
    far = None
    for name in columns:
        codes = group.codes[name]
        bad_here = bad | blank if name in kind.required else bad
        bad_rows = bad_here[codes] if bad_here.any() else None
        if bad_rows is not None and not bad_rows.any():
            bad_rows = None
        if bad_rows is not None and far is None:
            far = out_of_range(pd.Series(typed), text_series(group.clean), ctype)[0]
        if group.marks is not None:
            _marks(group, name, slices, results)
        for result, part in zip(results, slices):
            result.columns[name] = Cells(codes[part], typed)
            rows = np.flatnonzero(bad_rows[part]) if bad_rows is not None else ()
            if len(rows):  # the first bad cells as written (the error lists MAX_CELL_ERRORS, then a count)
                first = codes[part][rows[:MAX_CELL_ERRORS + 1]]
                result.bad[name] = (rows, [group.written[int(k)].as_py() for k in first], far[first])


def _null_counts(names: list[str], groups: dict[str, Group], file_of: np.ndarray, files: int) -> list[dict[str, int]]:
    """Per file, per column: the cells read as missing because they held a missing-value token."""
    nulls: list[dict[str, int]] = [{} for _ in range(files)]
    for name in names:
        group = groups[name]
        if group.token.any():
            per_file = np.bincount(file_of[group.token[group.codes[name]]], minlength=files)
            for i, n in enumerate(per_file):
                if n:
                    nulls[i][name] = int(n)
    return nulls


def _video_id_from_link(groups: dict[str, Group], pattern) -> None:
    """TikTok Studio: the ID is part of the link; a row without an ID of its own takes the link's."""
    link = groups["video_link"]
    link_codes = link.codes["video_link"]
    linked = arrow_text(text_series(link.clean).str.extract(pattern)[0].fillna(""))
    own = groups.get("video_id")
    if own is None:  # no cell to quote: an ID missing from the link is an empty cell
        group = Group("id", {"video_id": link_codes}, pa.array([""] * len(linked), pa.string()))
        group.clean, group.token = linked, np.zeros(len(linked), dtype=bool)
        groups["video_id"] = group
        return
    codes = own.codes["video_id"].astype(np.int64)
    has_own = pc.not_equal(own.clean, "").to_numpy(zero_copy_only=False)[codes]
    if has_own.all():
        return
    # rows without an ID of their own: one more distinct cell per (own cell, link) pair
    pairs = codes[~has_own] * len(linked) + link_codes[~has_own]
    unique, inverse = np.unique(pairs, return_inverse=True)
    codes[~has_own] = len(own.clean) + inverse
    mine, theirs = unique // len(linked), unique % len(linked)
    group = Group("id", {"video_id": codes}, pa.concat_arrays([own.written, own.written.take(pa.array(mine))]))
    group.clean = pa.concat_arrays([own.clean, linked.take(pa.array(theirs))])
    group.token = np.concatenate([own.token, own.token[mine]])
    groups["video_id"] = group


def _column_sum(group: Group, codes: np.ndarray):
    """What the totals row is checked against for one file: its cells as numbers (nullable), summed in row order."""
    counts = np.bincount(codes, minlength=len(group.clean))
    where = np.flatnonzero(counts)
    present = text_series(group.clean.take(pa.array(where)))
    numbers = pd.to_numeric(present.replace("", None), errors="coerce")
    if pd.api.types.is_integer_dtype(numbers.dtype):  # integers add up alike in any order (int64 wraps alike)
        valid = ~numbers.isna().to_numpy()
        return (counts[where][valid].astype(np.int64) * numbers.to_numpy()[valid].astype(np.int64)).sum()
    position = np.full(len(group.clean), -1, dtype=np.int64)
    position[where] = np.arange(len(where))
    return pd.Series(numbers.array.take(position[codes]), copy=False).sum()
