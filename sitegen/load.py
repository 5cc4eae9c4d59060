"""Stage 1: read a client's data files, recognise each file's kind, validate and type every cell.

Exports load as they were downloaded or re-saved: headers are mapped through an alias table
(and the user's `[columns]`), totals rows are dropped and cross-checked, missing-value tokens,
decimal marks and date orders are handled per file (see readers.py, columns.py, conventions.py).
Several files of one kind become one table; a row repeated exactly in another file counts once.
Bad cells are collected (file:row:column: found, expected) and raised together.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from sitegen import conventions as conv
from sitegen.columns import map_headers, suggestions, unmapped
from sitegen.errors import Diagnostics, SitegenError, raise_all
from sitegen.kinds import KINDS, TIME_COLUMN, Kind, expected
from sitegen.readers import READABLE, RawTable, read_table

MAX_CELL_ERRORS = 21
_TRUE = {"true", "1", "yes", "y", "wahr", "ja"}
_FALSE = {"false", "0", "no", "n", "falsch", "nein"}
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2})?$")
_TOTALS = re.compile(r"^(total|totals|gesamt|gesamtsumme|summe|insgesamt)\b", re.IGNORECASE)
_SCIENTIFIC = re.compile(r"^\d(?:[.,]\d+)?[eE]\+?\d+$")
_VIDEO_IN_LINK = re.compile(r"/video/(\d{8,})")
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


def load_client_data(data_dir: Path, diagnostics: Diagnostics, columns: dict[str, str] | None = None) -> ClientData:
    if not data_dir.is_dir():
        raise SitegenError("data folder is missing, expected data files (CSV, XLSX, Parquet, JSON) here",
                           data_dir)
    paths = sorted(p for p in data_dir.rglob("*") if p.is_file() and not p.name.startswith((".", "~$")))
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


def recognise(headers: list[str], user: dict[str, str]) -> tuple[Kind | None, dict[str, str], list[Kind]]:
    """The kind whose required columns the file has and which knows most of its columns.

    Returns (kind, header mapping, []), or (None, {}, candidates) when the kind that shares most
    columns with the file lacks a required one."""
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
    errors = []
    for row, header in raw.lossy_ids:
        if kind.columns.get(mapping.get(header, "")) == "id":
            errors.append(SitegenError("found an ID stored as a number, expected the ID as text (Excel keeps only "
                                       "15 digits of a number; format the column as text and export again)",
                                       path, row, mapping[header]))
    raise_all(errors)
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
        cells = conv._numeric_text(pd.concat([frame[c] for c in numbers]))
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
    header_of = {v: k for k, v in mapping.items()}
    checked, differ = [], []
    for column in CROSS_CHECKED:
        if column not in frame.columns:
            continue
        expected_total = pd.to_numeric(conv.normalise_numbers(pd.Series([str(totals[header_of[column]])]), decimal)
                                       .replace("", None), errors="coerce").iloc[0]
        if pd.isna(expected_total):
            continue
        actual = round(float(pd.to_numeric(frame[column].replace("", None), errors="coerce").sum()), 6)
        checked.append(column)
        if abs(actual - float(expected_total)) > 0.005 + 1e-9 * abs(float(expected_total)):
            differ.append(f"{column}: totals row {float(expected_total):,.2f}, rows add up to {actual:,.2f}")
    if differ:
        diagnostics.warn("totals row does not match the rows (" + "; ".join(differ) + ")", path)
        return "totals row checked: mismatch"
    return f"totals row matches ({', '.join(checked)})" if checked else "totals row dropped"


def _missing_columns_message(headers: list[str], candidates: list[Kind], user: dict[str, str]) -> str:
    found = ", ".join(headers) or "none"
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
    example = f', e.g. "{loose[0]}" = "{missing[0]}"' if loose else ""
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


# --- typing every cell -------------------------------------------------------------------------

def validate(raw: pd.DataFrame, kind: Kind, origins: list[tuple[Path, np.ndarray]],
             shown: pd.DataFrame | None = None) -> pd.DataFrame:
    """Type every cell of `raw` (the rows of `origins`' files, in order); bad cells are errors,
    quoted as in `shown` (the cells as the user wrote them) when given."""
    shown = raw if shown is None else shown
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
        bad_rows = np.flatnonzero(bad.to_numpy())
        for i in bad_rows[:MAX_CELL_ERRORS]:
            found = shown[col].iloc[i]
            found_text = "an empty cell" if _is_blank(pd.Series([found])).iloc[0] else f"{_short(found)!r}"
            path, row = locate(int(i))
            errors.append(SitegenError(f"found {found_text}, expected {expected(ctype)}", path, row, col))
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


def _locator(origins: list[tuple[Path, np.ndarray]]):
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


def _combine(kind: Kind, files: list[PreparedFile], diagnostics: Diagnostics) -> pd.DataFrame:
    """All files of one kind as one typed table.

    A row repeated exactly in a later file (overlapping drops) is counted once; repeats inside
    one file are kept, since two interactions or two ads may well look alike."""
    if not files:
        return _typed_empty(kind)
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


def plausibility(table: pd.DataFrame, kind: Kind, origins, file_of: np.ndarray, diagnostics: Diagnostics) -> None:
    """Warnings for figures that parse but are hard to believe."""
    locate = _locator(origins)
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


def _drop_repeats_across_files(table: pd.DataFrame, kind: Kind, origins, file_of: np.ndarray,
                               diagnostics: Diagnostics) -> pd.DataFrame:
    hashes = pd.util.hash_pandas_object(table, index=False).to_numpy()
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
