"""The column-wise loading path (columnar.py and the readers' fast path) against the row-by-row path it
replaced (`sitegen.load.FAST = False`): the same tables (dtypes, values, even the kind of missing value),
the same files, notes, currencies, warnings and error lines, on the fuzzers' inputs as well as on real
exports. Small CSV files are read by the csv module, big ones in blocks by pyarrow: `STREAM_BYTES = 0`
sends every file through the block reader."""

from __future__ import annotations

import random
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import SAMPLES
from hypothesis import given
from hypothesis import strategies as st
from test_fuzz import fuzz_settings, json_document, mutated_pair, parquet_file, structured_csv, xlsx_workbook

import sitegen.load as load
from sitegen import readers
from sitegen.conventions import TEXT_DTYPE
from sitegen.errors import Diagnostics, SitegenError, error_lines
from sitegen.validate import _convert, convert_fast


def outcome(folder: Path, fast: bool, **options):
    previous = load.FAST
    load.FAST = fast
    diagnostics = Diagnostics()
    try:
        result = ("ok", load.load_client_data(folder, diagnostics, **options))
    except SitegenError as exc:
        result = ("error", error_lines(exc))
    except Exception as exc:  # the row-by-row path has crashes the column-wise one fixed
        result = ("crash", repr(exc))
    finally:
        load.FAST = previous
    return (*result, diagnostics.warnings)


def _cell(value):
    if value is None or value is pd.NA:
        return repr(value)
    if isinstance(value, float) and np.isnan(value):
        return "nan"
    if isinstance(value, np.datetime64) and np.isnat(value):
        return "NaT"
    return (type(value).__name__, value)


def table_problems(a: pd.DataFrame, b: pd.DataFrame, kind: str) -> list[str]:
    if list(a.columns) != list(b.columns) or len(a) != len(b) or not a.index.equals(b.index):
        return [f"{kind}: shape {a.shape} {list(a.columns)} vs {b.shape} {list(b.columns)}"]
    problems = []
    for column in a.columns:
        x, y = a[column], b[column]
        if x.dtype != y.dtype:
            problems.append(f"{kind}.{column}: dtype {x.dtype} vs {y.dtype}")
        elif x.dtype == object:
            cells = [(_cell(p), _cell(q)) for p, q in zip(x, y) if _cell(p) != _cell(q)]
            if cells:
                problems.append(f"{kind}.{column}: {cells[:3]}")
        elif not np.array_equal(x.to_numpy().view("int64"), y.to_numpy().view("int64")):
            problems.append(f"{kind}.{column}: values {x.tolist()[:5]} vs {y.tolist()[:5]}")
    return problems


def differences(folder: Path, **options) -> list[str]:
    """What the column-wise path does differently from the row-by-row path on this data folder."""
    old = outcome(folder, fast=False)
    new = outcome(folder, fast=True, **options)
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
    from sitegen.load import recognise
    from sitegen.readers import read_table

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


@contextmanager
def block_reader():
    """Every CSV file through pyarrow's block reader, however small."""
    previous = readers.STREAM_BYTES
    readers.STREAM_BYTES = 0
    try:
        yield
    finally:
        readers.STREAM_BYTES = previous


def assert_same(*files: tuple[str, bytes]) -> None:
    with folder_of(*files) as folder:
        assert differences(folder) == []
        with block_reader():
            assert differences(folder) == []


# --- real exports and the fuzzers' inputs ---------------------------------------------------------------------


@pytest.mark.parametrize("path", sorted(SAMPLES.rglob("*.csv")), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_samples_load_alike(path):
    assert_same((path.name, path.read_bytes()))


def test_demo_client_loads_alike(tmp_path):
    from sitegen.demo import generate_many

    generate_many(tmp_path, 2, 3)
    for folder in sorted(tmp_path.glob("content/*/data")):
        assert differences(folder) == []


@fuzz_settings(120)
@given(mutated_pair, st.sampled_from(["alone", "beside the original"]))
def test_mutated_csv_loads_alike(pair, company):
    original, mutated = pair
    files = [("export.csv", mutated)] + ([("original.csv", original)] if company != "alone" else [])
    assert_same(*files)


@fuzz_settings(80)
@given(structured_csv())
def test_structured_csv_loads_alike(data):
    assert_same(("data.csv", data))


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
        "0001-01-01", "9999-12-31", "٢٠٢٦-١٠-٣١", "2026-1-5", "31.10.2026", "true", "x"]


def _random_cell(rng: random.Random) -> str:
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
UNICODE = ["", " ", "\xa0", "\x1c", "\u2028", "İ", "ı", "ß", "K", "ǅ", "TRUE", "Ja", "DM", "Comment", "\n", "٣"]


@pytest.mark.parametrize("ctype", CTYPES)
def test_fast_conversion_matches_the_general_one(ctype):
    """convert_fast (Arrow, numpy, Python) gives what _convert (pandas) gives, cell by cell."""
    rng = random.Random(ctype)
    import pyarrow as pa

    for size in (5, 300, 5000):
        cells = [_random_cell(rng) for _ in range(size)] + JUNK
        cells += ["".join(rng.choice(UNICODE + JUNK) for _ in range(rng.randint(1, 3))) for _ in range(size // 3)]
        arrow = pa.array(cells, pa.string())
        expected = _convert(pd.Series(TEXT_DTYPE.__from_arrow__(arrow)), ctype)
        fast = convert_fast(arrow, ctype)
        assert fast[0].dtype == expected[0].to_numpy().dtype
        assert [_cell(v) for v in fast[0]] == [_cell(v) for v in expected[0].to_numpy()]
        assert fast[1].tolist() == expected[1].to_numpy(dtype=bool).tolist()
        assert fast[2].tolist() == expected[2].to_numpy(dtype=bool).tolist()


# --- the big-file path ------------------------------------------------------------------------------------------


def test_block_reader_on_an_ads_manager_export(tmp_path):
    export = next((SAMPLES / "ads-manager-export").glob("*.csv"))
    shutil.copy(export, tmp_path / export.name)
    with block_reader():
        assert differences(tmp_path) == []


def test_dates_at_the_edges_of_the_range():
    """The first and last day a nanosecond timestamp holds give the files' date ranges too."""
    assert_same(("account.csv", b"date,followers\n1677-09-22,5\n2262-04-10,6\n"))


def test_located_errors_match_the_row_by_row_path(tmp_path):
    """Bad cells in two files of one kind: the first 20 lines, then how many more, as validate words them."""
    from conftest import write_csv
    from tiny_data import TABLES

    rows = [dict(TABLES["ads"][0], date=f"2026-10-{i % 28 + 1:02d}", campaign=f"c{i}",
                 clicks="x" if i % 3 == 0 else "5", spend="-1" if i == 7 else "3",
                 impressions="1e16" if i == 8 else "10") for i in range(60)]
    write_csv(tmp_path / "data" / "a.csv", rows[:30])
    write_csv(tmp_path / "data" / "b.csv", rows[30:])
    files = [(p.name, p.read_bytes()) for p in sorted((tmp_path / "data").iterdir())]
    assert_same(*files)
    status, lines, _ = outcome(tmp_path / "data", fast=True)
    assert status == "error" and lines[-1] == "... and 2 more problems"
    assert lines[0].endswith("a.csv:2:clicks: found 'x', expected a whole number >= 0")
    assert any(line.endswith("a.csv:9:spend: found '-1', expected an amount >= 0") for line in lines)
    assert any(line.endswith("a.csv:10:impressions: found '1e16', expected a whole number >= 0 and below 10^15")
               for line in lines)


def test_block_reader_edge_cases(monkeypatch):
    """Small blocks, so that quoted line breaks cross a block boundary (pyarrow is asked again, allowing
    them), blank lines inside the data keep the row numbers, and rows empty in every column read are
    judged on all columns."""
    monkeypatch.setattr(readers, "BLOCK_BYTES", 256)
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
        "a quoted cell open at the end": header + "\n".join(rows) + '\n"C, x',  # pandas: EOF inside string
        "no line break at the end": header + "\n".join(rows),
    }
    for text in cases.values():
        assert_same(("export.csv", text.encode()))
