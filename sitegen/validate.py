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
            found = shown[col].iloc[i]
            found_text = "an empty cell" if _is_blank(pd.Series([found])).iloc[0] else f"{_short(found)!r}"
            path, row = locate(int(i))
            wanted = expected(ctype) + (limits if far[i] else "")
            errors.append(SitegenError(f"found {found_text}, expected {wanted}", path, row, col))
        if len(bad_rows) > MAX_CELL_ERRORS:
            path, _ = locate(int(bad_rows[MAX_CELL_ERRORS]))
            errors.append(SitegenError(f"{len(bad_rows) - MAX_CELL_ERRORS} more cells in this column that are not "
                                       f"{expected(ctype)} (not listed one by one)", path, None, col))
        out[col] = values
    order = list(kind.columns)
    raise_all(sorted(errors, key=lambda e: (str(e.file), e.row or 1 << 62, order.index(e.column))))
    frame = pd.DataFrame(out)
    frame.index = pd.RangeIndex(len(frame))
    return frame


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


def plausibility(table: pd.DataFrame, kind: Kind, origins, file_of: np.ndarray, diagnostics: Diagnostics) -> None:
    """Warnings for figures that parse but are hard to believe."""
    locate = locator(origins)
    checks = []
    if kind.name == "ads":
        checks.append((table["clicks"] > table["impressions"], "clicks above impressions"))
        checks.append((table["video_views"] > table["impressions"], "video views above impressions"))
    if kind.name == "videos":
        checks.append((table["likes"] > table["views"], "likes above views"))
    if kind.name == "account":
        checks.append((table["likes"] > table["video_views"], "likes above video views"))
    today = pd.Timestamp(date.today())
    checks.append((table[TIME_COLUMN[kind.name]] > today + pd.Timedelta(days=1), "dates in the future"))
    for mask, what in checks:
        hits = np.flatnonzero(mask.fillna(False).to_numpy())
        if len(hits):
            path, row = locate(int(hits[0]))
            diagnostics.warn(f"{what} in {len(hits)} {kind.name} row{'s' if len(hits) > 1 else ''} "
                             f"(first shown)", path, row)
    _conflicting_days(table, kind, locate, file_of, diagnostics)


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
