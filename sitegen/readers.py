"""Reading data files as their authors saved them: every cell as text, the header found by its
names, row numbers as a spreadsheet shows them. Nothing is interpreted here but the file's form
(encoding, delimiter); conventions inside the cells are handled by `conventions.py`."""

from __future__ import annotations

import collections
import concurrent.futures
import csv
import functools
import io
import itertools
import json
from collections.abc import Callable
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


def _sniff_delimiter(text: str, lines: list[str] | None = None) -> str:
    sample = "\n".join(text.splitlines()[:SCAN_ROWS] if lines is None else lines)
    if len(sample) > SNIFF_CHARS:  # the sniffer's quote regex takes quadratic time: 60 kB of '," ' took 40 s
        cut = sample.rfind("\n", 0, SNIFF_CHARS)
        sample = sample[:cut if cut > 0 else SNIFF_CHARS]
    present = [d for d in ",;\t|" if d in sample]
    if len(present) <= 1:  # what the sniffer (or its fallback below) would say, without its 1 ms
        return present[0] if present else ","
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


_KNOWN: dict[str, int] = {}  # cell -> 1 if a known column name (is_known_header), for the first rows of files


def _find_header(rows: list[list[str]]) -> int:
    """The first row with the most known column names among the first rows (title rows above it)."""
    known = _KNOWN
    if len(known) > 100_000:
        known.clear()
    rows = rows[:SCAN_ROWS]
    if rows:  # the usual file: every cell of its first row is known, and no row below has more cells
        for cell in set(rows[0]).difference(known):
            known[cell] = int(bool(cell.strip()) and is_known_header(cell))
        first = sum(map(known.__getitem__, rows[0]))
        if 2 <= first == len(rows[0]) >= max(map(len, rows[1:]), default=0):
            return 0  # (a row scores at most its number of cells)
    for cell in set(itertools.chain.from_iterable(rows)).difference(known):
        known[cell] = int(bool(cell.strip()) and is_known_header(cell))
    scores = [sum(map(known.__getitem__, row)) for row in rows]
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


# --- the fast path: cells column-wise in Arrow (see columnar.py) --------------------------------------------
#
# Small CSV files are parsed by the csv module (0.1 ms for a monthly drop, pandas takes 1.5 ms), big ones
# by pyarrow in blocks, so that a file of ten million rows is never held as text all at once. Either
# reader only takes a file whose form leaves no room for doubt (UTF-8, no NUL, no blank line inside the
# data, well-formed quotes, no row wider than the header, ...); for any other file `read_table` above,
# with pandas, gives the cells (and the errors) as it always did.

STREAM_BYTES = 8 * 2**20  # CSV files from this size are read in blocks by pyarrow (the csv module: ~100 B a cell)
BLOCK_BYTES = 16 * 2**20
HEAD_BYTES = 2**20
_BOM = b"\xef\xbb\xbf"


@dataclass
class TextTable:
    """A file's header and a way to read the cells of some of its columns, as `read_table` would."""

    names: list[str]  # the columns of read_table's frame
    header_row: int
    notes: list[str]
    lossy_ids: list[tuple[int, str]]
    read: Callable[[list[str]], tuple[np.ndarray, dict]]  # columns -> (row numbers, column -> cells)
    lazy: bool = False  # the cells are parsed by `read`: a file read_table cannot read is only found out then


@dataclass
class FileScan:
    """One pass over a file's bytes: its hash, and whether the block reader may read it."""

    digest: str | None
    plain: bool  # UTF-8 (read_table would not fall back to Windows-1252) and no NUL


def scan_file(path: Path, digest: bool = True) -> FileScan:
    import codecs
    import hashlib

    h = hashlib.sha256() if digest else None  # 1.7 GB/s with the CPU's SHA instructions, blake2b 0.7 GB/s
    decoder = codecs.getincrementaldecoder("utf-8")()
    plain = True
    with open(path, "rb") as handle:
        while chunk := handle.read(BLOCK_BYTES):
            if h is not None:
                h.update(chunk)
            pending = decoder.getstate()[0]  # a character cut at the end of the last chunk
            if plain and (b"\x00" in chunk or (pending or not chunk.isascii()) and not _decodes(decoder, chunk)):
                plain = False
                if h is None:
                    break
    return FileScan(h.hexdigest() if h is not None else None, plain and _decodes(decoder, b"", final=True))


def _decodes(decoder, chunk: bytes, final: bool = False) -> bool:
    try:
        decoder.decode(chunk, final=final)
    except UnicodeDecodeError:
        return False
    return True


def open_table(path: Path, scan: FileScan | None = None, size: int | None = None) -> TextTable:
    """The file's header and cells, with read_table's checks and errors (`size`: the file's, if known)."""
    size = path.stat().st_size if size is None else size
    if path.suffix.lower() in (".csv", ".tsv", ".txt"):
        if size == 0:
            raise SitegenError("empty file, expected a header row and data rows", path, 1)
        try:
            table = _open_csv_stream(path, scan) if size >= STREAM_BYTES else _open_csv_rows(path)
        except SitegenError:
            raise
        except Exception:  # anything unforeseen: the general reader decides, with its own messages
            table = None
        if table is not None:
            return table
    if path.suffix.lower() == ".parquet" and size:
        table = _open_parquet(path)
        if table is not None:
            return table
    return from_raw(read_table(path))


def from_raw(raw: RawTable) -> TextTable:
    """read_table's result as a TextTable."""
    import pyarrow as pa

    def cells(series: pd.Series):
        if isinstance(series.dtype, pd.StringDtype) and series.dtype.storage == "pyarrow":  # Arrow already
            values = pa.array(series.array)
            values = values.combine_chunks() if isinstance(values, pa.ChunkedArray) else values
            return values.cast(pa.string())
        return pa.array(series.to_numpy(dtype=object), pa.string(), from_pandas=True)

    def read(wanted: list[str]) -> tuple[np.ndarray, dict]:
        return raw.row_numbers, {name: cells(raw.frame[name]) for name in dict.fromkeys(wanted)}

    return TextTable(list(raw.frame.columns), raw.header_row, list(raw.notes), list(raw.lossy_ids), read)


def _fast_dtype(series: pd.Series) -> bool:
    """Column types whose equal values (pd.factorize) always give equal text (_column_text)."""
    return (pd.api.types.is_bool_dtype(series) and series.dtype != object) or pd.api.types.is_integer_dtype(series) \
        or pd.api.types.is_float_dtype(series) or pd.api.types.is_datetime64_any_dtype(series) \
        or isinstance(series.dtype, pd.StringDtype)


def _open_parquet(path: Path) -> TextTable | None:
    """A Parquet file as read_table reads it (_from_frame): only the columns asked for, each distinct value
    made text once. None when the general reader should decide (it also says what is wrong)."""
    import pyarrow.parquet as pq


    try:
        schema = pq.read_schema(path)
        rows = pq.ParquetFile(path).metadata.num_rows
        index = [c for c in (schema.pandas_metadata or {}).get("index_columns", []) if isinstance(c, str)]
    except Exception:
        return None
    names = [n for n in schema.names if n not in index]  # pandas makes its index columns the index
    if len(set(names)) != len(names) or not rows or not names or len(names) > MAX_COLUMNS:
        return None  # read_table decides, with its messages
    numbers = np.arange(rows, dtype=np.int64) + 2

    def read(wanted: list[str]) -> tuple[np.ndarray, dict]:
        try:
            return numbers, _parquet_cells(path, list(dict.fromkeys(wanted)), rows, schema)
        except NotPlain:
            raise
        except Exception as exc:  # read_table, asked again, says what is wrong
            raise NotPlain(str(exc)) from None

    return TextTable(names, 1, [], [], read, lazy=True)


def _parquet_cells(path: Path, wanted: list[str], rows: int, schema) -> dict:
    """The wanted columns' cells as _from_frame makes them text, one column at a time.

    A column of a plain type (text, integers, floats, booleans, dates, timestamps) is read by pyarrow as a
    dictionary (text straight from the file's dictionary pages, other types hashed); only its distinct values,
    and a missing one if it has any, go through pandas, as pd.read_parquet gives them (_pandas_values): every
    value becomes the same text whatever its neighbours, except for what _column_text decides on a whole column
    (the column's type, which depends on whether a value is missing; whether all timestamps are midnight),
    and that the distinct values with the missing one decide alike. Other columns, or any doubt, go through
    pd.read_parquet as a whole."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from sitegen.columnar import Column

    fields = {name: schema.field(name) for name in wanted}
    plain = [n for n in wanted if _encodable(fields[n].type)]
    strings = [n for n in plain if pa.types.is_string(fields[n].type) or pa.types.is_large_string(fields[n].type)]
    source = pq.ParquetFile(path, read_dictionary=strings) if plain else None
    columns = {}
    for name in wanted:  # one column at a time, a block of rows at a time
        column = None
        if name in plain:
            parts, count = [], 0
            for batch in source.iter_batches(batch_size=PARQUET_ROWS, columns=[name], use_threads=False):
                if batch.schema.names != [name]:
                    raise NotPlain("pyarrow read other columns")
                parts.append(_block_codes(batch.column(0)))
                count += batch.num_rows
                del batch
            if count != rows:
                raise NotPlain("pyarrow read another number of rows")
            codes, values = _merged(parts, rows)
            del parts
            sample = _pandas_values(values.cast(fields[name].type), name, schema)
            if sample is not None:
                text = pa.array(_column_text(sample).array)
                text = text.combine_chunks() if isinstance(text, pa.ChunkedArray) else text
                column = Column(codes, text.cast(pa.string()))
            del codes
        columns[name] = column if column is not None else _parquet_text(path, name, rows, fields[name].type)
    return columns


PARQUET_ROWS = 1 << 20  # rows of a Parquet column read at a time


def _block_codes(array) -> tuple[np.ndarray, object]:
    """(codes, distinct values) of a block of cells (a missing value, if any, is the last value)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if not pa.types.is_dictionary(array.type):
        array = pc.dictionary_encode(array)
    dictionary, indices = array.dictionary, array.indices
    if indices.null_count:
        dictionary = pa.concat_arrays([dictionary, pa.nulls(1, dictionary.type)])
        indices = pc.fill_null(indices, len(dictionary) - 1)
    return indices.to_numpy(zero_copy_only=False).astype(_code_type(len(dictionary))), dictionary


def _merged(parts: list, n: int) -> tuple[np.ndarray, object]:
    """(codes, distinct values) of blocks of n rows in all, each given as (codes, its distinct values): the
    blocks' values, encoded once more (a missing value too), give each block's codes a common numbering."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if not parts:
        return np.zeros(0, dtype=np.uint8), pa.array([], pa.string())
    blocks = pa.chunked_array([d for _, d in parts], parts[0][1].type)
    merged = pc.dictionary_encode(blocks, null_encoding="encode").combine_chunks()
    uniques = merged.dictionary
    codes = np.empty(n, dtype=_code_type(len(uniques)))
    renumber = merged.indices.to_numpy(zero_copy_only=False).astype(codes.dtype)
    start, seen = 0, 0
    for block_codes, dictionary in parts:  # (every code is in range: "clip" takes straight into `codes`)
        np.take(renumber[seen:seen + len(dictionary)], block_codes, out=codes[start:start + len(block_codes)],
                mode="clip")
        start += len(block_codes)
        seen += len(dictionary)
    return codes, uniques


def _encodable(arrow_type) -> bool:
    """Arrow types whose values pyarrow dictionary-encodes (and pandas converts value by value)."""
    import pyarrow.types as pat

    return pat.is_string(arrow_type) or pat.is_large_string(arrow_type) or pat.is_integer(arrow_type) \
        or pat.is_floating(arrow_type) or pat.is_boolean(arrow_type) or pat.is_date(arrow_type) \
        or pat.is_timestamp(arrow_type)


def _pandas_values(values, name: str, schema) -> pd.Series | None:
    """The values as pd.read_parquet gives them from a file of this schema: they are written to a small
    Parquet file with the column's field and the file's metadata (and its index columns, empty) and read back
    by pandas. None if that fails (the whole column is then read by pandas, which says what is wrong)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        index = [c for c in (schema.pandas_metadata or {}).get("index_columns", []) if isinstance(c, str)]
        fields = [schema.field(name)] + [schema.field(c) for c in index if c != name]
        arrays = [values] + [pa.nulls(len(values), f.type) for f in fields[1:]]
        table = pa.Table.from_arrays(arrays, schema=pa.schema(fields, metadata=schema.metadata))
        buffer = io.BytesIO()
        pq.write_table(table, buffer)
        if pq.read_schema(io.BytesIO(buffer.getvalue())).field(name).type != fields[0].type:
            return None
        frame = pd.read_parquet(io.BytesIO(buffer.getvalue()), columns=[name])
        if list(frame.columns) != [name] or len(frame) != len(values):
            return None
        return frame[name].reset_index(drop=True)
    except Exception:
        return None


def _parquet_text(path: Path, name: str, rows: int, arrow_type):
    """One column read by pd.read_parquet and made text (_from_frame), each distinct value once where pandas
    can tell them apart."""
    import pyarrow as pa

    from sitegen.columnar import Column

    frame = pd.read_parquet(path, columns=[name])
    if list(frame.columns) != [name] or len(frame) != rows:
        raise NotPlain("pandas read other columns")
    series = frame.pop(name)
    del frame
    dates = series.dtype == object and pa.types.is_date(arrow_type)  # datetime.date objects
    if not (_fast_dtype(series) or dates):
        return pa.array(_column_text(series).array).cast(pa.string())
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    sample = pd.Series(uniques)
    missing = codes < 0
    if missing.any():  # with a missing value: _column_text looks at the column as a whole for dates
        sample = pd.concat([sample, series[missing].iloc[:1]], ignore_index=True)
        codes = np.where(missing, len(uniques), codes)
    del series
    text = pa.array(_column_text(sample).array)
    text = text.combine_chunks() if isinstance(text, pa.ChunkedArray) else text
    return Column(codes.astype(_code_type(len(text)), copy=False), text.cast(pa.string()))


def _head_lines(text: str) -> list[str]:
    """text.splitlines()[:SCAN_ROWS], without splitting all of a long text."""
    n = 1 << 16
    while True:
        lines = text[:n].splitlines()
        if len(lines) > SCAN_ROWS or n >= len(text):
            return lines[:SCAN_ROWS]
        n *= 4


def _line_start(header_index: int, lines: list[str], text: str) -> int | None:
    """Where the header line starts in text; None when the lines above it could be split differently by
    pandas (quotes, unusual line breaks)."""
    pos = 0
    for i in range(header_index):
        j = text.find("\n", pos)
        line = text[pos:j] if j >= 0 else None
        if line is None or line.removesuffix("\r") != lines[i] or '"' in line:
            return None
        pos = j + 1
    return pos


def _columns_kept(names: list[str]) -> tuple[list[int], list[str]] | None:
    """Positions and names of the header cells pandas would keep (see _read_csv); None if pandas would
    rename repeated names (a.1), which the general reader handles."""
    kept = _kept(tuple(names))
    return None if kept is None else (list(kept[0]), list(kept[1]))


@functools.lru_cache(maxsize=1024)  # a client's monthly drops share their headers
def _kept(names: tuple[str, ...]) -> tuple[tuple[int, ...], tuple[str, ...]] | None:
    written = [n for n in names if n != ""]
    keep = [(i, n.strip()) for i, n in enumerate(names) if n.strip() != "" and not n.strip().startswith("Unnamed: ")]
    if len(set(written)) != len(written) or not keep:
        return None
    return tuple(i for i, _ in keep), tuple(n for _, n in keep)


def _finish(path: Path, names: list[str], header_index: int, delimiter: str, note: str | None, read,
            rows: bool = True) -> TextTable:
    """read_table's checks, in its order, and the notes of _read_csv."""
    _check_width(len(names), path, header_index + 1)
    if not rows:
        raise SitegenError("no data rows, expected at least one row below the header", path, header_index + 2)
    notes = []
    if header_index:
        notes.append(f"header in row {header_index + 1}")
    if delimiter != ",":
        notes.append(f"delimiter {'tab' if delimiter == chr(9) else repr(delimiter)}")
    if note:
        notes.append(note)
    seen = set()
    for name in names:
        if name in seen:
            raise SitegenError(f"column {name!r} appears twice", path, header_index + 1)
        seen.add(name)
    return TextTable(names, header_index + 1, notes, [], read)


def _header(path: Path, text: str, every_line: list[str] | None = None) -> tuple[list[str], str, int, int] | None:
    """(first lines, delimiter, header row index, offset of the row after the header) of a
    CSV text, as _read_csv would find them; None when only pandas reads this header exactly.
    `every_line`: text.splitlines() of a text without quotes (_plain_lines), whose rows are split here."""
    lines = _head_lines(text) if every_line is None else every_line[:SCAN_ROWS]
    delimiter = _sniff_delimiter(text, lines)
    if every_line is None:
        head = list(csv.reader(io.StringIO("\n".join(lines), newline=""), delimiter=delimiter))
    else:
        head = _split(lines, delimiter)
    header_index = _find_header(head)
    _check_width(len(head[header_index]) if head else 0, path, header_index + 1,
                 f" (cells read as separated by {'tab' if delimiter == chr(9) else repr(delimiter)})")
    start = _line_start(header_index, lines, text)
    return None if start is None else (lines, delimiter, header_index, start)


_NOT_PLAIN = '"\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029'  # quotes; line breaks only splitlines knows


def _plain_lines(text: str) -> list[str] | None:
    """The lines of a text the csv module would read as the lines split at each delimiter: no quote, no line
    break the csv module does not know (splitlines splits at \\x0b, \\x1c, \\u2028, ...), no line as long as
    the csv module's field limit. None for any other text."""
    if any(c in text for c in _NOT_PLAIN):  # (a regular expression takes 50 times as long)
        return None
    lines = text.splitlines()
    limit = csv.field_size_limit()
    return lines if len(text) < limit or max(map(len, lines), default=0) < limit else None


def _split(lines: list[str], delimiter: str) -> list[list[str]]:
    """csv.reader's rows of lines without quotes (an empty line is a row without cells)."""
    return [line.split(delimiter) if line else [] for line in lines]


def _open_csv_rows(path: Path) -> TextTable | None:
    """A CSV file parsed by the csv module, as _read_csv would read it."""
    text, note = _decode(path)
    if not text.strip():
        raise SitegenError("empty file, expected a header row and data rows", path, 1)
    if "\x00" in text or text.startswith("\ufeff"):
        return None
    every_line = _plain_lines(text)
    found = _header(path, text, every_line)
    if found is None:
        return None
    _, delimiter, header_index, start = found
    if every_line is not None:
        table = _even_table(path, every_line, header_index, delimiter, note)
        if table is not None:
            return table
        rows = _split(every_line[header_index:], delimiter)
    else:
        try:
            rows = list(csv.reader(io.StringIO(text[start:], newline=""), delimiter=delimiter, strict=True))
        except csv.Error:
            return None
    if not rows or not rows[0]:
        return None
    kept = _columns_kept(rows[0])
    if kept is None:
        return None
    positions, names = kept
    width = len(rows[0])
    data = rows[1:]
    if data and max(map(len, data)) > width:
        return None  # pandas: "Expected n fields", or the first columns become the index
    if len(positions) == width:
        filled = [any(row) for row in data]
    else:
        filled = [any(row[i] for i in positions if i < len(row)) for row in data]
    numbers = np.arange(len(data), dtype=np.int64) + header_index + 2
    if not all(filled):
        numbers = numbers[np.array(filled, dtype=bool)]
        data = [row for row, f in zip(data, filled) if f]
    if not data:
        return _finish(path, names, header_index, delimiter, note, None, rows=False)
    columns = list(itertools.zip_longest(*data, fillvalue=""))
    while len(columns) < width:
        columns.append(("",) * len(data))
    index = dict(zip(names, positions))

    def read(wanted: list[str]) -> tuple[np.ndarray, dict]:
        return numbers, {name: columns[index[name]] for name in dict.fromkeys(wanted)}  # tuples of str

    return _finish(path, names, header_index, delimiter, note, read)


def _even_table(path: Path, lines: list[str], header_index: int, delimiter: str, note: str | None) -> TextTable | None:
    """_open_csv_rows' table of lines without quotes when every line below the header has as many cells as the
    header (two or more, every one named) and none is empty: the cells are split all at once, not line by line.
    None for any other file."""
    header, data = lines[header_index].split(delimiter), lines[header_index + 1:]
    width = len(header)
    kept = _columns_kept(header) if width >= 2 else None
    if kept is None or len(kept[0]) != width or not data:
        return None
    counts = list(map(str.count, data, itertools.repeat(delimiter)))
    if counts.count(width - 1) != len(data) or delimiter * (width - 1) in data:
        return None  # a row wider or narrower than the header (or empty), or a row of empty cells
    cells = delimiter.join(data).split(delimiter)
    columns = [tuple(cells[i::width]) for i in range(width)]
    numbers = np.arange(len(data), dtype=np.int64) + header_index + 2
    index = dict(zip(kept[1], kept[0]))

    def read(wanted: list[str]) -> tuple[np.ndarray, dict]:
        return numbers, {name: columns[index[name]] for name in dict.fromkeys(wanted)}  # tuples of str

    return _finish(path, kept[1], header_index, delimiter, note, read)


def _open_csv_stream(path: Path, scan: FileScan | None) -> TextTable | None:
    """A big CSV file read in blocks by pyarrow: the header here, the cells when `read` is called."""
    scan = scan or scan_file(path, digest=False)
    if not scan.plain:
        return None
    with open(path, "rb") as handle:
        raw = handle.read(HEAD_BYTES)
        bom = len(_BOM) if raw.startswith(_BOM) else 0
        while True:
            text = raw[bom:].decode("utf-8", errors="ignore")  # a character cut at the end is dropped
            lines = text.splitlines()
            if len(lines) > SCAN_ROWS + 1 or len(raw) < HEAD_BYTES:
                break
            more = handle.read(len(raw))
            if not more:
                break
            raw += more
    if not text.strip() or text.startswith("\ufeff"):
        return None
    found = _header(path, text)
    if found is None:
        return None
    lines, delimiter, header_index, start = found
    end = text.find("\n", start)
    if end < 0 or header_index >= len(lines):
        return None
    header_line = text[start:end].removesuffix("\r")
    if header_line != lines[header_index] or '"' in header_line:
        return None
    raw_names = header_line.split(delimiter)
    kept = _columns_kept(raw_names)
    if kept is None:
        return None
    positions, names = kept
    offset = bom + len(text[:end + 1].encode("utf-8"))
    index = dict(zip(names, positions))

    def read(wanted: list[str]) -> tuple[np.ndarray, dict]:
        wanted = list(dict.fromkeys(wanted))
        numbers, columns = _stream_cells(path, offset, delimiter, len(raw_names), positions,
                                         [index[n] for n in wanted], header_index)
        return numbers, {name: columns[index[name]] for name in wanted}

    table = _finish(path, names, header_index, delimiter, None, _checked(read, path, header_index))
    table.lazy = True
    return table


class NotPlain(Exception):
    """The block reader met something the general reader must handle (raised by TextTable.read)."""


def _checked(read, path: Path, header_index: int):
    def run(wanted: list[str]) -> tuple[np.ndarray, dict]:
        try:
            numbers, columns = read(wanted)
        except SitegenError:
            raise
        except Exception as exc:
            raise NotPlain(str(exc)) from None
        if not len(numbers):
            raise SitegenError("no data rows, expected at least one row below the header", path, header_index + 2)
        return numbers, columns
    return run


def _stream_cells(path: Path, offset: int, delimiter: str, width: int, kept: list[int], wanted: list[int],
                  header_index: int) -> tuple[np.ndarray, dict]:
    """The cells of the `wanted` columns (positions) from `offset` on, dictionary-encoded block by block.

    Blank lines are rows (of empty cells) as pandas makes them, so row numbers agree. Rows are dropped when
    every kept column is empty; that is decided on the wanted columns, and only if some row is empty in all
    of them the file is read again with every kept column. Quoted line breaks make pyarrow slower, so it
    is first told there are none: it stops ("out of sync") when a block boundary says otherwise."""
    import pyarrow as pa

    wanted = list(dict.fromkeys(wanted))
    for newlines in (False, True):
        try:
            every = set(wanted) >= set(kept)
            numbers, columns, complete = _stream(path, offset, delimiter, width, wanted,
                                                 kept if every else wanted, header_index, newlines, every)
            if not complete and not every:
                numbers, columns, _ = _stream(path, offset, delimiter, width, wanted, kept, header_index, newlines,
                                              True)
            return numbers, columns
        except pa.ArrowInvalid:
            if newlines:
                raise
    raise AssertionError("unreachable")


_END = "\x00sitegen: end of file\x00"  # no file read in blocks holds a NUL (scan_file)


class _Appended(io.RawIOBase):
    """A file from its current position, then `tail`."""

    def __init__(self, handle, tail: bytes) -> None:
        self.handle, self.tail = handle, tail

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        n = self.handle.readinto(buffer)
        if n:
            return n
        n = min(len(buffer), len(self.tail))
        buffer[:n], self.tail = self.tail[:n], self.tail[n:]
        return n


def _code_type(distinct: int):
    """The smallest integer type for codes of `distinct` values (10 million rows of 200 campaigns: 10 MB)."""
    return np.uint8 if distinct <= 1 << 8 else np.uint16 if distinct <= 1 << 16 else np.int32


def _stream(path: Path, offset: int, delimiter: str, width: int, wanted: list[int], judged: list[int],
            header_index: int, newlines: bool, final: bool) -> tuple[np.ndarray, dict, bool]:
    """(row numbers, position -> Column, whether every row had a cell in the `judged` columns); when not
    `final` and some row had none, nothing is returned (the caller reads again, judging every column)."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pcsv

    from sitegen.columnar import Column

    names = [f"c{i}" for i in range(width)]
    read = sorted(set(wanted) | set(judged))
    with open(path, "rb") as handle:
        size = handle.seek(0, io.SEEK_END)
        handle.seek(size - 1)
        ends_line = size > offset and handle.read(1) in (b"\r", b"\n")
        handle.seek(offset)
        # one more row after the file's: a quoted cell left open at the end of the file (pandas: "EOF inside
        # string", pyarrow: a cell up to the end) takes it in, so its absence tells
        source = _Appended(handle, (b"" if ends_line else b"\n") + delimiter.join([_END] * width).encode() + b"\n")
        reader = pcsv.open_csv(
            io.BufferedReader(source, buffer_size=BLOCK_BYTES),
            read_options=pcsv.ReadOptions(column_names=names, block_size=BLOCK_BYTES, use_threads=False),
            parse_options=pcsv.ParseOptions(delimiter=delimiter, quote_char='"', double_quote=True, escape_char=False,
                                            newlines_in_values=newlines, ignore_empty_lines=False),
            convert_options=pcsv.ConvertOptions(column_types={names[i]: pa.string() for i in read},
                                                strings_can_be_null=False, quoted_strings_can_be_null=False,
                                                include_columns=[names[i] for i in read]))
        blocks: dict[int, list] = {i: [] for i in wanted}  # per column: (codes in the block, its distinct cells)
        filled_parts, last = [], None

        def encode(batch):
            """(the rows to keep (None: all), each wanted column's (codes, distinct cells), the last cell)."""
            encoded = {i: pc.dictionary_encode(batch.column(names[i])) for i in read}
            # a row is kept when one of its judged cells is not empty; no empty cell in a column: every row
            filled = None
            if all(pc.any(pc.equal(encoded[i].dictionary, "")).as_py() for i in judged):
                filled = np.zeros(batch.num_rows, dtype=bool)
                for i in judged:
                    empty = pc.equal(encoded[i].dictionary, "").to_numpy(zero_copy_only=False)
                    filled |= ~empty[encoded[i].indices.to_numpy(zero_copy_only=False)]
            parts = {}
            for i in blocks:
                codes = encoded[i].indices.to_numpy(zero_copy_only=False)
                parts[i] = (codes.astype(_code_type(len(encoded[i].dictionary))), encoded[i].dictionary)
            return filled, parts, batch.column(names[read[0]])[-1].as_py() if batch.num_rows else None, batch.num_rows

        def keep(result) -> None:
            nonlocal last
            filled, parts, last, rows = result
            filled_parts.append(np.ones(rows, dtype=bool) if filled is None else filled)
            for i, part in parts.items():
                blocks[i].append(part)

        # a block is encoded in a second thread while pyarrow parses the next one (both let go of the GIL)
        with concurrent.futures.ThreadPoolExecutor(1) as encoder:
            pending = collections.deque()
            for batch in reader:
                pending.append(encoder.submit(encode, batch))
                del batch
                if len(pending) > 1:
                    keep(pending.popleft().result())
            while pending:
                keep(pending.popleft().result())
    if last != _END:
        raise NotPlain("a quoted cell is still open at the end of the file")
    filled = np.concatenate(filled_parts)[:-1]  # without the row added after the file's
    complete = bool(filled.all())
    if not complete and not final:
        return np.zeros(0, np.int64), {}, False
    numbers = np.arange(len(filled), dtype=np.int64) + header_index + 2
    if not complete:
        numbers = numbers[filled]
    columns = {}
    for i in list(blocks):
        parts = blocks.pop(i)  # one column at a time: its blocks are freed once merged
        if parts:
            codes, uniques = _merged(parts, len(filled) + 1)
            codes, uniques = codes[:-1], uniques.cast(pa.string())
            del parts
        else:
            codes, uniques = np.zeros(0, dtype=np.uint8), pa.array([], pa.string())
        columns[i] = Column(codes if complete else codes[filled], uniques)
    return numbers, columns, complete
