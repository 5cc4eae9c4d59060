"""The head of a delimited text file (CSV, TSV, TXT): its encoding, its delimiter, and which of its first rows
is the header (exports put title rows above it). Shared by the general reader and the fast ones, so that they
find the same header and say the same things about the file."""

from __future__ import annotations

import csv
import functools
import io
import itertools
from collections.abc import Callable
from pathlib import Path

import numpy as np

from sitegen.data.headers import is_known_header
from sitegen.data.readers.base import SCAN_ROWS, TextTable, check_unique_headers, check_width
from sitegen.data.readers.encodings import decode_text
from sitegen.data.readers.formulas import unwrap
from sitegen.errors import SitegenError

SNIFF_CHARS = 8_000  # of the first rows, enough to tell the delimiter (real exports: 30 rows in 4-8 kB)
# The csv module refuses a cell longer than 131,072 characters with "field larger than field limit", and no place in
# the file: its limit is lifted (for the process; it only ever reads text already in memory), and the readers'
# cells are held to base.MAX_CELL_CHARS, with the cell's row and column.
csv.field_size_limit(2**31 - 1)


def decode(path: Path) -> tuple[str, str | None]:
    """(the file's text, a note naming its encoding when it is not UTF-8; see `encodings`)."""
    return decode_text(path.read_bytes(), path)


def decode_utf8(path: Path) -> str | None:
    """The text of a UTF-8 file (with or without a byte-order mark); None for any other encoding, which only
    the general reader detects (the fast readers take UTF-8 files only)."""
    try:
        return path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        return None


def sniff_delimiter(text: str, lines: list[str] | None = None) -> str:
    sample = "\n".join(text.splitlines()[:SCAN_ROWS] if lines is None else lines)
    if len(sample) > SNIFF_CHARS:  # the sniffer's quote regex takes quadratic time on long samples
        cut = sample.rfind("\n", 0, SNIFF_CHARS)
        sample = sample[:cut if cut > 0 else SNIFF_CHARS]
    present = [d for d in ",;\t|" if d in sample]
    if len(present) <= 1:  # what the sniffer (or its fallback below) would say, without running it
        return present[0] if present else ","
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
    except csv.Error:
        counts = {d: sample.count(d) for d in ",;\t|"}
        return max(counts, key=counts.get) if any(counts.values()) else ","


_KNOWN: dict[str, int] = {}  # cell -> 1 if a known column name (is_known_header), for the first rows of files


def find_header(rows: list[list[str]]) -> int:
    """The first row with the most known column names among the first rows (title rows above it)."""
    known = _KNOWN
    if len(known) > 100_000:
        known.clear()
    rows = rows[:SCAN_ROWS]
    if rows:  # the usual file: every cell of its first row is known, and no row below has more cells
        for cell in set(rows[0]).difference(known):
            known[cell] = int(bool(cell.strip()) and is_known_header(unwrap(cell.strip())))
        first = sum(map(known.__getitem__, rows[0]))
        if 2 <= first == len(rows[0]) >= max(map(len, rows[1:]), default=0):
            return 0  # (a row scores at most its number of cells)
    for cell in set(itertools.chain.from_iterable(rows)).difference(known):
        known[cell] = int(bool(cell.strip()) and is_known_header(unwrap(cell.strip())))
    scores = [sum(map(known.__getitem__, row)) for row in rows]
    best = max(scores, default=0)
    return scores.index(best) if best >= 2 else 0


def head_lines(text: str) -> list[str]:
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


def columns_kept(names: list[str]) -> tuple[list[int], list[str]] | None:
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


def delimiter_name(delimiter: str) -> str:
    return "tab" if delimiter == "\t" else repr(delimiter)


def notes(header_index: int, delimiter: str, encoding_note: str | None) -> list[str]:
    """What `sitegen check` says about how a file was read."""
    found = [f"header in row {header_index + 1}"] if header_index else []
    if delimiter != ",":
        found.append(f"delimiter {delimiter_name(delimiter)}")
    return found + ([encoding_note] if encoding_note else [])


def finish(path: Path, names: list[str], header_index: int, delimiter: str, note: str | None,
           read: Callable[[list[str]], tuple[np.ndarray, dict]], rows: bool = True,
           positions: list[int] | None = None) -> TextTable:
    """The table of a fast reader, after read_table's checks in its order, with the general reader's notes."""
    check_width(len(names), path, header_index + 1)
    if not rows:
        raise SitegenError("no data rows, expected at least one row below the header", path, header_index + 2)
    check_unique_headers(names, path, header_index + 1)
    return TextTable(names, header_index + 1, notes(header_index, delimiter, note), [], read, positions=positions)


def split_lines(lines: list[str], delimiter: str) -> list[list[str]]:
    """csv.reader's rows of lines without quotes (an empty line is a row without cells)."""
    return [line.split(delimiter) if line else [] for line in lines]


def header(path: Path, text: str, every_line: list[str] | None = None) -> tuple[list[str], str, int, int] | None:
    """(first lines, delimiter, header row index, offset of the row after the header) of a CSV text, as the
    general reader finds them; None when only pandas reads this header exactly. `every_line`: text.splitlines()
    of a text without quotes (delimited_small.plain_lines), whose rows are split here."""
    lines = head_lines(text) if every_line is None else every_line[:SCAN_ROWS]
    delimiter = sniff_delimiter(text, lines)
    if every_line is None:
        head = list(csv.reader(io.StringIO("\n".join(lines), newline=""), delimiter=delimiter))
    else:
        head = split_lines(lines, delimiter)
    header_index = find_header(head)
    check_width(len(head[header_index]) if head else 0, path, header_index + 1,
                 f" (cells read as separated by {delimiter_name(delimiter)})")
    start = _line_start(header_index, lines, text)
    return None if start is None else (lines, delimiter, header_index, start)
