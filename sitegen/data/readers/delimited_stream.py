"""The reader of big delimited files: pyarrow parses them in blocks, each column dictionary-encoded block by
block, so that a file of ten million rows is never held as text all at once. Like the small reader, it takes
only a plain file (`base.scan_file`) and gives what the general reader would; anything it is unsure of raises
NotPlain, and the general reader decides."""

from __future__ import annotations

import collections
import concurrent.futures
import io
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pcsv

from sitegen.data.encoded import Column, code_type, merged
from sitegen.data.readers.base import BLOCK_BYTES, SCAN_ROWS, FileScan, NotPlain, TextTable, scan_file
from sitegen.data.readers.delimited_head import columns_kept, finish, header
from sitegen.data.readers.formulas import unwrap_array
from sitegen.errors import SitegenError

HEAD_BYTES = 2**20  # read first, for the header (and more while the first rows are longer)
_BOM = b"\xef\xbb\xbf"


def open_stream(path: Path, scan: FileScan | None) -> TextTable | None:
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
        whole = not handle.read(1)
    if not text.strip() or text.startswith("\ufeff"):
        return None
    found = header(path, text)
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
    kept = columns_kept(raw_names)
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

    # a file whose head is all of it and has no cell below the header has no rows: said before a repeated name,
    # in the order the other readers check (a bigger file's rows are counted as it is read)
    rows = not whole or any(
        any(cells[i] for i in positions if i < len(cells)) for cells in (line.split(delimiter)
                                                                         for line in text[end + 1:].splitlines()))
    table = finish(path, names, header_index, delimiter, None, _checked(read, path, header_index), rows=rows,
                   positions=positions)
    table.lazy = True
    return table


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


def _stream(path: Path, offset: int, delimiter: str, width: int, wanted: list[int], judged: list[int],
            header_index: int, newlines: bool, final: bool) -> tuple[np.ndarray, dict, bool]:
    """(row numbers, position -> Column, whether every row had a cell in the `judged` columns); when not
    `final` and some row had none, nothing is returned (the caller reads again, judging every column)."""
    blocks = _Blocks([f"c{i}" for i in range(width)], sorted(set(wanted) | set(judged)), wanted, judged)
    with open(path, "rb") as handle:
        reader = _reader(handle, offset, delimiter, blocks, newlines)
        # a block is encoded in a second thread while pyarrow parses the next one (both let go of the GIL)
        with concurrent.futures.ThreadPoolExecutor(1) as encoder:
            pending = collections.deque()
            for batch in reader:
                pending.append(encoder.submit(blocks.encode, batch))
                del batch
                if len(pending) > 1:
                    blocks.keep(*pending.popleft().result())
            while pending:
                blocks.keep(*pending.popleft().result())
    if blocks.last != _END:
        raise NotPlain("a quoted cell is still open at the end of the file")
    filled = np.concatenate(blocks.filled)[:-1]  # without the row added after the file's
    complete = bool(filled.all())
    if not complete and not final:
        return np.zeros(0, np.int64), {}, False
    numbers = np.arange(len(filled), dtype=np.int64) + header_index + 2
    return (numbers if complete else numbers[filled]), blocks.columns(filled, complete), complete


def _reader(handle, offset: int, delimiter: str, blocks: _Blocks, newlines: bool) -> pcsv.CSVStreamingReader:
    """pyarrow's block reader of the file from `offset` on, every column read as text."""
    size = handle.seek(0, io.SEEK_END)
    handle.seek(size - 1)
    ends_line = size > offset and handle.read(1) in (b"\r", b"\n")
    handle.seek(offset)
    # one more row after the file's: a quoted cell left open at the end of the file (pandas: "EOF inside
    # string", pyarrow: a cell up to the end) takes it in, so its absence tells
    end = (b"" if ends_line else b"\n") + delimiter.join([_END] * len(blocks.names)).encode() + b"\n"
    names = blocks.names
    return pcsv.open_csv(
        io.BufferedReader(_Appended(handle, end), buffer_size=BLOCK_BYTES),
        read_options=pcsv.ReadOptions(column_names=names, block_size=BLOCK_BYTES, use_threads=False),
        parse_options=pcsv.ParseOptions(delimiter=delimiter, quote_char='"', double_quote=True, escape_char=False,
                                        newlines_in_values=newlines, ignore_empty_lines=False),
        convert_options=pcsv.ConvertOptions(column_types={names[i]: pa.string() for i in blocks.read},
                                            strings_can_be_null=False, quoted_strings_can_be_null=False,
                                            include_columns=[names[i] for i in blocks.read]))


class _Blocks:
    """What the blocks of a big file gave: per wanted column each block's codes and distinct cells, which rows
    had a cell in a judged column, and the first read cell of the last row (the row added after the file's)."""

    def __init__(self, names: list[str], read: list[int], wanted: list[int], judged: list[int]):
        self.names, self.read, self.judged = names, read, judged
        self.parts: dict[int, list[tuple[np.ndarray, pa.Array]]] = {i: [] for i in wanted}
        self.filled: list[np.ndarray] = []
        self.last: str | None = None

    def encode(self, batch: pa.RecordBatch) -> tuple:
        """(which rows to keep (None: all), each wanted column's (codes, distinct cells), the last cell, rows)."""
        encoded = {i: pc.dictionary_encode(batch.column(self.names[i])) for i in self.read}
        # a row is kept when one of its judged cells is not empty; no empty cell in a column: every row
        filled = None
        if all(pc.any(pc.equal(encoded[i].dictionary, "")).as_py() for i in self.judged):
            filled = np.zeros(batch.num_rows, dtype=bool)
            for i in self.judged:
                empty = pc.equal(encoded[i].dictionary, "").to_numpy(zero_copy_only=False)
                filled |= ~empty[encoded[i].indices.to_numpy(zero_copy_only=False)]
        parts = {}
        for i in self.parts:
            codes = encoded[i].indices.to_numpy(zero_copy_only=False)
            parts[i] = (codes.astype(code_type(len(encoded[i].dictionary))), encoded[i].dictionary)
        last = batch.column(self.names[self.read[0]])[-1].as_py() if batch.num_rows else None
        return filled, parts, last, batch.num_rows

    def keep(self, filled: np.ndarray | None, parts: dict, last: str | None, rows: int) -> None:
        self.filled.append(np.ones(rows, dtype=bool) if filled is None else filled)
        for i, part in parts.items():
            self.parts[i].append(part)
        self.last = last

    def columns(self, filled: np.ndarray, complete: bool) -> dict[int, Column]:
        """Each wanted column, its blocks' codes numbered alike; one column at a time, its blocks freed once
        merged."""
        columns = {}
        for i in list(self.parts):
            parts = self.parts.pop(i)
            if parts:
                codes, uniques = merged(parts, len(filled) + 1)
                codes, uniques = codes[:-1], unwrap_array(uniques.cast(pa.string()))
                del parts
            else:
                codes, uniques = np.zeros(0, dtype=np.uint8), pa.array([], pa.string())
            columns[i] = Column(codes if complete else codes[filled], uniques)
        return columns
