"""The loader's reference: the row-by-row path, every cell of every file typed where it stands, through the
same rules as sitegen.data (conventions, cells, totals, plausibility). The product types each distinct cell
once (sitegen.data.distinct); tests/test_columnar.py and the fuzz tests check that both give the same tables,
warnings and errors. Kept here, out of the product, as what the fast path is measured against."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from sitegen.data import conventions as conv
from sitegen.data.cell_shapes import SAMPLE
from sitegen.data.cells import (
    MAX_CELL_ERRORS,
    cell_error,
    convert,
    locator,
    out_of_range,
    overflow_errors,
    raise_cell_errors,
    typed_empty,
    typed_empty_column,
)
from sitegen.data.covered import missing_range_hint
from sitegen.data.currencies import Money, client_currency, named_currencies, settle_money
from sitegen.data.currency_marks import split_markers
from sitegen.data.date_headers import not_dates
from sitegen.data.distinct import VIDEO_IN_LINK, Cells, Typed
from sitegen.data.file_dates import file_days, reference_day
from sitegen.data.files import data_paths
from sitegen.data.fx import merged_rates
from sitegen.data.kinds import KINDS, NUMBER_TYPES, TIME_COLUMN, Kind
from sitegen.data.load import ClientData, DataFile, _totals_export, check_lossy_ids
from sitegen.data.options import LoadOptions
from sitegen.data.overlaps import settle_overlaps
from sitegen.data.plausibility import plausibility
from sitegen.data.readers import READABLE, read_table
from sitegen.data.readers.base import RawTable, from_raw
from sitegen.data.recognise import (
    doubled_columns,
    headers_to_sample,
    missing_columns_message,
    recognise,
    unknown_columns,
)
from sitegen.data.shop_orders import derive_orders, shop_export
from sitegen.data.spelled_dates import DateContext, SpelledFound, rewrite_spelled
from sitegen.data.totals import (
    CROSS_CHECKED,
    EXPLICIT,
    additive,
    adds_up,
    cross_check,
    dropped_note,
    is_totals_label,
    unnamed,
)
from sitegen.errors import Diagnostics, SitegenError, raise_all


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
    typed: Typed | None = None  # its currency column and money cells with a currency marker (no typed cells yet)


def load_rows(data_dir: Path, diagnostics: Diagnostics, columns: dict[str, str] | None = None) -> ClientData:
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
    tables, files, used = {}, [], []
    cells, said = {}, {}  # each kind's cells, and the warnings found on them (given in the loader's order)
    for name, prepared in parts.items():
        if prepared:
            said[name] = Diagnostics()
            cells[name] = interpret(KINDS[name], prepared, said[name])
    options = LoadOptions()
    currencies = named_currencies((p.typed for prepared in parts.values() for p in prepared), options.currency)
    money = Money(client_currency(options.currency, options.currency_set, currencies), options.fx)
    for name, prepared in parts.items():
        for warning in said[name].warnings if name in said else []:
            diagnostics.warn(warning)
        try:
            tables[name], rates = _combine(KINDS[name], prepared, cells.get(name), money, diagnostics, data_dir)
        except SitegenError as exc:
            errors.extend(getattr(exc, "errors", [exc]))
            continue
        used += rates
        for p in prepared:
            files.append(DataFile(p.path, name, len(p.frame), p.first, p.last, p.notes))
    raise_all(errors)
    return ClientData(tables, sorted(files, key=lambda f: f.path), currencies, [], money.currency, merged_rates(used))


def prepare_file(path: Path, diagnostics: Diagnostics, user_columns: dict[str, str]) -> PreparedFile:
    """Read one file, recognise its kind and map its headers; its cells are interpreted per kind."""
    raw = read_table(path)
    headers = list(raw.frame.columns)
    shop = shop_export(headers)
    if shop is not None:
        return _shop_file(raw, path, shop, diagnostics)
    hidden: set[str] = set()
    while True:  # a header mapped to a date whose cells are not dates does not decide the kind
        shown = [h for h in headers if h not in hidden]
        kind, mapping, candidates = recognise(shown, user_columns)
        if kind is None:
            first = {h: raw.frame[h].iloc[:SAMPLE].tolist() for h in headers_to_sample(shown, candidates, user_columns)}
            message = missing_columns_message(shown, candidates, user_columns, first)
            if _totals_export(recognise(shown, user_columns, dateless=True)[0]):  # as load._read says it
                message += missing_range_hint(path.name)
            raise SitegenError(message, path, raw.header_row)
        at = dict(zip(headers, raw.positions)) if raw.positions is not None else None
        doubled = doubled_columns(shown, kind, user_columns, [at[h] for h in shown] if at else None)
        if doubled:
            raise SitegenError(doubled, path, raw.header_row)
        refused = not_dates(kind, mapping, {h: tuple(raw.frame[h]) for h in mapping}, user_columns)
        if not refused:
            break
        hidden |= set(refused)
    for message, row, column in unknown_columns(headers, kind, mapping, raw.header_row):
        diagnostics.warn(message, path, row, column)
    raw, totals = _without_totals(raw, kind, mapping)
    frame = raw.frame[list(mapping)].rename(columns=mapping)
    check_lossy_ids(raw.lossy_ids, kind, mapping, path)
    return PreparedFile(path, kind, frame, raw.row_numbers, list(raw.notes), set(), totals=totals, mapping=mapping)


def _shop_file(raw: RawTable, path: Path, shop, diagnostics: Diagnostics) -> PreparedFile:
    """A shop's order export: its orders, derived as the loader derives them (the derivation itself is checked
    against hand-computed figures and a plain recomputation in test_shop_orders), typed here row by row."""
    warnings: list = []
    source = derive_orders(from_raw(raw), path, *shop, "UTC", warnings)
    for message, row, column in warnings:
        diagnostics.warn(message, path, row, column)
    frame = pd.DataFrame({c: pd.Series(cells.to_pylist(), dtype=object) for c, cells in source.columns.items()})
    return PreparedFile(path, source.kind, frame, source.row_numbers, source.notes, set(), mapping=source.mapping)


def _without_totals(raw: RawTable, kind: Kind, mapping: dict[str, str]) -> tuple[RawTable, pd.Series | None]:
    """A row labelled as the totals ("Total of N results"), or a last row that names nothing and whose figures
    are the sums of the rows above, is not data: drop it, keep it to cross-check, and say so in a note."""
    if raw.frame.empty:
        return raw, None
    first = raw.frame.iloc[:, 0].astype(str)
    first_column = mapping.get(raw.frame.columns[0])
    is_total = np.array([is_totals_label(cell) and (EXPLICIT.fullmatch(cell.strip()) is not None or unnamed(
        {column: raw.frame[header].iloc[i] for header, column in mapping.items()}, kind, first_column, False))
        for i, cell in enumerate(first)], dtype=bool)
    last = {column: raw.frame[header].iloc[-1] for header, column in mapping.items()}
    above = raw.frame.iloc[:-1][~is_total[:-1]]
    figures = {column: (above[header], None) for header, column in mapping.items() if column in additive(kind)}
    summed = (not is_total[-1] and len(above) >= 2 and bool(figures)
              and unnamed(last, kind, mapping.get(raw.frame.columns[0]), False) and adds_up(figures, last))
    is_total[-1] |= summed
    if not is_total.any():
        return raw, None
    totals = raw.frame[is_total].iloc[-1]
    note = dropped_note(list(zip(raw.row_numbers[is_total].tolist(), first[is_total])), summed)
    kept = RawTable(raw.frame[~is_total].reset_index(drop=True), raw.row_numbers[~is_total], raw.header_row,
                    [*raw.notes, note], raw.lossy_ids)
    return kept, totals


def _plain_cells(frame: pd.DataFrame, kind: Kind, conventions: conv.Conventions,
                 context: DateContext | None = None) -> pd.DataFrame:
    numbers = [c for c in frame.columns if kind.columns.get(c) in NUMBER_TYPES]
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
            prefer, because = conv.preferred_order(conventions.decimal, context is not None and context.day_first)
            day_first, why_dates = conv.detect_date_order(time_cells, prefer, because=because)
            conventions.ambiguous.append(why_dates)
        conventions.date_order = day_first
        if day_first != "ymd":
            conventions.notes.append("dates as " + {"dmy": "day.month.year", "mdy": "month/day/year"}[day_first])
        spelled = SpelledFound()
        for c in times:
            frame[c] = rewrite_spelled(conv.normalise_dates(frame[c], day_first), context, spelled)
        conventions.notes.extend(dict.fromkeys(spelled.notes))
        conventions.ambiguous.extend(dict.fromkeys(spelled.warnings))
    return frame


def _cross_check(frame: pd.DataFrame, totals: pd.Series, mapping: dict[str, str], decimal: str, path: Path,
                 diagnostics: Diagnostics) -> str | None:
    sums = {column: pd.to_numeric(frame[column].replace("", None), errors="coerce").sum()
            for column in CROSS_CHECKED if column in mapping.values()}
    note, warning = cross_check(sums, {h: str(totals[h]) for h in mapping if h in totals.index}, mapping, decimal)
    if warning:
        diagnostics.warn(warning, path)
    return note


def interpret(kind: Kind, files: list[PreparedFile], diagnostics: Diagnostics) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(cells in plain form, cells as written) of all files of one kind, with each file's conventions.

    Work is done on all files at once; only a file whose numbers or dates are not already plain
    (1234.56, 2026-10-31) is looked at on its own to detect its decimal mark and date order."""
    written = pd.concat([f.frame for f in files], ignore_index=True) if len(files) > 1 else files[0].frame
    written = written.reset_index(drop=True)
    file_of = np.repeat(np.arange(len(files)), [len(f.frame) for f in files])
    found = [conv.Conventions() for _ in files]
    frame = conv.blank_null_tokens(written, conv.Conventions())
    marks = {}
    for column in frame.columns:
        if kind.columns.get(column) == "money":  # each cell's currency marker, set apart from its amount
            found, amounts = split_markers(pa.array(frame[column].astype(object).tolist(), pa.string()))
            frame[column] = pd.Series(amounts.to_pylist(), index=frame.index, dtype=conv.TEXT)
            marks[column] = (np.where(found != None, written[column].astype(object), None), found)  # noqa: E711
    for column in frame.columns:
        blanked = (frame[column] == "").to_numpy() & (written[column].astype(str).str.strip() != "").to_numpy()
        for i, n in enumerate(np.bincount(file_of[blanked], minlength=len(files))):
            if n:
                found[i].nulls[column] = int(n)
    odd = np.zeros(len(frame), dtype=bool)
    for column in frame.columns:
        ctype = kind.columns.get(column)
        if ctype in NUMBER_TYPES:
            odd |= ~(conv.is_plain_number(frame[column]) | (frame[column] == "")).to_numpy()
        elif ctype in ("date", "datetime"):
            odd |= ~(conv.is_iso_date(frame[column]) | (frame[column] == "")).to_numpy()
    for i in np.unique(file_of[odd]):
        rows = np.flatnonzero(file_of == i)
        context = DateContext(files[i].path, file_days(files[i].path, files[i].path.parent, {}))
        part = _plain_cells(frame.iloc[rows].copy(), kind, found[i], context)
        for column in part.columns:
            frame.loc[rows, column] = part[column].to_numpy()
    if kind.name == "videos" and "video_link" in frame.columns:
        from_link = frame["video_link"].str.extract(VIDEO_IN_LINK)[0].fillna("")
        frame["video_id"] = frame["video_id"].where(frame["video_id"] != "", from_link) \
            if "video_id" in frame.columns else from_link
    for i, f in enumerate(files):
        rows = np.flatnonzero(file_of == i)
        own = {c: (m[rows], kinds[rows]) for c, (m, kinds) in marks.items() if (m[rows] != None).any()}  # noqa: E711
        f.typed = Typed({}, f.notes, [], set(), {}, len(rows), {c: Cells(None, m) for c, (m, _) in own.items()},
                        {c: kinds for c, (_, kinds) in own.items()})
        mine = frame.iloc[rows]
        if "currency" in mine.columns:
            f.currencies = set(mine["currency"].unique()) - {""}
            present = mine["currency"].astype(object).where(mine["currency"] != "", None).to_numpy()
            f.typed.currencies = f.currencies
            f.typed.currency = Cells(None, present) if f.currencies else None
        for guess in found[i].ambiguous:
            diagnostics.warn(guess, f.path)
        f.notes += found[i].notes + [f"{n} cells in column {c!r} read as missing ('-', 'N/A', ...)"
                                     for c, n in sorted(found[i].nulls.items())]
        note = _cross_check(mine, f.totals, f.mapping, found[i].decimal, f.path, diagnostics) \
            if f.totals is not None else None
        f.notes += [note] if note else []
    extra = [c for c in ("currency", "video_link") if c in frame.columns]
    return frame.drop(columns=extra), written.drop(columns=extra)


def _combine(kind: Kind, files: list[PreparedFile], cells: tuple[pd.DataFrame, pd.DataFrame] | None, money: Money,
             diagnostics: Diagnostics, data_dir: Path) -> tuple[pd.DataFrame, list]:
    """All files of one kind as one typed table (`cells`: `interpret`'s), every amount in `money`'s currency, and
    the exchange rates that converted some.

    A row that several files report is counted once, the later download's; repeats inside one file are kept,
    since two interactions or two ads may well look alike, but for videos."""
    if not files:
        return typed_empty(kind), []
    raw, shown = cells
    origins = [(f.path, f.row_numbers) for f in files]
    # a file with rules of its own (a shop export: an order without a code) may leave some required cells blank
    optional = {c: np.concatenate([np.full(len(f.frame), c not in f.kind.required) for f in files])
                for c in kind.required}
    table = validate(raw, kind, origins, shown, optional)
    file_of = np.repeat(np.arange(len(files)), [len(f.frame) for f in files])
    rates = _settle_money(kind, table, files, file_of, origins, money)
    _note_ranges(table, kind, files, file_of)
    plausibility(table, kind, origins, diagnostics)
    if len(files) > 1 or kind.name == "videos":
        downloads = [reference_day(file_days(f.path, data_dir, {}), f.path) for f in files]
        table, file_of, notes = settle_overlaps(table, kind, origins, file_of, downloads, diagnostics,
                                                np.array([f.kind.events for f in files]))
        for index, more in notes.items():
            files[index].notes.extend(more)
    _warn_uneven_columns(kind, files, table, file_of, diagnostics)
    return table, rates


def _settle_money(kind: Kind, table: pd.DataFrame, files: list[PreparedFile], file_of: np.ndarray,
                  origins: list[tuple[Path, np.ndarray]], money: Money) -> list:
    """The loader's currency rules (currencies.settle_money) on the typed table, each file's rows in turn."""
    typed = []
    for i, f in enumerate(files):
        rows = file_of == i
        f.typed.columns = {c: Cells(None, table[c].to_numpy()[rows]) for c in table.columns}
        typed.append(f.typed)
    rates = settle_money(kind, origins, typed, money)
    for column, ctype in kind.columns.items():
        if ctype == "money":
            table[column] = np.concatenate([t.columns[column].array() for t in typed]) if typed else table[column]
    return rates


def _warn_uneven_columns(kind: Kind, files: list[PreparedFile], table: pd.DataFrame, file_of: np.ndarray,
                         diagnostics: Diagnostics) -> None:
    """A file without a column that other files have, and rows left without its figure (account: exempt)."""
    if kind.name == "account" or len(files) < 2:
        return
    own = [set(f.frame.columns) for f in files]
    every = set().union(*[columns & set(kind.optional) for columns, f in zip(own, files) if len(f.frame)])
    for i, (f, columns) in enumerate(zip(files, own)):
        lacking = [c for c in sorted(every - columns) if table[c][file_of == i].isna().any()]
        if lacking and len(f.frame):
            diagnostics.warn(f"no {', '.join(repr(c) for c in lacking)} column, which other {kind.name} files have: "
                             f"its rows add nothing to {'those sums' if len(lacking) > 1 else 'that sum'} (a KPI "
                             f"of a period with only such rows is n/a)", f.path)


def _note_ranges(table: pd.DataFrame, kind: Kind, files: list[PreparedFile], file_of: np.ndarray) -> None:
    times = table[TIME_COLUMN[kind.name]]
    for i, f in enumerate(files):
        mine = times[file_of == i]
        if mine.notna().any():
            f.first, f.last = mine.min().date(), mine.max().date()


def validate(raw: pd.DataFrame, kind: Kind, origins: list[tuple[Path, np.ndarray]],
             shown: pd.DataFrame | None = None, optional: dict[str, np.ndarray] | None = None) -> pd.DataFrame:
    """Type every cell of `raw` (the rows of `origins`' files, in order); bad cells are errors,
    quoted as in `shown` (the cells as the user wrote them) when given; `optional`: per required column, the rows
    that may leave it blank."""
    shown = raw if shown is None else shown
    errors: list[SitegenError] = []
    out = {}
    locate = locator(origins)
    for col, ctype in kind.columns.items():
        if col not in raw.columns:
            out[col] = typed_empty_column(ctype, len(raw))
            continue
        values, bad, missing = convert(raw[col], ctype)
        if col in kind.required:
            bad = bad | (missing & ~optional[col]) if optional and col in optional else bad | missing
        bad_rows = np.flatnonzero(bad.to_numpy())
        far, limits = out_of_range(values, raw[col], ctype)
        listed: set[Path] = set()
        for i in bad_rows[:MAX_CELL_ERRORS]:
            found = shown[col].iloc[i] if col in shown.columns else ""  # a video ID from a link: no cell
            path, row = locate(int(i))
            listed.add(path)
            errors.append(cell_error(found, ctype, bool(far[i]), limits, path, row, col))
        unlisted: dict[Path, int] = {}
        for i in bad_rows[MAX_CELL_ERRORS:]:
            path = locate(int(i))[0]
            unlisted[path] = unlisted.get(path, 0) + 1
        errors.extend(overflow_errors(unlisted, listed, ctype, col))
        out[col] = values
    raise_cell_errors(errors, kind)
    frame = pd.DataFrame(out)
    frame.index = pd.RangeIndex(len(frame))
    return frame
