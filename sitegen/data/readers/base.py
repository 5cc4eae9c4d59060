"""What every reader gives: a file's cells as text, exactly as the user wrote them, with the header found by its
names and row numbers as a spreadsheet shows them. Nothing is interpreted here but the file's form (encoding,
delimiter); conventions inside the cells are handled by `sitegen.data.conventions`."""

from __future__ import annotations

import codecs
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from sitegen.data.encoded import Column
from sitegen.errors import SitegenError

SCAN_ROWS = 30  # rows looked at for the header (title rows may stand above it) and the delimiter
MAX_COLUMNS = 1_000  # far more than any export has: a wider header row is not a table (and pandas is slow on it)
BLOCK_BYTES = 16 * 2**20  # bytes read at a time: hashing a file, and pyarrow's blocks of a big CSV file
# Characters in one cell: real exports' longest cells (video descriptions, comments) are a few thousand; a longer
# cell is nearly always a quote left open, which takes the rest of the file into one cell.
MAX_CELL_CHARS = 2**20


@dataclass
class RawTable:
    frame: pd.DataFrame  # columns: header cells as written; cells: text ('' when empty)
    row_numbers: np.ndarray  # spreadsheet row of each frame row (JSON: the object's position)
    header_row: int
    notes: list[str] = field(default_factory=list)  # how the file was read, for `sitegen check`
    lossy_ids: list[tuple[int, str]] = field(default_factory=list)  # (row, column) of IDs stored as numbers
    positions: list[int] | None = None  # each column's place in the file's rows, 0 for A (None: no such place)


@dataclass
class TextTable:
    """A file's header and a way to read the cells of some of its columns, as `read_table` would."""

    names: list[str]  # the columns of read_table's frame
    header_row: int
    notes: list[str]
    lossy_ids: list[tuple[int, str]]
    read: Callable[[list[str]], tuple[np.ndarray, dict]]  # columns -> (row numbers, column -> cells)
    lazy: bool = False  # the cells are parsed by `read`: a file read_table cannot read is only found out then
    positions: list[int] | None = None  # each column's place in the file's rows, 0 for A (None: no such place)


@dataclass
class FileScan:
    """One pass over a file's bytes: its hash, and whether the block reader may read it."""

    digest: str | None
    plain: bool  # UTF-8 (no encoding to detect, see readers.encodings) and no NUL


class NotPlain(Exception):
    """The block reader met something the general reader must handle (raised by TextTable.read)."""


class Reader:
    """A file format (Pelican's readers are the model): `read` gives every cell as text, as the user saw it, and
    raises the errors users see; `open` may give the same cells faster, or None to leave the file to `read`."""

    suffixes: tuple[str, ...] = ()

    def read(self, path: Path) -> RawTable:
        raise NotImplementedError

    def open(self, path: Path, size: int, scan: FileScan | None, stream_from: int) -> TextTable | None:
        """`size`: the file's; `scan`: its scan_file, if made; `stream_from`: the size from which a file is read in
        blocks rather than whole."""
        return None


def check_width(columns: int, path: Path, row: int | None, hint: str = "") -> None:
    if columns > MAX_COLUMNS:
        raise SitegenError(f"found {columns} columns, expected at most {MAX_COLUMNS}{hint}", path, row)


def check_unique_headers(names: list[str], path: Path, header_row: int) -> None:
    seen = set()
    for name in names:
        if name in seen:
            raise SitegenError(f"column {name!r} appears twice", path, header_row)
        seen.add(name)


def scan_file(path: Path, digest: bool = True) -> FileScan:
    h = hashlib.sha256() if digest else None  # sha256 over blake2b: CPUs with SHA instructions hash it faster
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


def from_raw(raw: RawTable) -> TextTable:
    """read_table's result as a TextTable."""
    def cells(series: pd.Series):
        if isinstance(series.dtype, pd.StringDtype) and series.dtype.storage == "pyarrow":  # Arrow already
            values = pa.array(series.array)
            values = values.combine_chunks() if isinstance(values, pa.ChunkedArray) else values
            return values.cast(pa.string())
        return pa.array(series.to_numpy(dtype=object), pa.string(), from_pandas=True)

    def read(wanted: list[str]) -> tuple[np.ndarray, dict]:
        return raw.row_numbers, {name: cells(raw.frame[name]) for name in dict.fromkeys(wanted)}

    return TextTable(list(raw.frame.columns), raw.header_row, list(raw.notes), list(raw.lossy_ids), read,
                     positions=raw.positions)


# a cell of these holds no more characters than the file bytes
TEXT_SUFFIXES = (".csv", ".tsv", ".txt", ".json", ".jsonl", ".ndjson")


def bounded(table: TextTable, path: Path, size: int | None = None) -> TextTable:
    """The table, whose `read` refuses a cell longer than MAX_CELL_CHARS with its file, row and column (`size`: the
    file's, if known: a text file that small needs no check)."""
    if size is not None and size <= MAX_CELL_CHARS and path.suffix.lower() in TEXT_SUFFIXES:
        return table
    read = table.read

    def checked(wanted: list[str]) -> tuple[np.ndarray, dict]:
        numbers, cells = read(wanted)
        for name, column in cells.items():
            at = _first_long(column, MAX_CELL_CHARS)
            if at is not None:
                raise SitegenError(f"found a cell of {_length(column, at):,} characters, expected at most "
                                   f"{MAX_CELL_CHARS:,} (is a quote left open, so that the rest of the file ran into "
                                   "this cell?)", path, int(numbers[at]), name)
        return numbers, cells

    table.read = checked
    return table


def _first_long(cells, limit: int) -> int | None:
    """The position of the first cell longer than `limit` characters, if any (on the distinct cells where the cells
    are encoded)."""
    if isinstance(cells, Column):
        lengths = pc.utf8_length(cells.uniques).to_numpy(zero_copy_only=False)
        long = np.flatnonzero(lengths > limit)
        rows = np.flatnonzero(np.isin(cells.codes, long)) if len(long) else ()
    elif isinstance(cells, pa.Array | pa.ChunkedArray):
        lengths = pc.fill_null(pc.utf8_length(cells), 0).to_numpy(zero_copy_only=False)
        rows = np.flatnonzero(lengths > limit)
    else:  # the csv module's cells: str
        if max(map(len, cells), default=0) <= limit:
            return None
        rows = [i for i, cell in enumerate(cells) if len(cell) > limit]
    return int(rows[0]) if len(rows) else None


def _length(cells, at: int) -> int:
    if isinstance(cells, Column):
        return len(cells.uniques[int(cells.codes[at])].as_py())
    return len(cells[at].as_py() if isinstance(cells, pa.Array | pa.ChunkedArray) else cells[at])
