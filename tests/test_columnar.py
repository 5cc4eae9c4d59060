"""The loader (sitegen.data: the readers' fast paths, each distinct cell typed once) against the row-by-row
reference (reference_loader.py): the same tables (dtypes, values, even the kind of missing value), the same
files, notes, currencies, warnings and error lines, on the fuzzers' inputs as well as on real exports. Small
CSV files are read by the csv module, big ones in blocks by pyarrow: `stream_from=0` sends every file through
the block reader."""

from __future__ import annotations

import random
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest
from fuzzing import (
    fuzz_settings,
    json_document,
    mutated_pair,
    overlapping_exports,
    parquet_file,
    structured_csv,
    xlsx_workbook,
)
from helpers import DATA, SHARED_SAMPLES, shown_cell, table_problems, write, write_csv
from hypothesis import given
from hypothesis import strategies as st
from reference_loader import load_rows
from tiny_data import TABLES

from sitegen.data.cells import convert as _convert
from sitegen.data.cells import convert_fast
from sitegen.data.conventions import TEXT_DTYPE
from sitegen.data.load import load_client_data
from sitegen.data.readers import delimited_stream, read_table
from sitegen.data.recognise import recognise
from sitegen.demo import generate_many
from sitegen.errors import Diagnostics, SitegenError, error_lines


def outcome(folder: Path, load=load_client_data, **options):
    diagnostics = Diagnostics()
    try:
        result = ("ok", load(folder, diagnostics, **options))
    except SitegenError as exc:
        result = ("error", error_lines(exc))
    except Exception as exc:  # the row-by-row path has crashes the column-wise one fixed
        result = ("crash", repr(exc))
    return (*result, diagnostics.warnings)


def differences(folder: Path, **options) -> list[str]:
    """What the column-wise path does differently from the row-by-row path on this data folder."""
    old = outcome(folder, load_rows)
    new = outcome(folder, **options)
    assert new[0] != "crash", new[1]
    if old[0] == "crash":
        return []
    if old[0] != new[0]:
        return [f"outcome {old[0]}: {old[1] if old[0] != 'ok' else ''} vs {new[0]}: {new[1] if new[0] != 'ok' else ''}"]
    problems = []
    if old[0] == "ok":
        for kind in old[1].tables:
            problems += table_problems(old[1].tables[kind], new[1].tables[kind], kind)
        files = [[(f.path, f.kind, f.rows, f.first, f.last, f.notes) for f in r[1].files] for r in (old, new)]
        files[0] = [(*f[:5], _real_nulls(f[0], f[5])) for f in files[0]]
        if files[0] != files[1]:
            problems.append(f"files {files[0]} vs {files[1]}")
        if old[1].currencies != new[1].currencies:
            problems.append(f"currencies {old[1].currencies} vs {new[1].currencies}")
    elif old[1] != new[1]:
        problems.append(f"errors {old[1]} vs {new[1]}")
    if old[2] != new[2]:
        problems.append(f"warnings {old[2]} vs {new[2]}")
    return problems


def _real_nulls(path: Path, notes: list[str]) -> list[str]:
    """The row-by-row path also counted, as "read as missing", the cells of a column a file does not have when
    another file of its kind has it (pandas' NaN of the missing column); the column-wise path does not."""
    _, mapping, _ = recognise(list(read_table(path).frame.columns), {})
    columns = set(mapping.values())
    phantom = [n for n in notes if n.endswith("read as missing ('-', 'N/A', ...)") and n.split("'")[1] not in columns]
    return [n for n in notes if n not in phantom]


@contextmanager
def folder_of(*files: tuple[str, bytes]):
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "data"
        folder.mkdir()
        for name, data in files:
            (folder / name).write_bytes(data)
        yield folder


def assert_same(*files: tuple[str, bytes]) -> None:
    with folder_of(*files) as folder:
        assert differences(folder) == []
        assert differences(folder, stream_from=0) == []  # every CSV file through the block reader, however small


# --- real exports and the fuzzers' inputs ---------------------------------------------------------------------


@pytest.mark.parametrize("path", sorted(DATA.rglob("*.csv")), ids=lambda p: p.relative_to(DATA).as_posix())
def test_export_fixtures_load_alike(path):
    assert_same((path.name, path.read_bytes()))


@pytest.mark.skipif(not SHARED_SAMPLES.is_dir(), reason="needs ../shared/samples beside the repository")
def test_shared_samples_load_alike():
    for path in sorted(SHARED_SAMPLES.rglob("*.csv")):
        assert_same((path.name, path.read_bytes()))


def test_demo_client_loads_alike(tmp_path):
    generate_many(tmp_path, 2, 3)
    for folder in sorted(tmp_path.glob("content/*/data")):
        assert differences(folder) == []


def test_header_alone_says_no_data_rows_first_in_every_reader():
    """Found by the fuzzer: a header whose names repeat once trimmed, and no row below it. The block reader checked
    the names before knowing there were no rows; the others say "no data rows" first."""
    assert_same(("data.csv", b"2 second video views,  2 second video views ,Currency,,\n"))


def test_money_cells_with_currencies_load_alike():
    """Markers before and after amounts, a currency column, in a file with and without decimal commas."""
    rows = "date,campaign,spend,revenue,Currency\n2026-10-01,A,$1,234.50,USD 7,USD\n2026-10-02,B,99 usd,12%,\n"
    assert_same(("ads.csv", rows.replace("$1,234.50", '"$1,234.50"').encode()))
    assert_same(("ads.csv", "date;campaign;spend\n01.10.2026;A;1.234,56 €\n02.10.2026;B;€5\n".encode()))


@pytest.mark.slow  # fuzzed inputs: the fast lane leaves them out
@fuzz_settings(120)
@given(mutated_pair, st.sampled_from(["alone", "beside the original"]))
def test_mutated_csv_loads_alike(pair, company):
    original, mutated = pair
    files = [("export.csv", mutated)] + ([("original.csv", original)] if company != "alone" else [])
    assert_same(*files)


@pytest.mark.slow  # fuzzed inputs: the fast lane leaves them out
@fuzz_settings(80)
@given(structured_csv())
def test_structured_csv_loads_alike(data):
    assert_same(("data.csv", data))


@pytest.mark.slow  # fuzzed inputs: the fast lane leaves them out
@fuzz_settings(60)
@given(overlapping_exports())
def test_overlapping_exports_load_alike(files):
    assert_same(*files)


@pytest.mark.slow  # fuzzed inputs: the fast lane leaves them out
@fuzz_settings(30)
@given(st.one_of(json_document().map(lambda d: ("rows.json", d)), parquet_file().map(lambda d: ("t.parquet", d)),
                 xlsx_workbook().map(lambda d: ("book.xlsx", d))))
def test_other_formats_load_alike(named):
    assert_same(named)


# --- the fast conversion of distinct cells ---------------------------------------------------------------------

JUNK = ["", " ", "-", "12", "012", "12.5", "12.50", "12.345", "1e5", "1E+18", "inf", "-3", "+3", ".5", "5.", "1,5",
        "1.234,56", "١٢", "9" * 16, "123456789012345.123456", "0.0000001", "2026-10-31", "2026-02-29", "2024-02-29",
        "2026-13-01", "2026-10-31 14:05", "2026-10-31T14:05:07", "2026-10-31 24:00", "2026-10-31 23:59:60",
        "2026-10-31 00:00", "2026-10-31 00:00:00", "1677-09-21", "1678-01-01", "2262-04-11", "2261-12-31",
        "1900-01-01", "1999-12-31 23:59", "2000-01-01", "2099-12-31 23:59:59", "2100-01-01",
        "0001-01-01", "9999-12-31", "٢٠٢٦-١٠-٣١", "2026-1-5", "31.10.2026", "true", "x"]


def _randomshown_cell(rng: random.Random) -> str:
    choice = rng.random()
    if choice < 0.3:
        return str(rng.randint(0, 10 ** rng.randint(1, 17)))
    if choice < 0.5:
        return f"{rng.randint(0, 10 ** rng.randint(0, 15))}.{rng.randint(0, 10 ** 7):0{rng.randint(1, 7)}d}"
    if choice < 0.7:
        time = f"T{rng.randint(0, 25):02d}:{rng.randint(0, 61):02d}:{rng.randint(0, 61):02d}"
        return (f"{rng.randint(1600, 2300):04d}-{rng.randint(0, 13):02d}-{rng.randint(0, 32):02d}"
                + rng.choice(["", " 10:00", time]))
    return rng.choice(JUNK)


CTYPES = ["int", "money", "float", "date", "datetime", "text", "id", "bool", "enum:comment|dm|mention"]
UNICODE = ["", " ", "\xa0", "\x1c", "\u2028", "İ", "ı", "ß", "K", "ǅ", "TRUE", "Ja", "DM", "Comment", "\n", "٣",
           "\x00", "\x1b", "\r", "\r\n", "\x7f", "\x85", "\x9f", "\t"]  # (control characters: removed from text)


@pytest.mark.parametrize("ctype", CTYPES)
def test_fast_conversion_matches_the_general_one(ctype):
    """convert_fast (Arrow, numpy, Python) gives what _convert (pandas) gives, cell by cell."""
    rng = random.Random(ctype)
    for size in (5, 300, 5000):
        cells = [_randomshown_cell(rng) for _ in range(size)] + JUNK
        cells += ["".join(rng.choice(UNICODE + JUNK) for _ in range(rng.randint(1, 3))) for _ in range(size // 3)]
        arrow = pa.array(cells, pa.string())
        expected = _convert(pd.Series(TEXT_DTYPE.__from_arrow__(arrow)), ctype)
        fast = convert_fast(arrow, ctype)
        assert fast[0].dtype == expected[0].to_numpy().dtype
        assert [shown_cell(v) for v in fast[0]] == [shown_cell(v) for v in expected[0].to_numpy()]
        assert fast[1].tolist() == expected[1].to_numpy(dtype=bool).tolist()
        assert fast[2].tolist() == expected[2].to_numpy(dtype=bool).tolist()


# --- the big-file path ------------------------------------------------------------------------------------------


def test_block_reader_on_an_ads_manager_export(tmp_path):
    shutil.copy(DATA / "ads-manager-export.csv", tmp_path / "export.csv")
    assert differences(tmp_path, stream_from=0) == []


def test_dates_at_the_edges_of_the_range():
    """The first and last day of the years sitegen takes give the files' date ranges too."""
    assert_same(("account.csv", b"date,followers\n2000-01-01,5\n2099-12-31,6\n"))


def test_located_errors_match_the_row_by_row_path(tmp_path):
    """Bad cells in two files of one kind: the first 20 lines, then how many more, as the reference words them."""
    rows = [dict(TABLES["ads"][0], date=f"2026-10-{i % 28 + 1:02d}", campaign=f"c{i}",
                 clicks="x" if i % 3 == 0 else "5", spend="-1" if i == 7 else "3",
                 impressions="1e16" if i == 8 else "10") for i in range(60)]
    write_csv(tmp_path / "data" / "a.csv", rows[:30])
    write_csv(tmp_path / "data" / "b.csv", rows[30:])
    files = [(p.name, p.read_bytes()) for p in sorted((tmp_path / "data").iterdir())]
    assert_same(*files)
    status, lines, _ = outcome(tmp_path / "data")
    assert status == "error"
    assert lines[-1] == "... and 2 more bad cells in b.csv not listed; 22 bad cells in 2 files in all"
    assert lines[0].endswith("a.csv:2:clicks: found 'x', expected a whole number >= 0")
    assert any(line.endswith("a.csv:9:spend: found '-1', expected an amount >= 0") for line in lines)
    assert any(line.endswith("a.csv:10:impressions: found '1e16', expected a whole number >= 0 and below 10^15")
               for line in lines)


def test_block_reader_edge_cases(monkeypatch):
    """Small blocks, so that quoted line breaks cross a block boundary (pyarrow is asked again, allowing
    them), blank lines inside the data keep the row numbers, and rows empty in every column read are
    judged on all columns."""
    monkeypatch.setattr(delimited_stream, "BLOCK_BYTES", 256)
    header = "Campaign name,Date,Cost,CPM,Clicks (Destination)\r\n"
    rows = [f'"C{i}, push",2026-10-{i % 28 + 1:02d},{i}.50,1.0,{i}' for i in range(60)]
    cases = {
        "plain": header + "\r\n".join(rows) + "\r\n",
        "quoted line breaks": header + "\r\n".join(r.replace(", push", "\npush") for r in rows),
        "blank lines": header + "\n".join(rows[:30]) + "\n\n\n" + "\n".join(rows[30:]) + "\n\n",
        "empty but for an ignored column": header + "\n".join(rows[:30] + [",,,7.5,"] + rows[30:]),
        "empty rows": header + "\n".join(rows[:30] + [",,,,", ",,,,"] + rows[30:]),
        "bad cell after a break": header + "\n".join(rows[:50] + ['"C, x\ny",2026-13-01,1,1,1'] + rows[50:]),
        "totals row": header + "\n".join(rows) + "\nTotal of 60 results,-,1800.00,-,1770\n",
        "totals row by its sums": header + "\n".join(rows) + "\nAll campaigns,,1800.00,-,1770\n",
        "a campaign named Total...": header + "\n".join(r.replace('"C', '"Total C') for r in rows),
        "a quoted cell open at the end": header + "\n".join(rows) + '\n"C, x',  # pandas: EOF inside string
        "a quoted cell open at the end of the last column": header + "\n".join(rows) + '\n"C, x",2026-10-01,1,1,"7',
        "no line break at the end": header + "\n".join(rows),
    }
    for text in cases.values():
        assert_same(("export.csv", text.encode()))


@pytest.mark.parametrize("ending", ["", "\n", "\r\n"])
@pytest.mark.parametrize("last", ['"2', '"2\n2026-10-03,7,1', '"2,"'])
def test_a_quote_left_open_in_the_last_column_is_read_as_the_general_reader_reads_it(tmp_path, last, ending):
    """pyarrow reads an open quote as a cell up to the end of the file: the row the block reader appends after
    the file's must then be missing, and the file goes to the general reader."""
    (tmp_path / "account.csv").write_text(f"date,followers,new_followers\n2026-10-01,5,1\n2026-10-02,6,{last}{ending}")
    assert differences(tmp_path, stream_from=0) == []


def test_minus_zero_is_zero_in_every_reader(tmp_path):
    """"-0" is 0 whichever way a file is read (a float -0.0 would show as "-0" and compare unequal)."""
    write(tmp_path / "ads.csv", "date,campaign,spend,impressions\n2026-09-05,A,-0,-0\n2026-09-12,B,99.90,18000\n")
    assert differences(tmp_path) == [] and differences(tmp_path, stream_from=0) == []
