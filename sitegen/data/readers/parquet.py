"""Parquet files: the general reader is pandas (`pd.read_parquet`), each cell made text as a user would see it;
the fast one reads only the columns asked for, a block of rows at a time, and makes each distinct value text
once (tests/test_readers_parquet.py compares the two)."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pyarrow.types as pat

from sitegen.data.encoded import Column, code_type, merged
from sitegen.data.readers.as_text import column_text, factorizes_alike, from_frame
from sitegen.data.readers.base import MAX_COLUMNS, FileScan, NotPlain, RawTable, Reader, TextTable
from sitegen.errors import SitegenError


class ParquetReader(Reader):
    suffixes = (".parquet",)

    def read(self, path: Path) -> RawTable:
        try:
            frame = pd.read_parquet(path)
        except (pa.ArrowException, OSError) as exc:
            raise SitegenError(f"cannot read PARQUET file: {parquet_problem(exc)}", path) from None
        return from_frame(frame, header_row=1)


# pyarrow's messages for files that are not Parquet or are damaged, in sitegen's words
_PROBLEMS = (
    ("magic bytes not found", "not a Parquet file, or one cut short (it does not end as a Parquet file does)"),
    ("thrift", "the file's description of its columns (its footer) is damaged"),
    ("unexpected end of stream", "the file is cut short"),
    ("corrupt", "the file is damaged"),
)


def parquet_problem(exc: Exception) -> str:
    """What is wrong with a file pyarrow cannot read: in sitegen's words when the cause is a known one, else
    pyarrow's first line."""
    text = str(exc).strip()
    for needle, problem in _PROBLEMS:
        if needle in text.lower():
            return f"{problem}; export it again"
    return text.splitlines()[0] if text else type(exc).__name__

    def open(self, path: Path, size: int, scan: FileScan | None, stream_from: int) -> TextTable | None:
        return open_parquet(path)


PARQUET_ROWS = 1 << 20  # rows of a Parquet column read at a time


def open_parquet(path: Path) -> TextTable | None:
    """A Parquet file as read_table reads it (from_frame): only the columns asked for, each distinct value
    made text once. None when the general reader should decide (it also says what is wrong)."""
    try:
        schema = pq.read_schema(path)
        rows = pq.ParquetFile(path).metadata.num_rows
        index = [c for c in (schema.pandas_metadata or {}).get("index_columns", []) if isinstance(c, str)]
    except Exception:
        return None
    names = [n for n in schema.names if n not in index]  # pandas makes its index columns the index
    if len(set(names)) != len(names) or not rows or not names or len(names) > MAX_COLUMNS:
        return None  # read_table decides, with its messages
    numbers = np.arange(rows, dtype=np.int64) + 2

    def read(wanted: list[str]) -> tuple[np.ndarray, dict]:
        try:
            return numbers, _parquet_cells(path, list(dict.fromkeys(wanted)), rows, schema)
        except NotPlain:
            raise
        except Exception as exc:  # read_table, asked again, says what is wrong
            raise NotPlain(str(exc)) from None

    return TextTable(names, 1, [], [], read, lazy=True)


def _parquet_cells(path: Path, wanted: list[str], rows: int, schema) -> dict:
    """The wanted columns' cells as from_frame makes them text, one column at a time.

    A column of a plain type (text, integers, floats, booleans, dates, timestamps) is read by pyarrow as a
    dictionary (text straight from the file's dictionary pages, other types hashed); only its distinct values,
    and a missing one if it has any, go through pandas, as pd.read_parquet gives them (_pandas_values): every
    value becomes the same text whatever its neighbours, except for what column_text decides on a whole column
    (the column's type, which depends on whether a value is missing; whether all timestamps are midnight),
    and that the distinct values with the missing one decide alike. Other columns, or any doubt, go through
    pd.read_parquet as a whole."""
    fields = {name: schema.field(name) for name in wanted}
    plain = [n for n in wanted if _encodable(fields[n].type)]
    strings = [n for n in plain if pa.types.is_string(fields[n].type) or pa.types.is_large_string(fields[n].type)]
    source = pq.ParquetFile(path, read_dictionary=strings) if plain else None
    columns = {}
    for name in wanted:  # one column at a time, a block of rows at a time
        column = None
        if name in plain:
            parts, count = [], 0
            for batch in source.iter_batches(batch_size=PARQUET_ROWS, columns=[name], use_threads=False):
                if batch.schema.names != [name]:
                    raise NotPlain("pyarrow read other columns")
                parts.append(_block_codes(batch.column(0)))
                count += batch.num_rows
                del batch
            if count != rows:
                raise NotPlain("pyarrow read another number of rows")
            codes, values = merged(parts, rows)
            del parts
            sample = _pandas_values(values.cast(fields[name].type), name, schema)
            if sample is not None:
                text = pa.array(column_text(sample).array)
                text = text.combine_chunks() if isinstance(text, pa.ChunkedArray) else text
                column = Column(codes, text.cast(pa.string()))
            del codes
        columns[name] = column if column is not None else _parquet_text(path, name, rows, fields[name].type)
    return columns


def _block_codes(array: pa.Array) -> tuple[np.ndarray, pa.Array]:
    """(codes, distinct values) of a block of cells (a missing value, if any, is the last value)."""
    if not pa.types.is_dictionary(array.type):
        array = pc.dictionary_encode(array)
    dictionary, indices = array.dictionary, array.indices
    if indices.null_count:
        dictionary = pa.concat_arrays([dictionary, pa.nulls(1, dictionary.type)])
        indices = pc.fill_null(indices, len(dictionary) - 1)
    return indices.to_numpy(zero_copy_only=False).astype(code_type(len(dictionary))), dictionary


def _encodable(arrow_type) -> bool:
    """Arrow types whose values pyarrow dictionary-encodes (and pandas converts value by value)."""
    return pat.is_string(arrow_type) or pat.is_large_string(arrow_type) or pat.is_integer(arrow_type) \
        or pat.is_floating(arrow_type) or pat.is_boolean(arrow_type) or pat.is_date(arrow_type) \
        or pat.is_timestamp(arrow_type)


def _pandas_values(values, name: str, schema) -> pd.Series | None:
    """The values as pd.read_parquet gives them from a file of this schema: they are written to a small
    Parquet file with the column's field and the file's metadata (and its index columns, empty) and read back
    by pandas. None if that fails (the whole column is then read by pandas, which says what is wrong)."""
    try:
        index = [c for c in (schema.pandas_metadata or {}).get("index_columns", []) if isinstance(c, str)]
        fields = [schema.field(name)] + [schema.field(c) for c in index if c != name]
        arrays = [values] + [pa.nulls(len(values), f.type) for f in fields[1:]]
        table = pa.Table.from_arrays(arrays, schema=pa.schema(fields, metadata=schema.metadata))
        buffer = io.BytesIO()
        pq.write_table(table, buffer)
        if pq.read_schema(io.BytesIO(buffer.getvalue())).field(name).type != fields[0].type:
            return None
        frame = pd.read_parquet(io.BytesIO(buffer.getvalue()), columns=[name])
        if list(frame.columns) != [name] or len(frame) != len(values):
            return None
        return frame[name].reset_index(drop=True)
    except Exception:
        return None


def _parquet_text(path: Path, name: str, rows: int, arrow_type):
    """One column read by pd.read_parquet and made text (from_frame), each distinct value once where pandas
    can tell them apart."""
    frame = pd.read_parquet(path, columns=[name])
    if list(frame.columns) != [name] or len(frame) != rows:
        raise NotPlain("pandas read other columns")
    series = frame.pop(name)
    del frame
    dates = series.dtype == object and pa.types.is_date(arrow_type)  # datetime.date objects
    if not (factorizes_alike(series) or dates):
        return pa.array(column_text(series).array).cast(pa.string())
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    sample = pd.Series(uniques)
    missing = codes < 0
    if missing.any():  # with a missing value: column_text looks at the column as a whole for dates
        sample = pd.concat([sample, series[missing].iloc[:1]], ignore_index=True)
        codes = np.where(missing, len(uniques), codes)
    del series
    text = pa.array(column_text(sample).array)
    text = text.combine_chunks() if isinstance(text, pa.ChunkedArray) else text
    return Column(codes.astype(code_type(len(text)), copy=False), text.cast(pa.string()))
