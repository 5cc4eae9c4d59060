"""How a cell is typed by its column's type (date, datetime, int, money, float, text, id, bool, enum), and the
error a cell that cannot be read gets: file, spreadsheet row, column, what was found, what was expected."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from sitegen.data.conventions import TEXT_DTYPE
from sitegen.data.kinds import NUMBER_TYPES, TIME_TYPES, Kind, expected
from sitegen.errors import SitegenError, raise_all

MAX_CELL_ERRORS = 21
_TRUE = {"true", "1", "yes", "y", "wahr", "ja"}
_FALSE = {"false", "0", "no", "n", "falsch", "nein"}
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2})?$")
_SCIENTIFIC = re.compile(r"^\d(?:[.,]\d+)?[eE]\+?\d+$")
# Control characters (C0 but tab and line feed, DEL, C1) are removed from text and ID cells, a carriage return
# read as a line break first: a NUL or ESC from an export means nothing in a report and would reach its HTML.
# (Arrow's RE2 and Python's re read these patterns alike.)
CONTROLS = r"[\x00-\x08\x0B-\x1F\x7F-\x9F]"
_RETURN = r"\r\n?"

# the years of real exports: a date outside them is a bad cell (1900-01-01 is what a spreadsheet makes of an
# empty or zero date, 3000-01-01 a typo); a fixed range, so that a build does not depend on the day it runs
FIRST_YEAR, LAST_YEAR = 2000, 2099

# counts and amounts from 10^15 on are typos (1e300), and overflow the formatting of sums (Babel's Decimal)
MAX_NUMBER = 1e15


def raise_cell_errors(errors: list[SitegenError], kind: Kind) -> None:
    order = list(kind.columns)
    raise_all(sorted(errors, key=lambda e: (str(e.file), e.row or 1 << 62, order.index(e.column))))


def cell_error(found, ctype: str, far: bool, limits: str, path: Path, row: int, column: str) -> SitegenError:
    """The error for one bad cell, quoting it as the user wrote it."""
    found_text = "an empty cell" if _is_blank(pd.Series([found])).iloc[0] else f"{_short(found)!r}"
    wanted = expected(ctype) + (limits if far else "")
    return SitegenError(f"found {found_text}, expected {wanted}", path, row, column, cells=1)


def more_cells_error(count: int, ctype: str, path: Path, column: str, more: bool = True,
                     wanted: str | None = None) -> SitegenError:
    """The line that stands for a file's bad cells of one column not listed one by one (`more`: some of the
    file's were listed; `wanted`: what they should be, when not a value of type `ctype`)."""
    cells = f"{count:,} {'more ' if more else ''}cell{'' if count == 1 else 's'}"
    return SitegenError(f"{cells} in this column that {'is' if count == 1 else 'are'} not {wanted or expected(ctype)} "
                        "(not listed one by one)", path, None, column, cells=count)


def overflow_errors(unlisted: dict[Path, int], listed: set[Path], ctype: str, column: str) -> list[SitegenError]:
    """One `more_cells_error` per file with bad cells of `column` not listed, counting that file's alone."""
    return [more_cells_error(n, ctype, path, column, path in listed) for path, n in unlisted.items() if n]


def locator(origins: list[tuple[Path, np.ndarray]]):
    """Maps a row of the combined table to (file, spreadsheet row)."""
    ends = np.cumsum([len(rows) for _, rows in origins])

    def locate(i: int) -> tuple[Path, int]:
        k = int(np.searchsorted(ends, i, side="right"))
        start = ends[k - 1] if k else 0
        return origins[k][0], int(origins[k][1][i - start])
    return locate


def _short(value) -> str:
    text = str(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _is_blank(series: pd.Series) -> pd.Series:
    if series.dtype == object or pd.api.types.is_string_dtype(series):
        return series.isna() | (series.astype(str).str.strip() == "")
    return series.isna()


def convert(series: pd.Series, ctype: str) -> tuple[pd.Series, pd.Series, pd.Series]:
    """(typed values, mask of cells present but unreadable, mask of blank cells)."""
    if ctype in ("text", "id") and pd.api.types.is_string_dtype(series):
        series = series.str.replace(_RETURN, "\n", regex=True).str.replace(CONTROLS, "", regex=True)
    blank = _is_blank(series)
    if ctype in ("text", "id"):
        text = series.str.strip() if pd.api.types.is_string_dtype(series) else series.map(_as_text)
        values = text.where(~blank, None).astype(object)
        # a spreadsheet that saved an ID as a number wrote 7.45891E+18: its digits are gone
        bad = text.str.match(_SCIENTIFIC).fillna(False) if ctype == "id" else pd.Series(False, index=series.index)
        return values, bad.astype(bool), blank
    if ctype in NUMBER_TYPES:
        return (*_convert_number(series, ctype, blank), blank)
    if ctype in TIME_TYPES:
        return (*_convert_time(series, ctype, blank), blank)
    lowered = series.astype(str).str.strip().str.lower()
    if ctype == "bool":
        values = pd.Series(np.where(lowered.isin(_TRUE), True, np.where(lowered.isin(_FALSE), False, None)),
                           index=series.index, dtype=object)
        return values.where(~blank, None), ~blank & values.isna(), blank
    allowed = ctype[5:].split("|")
    values = lowered.where(~blank, None).astype(object)
    return values, ~blank & ~lowered.isin(allowed), blank


def _as_text(value) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _convert_number(series: pd.Series, ctype: str, blank: pd.Series):
    if pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series):
        numbers = series.astype("float64")
    else:
        numbers = pd.to_numeric(series.astype(str).str.strip().where(~blank, None), errors="coerce")
    negative = (numbers < 0) if ctype != "net" else pd.Series(False, index=series.index)
    bad = ~blank & (numbers.isna() | ~np.isfinite(numbers.fillna(0)) | negative | (numbers.abs() >= MAX_NUMBER))
    if ctype in ("int", "net"):
        bad |= ~blank & numbers.notna() & (numbers % 1 != 0)
    return numbers.where(~bad).astype("float64") + 0.0, bad  # (+ 0.0: "-0" is 0, as the other readers give it)


def _convert_time(series: pd.Series, ctype: str, blank: pd.Series):
    if pd.api.types.is_datetime64_any_dtype(series):
        stamps = series.dt.tz_localize(None) if series.dt.tz is not None else series
        bad = pd.Series(False, index=series.index)
    else:
        text = series.map(lambda v: v.isoformat(sep=" ") if hasattr(v, "isoformat") else str(v).strip())
        pattern = _DATE if ctype == "date" else _DATETIME
        shape_ok = text.str.match(pattern) | (text.str.match(_DATE) if ctype == "datetime" else False)
        if ctype == "date":  # a date column may hold midnight timestamps from spreadsheets
            shape_ok |= text.str.match(r"^\d{4}-\d{2}-\d{2} 00:00(:00)?$")
        stamps = pd.to_datetime(text.where(shape_ok & ~blank), errors="coerce", format="mixed")
        bad = ~blank & stamps.isna()
    outside = stamps.notna() & ~stamps.dt.year.between(FIRST_YEAR, LAST_YEAR)
    stamps, bad = stamps.where(~outside), bad | outside
    if ctype == "date":
        stamps = stamps.dt.normalize()
    return stamps.astype("datetime64[ns]"), bad


# Cells that every parser reads alike: ASCII digits only, few enough of them that the nearest double is
# the one to_numeric gives (it rounds correctly; checked in tests/test_columnar.py), no sign, no exponent.
_SIMPLE_NUMBER = r"^[0-9]{1,15}(?:\.[0-9]{1,6})?$"
_SIMPLE_DATE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
_SIMPLE_DATETIME = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}(?:[ T][0-9]{2}:[0-9]{2}(?::[0-9]{2})?)?$"

PYTHON_MAX = 4096  # distinct cells up to which a Python loop beats pandas' per-call cost


def simple_cells(trimmed, ctype: str) -> np.ndarray:
    """Which cells (trimmed Arrow strings) of a number or date column convert_fast converts in bulk."""
    pattern = _SIMPLE_NUMBER if ctype in NUMBER_TYPES else _SIMPLE_DATE if ctype == "date" \
        else _SIMPLE_DATETIME
    return pc.match_substring_regex(trimmed, pattern).to_numpy(zero_copy_only=False)


def convert_fast(cells: pa.Array, ctype: str, trimmed: bool = False,
                 simple: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """`convert` of Arrow strings (no nulls), as numpy arrays: (values, bad, blank).

    The same values and masks, with plainly written numbers and ISO dates converted in bulk by Arrow, text
    in Python (pandas' string methods follow Python's `re`), and only unusual cells through `convert`.
    `trimmed`: the cells have no whitespace around them; `simple`: simple_cells of them, known already."""
    if ctype in ("text", "id") and pc.any(pc.match_substring_regex(cells, CONTROLS)).as_py():
        cells = pc.replace_substring_regex(pc.replace_substring_regex(cells, _RETURN, "\n"), CONTROLS, "")
        trimmed = False
    trimmed = cells if trimmed else pc.utf8_trim_whitespace(cells)  # what `_is_blank` and `str.strip()` see
    blank = pc.equal(trimmed, "").to_numpy(zero_copy_only=False)
    if ctype in ("text", "id"):
        return _text_cells(cells, trimmed, blank, ctype)
    if ctype == "bool" or ctype.startswith("enum:"):
        return _choice_cells(trimmed, blank, ctype)
    simple = simple_cells(trimmed, ctype) if simple is None else simple.copy()
    if ctype in NUMBER_TYPES:
        values, bad = _simple_numbers(trimmed, simple, blank, ctype)
    else:
        values, bad = _simple_times(trimmed, simple), np.zeros(len(cells), dtype=bool)
    rest = np.flatnonzero(~simple & ~blank)
    if len(rest):
        rest_values, rest_bad, rest_blank = convert(_text(cells.take(pa.array(rest))), ctype)
        values[rest] = rest_values.to_numpy(dtype=values.dtype)
        bad[rest] = rest_bad.to_numpy(dtype=bool)
        blank[rest] = rest_blank.to_numpy(dtype=bool)
    return values, bad, blank


def _text_cells(cells: pa.Array, trimmed: pa.Array, blank: np.ndarray,
                ctype: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    n = len(cells)
    if n > PYTHON_MAX:
        values, bad, blank_s = convert(_text(cells), ctype)
        return values.to_numpy(), bad.to_numpy(dtype=bool), blank_s.to_numpy(dtype=bool)
    values = np.empty(n, dtype=object)
    values[:] = trimmed.to_pylist()
    if blank.any():
        values[blank] = pd.NA
    bad = np.zeros(n, dtype=bool)
    if ctype == "id":
        bad = np.array([not b and _SCIENTIFIC.match(v) is not None for v, b in zip(values, blank)], dtype=bool)
    return values, bad, blank


def _choice_cells(trimmed: pa.Array, blank: np.ndarray, ctype: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """bool and enum cells."""
    lowered = pc.utf8_lower(trimmed)
    if ctype == "bool":
        true = pc.is_in(lowered, value_set=pa.array(sorted(_TRUE))).to_numpy(zero_copy_only=False)
        false = pc.is_in(lowered, value_set=pa.array(sorted(_FALSE))).to_numpy(zero_copy_only=False)
        values = np.full(len(trimmed), None, dtype=object)
        values[true & ~blank] = True
        values[false & ~true & ~blank] = False
        return values, ~blank & ~true & ~false, blank
    allowed = pc.is_in(lowered, value_set=pa.array(ctype[5:].split("|"))).to_numpy(zero_copy_only=False)
    values = np.empty(len(trimmed), dtype=object)
    values[:] = lowered.to_pylist()
    if blank.any():
        values[blank] = np.nan
    return values, ~blank & ~allowed, blank


def _simple_numbers(trimmed: pa.Array, simple: np.ndarray, blank: np.ndarray,
                    ctype: str) -> tuple[np.ndarray, np.ndarray]:
    """The simple cells as numbers, checked as `_convert_number` checks them (NaN where blank)."""
    values = np.full(len(trimmed), np.nan)
    if simple.any():
        values[simple] = pc.cast(trimmed.filter(pa.array(simple)), pa.float64()).to_numpy(zero_copy_only=False)
    with np.errstate(invalid="ignore"):
        negative = (values < 0) if ctype != "net" else np.zeros(len(values), dtype=bool)
        bad = ~blank & (np.isnan(values) | np.isinf(values) | negative | (np.abs(values) >= MAX_NUMBER))
        if ctype in ("int", "net"):
            bad |= ~blank & ~np.isnan(values) & (values % 1 != 0)
    return np.where(bad, np.nan, values), bad


TIME_BLOCK = 1 << 16  # cells cast at a time: a cell Arrow refuses sends only its block the general way


def _simple_times(trimmed: pa.Array, simple: np.ndarray) -> np.ndarray:
    """The simple cells as datetime64[ns] by Arrow's strict ISO 8601 cast, a block of cells at a time. A block
    it refuses (a day that does not exist, 24:00, a year a nanosecond timestamp cannot hold), and a day outside
    FIRST_YEAR to LAST_YEAR, are left to the general conversion (`simple` is cleared there)."""
    values = np.full(len(trimmed), np.datetime64("NaT"), dtype="datetime64[ns]")
    where = np.flatnonzero(simple)
    chosen = trimmed.filter(pa.array(simple))
    for start in range(0, len(where), TIME_BLOCK):
        block = chosen.slice(start, TIME_BLOCK)
        at = where[start:start + TIME_BLOCK]
        try:
            stamps = pc.cast(block, pa.timestamp("ns"))
        except pa.ArrowInvalid:
            simple[at] = False
            continue
        years = pc.year(stamps).to_numpy(zero_copy_only=False)
        safe = (years >= FIRST_YEAR) & (years <= LAST_YEAR)
        values[at[safe]] = stamps.to_numpy(zero_copy_only=False)[safe]
        simple[at[~safe]] = False
    return values


def _text(cells: pa.Array) -> pd.Series:
    return pd.Series(TEXT_DTYPE.__from_arrow__(cells))


_DATES = f" between {FIRST_YEAR}-01-01 and {LAST_YEAR}-12-31 (other years are not real export dates)"


def range_limits(ctype: str) -> str:
    """What `out_of_range` adds to the expectation of a cell outside sitegen's range."""
    if ctype in NUMBER_TYPES:
        return " and below 10^15"
    if ctype in TIME_TYPES:
        return _DATES
    return ""


def out_of_range(values: pd.Series, raw: pd.Series, ctype: str) -> tuple[np.ndarray, str]:
    """Cells that were read as a number or date but lie outside the range sitegen holds, and that range,
    for the error message."""
    if not values.isna().any():
        return np.zeros(len(values), dtype=bool), ""
    text = raw.astype(str).str.strip()
    if ctype in NUMBER_TYPES:
        numbers = pd.to_numeric(text, errors="coerce")
        return (np.isfinite(numbers) & (numbers.abs() >= MAX_NUMBER)).to_numpy(), " and below 10^15"
    if ctype in TIME_TYPES:
        year = pd.to_numeric(text.str.extract(r"^(\d{4})-\d{2}-\d{2}(?:$|[ T])", expand=False), errors="coerce")
        far = values.isna() & ((year < FIRST_YEAR) | (year > LAST_YEAR))
        return far.to_numpy(), _DATES
    return np.zeros(len(values), dtype=bool), ""


def blank_value(ctype: str):
    """What an empty cell of a column the data has becomes (pd.NA for text, NaN for an enum, None for bool)."""
    values, _, _ = convert(pd.Series(TEXT_DTYPE.__from_arrow__(pa.array([""], pa.string()))), ctype)
    return values.iloc[0]


def typed_empty_column(ctype: str, n: int) -> pd.Series:
    if ctype in NUMBER_TYPES:
        return pd.Series(np.full(n, np.nan), dtype="float64")
    if ctype in TIME_TYPES:
        return pd.Series(pd.NaT, index=range(n), dtype="datetime64[ns]")
    return pd.Series([None] * n, dtype=object)


def typed_empty(kind: Kind) -> pd.DataFrame:
    return pd.DataFrame({c: typed_empty_column(t, 0) for c, t in kind.columns.items()})
