import datetime as dt
import zipfile
from pathlib import Path

import openpyxl
import pytest

from sitegen.data.readers.xlsx import XlsxTable, cell_text, dedupe, read_xlsx
from sitegen.errors import SitegenError

KNOWN = {"date", "campaign", "spend", "cost", "impressions", "clicks", "video id", "posted", "active", "ctr",
         "duration", "time"}
BIG_ID = 7458906761674861234  # a 19-digit TikTok video ID


def is_known(header: str) -> bool:
    return header.strip().lower() in KNOWN


def write_xlsx(path: Path, sheets: dict[str, list[list]]) -> Path:
    """A workbook with one sheet per entry; `[]` leaves a row blank."""
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
    workbook.save(path)
    return path


def _rewrite_member(path: Path, member: str, change) -> None:
    with zipfile.ZipFile(path) as archive:
        contents = {name: archive.read(name) for name in archive.namelist()}
    contents[member] = change(contents[member])
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in contents.items():
            archive.writestr(name, data)


def read(path: Path, **kwargs) -> XlsxTable:
    return read_xlsx(path, is_known, **kwargs)


TITLE_ROWS = [["Campaign report"], ["Date range: 2026-10-01 – 2026-10-31"], []]


def test_header_below_title_rows_and_blank_row(tmp_path):
    path = write_xlsx(tmp_path / "report.xlsx", {"Report": [
        *TITLE_ROWS,
        ["Date", "Campaign", "Spend"],
        ["2026-10-01", "Launch", 10],
        ["2026-10-02", "Launch", 12.5],
    ]})
    table = read(path)
    assert table.sheet == "Report"
    assert table.header_row == 4
    assert list(table.frame.columns) == ["Date", "Campaign", "Spend"]
    assert table.frame.to_dict("records") == [
        {"Date": "2026-10-01", "Campaign": "Launch", "Spend": "10"},
        {"Date": "2026-10-02", "Campaign": "Launch", "Spend": "12.5"},
    ]
    assert table.row_numbers == [5, 6]
    assert table.lossy == []


def test_data_sheet_after_a_summary_sheet(tmp_path):
    path = write_xlsx(tmp_path / "export.xlsx", {
        "Summary": [["Campaign report"], ["Total spend", 1000], ["Spend", "Budget"]],  # one known name: not a header
        "Data": [["Exported 2026-11-01"], [], ["Campaign", "Spend", "Impressions"], ["Launch", 5, 100]],
        "Notes": [["Impressions are counted once per day"]],
    })
    table = read(path)
    assert (table.sheet, table.header_row, table.row_numbers) == ("Data", 3, [4])
    assert table.frame.to_dict("records") == [{"Campaign": "Launch", "Spend": "5", "Impressions": "100"}]


def test_best_scoring_row_wins_and_ties_go_to_the_earlier_sheet_and_row(tmp_path):
    path = write_xlsx(tmp_path / "ties.xlsx", {
        "First": [["Date", "Spend", "Other"], ["Date", "Spend", "Other"], ["x", "y", "z"]],
        "Second": [["Date", "Spend", "Note"], ["1", "2", "3"]],
        "Third": [["Date", "Spend", "Clicks"], ["2026-10-01", "4", "5"]],
    })
    table = read(path)
    assert (table.sheet, table.header_row) == ("Third", 1)

    path = write_xlsx(tmp_path / "ties2.xlsx", {
        "First": [["title"], ["Date", "Spend"], ["Date", "Spend"]],
        "Second": [["Date", "Spend"]],
    })
    table = read(path)
    assert (table.sheet, table.header_row, table.row_numbers) == ("First", 2, [3])


def test_values_as_the_user_sees_them_and_lossy_ids(tmp_path):
    path = write_xlsx(tmp_path / "types.xlsx", {"Data": [
        ["Video ID", "Date", "Posted", "Active", "Spend", "CTR", "Impressions", "Duration", "Time"],
        [str(BIG_ID), dt.date(2026, 10, 31), dt.datetime(2026, 10, 31, 14, 5), True, 12.0, 0.1, 1500,
         dt.timedelta(hours=26, minutes=3, seconds=4), dt.time(9, 30)],
        [float(BIG_ID), dt.datetime(2026, 10, 31), dt.datetime(2026, 10, 31, 0, 0, 1), False, -3.25, 1 / 3,
         float(2**53 - 1), dt.timedelta(seconds=75), "  padded text  "],
        [111, "31/10/2026", None, "TRUE", 0, 1e-05, 1234567890123.0, None, ""],
        [222],
    ]})
    # openpyxl writes every big int as a float; put in what other writers store: the exact integer, and
    # Excel's 15 significant digits for an ID typed as a number
    _rewrite_member(path, "xl/worksheets/sheet1.xml", lambda data: data
                    .replace(b'<c r="A4" t="n"><v>111</v>', f'<c r="A4" t="n"><v>{BIG_ID}</v>'.encode())
                    .replace(b'<c r="A5" t="n"><v>222</v>', b'<c r="A5" t="n"><v>7.45890676167486E+18</v>'))
    table = read(path)
    records = table.frame.to_dict("records")
    assert records[0] == {"Video ID": "7458906761674861234", "Date": "2026-10-31", "Posted": "2026-10-31 14:05:00",
                          "Active": "true", "Spend": "12", "CTR": "0.1", "Impressions": "1500",
                          "Duration": "26:03:04", "Time": "09:30:00"}
    assert records[1] == {"Video ID": str(int(float(BIG_ID))), "Date": "2026-10-31",
                          "Posted": "2026-10-31 00:00:01", "Active": "false", "Spend": "-3.25",
                          "CTR": repr(1 / 3), "Impressions": str(2**53 - 1), "Duration": "0:01:15",
                          "Time": "padded text"}
    assert records[2] == {"Video ID": "7458906761674861234", "Date": "31/10/2026", "Posted": "", "Active": "TRUE",
                          "Spend": "0", "CTR": "1e-05", "Impressions": "1234567890123", "Duration": "", "Time": ""}
    assert records[3]["Video ID"] == "7458906761674859520"  # int(7.45890676167486E+18): the digits are gone
    # only the IDs stored as floats have lost digits; the ID typed as text and the exact integer are intact
    assert table.lossy == [(3, "Video ID"), (5, "Video ID")]
    assert table.row_numbers == [2, 3, 4, 5]
    assert all(isinstance(v, str) for v in table.frame.to_numpy().ravel())


def test_cell_text_directly():
    assert cell_text(None) == ""
    assert cell_text(7.0) == "7"
    assert cell_text(-0.0) == "0"
    assert cell_text(0.30000000000000004) == "0.30000000000000004"
    assert cell_text(float(2**53)) == str(2**53)
    assert cell_text(dt.datetime(2026, 1, 2, 3, 4, 5, 500000)) == "2026-01-02 03:04:05.500000"
    assert cell_text(dt.timedelta(seconds=-90)) == "-0:01:30"
    assert cell_text(True) == "true"


def test_empty_rows_are_skipped_but_counted(tmp_path):
    path = write_xlsx(tmp_path / "gaps.xlsx", {"Data": [
        *TITLE_ROWS,
        ["Date", "Spend"],
        ["2026-10-01", 1],
        [],
        [None, "   "],
        ["2026-10-02", 2],
        [],
        [],
        ["2026-10-03", None],
        [],
    ]})
    table = read(path)
    assert table.row_numbers == [5, 8, 11]
    assert table.frame["Date"].tolist() == ["2026-10-01", "2026-10-02", "2026-10-03"]
    assert table.frame["Spend"].tolist() == ["1", "2", ""]


def test_columns_without_header_are_dropped_and_duplicates_numbered(tmp_path):
    path = write_xlsx(tmp_path / "cols.xlsx", {"Data": [
        [None, "Date", "", "Spend", "Spend", " Spend ", None, "Clicks"],
        ["row label", "2026-10-01", "x", 1, 2, 3, "y", 4],
        ["only under a dropped column"],
        [None, "2026-10-02", None, 5, None, None, None, None, "beyond the header"],
    ]})
    table = read(path)
    assert list(table.frame.columns) == ["Date", "Spend", "Spend.1", "Spend.2", "Clicks"]
    assert table.frame.to_dict("records") == [
        {"Date": "2026-10-01", "Spend": "1", "Spend.1": "2", "Spend.2": "3", "Clicks": "4"},
        {"Date": "2026-10-02", "Spend": "5", "Spend.1": "", "Spend.2": "", "Clicks": ""},
    ]
    assert table.row_numbers == [2, 4]


def test_dedupe_matches_pandas():
    assert dedupe(["a", "a", "a.1", "a", "b"]) == ["a", "a.1", "a.1.1", "a.2", "b"]


def test_header_without_data_rows_gives_an_empty_frame(tmp_path):
    path = write_xlsx(tmp_path / "empty.xlsx", {"Data": [["Date", "Spend"], [], []]})
    table = read(path)
    assert list(table.frame.columns) == ["Date", "Spend"]
    assert len(table.frame) == 0 and table.row_numbers == []


def test_no_recognisable_header_names_the_file(tmp_path):
    path = write_xlsx(tmp_path / "notes.xlsx", {"Notes": [["Hello"], ["Spend", "Budget"], ["a", "b"]]})
    with pytest.raises(SitegenError) as caught:
        read(path)
    assert caught.value.file == path
    assert caught.value.message == ("no header row found: expected known column names "
                                    "in the first 30 rows of any sheet")
    assert str(caught.value).startswith(f"{path}: no header row found")

    with pytest.raises(SitegenError, match="expected column names such as date, spend, campaign in the first 30"):
        read(path, examples=["date", "spend", "campaign"])


def test_header_must_be_within_the_scanned_rows(tmp_path):
    path = write_xlsx(tmp_path / "deep.xlsx", {"Data": [*([["filler"]] * 30), ["Date", "Spend"], ["x", 1]]})
    with pytest.raises(SitegenError, match="first 30 rows"):
        read(path)
    table = read(path, max_scan_rows=31)
    assert (table.header_row, table.row_numbers) == (31, [32])


OLE_HEADER = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def assert_unreadable(path: Path, reason: str = "") -> SitegenError:
    with pytest.raises(SitegenError) as caught:
        read(path)
    assert caught.value.file == path
    assert caught.value.message.startswith("cannot read XLSX file: " + reason), caught.value.message
    return caught.value


@pytest.mark.parametrize("content, reason", [
    (b"", "the file is empty"),
    (b"Date,Spend\n2026-10-01,10\n", "not an Excel workbook"),
    (OLE_HEADER + b"\0" * 600, "this is an old .xls workbook"),
], ids=["zero-bytes", "csv-renamed", "legacy-xls"])
def test_unreadable_files_raise_sitegen_error(tmp_path, content, reason):
    path = tmp_path / "broken.xlsx"
    path.write_bytes(content)
    assert_unreadable(path, reason)


def test_zip_that_is_not_a_workbook_and_missing_file(tmp_path):
    path = tmp_path / "archive.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("readme.txt", "hello")
    assert_unreadable(path)
    assert_unreadable(tmp_path / "missing.xlsx", "file not found")


def test_corrupt_sheet_xml_raises_sitegen_error(tmp_path):
    path = write_xlsx(tmp_path / "corrupt.xlsx", {"Data": [["Date", "Spend"], ["x", 1]]})
    _rewrite_member(path, "xl/worksheets/sheet1.xml", lambda data: data[: len(data) // 2])
    assert_unreadable(path)


def test_wrong_sheet_dimension_does_not_truncate(tmp_path):
    rows = [["Date", "Spend"], *[[f"2026-10-{d:02d}", d] for d in range(1, 11)]]
    path = write_xlsx(tmp_path / "dims.xlsx", {"Data": rows})
    _rewrite_member(path, "xl/worksheets/sheet1.xml", lambda data: data.replace(b'ref="A1:B11"', b'ref="A1"'))
    table = read(path)
    assert table.row_numbers == list(range(2, 12))
    assert table.frame["Spend"].tolist() == [str(d) for d in range(1, 11)]


def test_other_extension_is_read_by_content(tmp_path):
    path = write_xlsx(tmp_path / "report.xlsx", {"Data": [["Date", "Spend"], ["x", 1]]})
    renamed = path.rename(tmp_path / "report.tmp")
    assert read(renamed).row_numbers == [2]
