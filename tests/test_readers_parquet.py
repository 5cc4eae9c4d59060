"""The Parquet reader's fast way, readers.parquet._parquet_cells (pyarrow reads a column as a dictionary; only
its distinct values go through pandas), against the implementation it replaced (pandas reads the whole column,
pd.factorize), kept here as the reference: every row's text must be the same, and a column one cannot read, the
other cannot either."""

from __future__ import annotations

import datetime as dt
import decimal
import io
import tempfile
from pathlib import Path
from unittest import mock

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from fuzzing import cells, fuzz_settings
from hypothesis import given
from hypothesis import strategies as st

from sitegen.data.encoded import Column
from sitegen.data.encoded import code_type as _code_type
from sitegen.data.readers import parquet as readers
from sitegen.data.readers.as_text import column_text as _column_text
from sitegen.data.readers.as_text import factorizes_alike as _fast_dtype
from sitegen.data.readers.base import NotPlain


def old_parquet_cells(path: Path, wanted: list[str], rows: int, schema) -> dict:
    """_parquet_cells as it was (commit f0d02eb): pandas reads the whole column."""
    import pyarrow.types as pat

    columns = {}
    for name in wanted:
        frame = pd.read_parquet(path, columns=[name])
        if list(frame.columns) != [name] or len(frame) != rows:
            raise NotPlain("pandas read other columns")
        series = frame.pop(name)
        del frame
        dates = series.dtype == object and pat.is_date(schema.field(name).type)
        if not (_fast_dtype(series) or dates):
            columns[name] = pa.array(_column_text(series).array).cast(pa.string())
            continue
        codes, uniques = pd.factorize(series, use_na_sentinel=True)
        sample = pd.Series(uniques)
        missing = codes < 0
        if missing.any():
            sample = pd.concat([sample, series[missing].iloc[:1]], ignore_index=True)
            codes = np.where(missing, len(uniques), codes)
        del series
        text = pa.array(_column_text(sample).array)
        text = text.combine_chunks() if isinstance(text, pa.ChunkedArray) else text
        columns[name] = Column(codes.astype(_code_type(len(text)), copy=False), text.cast(pa.string()))
    return columns


def _rows(cells) -> list[str]:
    if isinstance(cells, Column):
        return cells.uniques.take(pa.array(cells.codes)).to_pylist()
    return cells.to_pylist()


def _outcome(function, path: Path, name: str):
    schema = pq.read_schema(path)
    rows = pq.ParquetFile(path).metadata.num_rows
    try:
        return _rows(function(path, [name], rows, schema)[name])
    except Exception:  # NotPlain, or what pandas raised: the general reader words the error either way
        return "fails"


def assert_same_cells(path: Path, fast: bool = False) -> None:
    """The same rows' text from both; `fast`: and no column of a plain type read by pandas as a whole."""
    schema = pq.read_schema(path)
    index = [c for c in (schema.pandas_metadata or {}).get("index_columns", []) if isinstance(c, str)]
    whole = []
    original = readers._parquet_text

    def counted(path, name, *args):
        whole.append(name)
        return original(path, name, *args)

    with mock.patch.object(readers, "_parquet_text", counted):
        for name in [n for n in schema.names if n not in index]:
            assert _outcome(readers._parquet_cells, path, name) == _outcome(old_parquet_cells, path, name), name
    if fast:
        assert [n for n in whole if readers._encodable(schema.field(n).type)] == []


# --- typed columns as pyarrow writes them --------------------------------------------------------------------

_INTS = {"int8": (-(2**7), 2**7 - 1), "int16": (-(2**15), 2**15 - 1), "int32": (-(2**31), 2**31 - 1),
         "int64": (-(2**63), 2**63 - 1), "uint8": (0, 2**8 - 1), "uint32": (0, 2**32 - 1), "uint64": (0, 2**64 - 1)}
_STAMPS = st.datetimes(min_value=dt.datetime(1, 1, 1), max_value=dt.datetime(9999, 12, 31))
_MIDNIGHTS = st.dates(dt.date(1600, 1, 1), dt.date(2300, 1, 1)).map(lambda d: dt.datetime(d.year, d.month, d.day))


@st.composite
def typed_column(draw) -> pa.Array:
    kind = draw(st.sampled_from(["string", "large_string", *_INTS, "float64", "float32", "bool", "date32",
                                 "date64", "ts_s", "ts_ms", "ts_us", "ts_ns", "ts_tz", "ts_midnight", "decimal",
                                 "list", "null", "dictionary"]))
    n = draw(st.integers(1, 12))
    few = draw(st.booleans())  # repeated values: a dictionary smaller than the column

    def values(strategy):
        pool = draw(st.lists(strategy, min_size=1, max_size=3)) if few else None
        choice = st.sampled_from(pool) if pool else strategy
        return draw(st.lists(st.none() | choice if draw(st.booleans()) else choice, min_size=n, max_size=n))

    if kind in ("string", "large_string", "dictionary"):
        array = pa.array(values(cells | st.sampled_from([" a ", "a", "", "\xa0", "-"])), pa.string())
        if kind == "large_string":
            return array.cast(pa.large_string())
        return array.dictionary_encode() if kind == "dictionary" else array
    if kind in _INTS:
        low, high = _INTS[kind]
        return pa.array(values(st.integers(low, high) | st.integers(-3, 3).filter(lambda v: v >= low)),
                        getattr(pa, kind)())
    if kind in ("float64", "float32"):
        floats = st.floats(width=32 if kind == "float32" else 64) | st.sampled_from([0.0, -0.0, 1.5, 2.0**53, 1e16])
        return pa.array(values(floats), getattr(pa, kind)())
    if kind == "bool":
        return pa.array(values(st.booleans()), pa.bool_())
    if kind in ("date32", "date64"):
        return pa.array(values(st.dates()), getattr(pa, kind)())
    if kind.startswith("ts_"):
        unit = kind[3:] if kind[3:] in ("s", "ms", "us", "ns") else "us"
        strategy = _MIDNIGHTS if kind == "ts_midnight" else _STAMPS
        if unit == "ns":
            strategy = st.datetimes(dt.datetime(1678, 1, 1), dt.datetime(2261, 12, 31))
        stamps = values(strategy | _MIDNIGHTS if unit == "ns" else strategy)
        if unit == "ns":
            stamps = [v if v is None or dt.datetime(1678, 1, 1) < v < dt.datetime(2261, 1, 1) else None for v in stamps]
        return pa.array(stamps, pa.timestamp(unit, tz="UTC" if kind == "ts_tz" else None))
    if kind == "decimal":
        return pa.array(values(st.decimals(-1000, 1000, places=2)), pa.decimal128(9, 2))
    if kind == "list":
        return pa.array(values(st.lists(st.integers(0, 9), max_size=2)))
    return pa.nulls(n)


@fuzz_settings(200)
@given(st.lists(typed_column(), min_size=1, max_size=4), st.sampled_from([None, 1, 2, 5]),
       st.sampled_from([readers.PARQUET_ROWS, 1, 3]))
def test_typed_columns_read_alike(arrays, row_group_size, block_rows):
    """Row groups (a dictionary each) and blocks of rows read at a time (their values merged) of any size."""
    n = min(len(a) for a in arrays)
    table = pa.table({f"c{i}": a.slice(0, n) for i, a in enumerate(arrays)})
    with io.BytesIO() as buffer:
        pq.write_table(table, buffer, row_group_size=row_group_size)  # row groups: a dictionary each
        data = buffer.getvalue()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "t.parquet"
        path.write_bytes(data)
        with mock.patch.object(readers, "PARQUET_ROWS", block_rows):
            assert_same_cells(path, fast=True)


# --- files pandas wrote (its metadata: index columns, dtypes) ----------------------------------------------------


FRAMES = {
    "range index": pd.DataFrame({"date": ["2026-10-01", None, "2026-10-01"], "spend": [1.5, None, 2.0]}),
    "named index": pd.DataFrame({"n": [1, 2, 2], "s": ["x", "y", None]}, index=pd.Index([5, 6, 7], name="i")),
    "object text": pd.DataFrame({"s": pd.Series(["a", " b", None], dtype=object)}),
    "categories": pd.DataFrame({"c": pd.Categorical(["a", "b", "a"]), "n": [1.0, 2.0, 1.0]}),
    "zoned": pd.DataFrame({"t": pd.to_datetime(["2026-10-01 10:00", "2026-10-02 00:00", None]).tz_localize("UTC")}),
    "midnights": pd.DataFrame({"t": pd.to_datetime(["2026-10-01", "2026-10-02", "2026-10-01"])}),
    "nullable ints": pd.DataFrame({"n": pd.array([1, None, 3], dtype="Int64"), "b": pd.array([True, None, False])}),
    "objects": pd.DataFrame({"d": [dt.date(2026, 1, 1), None, dt.date(2026, 1, 1)],
                             "x": [decimal.Decimal("1.50"), None, decimal.Decimal("2")]}),
    "wide uint": pd.DataFrame({"u": np.array([2**64 - 1, 0, 2**63], dtype=np.uint64)}),
}


@pytest.mark.parametrize("name", sorted(FRAMES))
def test_files_pandas_wrote_read_alike(tmp_path, name):
    for index in (True, False):
        path = tmp_path / f"{index}.parquet"
        FRAMES[name].to_parquet(path, index=index)
        assert_same_cells(path)


def test_a_big_column_in_row_groups(tmp_path, monkeypatch):
    """Row groups with dictionaries of their own, merged into one; text columns read as dictionaries."""
    rng = np.random.default_rng(5)
    n = 50_000
    names = np.array([f"C{i:03d} push" for i in range(300)], dtype=object)
    table = pa.table({"campaign": names[rng.integers(0, 300, n)],
                      "date": pa.array(np.datetime64("2025-01-01") + rng.integers(0, 365, n), pa.date32()),
                      "spend": np.round(rng.random(n) * 100, 2), "clicks": rng.integers(0, 50, n)})
    pq.write_table(table, tmp_path / "big.parquet", row_group_size=7_000)
    assert_same_cells(tmp_path / "big.parquet", fast=True)
    monkeypatch.setattr(readers, "PARQUET_ROWS", 3_000)  # blocks smaller than the row groups
    assert_same_cells(tmp_path / "big.parquet", fast=True)
    cells = readers._parquet_cells(tmp_path / "big.parquet", ["campaign"], n, pq.read_schema(tmp_path / "big.parquet"))
    assert isinstance(cells["campaign"], Column) and len(cells["campaign"].uniques) == 300
