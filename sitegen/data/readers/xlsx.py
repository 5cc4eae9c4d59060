"""Read an XLSX export as a table of strings, finding the header row below any title rows.

Exports from TikTok Ads Manager, TikTok Studio or a shop system often put a title, a date range,
a logo row or blank rows above the header, and several sheets (summary, data, notes) in one
workbook. The header is the row, over the first rows of every sheet, with the most cells that
`is_known` recognises as column names. Every cell comes back as the text a user sees in Excel,
so that IDs, dates and numbers are interpreted later by the same code as CSV files.
"""

from __future__ import annotations

import datetime as dt
import re
import warnings
import zipfile
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from sitegen.data.headers import is_known_header
from sitegen.data.readers.base import RawTable, Reader
from sitegen.data.readers.formulas import unwrap
from sitegen.errors import SitegenError

MIN_HEADER_SCORE = 2
# Excel's last row. Rows are read up to it and only as wide as the header: a broken file's row numbered
# 200000000 took openpyxl through every empty row before it (a hang; such rows are ignored), and a cell in
# column XFD of every row widened each row to 16,384 values (seconds and hundreds of MB for a 50 kB file).
MAX_ROWS = 1_048_576
EXACT_INTEGERS = 2**53  # floats at or above this size no longer hold every integer exactly
# A workbook is a ZIP archive of XML parts: openpyxl holds the shared strings (all the sheets' text) in memory, and
# a part of a few kB can unpack to gigabytes (a "zip bomb"). No part may unpack to more than this; zipfile stops
# at a part's declared size, so the declared size bounds what is read.
MAX_PART_BYTES = 512 * 2**20
# Cells (rows × columns up to the header's last) read from one sheet: each is a Python object here, about 100
# bytes, so this is about 5 GB. Far more than an export that Excel can open needs (CSV files have no such limit).
MAX_CELLS = 50_000_000
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .xls, and password-protected .xlsx


@dataclass
class XlsxTable:
    frame: pd.DataFrame  # data rows below the header, every cell a string ('' when empty)
    sheet: str  # name of the sheet the table comes from
    header_row: int  # 1-based spreadsheet row of the header
    row_numbers: list[int]  # 1-based spreadsheet row of each frame row
    lossy: list[tuple[int, str]] = field(default_factory=list)  # (row, column): big integer stored as a float
    positions: list[int] | None = None  # each column's place in the sheet, 0 for A


def read_xlsx(path: Path, is_known: Callable[[str], bool], max_scan_rows: int = 30, *,
              examples: Sequence[str] = ()) -> XlsxTable:
    """The table in the workbook at `path`, below the best header row found in any sheet.

    `examples` only serve the error message when no header is found ("such as date, spend").
    """
    path = Path(path)
    with _reading(path):
        handle = path.open("rb")
    with handle:
        with _reading(path):
            workbook = _open(handle, path)
        try:
            with _reading(path):
                scanned = [(sheet, _scan(sheet, max_scan_rows)) for sheet in workbook.worksheets]
            best = None  # (score, sheet, row number, texts); ties keep the earlier sheet and row
            for sheet, rows in scanned:
                for number, texts in enumerate(rows, start=1):
                    score = sum(1 for text in texts if text and is_known(text))
                    if best is None or score > best[0]:
                        best = (score, sheet, number, texts)
            if best is None or best[0] < MIN_HEADER_SCORE:
                raise SitegenError(_no_header_message(examples, max_scan_rows), path)
            _, sheet, header_row, header = best
            with _reading(path):
                return _read_table(sheet, header_row, header, path)
        finally:
            workbook.close()


def cell_text(value) -> str:
    """A cell value as the text a user sees (ISO dates, integral numbers without '.0')."""
    kind = type(value)
    if value is None:
        return ""
    if kind is str:
        return unwrap(value.strip())
    if kind is bool:
        return "true" if value else "false"
    if kind is int:
        return str(value)
    if kind is float:
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.date | dt.time | dt.timedelta):
        return _moment_text(value)
    if isinstance(value, int):  # subclasses, should a caller pass them
        return str(int(value))
    if isinstance(value, float):
        return cell_text(float(value))
    return str(value).strip()


def _moment_text(value: dt.date | dt.time | dt.timedelta) -> str:
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time(0) else value.isoformat(sep=" ")
    if isinstance(value, dt.timedelta):
        return _duration(value)
    return value.isoformat()


def _duration(value: dt.timedelta) -> str:
    """`[h]:mm:ss` as Excel shows durations (hours keep counting past 24)."""
    sign = "-" if value < dt.timedelta(0) else ""
    value = abs(value)
    seconds = value.days * 86400 + value.seconds
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    text = f"{sign}{hours}:{minutes:02d}:{seconds:02d}"
    if value.microseconds:
        text += f".{value.microseconds:06d}".rstrip("0")
    return text


def _open(handle, path: Path):
    import openpyxl

    head = handle.read(len(_OLE_MAGIC))
    if not head:
        raise SitegenError("cannot read XLSX file: the file is empty (0 bytes)", path)
    if head == _OLE_MAGIC:
        raise SitegenError("cannot read XLSX file: this is an old .xls workbook or a password-protected "
                           "file; save it in Excel as .xlsx without a password", path)
    handle.seek(0)
    _check_parts(handle, path)
    handle.seek(0)
    # A file object rather than the path: openpyxl would refuse names not ending in .xlsx/.xlsm, and
    # `with handle` closes the file even when openpyxl fails half way through opening it.
    return openpyxl.load_workbook(handle, read_only=True, data_only=True)


def _check_parts(handle, path: Path) -> None:
    with zipfile.ZipFile(handle) as archive:
        for part in archive.infolist():
            if part.file_size > MAX_PART_BYTES:
                raise SitegenError(f"cannot read XLSX file: its part {part.filename!r} unpacks to "
                                   f"{part.file_size / 2**20:,.0f} MiB, expected at most {MAX_PART_BYTES // 2**20} MiB "
                                   "(a damaged file, or a zip bomb; save the sheet as CSV if it is real)", path)


@contextmanager
def _reading(path: Path) -> Iterator[None]:
    """Turn whatever openpyxl, zipfile or the XML parser raise into one SitegenError."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    except SitegenError:
        raise
    except zipfile.BadZipFile:
        raise SitegenError("cannot read XLSX file: not an Excel workbook (an .xlsx file is a ZIP archive; "
                           "is this a CSV or another file renamed to .xlsx?)", path) from None
    except FileNotFoundError:
        raise SitegenError("cannot read XLSX file: file not found", path) from None
    except KeyError as exc:  # zipfile: "There is no item named '[Content_Types].xml' in the archive"
        part = _MISSING_PART.search(str(exc))
        raise SitegenError("cannot read XLSX file: not a complete Excel workbook (the archive has no part "
                           f"{part[1] if part else _first_line(exc)}); open it in Excel and save it again as .xlsx",
                           path) from None
    except SyntaxError as exc:  # the XML parsers' errors (expat's ParseError, lxml's XMLSyntaxError)
        raise SitegenError("cannot read XLSX file: the workbook is damaged (a part of it is not well-formed XML: "
                           f"{_first_line(exc)}); open it in Excel and save it again", path) from None
    except Exception as exc:
        raise SitegenError(f"cannot read XLSX file: {_first_line(exc)}", path) from None


_MISSING_PART = re.compile(r"no item named '([^']*)'")


def _first_line(exc: Exception) -> str:
    text = str(exc).strip().strip("\"'").strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _no_header_message(examples: Sequence[str], max_scan_rows: int) -> str:
    names = ", ".join(examples)
    expected = f"column names such as {names}" if names else "known column names"
    return f"no header row found: expected {expected} in the first {max_scan_rows} rows of any sheet"


def _scan(sheet, max_scan_rows: int) -> list[list[str]]:
    """The first rows of a sheet as text; parsing stops after `max_scan_rows` rows."""
    sheet.reset_dimensions()  # some exporters write a wrong <dimension>; never trust it
    if max_scan_rows < 1:
        return []
    return [[cell_text(value) for value in row]
            for row in sheet.iter_rows(min_row=1, max_row=max_scan_rows, values_only=True)]


def dedupe(names: list[str]) -> list[str]:
    """Suffix repeated names with .1, .2, ... the way pandas does."""
    counts: defaultdict[str, int] = defaultdict(int)
    result = []
    for name in names:
        count = counts[name]
        while count > 0:
            counts[name] = count + 1
            name = f"{name}.{count}"
            count = counts[name]
        result.append(name)
        counts[name] = count + 1
    return result


def _read_table(sheet, header_row: int, header: list[str], path: Path) -> XlsxTable:
    positions = [i for i, text in enumerate(header) if text]
    names = dedupe([header[i] for i in positions])
    width = positions[-1] + 1
    padding = (None,) * width
    raw: list[tuple] = []
    row_numbers: list[int] = []
    rows = sheet.iter_rows(min_row=header_row + 1, max_row=MAX_ROWS, max_col=width, values_only=True)
    most = MAX_CELLS // width
    for number, row in enumerate(rows, start=header_row + 1):
        if any(value is not None for value in row):  # quick skip of empty rows; blank text is caught below
            raw.append(row if len(row) >= width else (*row, *padding[len(row):]))
            row_numbers.append(number)
            if len(raw) > most:
                raise SitegenError(f"found more than {MAX_CELLS:,} cells ({len(raw):,} rows of {width:,} columns), "
                                   f"expected at most {MAX_CELLS:,} in a sheet; save it as CSV", path, number)
    columns = []
    lossy_cells = []  # (index in raw, column position)
    for k, i in enumerate(positions):
        values = [row[i] for row in raw]
        columns.append([unwrap(value.strip()) if type(value) is str else cell_text(value) for value in values])
        lossy_cells.extend((j, k) for j, value in enumerate(values)
                           if type(value) is float and abs(value) >= EXACT_INTEGERS and value.is_integer())
    lossy = [(row_numbers[j], names[k]) for j, k in sorted(lossy_cells)]
    keep = [any(texts) for texts in zip(*columns)]
    if not all(keep):
        columns = [[text for text, kept in zip(column, keep) if kept] for column in columns]
        row_numbers = [number for number, kept in zip(row_numbers, keep) if kept]
    frame = pd.DataFrame(dict(zip(names, columns)), columns=names, dtype=object)
    return XlsxTable(frame=frame, sheet=sheet.title, header_row=header_row, row_numbers=row_numbers, lossy=lossy,
                     positions=positions)


class XlsxReader(Reader):
    suffixes = (".xlsx",)

    def read(self, path: Path) -> RawTable:
        sheet = read_xlsx(path, is_known_header)
        return RawTable(sheet.frame.fillna("").astype(str), np.array(sheet.row_numbers, dtype=np.int64),
                        sheet.header_row, [f"sheet {sheet.sheet!r}, header in row {sheet.header_row}"],
                        list(sheet.lossy), sheet.positions)
