"""Reading data files as their authors saved them: every cell as text, the header found by its
names, row numbers as a spreadsheet shows them. Nothing is interpreted here but the file's form
(encoding, delimiter); conventions inside the cells are handled by `conventions.py`."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from sitegen.columns import is_known_header
from sitegen.errors import SitegenError

READABLE = (".csv", ".tsv", ".txt", ".xlsx", ".parquet", ".json")
SCAN_ROWS = 30
MAX_COLUMNS = 1_000  # far more than any export has: a wider header row is not a table (and pandas is slow on it)
SNIFF_CHARS = 8_000  # of the first rows, enough to tell the delimiter (real exports: 30 rows in 4-8 kB)


@dataclass
class RawTable:
    frame: pd.DataFrame  # columns: header cells as written; cells: text ('' when empty)
    row_numbers: np.ndarray  # spreadsheet row of each frame row (JSON: the object's position)
    header_row: int
    notes: list[str] = field(default_factory=list)  # how the file was read, for `sitegen check`
    lossy_ids: list[tuple[int, str]] = field(default_factory=list)  # (row, column) of IDs stored as numbers


def read_table(path: Path) -> RawTable:
    suffix = path.suffix.lower()
    if path.stat().st_size == 0:
        raise SitegenError("empty file, expected a header row and data rows", path, 1)
    try:
        if suffix in (".csv", ".tsv", ".txt"):
            table = _read_csv(path)
        elif suffix == ".xlsx":
            table = _read_xlsx(path)
        elif suffix == ".parquet":
            table = _from_frame(pd.read_parquet(path), header_row=1)
        else:
            table = _read_json(path)
    except SitegenError:
        raise
    except Exception as exc:  # readers raise many types for a corrupt file (BadZipFile, ArrowInvalid, ...)
        message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise SitegenError(f"cannot read {suffix[1:].upper()} file: {message}", path) from None
    _check_width(len(table.frame.columns), path, table.header_row or None)
    if table.frame.empty:
        raise SitegenError("no data rows, expected at least one row below the header", path, table.header_row + 1)
    _check_unique_headers(table, path)
    return table


def _check_width(columns: int, path: Path, row: int | None, hint: str = "") -> None:
    if columns > MAX_COLUMNS:
        raise SitegenError(f"found {columns} columns, expected at most {MAX_COLUMNS}{hint}", path, row)


def _check_unique_headers(table: RawTable, path: Path) -> None:
    seen = set()
    for name in table.frame.columns:
        if name in seen:
            raise SitegenError(f"column {name!r} appears twice", path, table.header_row)
        seen.add(name)


def _decode(path: Path) -> tuple[str, str | None]:
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError:
        # Excel on Windows saves "CSV" in the ANSI code page; for German and English text that is cp1252
        return data.decode("cp1252", errors="replace"), "not UTF-8: read as Windows-1252 (Excel's ANSI encoding)"


def _sniff_delimiter(text: str) -> str:
    sample = "\n".join(text.splitlines()[:SCAN_ROWS])
    if len(sample) > SNIFF_CHARS:  # the sniffer's quote regex takes quadratic time: 60 kB of '," ' took 40 s
        cut = sample.rfind("\n", 0, SNIFF_CHARS)
        sample = sample[:cut if cut > 0 else SNIFF_CHARS]
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
    except csv.Error:
        counts = {d: sample.count(d) for d in ",;\t|"}
        return max(counts, key=counts.get) if any(counts.values()) else ","


def _read_csv(path: Path) -> RawTable:
    text, note = _decode(path)
    if not text.strip():
        raise SitegenError("empty file, expected a header row and data rows", path, 1)
    delimiter = _sniff_delimiter(text)
    head = list(csv.reader(io.StringIO("\n".join(text.splitlines()[:SCAN_ROWS]), newline=""), delimiter=delimiter))
    header_index = _find_header(head)
    _check_width(len(head[header_index]) if head else 0, path, header_index + 1,
                 f" (cells read as separated by {'tab' if delimiter == chr(9) else repr(delimiter)})")
    frame = pd.read_csv(io.StringIO(text), sep=delimiter, skiprows=header_index, header=0, dtype=str,
                        keep_default_na=False, skip_blank_lines=False, engine="c")
    frame = frame.fillna("")
    frame.columns = [str(c).strip() for c in frame.columns]
    frame = frame.loc[:, [not c.startswith("Unnamed: ") and c != "" for c in frame.columns]]
    numbers = np.arange(len(frame), dtype=np.int64) + header_index + 2
    filled = (frame != "").any(axis=1).to_numpy() if len(frame.columns) else np.zeros(len(frame), bool)
    table = RawTable(frame[filled].reset_index(drop=True), numbers[filled], header_index + 1)
    if header_index:
        table.notes.append(f"header in row {header_index + 1}")
    if delimiter != ",":
        table.notes.append(f"delimiter {'tab' if delimiter == chr(9) else repr(delimiter)}")
    if note:
        table.notes.append(note)
    return table


def _find_header(rows: list[list[str]]) -> int:
    """The first row with the most known column names among the first rows (title rows above it)."""
    scores = [sum(is_known_header(c) for c in row if c.strip()) for row in rows[:SCAN_ROWS]]
    best = max(scores, default=0)
    return scores.index(best) if best >= 2 else 0


def _read_xlsx(path: Path) -> RawTable:
    from sitegen.spreadsheet import read_xlsx

    sheet = read_xlsx(path, is_known_header)
    table = RawTable(sheet.frame.fillna("").astype(str), np.array(sheet.row_numbers, dtype=np.int64),
                     sheet.header_row, [f"sheet {sheet.sheet!r}, header in row {sheet.header_row}"],
                     list(sheet.lossy))
    return table


def _from_frame(frame: pd.DataFrame, header_row: int) -> RawTable:
    text = pd.DataFrame({str(c): _column_text(frame[c]) for c in frame.columns})
    return RawTable(text, np.arange(len(frame), dtype=np.int64) + header_row + 1, header_row)


def _column_text(series: pd.Series) -> pd.Series:
    """A typed column (Parquet) as the text a user would see, without a Python call per cell."""
    missing = series.isna()
    if pd.api.types.is_bool_dtype(series):
        text = series.map({True: "true", False: "false"})
    elif pd.api.types.is_integer_dtype(series):  # unsigned: values above 2**63 fit no Int64
        text = series.astype("UInt64" if pd.api.types.is_unsigned_integer_dtype(series) else "Int64").astype(str)
    elif pd.api.types.is_float_dtype(series):
        whole = series.where(~missing, 0.0)
        integral = (whole % 1 == 0) & (whole.abs() < 2**53)  # never inf: it stays 'inf', an error in validation
        text = series.astype(str).where(~integral, whole.where(integral, 0.0).astype("int64").astype(str))
    elif pd.api.types.is_datetime64_any_dtype(series):
        stamps = series.dt.tz_localize(None) if series.dt.tz is not None else series
        midnight = (stamps == stamps.dt.normalize()).all()
        text = stamps.dt.strftime("%Y-%m-%d" if midnight else "%Y-%m-%d %H:%M:%S")
    else:
        return series.map(_cell_text).astype("string[pyarrow]")
    return text.astype("string[pyarrow]").where(~missing, "")


def _cell_text(value) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NaT:
        return ""
    if isinstance(value, bool | np.bool_):
        return "true" if value else "false"
    if isinstance(value, float | np.floating) and float(value).is_integer() and abs(value) < 2**53:
        return str(int(value))
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d") if value == value.normalize() else value.strftime("%Y-%m-%d %H:%M:%S")
    return str(value).strip()


def _read_json(path: Path) -> RawTable:
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
    columns = list(dict.fromkeys(k for r in data for k in r))
    _check_width(len(columns), path, None)
    frame = pd.DataFrame([[_cell_text(r.get(c)) for c in columns] for r in data], columns=columns, dtype=object)
    return RawTable(frame, np.arange(1, len(frame) + 1, dtype=np.int64), 0)
