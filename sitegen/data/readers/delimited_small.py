"""The fast reader of small delimited files: split in Python (the csv module, or `str.split` when no cell is
quoted), where pandas' reader costs more than the file. It takes only a file whose form leaves no room for
doubt (UTF-8, no NUL, well-formed quotes, no row wider than the header, ...), and gives the cells the general
reader (`delimited.read_delimited`) would give; any other file is left to that reader, which also gives the
errors. tests/test_columnar.py compares the two."""

from __future__ import annotations

import csv
import io
import itertools
from pathlib import Path

import numpy as np

from sitegen.data.readers.base import TextTable
from sitegen.data.readers.delimited_head import columns_kept, decode, finish, header, split_lines
from sitegen.errors import SitegenError

_NOT_PLAIN = '"\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029'  # quotes; line breaks only splitlines knows


def plain_lines(text: str) -> list[str] | None:
    """The lines of a text the csv module would read as the lines split at each delimiter: no quote, no line
    break the csv module does not know (splitlines splits at \\x0b, \\x1c, \\u2028, ...), no line as long as
    the csv module's field limit. None for any other text."""
    if any(c in text for c in _NOT_PLAIN):  # (a regular expression takes 50 times as long)
        return None
    lines = text.splitlines()
    limit = csv.field_size_limit()
    return lines if len(text) < limit or max(map(len, lines), default=0) < limit else None


def open_rows(path: Path) -> TextTable | None:
    """A CSV file parsed by the csv module, as _read_csv would read it."""
    text, note = decode(path)
    if not text.strip():
        raise SitegenError("empty file, expected a header row and data rows", path, 1)
    if "\x00" in text or text.startswith("\ufeff"):
        return None
    every_line = plain_lines(text)
    found = header(path, text, every_line)
    if found is None:
        return None
    _, delimiter, header_index, start = found
    if every_line is not None:
        table = _even_table(path, every_line, header_index, delimiter, note)
        if table is not None:
            return table
        rows = split_lines(every_line[header_index:], delimiter)
    else:
        try:
            rows = list(csv.reader(io.StringIO(text[start:], newline=""), delimiter=delimiter, strict=True))
        except csv.Error:
            return None
    if not rows or not rows[0]:
        return None
    kept = columns_kept(rows[0])
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
        return finish(path, names, header_index, delimiter, note, None, rows=False)
    columns = list(itertools.zip_longest(*data, fillvalue=""))
    while len(columns) < width:
        columns.append(("",) * len(data))
    index = dict(zip(names, positions))

    def read(wanted: list[str]) -> tuple[np.ndarray, dict]:
        return numbers, {name: columns[index[name]] for name in dict.fromkeys(wanted)}  # tuples of str

    return finish(path, names, header_index, delimiter, note, read)


def _even_table(path: Path, lines: list[str], header_index: int, delimiter: str, note: str | None) -> TextTable | None:
    """_open_csv_rows' table of lines without quotes when every line below the header has as many cells as the
    header (two or more, every one named) and none is empty: the cells are split all at once, not line by line.
    None for any other file."""
    header, data = lines[header_index].split(delimiter), lines[header_index + 1:]
    width = len(header)
    kept = columns_kept(header) if width >= 2 else None
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

    return finish(path, kept[1], header_index, delimiter, note, read)
