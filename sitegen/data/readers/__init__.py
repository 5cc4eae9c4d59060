"""Reading data files as their authors saved them: every cell as text, the header found by its names, row
numbers as a spreadsheet shows them. One reader per format, registered by file suffix (Pelican's `Readers`
is the model); each has a general way to read a file (`read`) and may have a faster one (`open`)."""

from __future__ import annotations

from pathlib import Path

from sitegen.data.readers.base import (
    FileScan,
    RawTable,
    Reader,
    TextTable,
    bounded,
    check_unique_headers,
    check_width,
    from_raw,
)
from sitegen.data.readers.delimited import DelimitedReader
from sitegen.data.readers.json_table import JsonReader
from sitegen.data.readers.jsonl import JsonLinesReader
from sitegen.data.readers.parquet import ParquetReader
from sitegen.data.readers.xlsx import XlsxReader
from sitegen.errors import SitegenError

READERS: dict[str, Reader] = {suffix: reader for reader in (DelimitedReader(), XlsxReader(), ParquetReader(),
                                                            JsonReader(), JsonLinesReader())
                               for suffix in reader.suffixes}
READABLE = tuple(READERS)
STREAM_BYTES = 8 * 2**20  # delimited files from this size are read in blocks (smaller ones whole, in Python)


def read_table(path: Path) -> RawTable:
    """The file's cells by its format's general reader, with the checks every table must pass."""
    suffix = path.suffix.lower()
    if path.stat().st_size == 0:
        raise SitegenError("empty file, expected a header row and data rows", path, 1)
    try:
        table = READERS[suffix].read(path)
    except SitegenError:
        raise
    except Exception as exc:  # readers raise many types for a corrupt file (BadZipFile, ArrowInvalid, ...)
        message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise SitegenError(f"cannot read {suffix[1:].upper()} file: {message}", path) from None
    check_width(len(table.frame.columns), path, table.header_row or None)
    if table.frame.empty:
        raise SitegenError("no data rows, expected at least one row below the header", path, table.header_row + 1)
    check_unique_headers(list(table.frame.columns), path, table.header_row)
    return table


def open_table(path: Path, scan: FileScan | None = None, size: int | None = None,
               stream_from: int = STREAM_BYTES) -> TextTable:
    """The file's header and cells, with read_table's checks and errors: by its format's fast reader where it
    takes the file, else by the general one (`size`: the file's, if known)."""
    size = path.stat().st_size if size is None else size
    table = READERS[path.suffix.lower()].open(path, size, scan, stream_from) if size else None
    return bounded(table, path, size) if table is not None else general_table(path, size)


def general_table(path: Path, size: int | None = None) -> TextTable:
    """The file's header and cells by its format's general reader (what `open_table` falls back to)."""
    return bounded(from_raw(read_table(path)), path, size)
