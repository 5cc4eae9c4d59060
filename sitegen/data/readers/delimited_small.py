"""The fast reader of small delimited files: split in Python (the csv module, or `str.split` when no cell is
quoted), where pandas' reader costs more than the file: a monthly drop of a few kB reads in a tenth of pandas'
time, and from about a megabyte pandas is the faster (`SMALL_BYTES`). It takes only a file whose form leaves no
room for doubt (UTF-8, no NUL, well-formed quotes, no row wider than the header, ...), and gives the cells the
general reader (`delimited.read_delimited`) would give; any other file is left to that reader, which also gives
the errors. tests/test_columnar.py compares the two."""

from __future__ import annotations

import csv
import io
import itertools
from pathlib import Path

import numpy as np

from sitegen.data.readers.base import TextTable
from sitegen.data.readers.delimited_head import columns_kept, decode_utf8, finish, header, split_lines
from sitegen.errors import SitegenError

SMALL_BYTES = 1 << 20  # delimited files below this size are split here
_NOT_PLAIN = '"\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029'  # quotes; line breaks only splitlines knows


def plain_lines(text: str) -> list[str] | None:
    """The lines of a text the csv module would read as the lines split at each delimiter: no quote, no line
    break the csv module does not know (splitlines splits at \\x0b, \\x1c, \\u2028, ...). None for any other
    text."""
    if any(c in text for c in _NOT_PLAIN):  # (a regular expression takes 50 times as long)
        return None
    return text.splitlines()


def open_rows(path: Path) -> TextTable | None:
    """A CSV file parsed by the csv module, as the general reader would read it; None for any other file."""
    text = decode_utf8(path)
    if text is None:
        return None
    if not text.strip():
        raise SitegenError("empty file, expected a header row and data rows", path, 1)
    if "\x00" in text or text.startswith("\ufeff") or '="' in text:  # '="': cells as formulas (general reader)
        return None
    found = _rows(path, text)
    if found is None:
        return None
    rows, delimiter, header_index = found
    kept = columns_kept(rows[0])
    if kept is None:
        return None
    positions, names = kept
    width, data = len(rows[0]), rows[1:]
    if data and max(map(len, data)) > width:
        return None  # pandas: "Expected n fields", or the first columns become the index
    numbers, data = _filled(data, positions, width, header_index)
    if not data:
        return finish(path, names, header_index, delimiter, None, None, rows=False)
    columns = list(itertools.zip_longest(*data, fillvalue=""))
    columns += [("",) * len(data)] * (width - len(columns))
    index = dict(zip(names, positions))

    def read(wanted: list[str]) -> tuple[np.ndarray, dict]:
        return numbers, {name: columns[index[name]] for name in dict.fromkeys(wanted)}  # tuples of str

    return finish(path, names, header_index, delimiter, None, read, positions=positions)


def _rows(path: Path, text: str) -> tuple[list[list[str]], str, int] | None:
    """(the rows from the header on, delimiter, header row index); None when only pandas reads them exactly."""
    every_line = plain_lines(text)
    found = header(path, text, every_line)
    if found is None:
        return None
    _, delimiter, header_index, start = found
    if every_line is not None:  # no quote: each line split at the delimiter is what the csv module makes of it
        rows = split_lines(every_line[header_index:], delimiter)
    else:
        try:
            rows = list(csv.reader(io.StringIO(text[start:], newline=""), delimiter=delimiter, strict=True))
        except csv.Error:
            return None
    return (rows, delimiter, header_index) if rows and rows[0] else None


def _filled(data: list[list[str]], positions: list[int], width: int,
            header_index: int) -> tuple[np.ndarray, list[list[str]]]:
    """The rows with a cell in a kept column, and their row numbers (pandas skips the others)."""
    if len(positions) == width:
        filled = [any(row) for row in data]
    else:
        filled = [any(row[i] for i in positions if i < len(row)) for row in data]
    numbers = np.arange(len(data), dtype=np.int64) + header_index + 2
    if all(filled):
        return numbers, data
    return numbers[np.array(filled, dtype=bool)], [row for row, f in zip(data, filled) if f]
