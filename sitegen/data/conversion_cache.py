"""The conversion cache: each big data file's typed cells as Parquet, keyed by a hash of the file's bytes.

`.sitegen-cache/data/<key[:2]>/<key>.parquet` (in the project's cache folder, see `sitegen.storage`) holds
what loading one file produced: its typed columns (dictionary-encoded, as they are held in memory, see
`distinct.Cells`), its money cells with a currency marker and its currency column, the spreadsheet row of each
row, and in the Parquet metadata its kind, notes, warnings and currencies. Amounts are kept in the currency they
were written in: the client's currency and the exchange rates apply after the cache (`currencies.settle_money`),
so they are not in the key. The key is a hash of the file's bytes, its reader (suffix), the user's column
mapping, the loader's code (`sitegen.data`), the versions of pandas and pyarrow and the dates the file's name and
client.toml give it (`file_dates`): a hit gives back exactly what converting the file again would give. Only
files that loaded without a bad cell are stored, and not those with dates without a year (their year may come
from the file's modification time) nor those without a date column (see `load.prepare`). Writes go to a
temporary file renamed into place; an entry that cannot be read is ignored and written anew. Small files are not
cached: reading a Parquet file costs more than typing a monthly drop.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from sitegen.data.cells import blank_value
from sitegen.data.currency_marks import markers_of
from sitegen.data.distinct import Cells, Typed
from sitegen.data.kinds import KINDS, NUMBER_TYPES, TIME_TYPES, Kind
from sitegen.data.options import LoadOptions
from sitegen.data.readers.base import FileScan, scan_file
from sitegen.data.spelled_dates import YEARLESS
from sitegen.storage import atomic_file, code_fingerprint, keep, settled, stat_signature

FOLDER = "data"
FORMAT = "sitegen-data-3"  # bump when what is stored or how cells are typed changes
CACHE_MIN_BYTES = 1 << 20  # files from this size are cached
_ROW = "__row__"
_MARKS = "__marks__:"  # + a money column: its cells with a currency marker, as written
_CURRENCY = "__currency__"  # each row's currency column cell
HASH = "sha256"  # scan_file's hash of a file's bytes (a note of another hash is not used)


@dataclass
class Entry:
    """A cache hit: what loading the file gave."""

    kind: Kind
    typed: Typed
    row_numbers: np.ndarray
    prepare_warnings: list[tuple[str, int | None, str | None]]


class ConversionCache:
    def __init__(self, root: Path, options: LoadOptions | None = None) -> None:
        self.folder = Path(root) / FOLDER
        self.options = options or LoadOptions()

    def scan(self, path: Path) -> FileScan:
        """scan_file(path) (the hash of the file's bytes), from the last scan when the file's stat_signature is
        unchanged and it had settled when scanned."""
        before = os.stat(path)
        name = hashlib.blake2b(str(path.resolve()).encode(), digest_size=16).hexdigest()
        note = self.folder / "stat" / f"{name}.json"
        signature = list(stat_signature(before))
        try:
            known = json.loads(note.read_text(encoding="utf-8"))
            if known["signature"] == signature and known.get("hash") == HASH:
                return FileScan(known["digest"], known["plain"])
        except (OSError, ValueError, KeyError, TypeError):
            pass
        scan = scan_file(path)
        after = os.stat(path)
        if settled(after) and list(stat_signature(after)) == signature:
            keep(note, json.dumps({"signature": signature, "hash": HASH, "digest": scan.digest,
                                   "plain": scan.plain}).encode())
        return scan

    def key(self, digest: str, path: Path, dates: list | None = None) -> str:
        parts = [FORMAT, code_fingerprint("data"), pd.__version__, pa.__version__, digest, path.suffix.lower(),
                 self.options.cache_key(), dates]
        return hashlib.blake2b(json.dumps(parts).encode(), digest_size=20).hexdigest()

    def path(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}.parquet"

    def get(self, key: str) -> Entry | None:
        path = self.path(key)
        if not path.is_file():
            return None
        try:
            return _read(path)
        except Exception:  # a damaged or foreign file: convert again (and overwrite it)
            return None

    def put(self, key: str, kind: Kind, typed: Typed, row_numbers: np.ndarray,
            prepare_warnings: list[tuple[str, int | None, str | None]]) -> None:
        if any(note.startswith(YEARLESS) for note in typed.notes):
            return
        try:
            with atomic_file(self.path(key)) as handle:
                _write(handle, kind, typed, row_numbers, prepare_warnings)
        except Exception:  # a read-only or full disk only costs time
            pass


def _write(handle, kind: Kind, typed: Typed, row_numbers: np.ndarray, prepare_warnings) -> None:
    arrays, names = [], []
    for name, cells in typed.columns.items():
        arrays.append(_to_arrow(cells, kind.columns[name]))
        names.append(name)
    for name, cells in [*((_MARKS + c, m) for c, m in typed.marks.items()), (_CURRENCY, typed.currency)]:
        if cells is not None:
            arrays.append(_to_arrow(cells, "text"))
            names.append(name)
    row_numbers = np.asarray(row_numbers, dtype=np.int64)
    first = int(row_numbers[0]) if len(row_numbers) else 0
    counted = bool(np.array_equal(row_numbers, np.arange(first, first + len(row_numbers))))  # no gaps: no column
    if not counted:
        arrays.append(pa.array(row_numbers))
        names.append(_ROW)
    meta = {"format": FORMAT, "kind": [kind.name, kind.required, kind.optional, kind.events], "notes": typed.notes,
            "warnings": typed.warnings, "prepare_warnings": prepare_warnings, "currencies": sorted(typed.currencies),
            "rows": typed.rows, "first_row": first if counted else None}
    table = pa.Table.from_arrays(arrays, names=names) if arrays else pa.table({_ROW: pa.array(row_numbers)})
    table = table.replace_schema_metadata({"sitegen": json.dumps(meta)})
    # zstd: a third smaller, 5-10 times slower to read; the row numbers as differences, not a dictionary; no
    # statistics (nothing reads them, and they cost as much as the rest of the writing)
    pq.write_table(table, handle, compression="lz4", use_dictionary=[n for n in names if n != _ROW],
                   column_encoding={_ROW: "DELTA_BINARY_PACKED"} if _ROW in table.column_names else None,
                   write_statistics=False)


def _to_arrow(cells: Cells, ctype: str):
    """Typed values as a dictionary array: missing values (pd.NA, None, NaN of an enum, NaT) as null indices."""
    values = cells.values
    codes = np.arange(len(values), dtype=np.int64) if cells.codes is None else cells.codes
    if values.dtype == object:
        missing = pd.isna(values) if ctype != "bool" else np.array([v is None for v in values], dtype=bool)
        filled = np.where(missing, "" if ctype != "bool" else False, values)
        dictionary = pa.array(filled.tolist(), pa.bool_() if ctype == "bool" else pa.string())
    elif values.dtype.kind == "M":
        missing = np.isnat(values)
        dictionary = pa.array(np.where(missing, np.datetime64(0, "ns"), values), pa.timestamp("ns"))
    else:
        missing = np.zeros(len(values), dtype=bool)  # NaN is a value here (an empty or bad number), kept as is
        dictionary = pa.array(values, pa.float64())
    small = codes.dtype in (np.uint8, np.uint16, np.int32)  # (the codes' own type: no copy)
    indices = pa.array(codes if small else codes.astype(np.int32), mask=missing[codes] if missing.any() else None)
    return pa.DictionaryArray.from_arrays(indices, dictionary)


def _read(path: Path) -> Entry:


    schema = pq.read_schema(path)
    meta = json.loads(schema.metadata[b"sitegen"])
    if meta.get("format") != FORMAT:
        raise ValueError("another format")
    kind = Kind(*meta["kind"])  # the file's own (a shop's orders are typed by rules of their own)
    if kind.name not in KINDS:
        raise ValueError("unknown kind")
    names = [n for n in schema.names if n != _ROW]
    if any(n not in kind.columns and n != _CURRENCY and n.removeprefix(_MARKS) not in kind.columns for n in names):
        raise ValueError("unknown column")
    source = pq.ParquetFile(path, read_dictionary=names)
    rows = meta["rows"]
    if source.metadata.num_rows != rows:
        raise ValueError("row count")
    if meta["first_row"] is not None:
        row_numbers = np.arange(meta["first_row"], meta["first_row"] + rows, dtype=np.int64)
    else:
        row_numbers = source.read(columns=[_ROW]).column(0).to_numpy().astype(np.int64, copy=False)
    columns = {}
    for name in names:  # one column at a time: what Parquet gave is let go once converted
        ctype = kind.columns.get(name, "text")
        chunked = source.read(columns=[name]).column(0)
        array = chunked.combine_chunks() if chunked.num_chunks != 1 else chunked.chunk(0)
        del chunked
        columns[name] = _from_arrow(array, ctype, blank_value(ctype) if name in kind.columns else None)
    marks = {n.removeprefix(_MARKS): columns.pop(n) for n in names if n.startswith(_MARKS)}
    markers = {c: markers_of(cells.values) for c, cells in marks.items()}
    typed = Typed(columns, list(meta["notes"]), [tuple(w) for w in meta["warnings"]], set(meta["currencies"]), {},
                  rows, marks, markers, columns.pop(_CURRENCY, None))
    return Entry(kind, typed, row_numbers, [tuple(w) for w in meta["prepare_warnings"]])


def _from_arrow(array, ctype: str, missing_value) -> Cells:

    if not isinstance(array, pa.DictionaryArray):  # Parquet gives back strings only still encoded
        if ctype in NUMBER_TYPES:
            return Cells(None, array.to_numpy(zero_copy_only=False).astype("float64", copy=False))
        if ctype in TIME_TYPES:
            return Cells(None, array.to_numpy(zero_copy_only=False).astype("datetime64[ns]", copy=False))
        array = array.dictionary_encode()
    dictionary = array.dictionary
    indices = array.indices
    n = len(dictionary)
    if ctype in NUMBER_TYPES:
        values = dictionary.to_numpy(zero_copy_only=False).astype("float64")
    elif ctype in TIME_TYPES:
        values = dictionary.to_numpy(zero_copy_only=False).astype("datetime64[ns]")
    else:
        values = np.empty(n, dtype=object)
        values[:] = dictionary.to_pylist()
    if indices.null_count:  # missing cells point at one more value: the column type's missing value
        values = np.concatenate([values, np.array([missing_value], dtype=values.dtype)])
        codes = indices.fill_null(n).to_numpy(zero_copy_only=False)
    else:
        codes = indices.to_numpy(zero_copy_only=False)
    return Cells(codes, values)
