"""Totals rows: exports end with one ("Total of 5928 results", "Gesamt", "全2件の結果"), and it is not data.

A row is a totals row when its first cell is a totals label as a whole (a campaign "Total Wellness Launch" is
data), or when it is the file's last row, says nothing of what it counts (no date, or no name beside the first
column) and its figures are the sums of the rows above. Totals rows are dropped and listed in the file's notes,
and the last one is kept to cross-check the sums of the rows against it."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from sitegen.data import conventions as conv
from sitegen.data.currency_marks import split_markers
from sitegen.data.encoded import Column, TextCells
from sitegen.data.groups import text_series
from sitegen.data.kinds import NUMBER_TYPES, TIME_COLUMN, Kind

# the whole cell: a label alone or with a count ("Gesamt (12)", "Total: 3"), TikTok's "Total of 5928 results",
# and Ads Manager in Japanese, "全2件の結果" ("all 2 results")
_COUNT = r"[\d.,]+(?:\s*(?:results?|ergebnisse))?"
TOTALS_ROW = re.compile(
    rf"(?:(?:totals?|grand total|gesamt|gesamtsumme|gesamtergebnis|summe|insgesamt)\s*:?(?:\s*{_COUNT}|"
    rf"\s*\(\s*{_COUNT}\s*\))?|total of\s*[\d.,]+\s*results?|全\s*[\d,]+\s*件の結果)", re.IGNORECASE)
_TOTALS_HINT = re.compile("total|ge[sſ]amt|[sſ]umme|件の結果", re.IGNORECASE)  # finds every cell TOTALS_ROW matches

CROSS_CHECKED = ("spend", "impressions", "clicks", "conversions", "revenue")
LEVELS = frozenset({"followers", "hour", "active_followers"})  # figures that do not add up over rows
SHOWN_ROWS = 5  # totals rows a note names one by one


# the forms that are a totals row whatever the row holds beside them; a bare word ("Total", "Gesamt (12)") is one
# only on a row that names nothing else (a video titled "Total", a campaign "Summe" are data)
EXPLICIT = re.compile(r"total of\s*[\d.,]+\s*results?|全\s*[\d,]+\s*件の結果", re.IGNORECASE)


def is_totals_label(cell: str) -> bool:
    return TOTALS_ROW.fullmatch(cell.strip()) is not None


def total_rows(cells: TextCells) -> np.ndarray | None:
    """Which rows of the first column are labelled as totals rows (told on its distinct cells); None when none is."""
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
    match = first.astype(str).str.strip().str.fullmatch(TOTALS_ROW).to_numpy(dtype=bool)
    is_total = np.zeros(len(values), dtype=bool)
    is_total[where[match]] = True
    rows = is_total if codes is None else is_total[codes]
    return rows if rows.any() else None


def blank(cell: str | None) -> bool:
    """An empty cell, or one holding a missing-value token ("-")."""
    return cell is None or cell.strip().lower() in conv.NULL_TOKENS or not cell.strip()


def unnamed(last: dict[str, str | None], kind: Kind, first: str | None, dateless: bool) -> bool:
    """Whether a row says nothing of what it counts: its date is empty, or every cell that names something (text,
    IDs, choices, the time) is, but the first column's. `last`: the row's cells by canonical column; `first`:
    the canonical column of the file's first column (None: not one)."""
    time = TIME_COLUMN[kind.name]
    if not dateless and time in last and blank(last[time]):
        return True
    types = kind.columns
    # (the first column's cell is the label, unless it is the date: a dated row names its day)
    names = [c for c in last if c in types and types[c] not in NUMBER_TYPES and (c != first or c == time)]
    return bool(names) and all(blank(last[c]) for c in names)


def additive(kind: Kind) -> list[str]:
    """The kind's figures that a totals row sums up."""
    return [c for c, t in kind.columns.items() if t in ("int", "net", "money") and c not in LEVELS]


def adds_up(above: dict[str, tuple[pd.Series, np.ndarray | None]], last: dict[str, str | None]) -> bool:
    """Whether a row's figures are the sums of the rows above it, to the cent, and one of them at least not 0.
    `above`: per figure, its cells in the rows above (or their distinct cells, each counted `weights` times);
    `last`: the row's cells. A figure the row leaves empty is not compared; one that is not a number fails."""
    columns = [c for c in above if not blank(last.get(c))]
    if not columns:
        return False
    sizes = [len(above[c][0]) for c in columns]
    weights = np.concatenate([np.ones(len(above[c][0]), np.int64) if above[c][1] is None else above[c][1]
                              for c in columns] + [np.ones(len(columns), np.int64)])
    cells = pd.concat([above[c][0].astype(conv.TEXT) for c in columns]
                      + [pd.Series([last[c] for c in columns], dtype=conv.TEXT)], ignore_index=True)
    text = conv.numeric_text(cells.fillna("").str.strip())
    decimal, _ = conv.detect_decimal(text, prefer_comma=False, weights=weights)
    numbers = pd.to_numeric(conv.normalise_numbers(text, decimal).replace("", None), errors="coerce")
    numbers = numbers.to_numpy(dtype=float, na_value=np.nan)
    totals = numbers[-len(columns):]
    if np.isnan(totals).any() or not totals.any():
        return False
    starts = np.concatenate([[0], np.cumsum(sizes)])
    for i, total in enumerate(totals):
        part = slice(int(starts[i]), int(starts[i + 1]))
        actual = float(np.nansum(numbers[part] * weights[part]))
        if abs(actual - total) > 0.005 + 1e-9 * abs(total):
            return False
    return True


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


def drop_totals(cells: dict[str, TextCells], numbers: np.ndarray, first: str, mapping: dict[str, str],
                kind: Kind, dateless: bool = False) -> tuple[dict[str, TextCells], np.ndarray, dict[str, str] | None,
                                                         str | None]:
    """The cells and row numbers without totals rows, the last totals row's cells by header (None: there was
    none) and the note that lists them; `first`: the file's first column, whose label makes a row one."""
    rows = _unnamed_only(total_rows(cells[first]), cells, first, mapping, kind, dateless)
    summed = _sums_row(cells, rows, first, mapping, kind, dateless)
    if summed:
        rows = np.zeros(len(numbers), dtype=bool) if rows is None else rows.copy()
        rows[-1] = True
    if rows is None:
        return cells, numbers, None, None
    dropped = np.flatnonzero(rows)
    totals = {header: cell_at(cells[header], int(dropped[-1])) for header in mapping}
    note = dropped_note([(int(numbers[i]), cell_at(cells[first], int(i))) for i in dropped], summed)
    kept = np.flatnonzero(~rows)
    if len(kept) and kept[-1] == len(kept) - 1:  # the usual last row(s): a view, not a copy
        kept = slice(0, len(kept))
    return {header: rows_of(c, kept) for header, c in cells.items()}, numbers[kept], totals, note


def _unnamed_only(rows: np.ndarray | None, cells: dict[str, TextCells], first: str, mapping: dict[str, str],
                  kind: Kind, dateless: bool) -> np.ndarray | None:
    """The labelled rows that are totals rows: TikTok's explicit forms, and bare labels on rows naming nothing else
    (no date, or no ID, name or time beside the label)."""
    if rows is None:
        return None
    types = kind.columns
    rows = rows.copy()
    for i in np.flatnonzero(rows).tolist():
        if EXPLICIT.fullmatch(cell_at(cells[first], i).strip()):
            continue
        names = {column: cell_at(cells[header], i) for header, column in mapping.items()
                 if types.get(column) not in NUMBER_TYPES}
        rows[i] = unnamed(names, kind, mapping.get(first), dateless)
    return rows if rows.any() else None


def _sums_row(cells: dict[str, TextCells], labelled: np.ndarray | None, first: str, mapping: dict[str, str],
              kind: Kind, dateless: bool) -> bool:
    """Whether the last row, not labelled, is a totals row by its figures (below two rows or more)."""
    n = len(cells[first])
    if n < 3 or (labelled is not None and labelled[-1]):
        return False
    types = kind.columns
    names = {column: cell_at(cells[header], n - 1) for header, column in mapping.items()
             if types.get(column) not in NUMBER_TYPES}  # (the figures only once a row names nothing)
    if not unnamed(names, kind, mapping.get(first), dateless):
        return False
    above = np.arange(n - 1) if labelled is None else np.flatnonzero(~labelled[:-1])
    summed = additive(kind)
    figures = [(h, c) for h, c in mapping.items() if c in summed]
    if len(above) < 2 or not figures:
        return False
    last = {column: cell_at(cells[header], n - 1) for header, column in figures}
    return adds_up({column: _distinct(rows_of(cells[header], above)) for header, column in figures}, last)


def _distinct(cells: TextCells) -> tuple[pd.Series, np.ndarray]:
    """(distinct cells, how often each occurs)."""
    if not isinstance(cells, Column):
        cells = Column.encode(pa.array(list(cells), pa.string()) if isinstance(cells, tuple | list) else cells)
    counts = np.bincount(cells.codes, minlength=len(cells.uniques))
    where = np.flatnonzero(counts)
    return text_series(cells.uniques.take(pa.array(where))), counts[where].astype(np.int64)


def dropped_note(rows: list[tuple[int, str | None]], summed: bool) -> str:
    """The note that lists a file's totals rows: (spreadsheet row, first cell) of each; `summed`: the last one
    is a totals row by its figures."""
    named = [str(row) if blank(cell) else f"{row} ({cell.strip()!r})" for row, cell in rows[:SHOWN_ROWS]]
    more = f" and {len(rows) - SHOWN_ROWS} more" if len(rows) > SHOWN_ROWS else ""
    note = f"totals row{'s' if len(rows) > 1 else ''} {', '.join(named)}{more} not counted as data"
    if summed:
        note += " (the last row names nothing and its figures are the sums of the rows above)"
    return note


def cross_check(sums: dict, totals: dict[str, str], mapping: dict[str, str], decimal: str
                ) -> tuple[str | None, str | None]:
    """(note or None, warning or None): the export's totals row against the sums of the file's rows (`sums`:
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
    return (f"totals row matches ({', '.join(checked)})" if checked else None), None
