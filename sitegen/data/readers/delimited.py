"""Delimited text files (CSV, TSV, TXT), as exports and spreadsheets save them: the general reader, pandas'
C parser over the decoded text, which every other way of reading such a file is measured against."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import numpy as np
import pandas as pd

from sitegen.data.readers.base import SCAN_ROWS, FileScan, RawTable, Reader, TextTable, check_width
from sitegen.data.readers.delimited_head import decode, delimiter_name, find_header, notes, sniff_delimiter
from sitegen.data.readers.delimited_small import SMALL_BYTES, open_rows
from sitegen.data.readers.delimited_stream import open_stream
from sitegen.data.readers.formulas import unwrap
from sitegen.errors import SitegenError


def read_delimited(path: Path) -> RawTable:
    text, note = decode(path)
    if not text.strip():
        raise SitegenError("empty file, expected a header row and data rows", path, 1)
    delimiter = sniff_delimiter(text)
    head = list(csv.reader(io.StringIO("\n".join(text.splitlines()[:SCAN_ROWS]), newline=""), delimiter=delimiter))
    header_index = find_header(head)
    check_width(len(head[header_index]) if head else 0, path, header_index + 1,
                f" (cells read as separated by {delimiter_name(delimiter)})")
    frame = _parse(path, text, delimiter, header_index, len(head[header_index]) if head else 0)
    frame.columns = [str(c).strip() for c in frame.columns]
    named = [not c.startswith("Unnamed: ") and c != "" for c in frame.columns]
    frame = frame.loc[:, named]
    numbers = np.arange(len(frame), dtype=np.int64) + header_index + 2
    filled = (frame != "").any(axis=1).to_numpy() if len(frame.columns) else np.zeros(len(frame), bool)
    if '="' in text:  # cells written as formulas (formulas.py); no other file pays for them
        frame = frame.map(unwrap)
        frame.columns = [unwrap(c).strip() for c in frame.columns]
    return RawTable(frame[filled].reset_index(drop=True), numbers[filled], header_index + 1,
                    notes(header_index, delimiter, note), positions=np.flatnonzero(named).tolist())


_TOO_WIDE = re.compile(r"Expected (\d+) fields in line (\d+), saw (\d+)")
_OPEN_QUOTE = re.compile(r"EOF inside string starting at row (\d+)")


def _parse(path: Path, text: str, delimiter: str, header_index: int, width: int) -> pd.DataFrame:
    """The cells below the header by pandas' C parser ('' when empty). A row wider than the header is an
    error, unless its extra cells are empty (a delimiter at the end of each row)."""
    try:
        frame = pd.read_csv(io.StringIO(text), sep=delimiter, skiprows=header_index, header=0, dtype=str,
                            keep_default_na=False, skip_blank_lines=False, engine="c")
    except pd.errors.ParserError as exc:
        opened = _OPEN_QUOTE.search(str(exc))
        if opened is not None:  # (pandas counts rows from 0, the file's first row included)
            raise SitegenError('found a quote (") that opens a cell and is never closed, expected a closing quote '
                               '(a quote inside a cell is written twice: "say ""hi""")', path,
                               int(opened[1]) + 1) from None
        wide = _TOO_WIDE.search(str(exc))
        if wide is None:
            raise
        # pandas counts the lines as a spreadsheet numbers its rows (a quoted line break stays in its row)
        raise SitegenError(f"row has {wide[3]} cells, expected {width} like the header", path,
                           int(wide[2])) from None
    if isinstance(frame.index, pd.RangeIndex):
        return frame.fillna("")
    # the first row below the header is wider than it: pandas made that row's first cells the index
    cells = frame.reset_index().fillna("")
    width = len(frame.columns)
    extra = cells.iloc[:, width:].to_numpy(dtype=object) != ""
    if extra.any():
        i = int(np.flatnonzero(extra.any(axis=1))[0])
        cells_in_row = width + int(np.flatnonzero(extra[i])[-1]) + 1  # up to its last cell that is not empty
        raise SitegenError(f"row has {cells_in_row} cells, expected {width} like the header", path,
                           header_index + 2 + i)
    return cells.iloc[:, :width].set_axis(list(frame.columns), axis=1)


class DelimitedReader(Reader):
    suffixes = (".csv", ".tsv", ".txt")

    def read(self, path: Path) -> RawTable:
        return read_delimited(path)

    def open(self, path: Path, size: int, scan: FileScan | None, stream_from: int) -> TextTable | None:
        if stream_from > size >= SMALL_BYTES:
            return None  # pandas reads these faster than Python splits them, and holds them whole
        try:
            return open_stream(path, scan) if size >= stream_from else open_rows(path)
        except SitegenError:
            raise
        except Exception:  # anything unforeseen: the general reader decides, with its own messages
            return None
