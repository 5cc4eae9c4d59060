"""Stage 1: read a client's data files, recognise each file's kind, validate and type every cell.

Several files of one kind become one table; identical duplicate rows are reported and kept once.
Bad cells are collected (file:row:column: found, expected) and raised together.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from sitegen.errors import Diagnostics, SitegenError, raise_all
from sitegen.kinds import KINDS, Kind, expected, recognise

READERS = {".csv", ".xlsx", ".parquet", ".json"}
HEADER_ROW = 1  # data row i (0-based) is spreadsheet row i + 2
MAX_CELL_ERRORS = 21
_TRUE = {"true", "1", "yes", "y"}
_FALSE = {"false", "0", "no", "n"}
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2})?$")


@dataclass
class DataFile:
    path: Path
    kind: str
    rows: int


@dataclass
class ClientData:
    tables: dict[str, pd.DataFrame]
    files: list[DataFile] = field(default_factory=list)

    def __getitem__(self, kind: str) -> pd.DataFrame:
        return self.tables[kind]


def empty_table(kind: Kind) -> pd.DataFrame:
    return _typed_empty(kind)


def load_client_data(data_dir: Path, diagnostics: Diagnostics) -> ClientData:
    if not data_dir.is_dir():
        raise SitegenError("data folder is missing, expected data files (CSV, XLSX, Parquet, JSON) here",
                           data_dir)
    paths = sorted(p for p in data_dir.rglob("*") if p.is_file() and not p.name.startswith((".", "~$")))
    errors: list[SitegenError] = []
    parts: dict[str, list[tuple[Path, pd.DataFrame]]] = {k: [] for k in KINDS}
    files: list[DataFile] = []
    for path in paths:
        if path.suffix.lower() not in READERS:
            diagnostics.warn(f"not a data file (expected {', '.join(sorted(READERS))}), ignored", path)
            continue
        try:
            kind, raw = read_file(path, diagnostics)
        except SitegenError as exc:
            errors.extend(getattr(exc, "errors", [exc]))
            continue
        parts[kind.name].append((path, raw))
        files.append(DataFile(path, kind.name, len(raw)))
    tables = {}
    for name, frames in parts.items():
        try:
            tables[name] = _combine(KINDS[name], frames, diagnostics)
        except SitegenError as exc:
            errors.extend(getattr(exc, "errors", [exc]))
    raise_all(errors)
    return ClientData(tables, files)


def read_file(path: Path, diagnostics: Diagnostics) -> tuple[Kind, pd.DataFrame]:
    """The file's kind and its known columns, cells not yet interpreted."""
    raw = read_raw(path)
    raw.columns = [normalise_header(c) for c in raw.columns]
    kind, candidates = recognise(list(raw.columns))
    if kind is None:
        raise SitegenError(_missing_columns_message(list(raw.columns), candidates), path, HEADER_ROW)
    for col in raw.columns:
        if col not in kind.columns:
            diagnostics.warn(f"unknown column {col!r} for {kind.name} data (ignored)", path, HEADER_ROW, col)
    return kind, raw[[c for c in raw.columns if c in kind.columns]]


def load_file(path: Path, diagnostics: Diagnostics) -> tuple[Kind, pd.DataFrame]:
    kind, raw = read_file(path, diagnostics)
    return kind, validate(raw, kind, [(path, len(raw))])


def normalise_header(name) -> str:
    return re.sub(r"[\s\-]+", "_", str(name).replace("\ufeff", "").strip().lower())


def read_raw(path: Path) -> pd.DataFrame:
    """The file as a table of strings (or native values for typed formats); no interpretation yet."""
    suffix = path.suffix.lower()
    try:
        if suffix == ".csv":
            frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
        elif suffix == ".xlsx":
            frame = pd.read_excel(path, dtype=object, engine="openpyxl")
        elif suffix == ".parquet":
            frame = pd.read_parquet(path)
        else:
            frame = _read_json(path)
    except pd.errors.EmptyDataError:
        raise SitegenError("empty file, expected a header row and data rows", path, 1) from None
    except SitegenError:
        raise
    except UnicodeDecodeError as exc:
        raise SitegenError(f"not UTF-8 text ({exc.reason}), expected a UTF-8 CSV file", path) from None
    except Exception as exc:
        raise SitegenError(f"cannot read {suffix[1:].upper()} file: {_first_line(exc)}", path) from None
    if frame.empty:
        raise SitegenError("no data rows, expected at least one row below the header", path, 2)
    duplicated = [c for c in frame.columns if str(c).rsplit(".", 1)[0] in frame.columns and "." in str(c)]
    if duplicated:
        raise SitegenError(f"column {duplicated[0].rsplit('.', 1)[0]!r} appears twice", path, HEADER_ROW)
    return frame


def _read_json(path: Path) -> pd.DataFrame:
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except json.JSONDecodeError as exc:
        raise SitegenError(f"invalid JSON: {exc.msg}", path, exc.lineno, exc.colno) from None
    if isinstance(data, dict):
        data = data.get("rows", data.get("data"))
    if not isinstance(data, list) or not all(isinstance(r, dict) for r in data):
        raise SitegenError('expected a JSON array of objects (or {"rows": [...]})', path)
    if not data:
        raise SitegenError("no data rows, expected at least one object", path)
    return pd.DataFrame.from_records(data)


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def _missing_columns_message(columns: list[str], candidates: list[Kind]) -> str:
    found = ", ".join(columns) or "none"
    if not candidates:
        kinds = "; ".join(f"{k.name}: {', '.join(k.required)}" for k in KINDS.values())
        return f"unknown kind of data (columns: {found}); expected the columns of one kind ({kinds})"
    kind = candidates[0]
    missing = [c for c in kind.required if c not in columns]
    return (f"missing required column {', '.join(repr(m) for m in missing)} for {kind.name} data "
            f"(needs {', '.join(kind.required)}; found {found})")


# --- typing every cell -------------------------------------------------------------------------

def validate(raw: pd.DataFrame, kind: Kind, origins: list[tuple[Path, int]]) -> pd.DataFrame:
    """Type every cell of `raw` (the rows of `origins`' files, in order); bad cells are errors."""
    errors: list[SitegenError] = []
    out = {}
    locate = _locator(origins)
    for col, ctype in kind.columns.items():
        if col not in raw.columns:
            out[col] = _typed_empty_column(ctype, len(raw))
            continue
        values, bad, missing = _convert(raw[col], ctype)
        if col in kind.required:
            bad = bad | missing
        for i in np.flatnonzero(bad.to_numpy())[:MAX_CELL_ERRORS]:
            found = raw[col].iloc[i]
            found_text = "an empty cell" if missing.iloc[i] else f"{_short(found)!r}"
            path, row = locate(int(i))
            errors.append(SitegenError(f"found {found_text}, expected {expected(ctype)}", path, row, col))
        out[col] = values
    order = list(kind.columns)
    raise_all(sorted(errors, key=lambda e: (str(e.file), e.row, order.index(e.column))))
    frame = pd.DataFrame(out)
    frame.index = pd.RangeIndex(len(frame))
    return frame


def _locator(origins: list[tuple[Path, int]]):
    """Maps a row of the combined table to (file, spreadsheet row)."""
    ends = np.cumsum([n for _, n in origins])

    def locate(i: int) -> tuple[Path, int]:
        k = int(np.searchsorted(ends, i, side="right"))
        start = ends[k - 1] if k else 0
        return origins[k][0], int(i - start) + HEADER_ROW + 1
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
        values = series.map(_as_text).where(~blank, None).astype(object)
        return values, pd.Series(False, index=series.index), blank
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
    bad = ~blank & (numbers.isna() | ~np.isfinite(numbers.fillna(0)) | (numbers < 0))
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
        bad = ~blank & stamps.isna()
    if ctype == "date":
        stamps = stamps.dt.normalize()
    return stamps.astype("datetime64[ns]"), bad


def _typed_empty_column(ctype: str, n: int) -> pd.Series:
    if ctype in ("int", "money", "float"):
        return pd.Series(np.full(n, np.nan), dtype="float64")
    if ctype in ("date", "datetime"):
        return pd.Series(pd.NaT, index=range(n), dtype="datetime64[ns]")
    return pd.Series([None] * n, dtype=object)


def _typed_empty(kind: Kind) -> pd.DataFrame:
    return pd.DataFrame({c: _typed_empty_column(t, 0) for c, t in kind.columns.items()})


def _combine(kind: Kind, frames: list[tuple[Path, pd.DataFrame]], diagnostics: Diagnostics) -> pd.DataFrame:
    """All files of one kind as one typed table.

    A row repeated exactly in a later file (overlapping drops) is counted once; repeats inside
    one file are kept, since two interactions or two ads may well look alike."""
    if not frames:
        return _typed_empty(kind)
    raw = pd.concat([f for _, f in frames], ignore_index=True) if len(frames) > 1 else frames[0][1]
    origins = [(p, len(f)) for p, f in frames]
    table = validate(raw.reset_index(drop=True), kind, origins)
    if len(frames) > 1:
        table = _drop_repeats_across_files(table, kind, origins, diagnostics)
    return table


def _drop_repeats_across_files(table: pd.DataFrame, kind: Kind, origins, diagnostics: Diagnostics) -> pd.DataFrame:
    hashes = pd.util.hash_pandas_object(table, index=False).to_numpy()
    file_of = np.repeat(np.arange(len(origins)), [n for _, n in origins])
    # the k-th copy of a row in its own file matches only the k-th copy in an earlier file
    nth = pd.DataFrame({"file": file_of, "hash": hashes}).groupby(["file", "hash"]).cumcount().to_numpy()
    dupes = pd.DataFrame({"hash": hashes, "nth": nth}).duplicated(keep="first").to_numpy()
    if not dupes.any():
        return table
    locate = _locator(origins)
    first = int(np.flatnonzero(dupes)[0])
    original = int(np.flatnonzero((hashes == hashes[first]) & (nth == nth[first]))[0])
    path, row = locate(first)
    was_path, was_row = locate(original)
    diagnostics.warn(f"{int(dupes.sum())} {kind.name} rows repeat rows of another file exactly, each counted "
                     f"once (this row repeats {was_path.name}:{was_row})", path, row)
    return table[~dupes].reset_index(drop=True)
