"""Stage 1, second half: type every cell of a kind's table, and check that the figures are plausible.

A cell that cannot be read is an error naming file, spreadsheet row and column, what was found and
what was expected; figures that parse but are hard to believe are warnings.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from sitegen.errors import Diagnostics, SitegenError, raise_all
from sitegen.kinds import TIME_COLUMN, Kind, expected

MAX_CELL_ERRORS = 21
_TRUE = {"true", "1", "yes", "y", "wahr", "ja"}
_FALSE = {"false", "0", "no", "n", "falsch", "nein"}
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2})?$")
_SCIENTIFIC = re.compile(r"^\d(?:[.,]\d+)?[eE]\+?\d+$")
# the days a nanosecond timestamp holds: a date outside them (a typo like 3000-01-01) is a bad cell
EARLIEST, LATEST = pd.Timestamp.min.ceil("D"), pd.Timestamp.max.floor("D")
# counts and amounts from 10^15 on are typos (1e300), and overflow the formatting of sums (Babel's Decimal)
MAX_NUMBER = 1e15


def validate(raw: pd.DataFrame, kind: Kind, origins: list[tuple[Path, np.ndarray]],
             shown: pd.DataFrame | None = None) -> pd.DataFrame:
    """Type every cell of `raw` (the rows of `origins`' files, in order); bad cells are errors,
    quoted as in `shown` (the cells as the user wrote them) when given."""
    shown = raw if shown is None else shown
    errors: list[SitegenError] = []
    out = {}
    locate = locator(origins)
    for col, ctype in kind.columns.items():
        if col not in raw.columns:
            out[col] = _typed_empty_column(ctype, len(raw))
            continue
        values, bad, missing = _convert(raw[col], ctype)
        if col in kind.required:
            bad = bad | missing
        bad_rows = np.flatnonzero(bad.to_numpy())
        far, limits = _out_of_range(values, raw[col], ctype)
        for i in bad_rows[:MAX_CELL_ERRORS]:
            found = shown[col].iloc[i] if col in shown.columns else ""  # a video ID from a link: no cell
            path, row = locate(int(i))
            errors.append(cell_error(found, ctype, bool(far[i]), limits, path, row, col))
        if len(bad_rows) > MAX_CELL_ERRORS:
            path, _ = locate(int(bad_rows[MAX_CELL_ERRORS]))
            errors.append(more_cells_error(len(bad_rows) - MAX_CELL_ERRORS, ctype, path, col))
        out[col] = values
    raise_cell_errors(errors, kind)
    frame = pd.DataFrame(out)
    frame.index = pd.RangeIndex(len(frame))
    return frame


def raise_cell_errors(errors: list[SitegenError], kind: Kind) -> None:
    order = list(kind.columns)
    raise_all(sorted(errors, key=lambda e: (str(e.file), e.row or 1 << 62, order.index(e.column))))


def cell_error(found, ctype: str, far: bool, limits: str, path: Path, row: int, column: str) -> SitegenError:
    """The error for one bad cell, quoting it as the user wrote it."""
    found_text = "an empty cell" if _is_blank(pd.Series([found])).iloc[0] else f"{_short(found)!r}"
    wanted = expected(ctype) + (limits if far else "")
    return SitegenError(f"found {found_text}, expected {wanted}", path, row, column)


def more_cells_error(count: int, ctype: str, path: Path, column: str) -> SitegenError:
    return SitegenError(f"{count} more cells in this column that are not {expected(ctype)} (not listed one by one)",
                        path, None, column)


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


def _convert(series: pd.Series, ctype: str) -> tuple[pd.Series, pd.Series, pd.Series]:
    """(typed values, mask of cells present but unreadable, mask of blank cells)."""
    blank = _is_blank(series)
    if ctype in ("text", "id"):
        text = series.str.strip() if pd.api.types.is_string_dtype(series) else series.map(_as_text)
        values = text.where(~blank, None).astype(object)
        # a spreadsheet that saved an ID as a number wrote 7.45891E+18: its digits are gone
        bad = text.str.match(_SCIENTIFIC).fillna(False) if ctype == "id" else pd.Series(False, index=series.index)
        return values, bad.astype(bool), blank
    if ctype in ("int", "money", "float"):
        return (*_convert_number(series, ctype, blank), blank)
    if ctype in ("date", "datetime"):
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
    bad = ~blank & (numbers.isna() | ~np.isfinite(numbers.fillna(0)) | (numbers < 0) | (numbers >= MAX_NUMBER))
    if ctype == "int":
        bad |= ~blank & numbers.notna() & (numbers % 1 != 0)
    return numbers.where(~bad).astype("float64"), bad


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
        stamps = stamps.where(stamps.between(pd.Timestamp.min, pd.Timestamp.max))
        bad = ~blank & stamps.isna()
    if ctype == "date":
        stamps = stamps.dt.normalize()
    return stamps.astype("datetime64[ns]"), bad


# --- the same typing, fast for plainly written cells (see columnar.py) ------------------------------------

# Cells that every parser reads alike: ASCII digits only, few enough of them that the nearest double is
# the one to_numeric gives (it rounds correctly; checked in tests/test_columnar.py), no sign, no exponent.
_SIMPLE_NUMBER = r"^[0-9]{1,15}(?:\.[0-9]{1,6})?$"
_SIMPLE_DATE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
_SIMPLE_DATETIME = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}(?:[ T][0-9]{2}:[0-9]{2}(?::[0-9]{2})?)?$"
# years whose every day a nanosecond timestamp holds (the first and last year are cut short)
_SAFE_YEARS = (EARLIEST.year + 1, LATEST.year - 1)
PYTHON_MAX = 4096  # distinct cells up to which a Python loop beats pandas' per-call cost


def simple_cells(trimmed, ctype: str) -> np.ndarray:
    """Which cells (trimmed Arrow strings) of a number or date column convert_fast converts in bulk."""
    import pyarrow.compute as pc

    pattern = _SIMPLE_NUMBER if ctype in ("int", "money", "float") else _SIMPLE_DATE if ctype == "date" \
        else _SIMPLE_DATETIME
    return pc.match_substring_regex(trimmed, pattern).to_numpy(zero_copy_only=False)


def convert_fast(cells, ctype: str, trimmed: bool = False,
                 simple: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """`_convert` of Arrow strings (no nulls), as numpy arrays: (values, bad, blank).

    The same values and masks, with plainly written numbers and ISO dates converted in bulk by Arrow, text
    in Python (pandas' string methods follow Python's `re`), and only unusual cells through `_convert`.
    `trimmed`: the cells have no whitespace around them; `simple`: simple_cells of them, known already."""
    import pyarrow as pa
    import pyarrow.compute as pc

    n = len(cells)
    trimmed = cells if trimmed else pc.utf8_trim_whitespace(cells)  # what `_is_blank` and `str.strip()` see
    blank = pc.equal(trimmed, "").to_numpy(zero_copy_only=False)
    if ctype in ("text", "id"):
        if n > PYTHON_MAX:
            values, bad, blank_s = _convert(_text(cells), ctype)
            return values.to_numpy(), bad.to_numpy(dtype=bool), blank_s.to_numpy(dtype=bool)
        values = np.empty(n, dtype=object)
        values[:] = trimmed.to_pylist()
        if blank.any():
            values[blank] = pd.NA
        bad = np.zeros(n, dtype=bool)
        if ctype == "id":
            bad = np.array([not b and _SCIENTIFIC.match(v) is not None for v, b in zip(values, blank)], dtype=bool)
        return values, bad, blank
    if ctype == "bool" or ctype.startswith("enum:"):
        lowered = pc.utf8_lower(trimmed)
        if ctype == "bool":
            true = pc.is_in(lowered, value_set=pa.array(sorted(_TRUE))).to_numpy(zero_copy_only=False)
            false = pc.is_in(lowered, value_set=pa.array(sorted(_FALSE))).to_numpy(zero_copy_only=False)
            values = np.full(n, None, dtype=object)
            values[true & ~blank] = True
            values[false & ~true & ~blank] = False
            return values, ~blank & ~true & ~false, blank
        allowed = pc.is_in(lowered, value_set=pa.array(ctype[5:].split("|"))).to_numpy(zero_copy_only=False)
        values = np.empty(n, dtype=object)
        values[:] = lowered.to_pylist()
        if blank.any():
            values[blank] = np.nan
        return values, ~blank & ~allowed, blank
    number = ctype in ("int", "money", "float")
    simple = simple_cells(trimmed, ctype) if simple is None else simple.copy()
    if number:
        values = np.full(n, np.nan)
        if simple.any():
            values[simple] = pc.cast(trimmed.filter(pa.array(simple)), pa.float64()).to_numpy(zero_copy_only=False)
    else:
        values = np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]")
        if simple.any():
            stamps = _simple_stamps(trimmed.filter(pa.array(simple)))
            ok = ~np.isnat(stamps)
            where = np.flatnonzero(simple)
            values[where[ok]] = stamps[ok]
            simple[where[~ok]] = False  # out of the safe years, or no such day: the general code decides
    bad = np.zeros(n, dtype=bool)
    rest = np.flatnonzero(~simple & ~blank)
    if number:  # `_convert_number` on the cells read so far (NaN where blank)
        with np.errstate(invalid="ignore"):
            bad = ~blank & (np.isnan(values) | np.isinf(values) | (values < 0) | (values >= MAX_NUMBER))
            if ctype == "int":
                bad |= ~blank & ~np.isnan(values) & (values % 1 != 0)
        values = np.where(bad, np.nan, values)
    if len(rest):
        sub_values, sub_bad, sub_blank = _convert(_text(cells.take(pa.array(rest))), ctype)
        values[rest] = sub_values.to_numpy(dtype=values.dtype)
        bad[rest] = sub_bad.to_numpy(dtype=bool)
        blank[rest] = sub_blank.to_numpy(dtype=bool)
    return values, bad, blank


def _text(cells) -> pd.Series:
    from sitegen.conventions import TEXT_DTYPE

    return pd.Series(TEXT_DTYPE.__from_arrow__(cells))


def _simple_stamps(cells) -> np.ndarray:
    """Cells of _SIMPLE_DATE or _SIMPLE_DATETIME (ASCII, so one byte a character) as datetime64[ns], read
    digit by digit from Arrow's buffer; NaT for days that do not exist or lie outside the safe years."""
    n = len(cells)
    offsets = np.frombuffer(cells.buffers()[1], dtype=np.int32)[cells.offset:cells.offset + n + 1]
    data = np.frombuffer(cells.buffers()[2], dtype=np.uint8)
    length = np.diff(offsets)
    fields = np.zeros((n, 6), dtype=np.int64)  # year, month, day, hour, minute, second
    places = {10: [(0, 4), (5, 7), (8, 10)], 16: [(0, 4), (5, 7), (8, 10), (11, 13), (14, 16)],
              19: [(0, 4), (5, 7), (8, 10), (11, 13), (14, 16), (17, 19)]}
    for size, spans in places.items():
        rows = np.flatnonzero(length == size)
        if not len(rows):
            continue
        digits = data[offsets[rows, None] + np.arange(size)].astype(np.int64) - ord("0")
        for k, (a, b) in enumerate(spans):  # (numpy's integer matmul is slow)
            value = digits[:, a]
            for j in range(a + 1, b):
                value = value * 10 + digits[:, j]
            fields[rows, k] = value
    year, month, day, hour, minute, second = fields.T
    ok = ((year >= _SAFE_YEARS[0]) & (year <= _SAFE_YEARS[1]) & (month >= 1) & (month <= 12) & (day >= 1)
          & (hour < 24) & (minute < 60) & (second < 60))
    months = np.where(ok, (year - 1970) * 12 + month - 1, 0).astype("datetime64[M]")
    days = months.astype("datetime64[D]") + np.where(ok, day - 1, 0).astype("timedelta64[D]")
    ok &= (days.astype("datetime64[M]") == months)  # the 31st of a 30-day month rolls over
    stamps = days.astype("datetime64[ns]") + (hour * 3600 + minute * 60 + second).astype("timedelta64[s]")
    return np.where(ok, stamps, np.datetime64("NaT"))


def range_limits(ctype: str) -> str:
    """What `_out_of_range` adds to the expectation of a cell outside sitegen's range."""
    if ctype in ("int", "money", "float"):
        return " and below 10^15"
    if ctype in ("date", "datetime"):
        return f" between {EARLIEST:%Y-%m-%d} and {LATEST:%Y-%m-%d}"
    return ""


def out_of_range(values: pd.Series, raw: pd.Series, ctype: str) -> tuple[np.ndarray, str]:
    return _out_of_range(values, raw, ctype)


def blank_value(ctype: str):
    """What an empty cell of a column the data has becomes (pd.NA for text, NaN for an enum, None for bool)."""
    import pyarrow as pa

    from sitegen.conventions import TEXT_DTYPE

    values, _, _ = _convert(pd.Series(TEXT_DTYPE.__from_arrow__(pa.array([""], pa.string()))), ctype)
    return values.iloc[0]


def _out_of_range(values: pd.Series, raw: pd.Series, ctype: str) -> tuple[np.ndarray, str]:
    """Cells that were read as a number or date but lie outside the range sitegen holds, and that range,
    for the error message."""
    if not values.isna().any():
        return np.zeros(len(values), dtype=bool), ""
    text = raw.astype(str).str.strip()
    if ctype in ("int", "money", "float"):
        numbers = pd.to_numeric(text, errors="coerce")
        return (np.isfinite(numbers) & (numbers.abs() >= MAX_NUMBER)).to_numpy(), " and below 10^15"
    if ctype in ("date", "datetime"):
        year = pd.to_numeric(text.str.extract(r"^(\d{4})-\d{2}-\d{2}(?:$|[ T])", expand=False), errors="coerce")
        far = values.isna() & ((year < EARLIEST.year + 1) | (year > LATEST.year - 1))
        return far.to_numpy(), f" between {EARLIEST:%Y-%m-%d} and {LATEST:%Y-%m-%d}"
    return np.zeros(len(values), dtype=bool), ""


def _typed_empty_column(ctype: str, n: int) -> pd.Series:
    if ctype in ("int", "money", "float"):
        return pd.Series(np.full(n, np.nan), dtype="float64")
    if ctype in ("date", "datetime"):
        return pd.Series(pd.NaT, index=range(n), dtype="datetime64[ns]")
    return pd.Series([None] * n, dtype=object)


def typed_empty(kind: Kind) -> pd.DataFrame:
    return pd.DataFrame({c: _typed_empty_column(t, 0) for c, t in kind.columns.items()})


def plausibility(table: pd.DataFrame, kind: Kind, origins, file_of: np.ndarray, diagnostics: Diagnostics,
                 quick: bool = False, arrays: dict[str, np.ndarray] | None = None) -> None:
    """Warnings for figures that parse but are hard to believe (`quick`: skip looking for days reported by
    two files when no date is in two files; `arrays`: the table's columns as numpy arrays, if at hand)."""
    locate = locator(origins)
    checks = []

    def column(name: str) -> np.ndarray:  # comparisons with NaN or NaT are False, as pandas' are
        return arrays[name] if arrays is not None else table[name].to_numpy()

    if kind.name == "ads":
        checks.append((column("clicks") > column("impressions"), "clicks above impressions"))
        checks.append((column("video_views") > column("impressions"), "video views above impressions"))
    if kind.name == "videos":
        checks.append((column("likes") > column("views"), "likes above views"))
    if kind.name == "account":
        checks.append((column("likes") > column("video_views"), "likes above video views"))
    today = pd.Timestamp(date.today())
    future = (today + pd.Timedelta(days=1)).to_datetime64()
    checks.append((column(TIME_COLUMN[kind.name]) > future, "dates in the future"))
    for mask, what in checks:
        hits = np.flatnonzero(mask)
        if len(hits):
            path, row = locate(int(hits[0]))
            diagnostics.warn(f"{what} in {len(hits)} {kind.name} row{'s' if len(hits) > 1 else ''} "
                             f"(first shown)", path, row)
    keys = DAY_KEYS.get(kind.name)
    if quick and keys and not in_two_files(column(keys[0]), file_of):
        return
    _conflicting_days(table, kind, locate, file_of, diagnostics)


def in_two_files(column: pd.Series | np.ndarray, file_of: np.ndarray) -> bool:
    """Whether a value of a date column (NaT counts as one value) occurs in two files."""
    if file_of.max(initial=0) == 0:
        return False
    values = np.asarray(column).astype("datetime64[ns]", copy=False).view("int64")
    order = np.lexsort((file_of, values))
    values, files = values[order], file_of[order]
    return bool(((values[1:] == values[:-1]) & (files[1:] != files[:-1])).any())


DAY_KEYS = {"ads": ["date", "campaign", "ad_group", "ad"], "account": ["date"], "orders": ["date", "code"],
            "hashtags": ["date", "hashtag"]}


def _conflicting_days(table, kind: Kind, locate, file_of: np.ndarray, diagnostics: Diagnostics) -> None:
    """The same day (and campaign, code, hashtag) reported by two files with different numbers."""
    keys = DAY_KEYS.get(kind.name)
    if not keys or file_of.max(initial=0) == 0:
        return
    frame = table[keys].astype(str).fillna("").assign(_file=file_of,
                                                      _row=pd.util.hash_pandas_object(table, index=False))
    per_key = frame.groupby(keys, sort=False, dropna=False).agg(files=("_file", "nunique"), rows=("_row", "nunique"))
    clash = per_key[(per_key["files"] > 1) & (per_key["rows"] > 1)]
    if clash.empty:
        return
    first_key = clash.index[0] if len(keys) > 1 else (clash.index[0],)
    match = np.flatnonzero((frame[keys] == pd.Series(first_key, index=keys)).all(axis=1).to_numpy())
    (path_a, row_a), (path_b, row_b) = locate(int(match[0])), locate(int(match[-1]))
    diagnostics.warn(f"{len(clash)} {kind.name} days are reported by two files with different numbers "
                     f"(e.g. {path_a.name}:{row_a} and {path_b.name}:{row_b}); both are counted", path_b, row_b)
