"""Stage 1: a client's data folder as typed tables, one per kind.

Exports load as they were downloaded or re-saved: each file is read by its format's reader (`readers`), its
kind recognised by its columns (`recognise`, the header aliases of `headers` and the user's `[columns]`), its
totals row dropped and cross-checked (`totals`); then the files of each kind are typed and made one table
(`combine`). Bad cells are collected and raised together; big files' typed cells are kept in the conversion
cache (`conversion_cache`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from sitegen.data.cell_shapes import SAMPLE
from sitegen.data.combine import CachedFile, Item, combine, release_memory, typed_files
from sitegen.data.conversion_cache import CACHE_MIN_BYTES, ConversionCache
from sitegen.data.covered import CoveredRange, missing_range_hint
from sitegen.data.currencies import Money, client_currency, named_currencies
from sitegen.data.date_headers import not_dates
from sitegen.data.distinct import Source
from sitegen.data.encoded import TextCells
from sitegen.data.file_dates import FileDays, file_days
from sitegen.data.files import data_paths
from sitegen.data.fx import RateUsed, merged_rates
from sitegen.data.kinds import KINDS, Kind
from sitegen.data.options import LoadOptions
from sitegen.data.readers import READABLE, STREAM_BYTES, general_table, open_table, read_table
from sitegen.data.readers.base import NotPlain, TextTable, scan_file
from sitegen.data.recognise import (
    doubled_columns,
    headers_to_sample,
    missing_columns_message,
    recognise,
    unknown_columns,
)
from sitegen.data.shop_orders import derive_orders, shop_export
from sitegen.data.source_tables import read_source
from sitegen.data.sources import SourceSpec
from sitegen.data.spelled_dates import DateContext
from sitegen.data.totals import cell_at, drop_totals
from sitegen.errors import Diagnostics, SitegenError, raise_all


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
    currencies: set[str] = field(default_factory=set)  # the currencies the data names (currency columns, markers)
    ranges: list[CoveredRange] = field(default_factory=list)  # files without dates: the range each covers
    currency: str = "USD"  # the client's: every amount is in it
    fx: list[RateUsed] = field(default_factory=list)  # the exchange rates that converted amounts into it

    def __getitem__(self, kind: str) -> pd.DataFrame:
        return self.tables[kind]


def load_client_data(data_dir: Path, diagnostics: Diagnostics, columns: dict[str, str] | None = None,
                     cache_dir: Path | None = None, *, stream_from: int = STREAM_BYTES,
                     options: LoadOptions | None = None) -> ClientData:
    """A client's data folder as typed tables, one per kind.

    `columns`: the user's header mapping (or `options`, the client's settings for loading, which hold it);
    `cache_dir`: the project's cache folder, whose `data/` keeps big files' typed cells by their contents
    (None: no cache); `stream_from`: the size from which a delimited file is read in blocks."""
    options = options or LoadOptions(dict(columns or {}))
    if not data_dir.is_dir() and not options.sources:
        raise SitegenError("data folder is missing, expected data files (CSV, XLSX, Parquet, JSON, JSON Lines) here",
                           data_dir)
    cache = ConversionCache(cache_dir, options) if cache_dir is not None else None
    errors: list[SitegenError] = []
    items: dict[str, list[Item]] = {k: [] for k in KINDS}
    big = False
    for path in data_paths(data_dir) if data_dir.is_dir() else []:
        days = file_days(path, data_dir, options.files)
        context = DateContext(path, days, options.language, day_first=options.day_first)
        item, size = _read_file(path, options, context, cache, diagnostics, errors, stream_from)
        big |= size >= CACHE_MIN_BYTES
        if item is not None:
            items[item.kind.name].append(item)
    for spec in options.sources:
        item = _read_source(spec, options, diagnostics, errors)
        if item is not None:
            items[item.kind.name].append(item)
    data = _combined(items, diagnostics, cache, errors, options)
    del items
    if big:
        release_memory()
    raise_all(errors)
    return data


def _read_file(path: Path, options: LoadOptions, context: DateContext, cache: ConversionCache | None,
               diagnostics: Diagnostics, errors: list[SitegenError], stream_from: int) -> tuple[Item | None, int]:
    """(the file prepared, or None when it is not data or has errors, which go to `errors`; its size)."""
    if path.suffix.lower() not in READABLE:
        diagnostics.warn(f"not a data file (expected {', '.join(READABLE)}), ignored", path)
        return None, 0
    warnings: list[tuple[str, int | None, str | None]] = []
    size = 0
    try:
        size = path.stat().st_size
        return prepare(path, options, cache, warnings, size, stream_from, context), size
    except SitegenError as exc:
        errors.extend(getattr(exc, "errors", [exc]))
        return None, size
    finally:
        for message, row, column in warnings:
            diagnostics.warn(message, path, row, column)
        if size >= CACHE_MIN_BYTES:
            release_memory()


def _read_source(spec: SourceSpec, options: LoadOptions, diagnostics: Diagnostics,
                 errors: list[SitegenError]) -> Item | None:
    """A database source's rows, prepared as a file's are (None when it has errors, which go to `errors`)."""
    warnings: list[tuple[str, int | None, str | None]] = []
    name = Path(spec.name)
    # read now: its rows are as of today (what orders it against files that report the same rows)
    context = DateContext(name, FileDays(date.today(), "read from the source"), options.language,
                          day_first=options.day_first)
    try:
        return prepare_table(read_source(spec), name, options, warnings, None, context)
    except SitegenError as exc:
        for error in getattr(exc, "errors", [exc]):
            error.row = error.row or None  # a source has no header row to point at
            errors.append(error)
        return None
    finally:
        for message, row, column in warnings:
            diagnostics.warn(message, name, row or None, column)


def _combined(items: dict[str, list[Item]], diagnostics: Diagnostics, cache: ConversionCache | None,
              errors: list[SitegenError], options: LoadOptions) -> ClientData:
    """Every kind's table; first every file typed, since the currency of a client that does not name one is the
    one its data names."""
    typed = {name: typed_files(KINDS[name], kind_items) for name, kind_items in items.items()}
    currencies = named_currencies((t for ts in typed.values() for t in ts), options.currency)
    money = Money(client_currency(options.currency, options.currency_set, currencies), options.fx)
    tables, files, ranges, used = {}, [], [], []
    for name, kind_items in items.items():
        try:
            tables[name], rates = combine(KINDS[name], kind_items, typed[name], diagnostics, cache, money)
        except SitegenError as exc:
            errors.extend(getattr(exc, "errors", [exc]))
            continue
        used += rates
        for item, t in zip(kind_items, typed[name]):
            covers = item.dates.covers if isinstance(item, Source) and item.dates else None
            if covers:
                ranges.append(CoveredRange(item.path, name, *covers))
                t.notes.append(f"no date column: covers {covers[0]} to {covers[1]} (range from "
                               f"{item.dates.days.range_from}), its rows counted on {covers[0]}")
            first, last = covers or (item.first, item.last)
            files.append(DataFile(item.path, name, t.rows, first, last, t.notes))
    return ClientData(tables, sorted(files, key=lambda f: f.path), currencies, sorted(ranges, key=lambda r: r.path),
                      money.currency, merged_rates(used))


def prepare(path: Path, options: LoadOptions, cache: ConversionCache | None,
            warnings: list[tuple[str, int | None, str | None]], size: int, stream_from: int = STREAM_BYTES,
            context: DateContext | None = None) -> Item:
    """One file as a `Source` (its cells as text under canonical names, without its totals row; a shop's order
    export: its orders, see `shop_orders`), or as a `CachedFile` when the conversion cache holds its typed cells.
    A file without a date column whose range `context` knows gets the range's first day as its date (and is not
    cached)."""
    key, scan = None, None
    context = context or DateContext(path)
    if cache is not None and size >= CACHE_MIN_BYTES:
        scan = cache.scan(path)
        key = cache.key(scan.digest, path, context.days.cache_key() if context.days else None)
        hit = cache.get(key)
        if hit is not None:
            warnings.extend(hit.prepare_warnings)
            return CachedFile(path, hit.kind, hit.typed, hit.row_numbers, days=context.days)
    elif size >= stream_from:
        scan = scan_file(path, digest=False)
    return prepare_table(open_table(path, scan, size, stream_from), path, options, warnings, key, context)


def prepare_table(table: TextTable, path: Path, options: LoadOptions,
                  warnings: list[tuple[str, int | None, str | None]], key: str | None, context: DateContext) -> Item:
    """A file's (or a source's) table as a `Source`, or a shop's order export as its orders."""
    user_columns = options.columns
    shop = shop_export(table.names)
    if shop is not None:
        orders = derive_orders(table, path, *shop, options.timezone, warnings, key, day_first=options.day_first)
        orders.dates = context
        return orders
    try:
        read = _read(table, path, user_columns, context)
    except NotPlain:  # the fast reader gave up half-way: the general one decides
        table = general_table(path)
        read = _read(table, path, user_columns, context)
    warnings.extend(read.warnings)
    cells, numbers, totals, dropped = drop_totals(read.cells, read.numbers, table.names[0], read.mapping, read.kind,
                                                  read.dateless)
    check_lossy_ids(table.lossy_ids, read.kind, read.mapping, path)
    columns = {read.mapping[h]: cells[h] for h in read.mapping}
    if read.dateless:
        days = context.days
        context.covers = (days.start, days.end)
        columns = {"date": [days.start.isoformat()] * len(numbers), **columns}
        key = None
    notes = [*table.notes, *([dropped] if dropped else [])]
    return Source(path, read.kind, columns, numbers, notes, read.mapping, totals, list(read.warnings), key,
                  dates=context)


@dataclass
class _Read:
    kind: Kind
    mapping: dict[str, str]  # header as written -> canonical column
    numbers: np.ndarray  # spreadsheet row of each row
    cells: dict[str, TextCells]  # header -> cells, of the mapped columns and the first
    warnings: list[tuple[str, int | None, str | None]]  # unknown columns
    dateless: bool = False  # no date column: the file covers the range its name or client.toml gives


def _read(table: TextTable, path: Path, user_columns: dict[str, str], context: DateContext,
          hidden: frozenset[str] = frozenset()) -> _Read:
    headers = [h for h in table.names if h not in hidden]
    kind, mapping, candidates = recognise(headers, user_columns)
    dateless = False
    if kind is None and context.days is not None and context.days.has_range:
        kind, mapping, _ = recognise(headers, user_columns, dateless=True)
        dateless = kind is not None
    if kind is None:
        if table.lazy:  # a file that cannot be read at all says so first
            read_table(path)
        first = _first_cells(table, headers_to_sample(headers, candidates, user_columns))
        message = missing_columns_message(headers, candidates, user_columns, first)
        if _totals_export(recognise(headers, user_columns, dateless=True)[0]):
            message += missing_range_hint(path.name)
        raise SitegenError(message, path, table.header_row)
    doubled = doubled_columns(headers, kind, user_columns, _positions(table, headers))
    if doubled:
        if table.lazy:  # as above: a file that cannot be read at all says so first, whichever reader took it
            read_table(path)
        raise SitegenError(doubled, path, table.header_row)
    numbers, cells = table.read([*mapping, table.names[0]])
    refused = not_dates(kind, mapping, cells, user_columns)
    if refused:  # a date by its name only ("Tags", the German "Tag"): the file's kind is told without it
        return _read(table, path, user_columns, context, hidden | set(refused))
    return _Read(kind, mapping, numbers, cells, unknown_columns(table.names, kind, mapping, table.header_row),
                 dateless)


def _positions(table: TextTable, headers: list[str]) -> list[int] | None:
    """Each of `headers`' place in the file's rows (None: the file's columns have none)."""
    if table.positions is None:
        return None
    at = dict(zip(table.names, table.positions))
    return [at[h] for h in headers]


def _totals_export(kind: Kind | None) -> bool:
    """Whether a file without dates is likely an export of totals for a range (Ads Manager's, GMV Max's)."""
    return kind is not None and kind.name == "ads"


def _first_cells(table: TextTable, headers: list[str], count: int = SAMPLE) -> dict[str, list[str]]:
    """The first cells of some columns (for a message: a file that cannot be read gives none)."""
    try:
        _, cells = table.read(headers) if headers else (None, {})
    except SitegenError:
        return {}
    return {h: [cell_at(c, i) for i in range(min(count, len(c)))] for h, c in cells.items()}


def check_lossy_ids(lossy_ids: list[tuple[int, str]], kind: Kind, mapping: dict[str, str], path: Path) -> None:
    """An ID column the spreadsheet stored as a number has lost digits: one located error per cell."""
    raise_all([SitegenError("found an ID stored as a number, expected the ID as text (Excel keeps only 15 digits "
                            "of a number; format the column as text and export again)", path, row, mapping[header])
               for row, header in lossy_ids if kind.columns.get(mapping.get(header, "")) == "id"])
