"""The totals row exports end with ("Total of 5928 results", "Gesamt"): not data. It is found by its first
cell, dropped, and kept to cross-check the sums of the rows against it."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from sitegen.data import conventions as conv
from sitegen.data.currency_marks import split_markers
from sitegen.data.encoded import Column, TextCells

# English and German words; Ads Manager in Japanese writes "全2件の結果" ("all 2 results"), the whole cell
TOTALS_ROW = re.compile(r"^(?:(total|totals|gesamt|gesamtsumme|summe|insgesamt)\b|全\s*[\d,]+\s*件の結果\s*$)",
                        re.IGNORECASE)
_TOTALS_HINT = re.compile("total|ge[sſ]amt|[sſ]umme|件の結果", re.IGNORECASE)  # finds every cell TOTALS_ROW matches

CROSS_CHECKED = ("spend", "impressions", "clicks", "conversions", "revenue")


def total_rows(cells: TextCells) -> np.ndarray | None:
    """Which rows of the first column are totals rows (told on its distinct cells); None when none is."""
    if isinstance(cells, tuple | list):
        # one look at all cells first: TOTALS_ROW (ignoring case) only matches text whose lower case holds one
        # of these words, once the long s (ſ), which Python's re takes for an s, is an s
        low = "\n".join(cells).lower().replace("ſ", "s")
        if "total" not in low and "gesamt" not in low and "summe" not in low and "件の結果" not in low:
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
    match = first.astype(str).str.strip().str.match(TOTALS_ROW).to_numpy(dtype=bool)
    is_total = np.zeros(len(values), dtype=bool)
    is_total[where[match]] = True
    rows = is_total if codes is None else is_total[codes]
    return rows if rows.any() else None


def cell_at(cells: TextCells, row: int) -> str:
    if isinstance(cells, Column):
        return cells.uniques[int(cells.codes[row])].as_py()
    if isinstance(cells, tuple | list):
        return cells[row]
    return cells[row].as_py()


def rows_of(cells: TextCells, rows: np.ndarray | slice) -> TextCells:
    if isinstance(cells, Column):
        return cells.take(rows)
    if isinstance(rows, slice):
        return cells[rows]
    if isinstance(cells, tuple | list):
        return tuple(cells[i] for i in rows.tolist())
    return cells.take(pa.array(rows))


def drop_totals(cells: dict[str, TextCells], numbers: np.ndarray, first: str, mapping: dict[str, str]
                ) -> tuple[dict[str, TextCells], np.ndarray, dict[str, str] | None]:
    """The cells and row numbers without totals rows, and the last totals row's cells by header (None: there
    was none); `first`: the file's first column, which says whether a row is one."""
    rows = total_rows(cells[first])
    if rows is None:
        return cells, numbers, None
    last = int(np.flatnonzero(rows)[-1])
    totals = {header: cell_at(cells[header], last) for header in mapping}
    kept = np.flatnonzero(~rows)
    if len(kept) and kept[-1] == len(kept) - 1:  # the usual last row(s): a view, not a copy
        kept = slice(0, len(kept))
    return {header: rows_of(c, kept) for header, c in cells.items()}, numbers[kept], totals


def cross_check(sums: dict, totals: dict[str, str], mapping: dict[str, str], decimal: str) -> tuple[str, str | None]:
    """(note, warning or None): the export's totals row against the sums of the file's rows (`sums`:
    column -> the sum of the file's cells read as numbers)."""
    header_of = {v: k for k, v in mapping.items()}
    checked, differ = [], []
    for column in CROSS_CHECKED:
        if column not in header_of:  # `frame` has the columns of every file of its kind, this file may lack some
            continue
        cell = split_markers(pa.array([totals[header_of[column]].strip()], pa.string()))[1]  # "$71,912.88"
        expected_total = pd.to_numeric(conv.normalise_numbers(pd.Series(cell.to_pylist()), decimal).replace("", None),
                                       errors="coerce").iloc[0]
        if pd.isna(expected_total):
            continue
        actual = round(float(sums[column]), 6)
        checked.append(column)
        if abs(actual - float(expected_total)) > 0.005 + 1e-9 * abs(float(expected_total)):
            differ.append(f"{column}: totals row {float(expected_total):,.2f}, rows add up to {actual:,.2f}")
    if differ:
        return "totals row checked: mismatch", "totals row does not match the rows (" + "; ".join(differ) + ")"
    return (f"totals row matches ({', '.join(checked)})" if checked else "totals row dropped"), None
