"""A source's rows (`sources.fetch`) as a table of cells, as a file's would be: each value as the text a user
would see, nested records flattened (`records`). Rows that are flat already go from Arrow to text without pandas
where their types allow (text, integers): a client's rows of a shared table are read in every build."""

from __future__ import annotations

from datetime import datetime

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from sitegen.data.readers.as_text import column_text
from sitegen.data.readers.base import RawTable, TextTable, from_raw
from sitegen.data.readers.formulas import unwrap_array
from sitegen.data.records import flat_already, flatten_records
from sitegen.data.sources import POSTGRES, SourceSpec, fetch, fetch_arrow
from sitegen.errors import SitegenError

Column = pa.ChunkedArray | pa.Array | pd.Series  # as the driver gave it: Arrow where it could, else its values


def read_source(spec: SourceSpec) -> TextTable:
    """The source's rows as cells of text, numbered from 1 (a source has no header row)."""
    names, columns, count = _columns(spec)
    seen = set()
    for name in names:  # a file's header says this too: one of the two would be lost
        if name in seen:
            raise SitegenError(f"column {name!r} appears twice, expected each column once", spec.name)
        seen.add(name)
    names = [name for name in names if name not in _selecting(spec, names)]
    if not count:
        raise SitegenError(f"no rows from {spec.shown}, expected at least one", spec.name)
    if flat_already(names):
        cells = {name: _text(columns[name]) for name in names}
        numbers = np.arange(1, count + 1, dtype=np.int64)
        return TextTable(names, 0, [], [], lambda wanted: (numbers, {n: cells[n] for n in wanted}))
    frame = pd.DataFrame({name: _cells(columns[name]) for name in names}, columns=names)
    frame.index = np.arange(1, count + 1, dtype=np.int64)
    return from_raw(_flattened(spec, frame))


def _columns(spec: SourceSpec) -> tuple[list[str], dict[str, Column], int]:
    """The source's column names, its columns by name and its number of rows."""
    if spec.scheme == POSTGRES:
        names, rows = fetch(spec)
        values = list(zip(*rows)) if rows else [()] * len(names)
        return names, dict(zip(names, map(_driver_column, values))), len(rows)
    table = fetch_arrow(spec)
    return table.column_names, dict(zip(table.column_names, table.columns)), table.num_rows


def _selecting(spec: SourceSpec, names: list[str]) -> list[str]:
    """The columns the query selects the client's rows by (WHERE client = :client): they say nothing more."""
    return [name for name, _ in spec.params if name in names]


def _flattened(spec: SourceSpec, frame: pd.DataFrame) -> RawTable:
    """Rows as read (typed cells, records) flat, and made text."""
    try:
        flat, notes = flatten_records(frame)  # records as sync tools write them: nested, re-sent
    except SitegenError as exc:
        raise SitegenError(exc.message, spec.name, exc.row, exc.column) from None
    text = pd.DataFrame({c: flat[c].array if flat[c].dtype == _TEXT else column_text(flat[c])
                         for c in flat.columns}).reset_index(drop=True)
    return RawTable(text, flat.index.to_numpy(dtype=np.int64), 0, notes)


_TEXT = pd.StringDtype("pyarrow")  # a column _cells made text already


def _text(column: Column) -> pa.Array:
    """A column as the text `column_text` makes of it: text and integers in Arrow, other types through pandas."""
    if not isinstance(column, pd.Series):
        if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
            return _trimmed(column).cast(pa.string())
        if pa.types.is_integer(column.type):
            return pc.fill_null(_whole(column).cast(pa.string()), "")
    series = _cells(column)
    values = pa.array((series if series.dtype == _TEXT else column_text(series)).array)
    return (values.combine_chunks() if isinstance(values, pa.ChunkedArray) else values).cast(pa.string())


def _cells(column: Column) -> pd.Series:
    """A column as `column_text` takes it, without a Python call per cell: numbers and times typed, text as
    Arrow strings (made as a user sees it here); nested values (records) as Python objects, for `records`."""
    if isinstance(column, pd.Series):
        return column
    kind = column.type
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        return pd.Series(pd.array(_trimmed(column), dtype=_TEXT))
    if pa.types.is_integer(kind):
        return column.to_pandas(types_mapper=pd.ArrowDtype)
    if pa.types.is_floating(kind) or pa.types.is_temporal(kind) or pa.types.is_boolean(kind):
        return column.to_pandas()
    return pd.Series(column.to_pylist(), dtype=object)  # decimals (exact as text), structs, lists, maps


def _whole(column: pa.ChunkedArray | pa.Array) -> pa.Array:
    return column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column


def _trimmed(column: pa.ChunkedArray | pa.Array) -> pa.Array:
    """Text as a user sees it: stripped, a formula's ="x" unwrapped, empty when missing."""
    return pc.fill_null(unwrap_array(pc.utf8_trim_whitespace(_whole(column))), "")


def _driver_column(values: tuple) -> Column:
    """A column of the driver's values: in Arrow where they are all text or all integers (made text without a
    Python call per cell, as a DuckDB source's), else the values themselves."""
    given = [v for v in values if v is not None]
    for kind, arrow in ((str, pa.string()), (int, pa.int64())):
        if given and all(type(v) is kind for v in given):
            try:
                return pa.array(values, arrow)
            except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError):  # an integer beyond 64 bits
                break
    return _times(pd.Series(list(values), dtype=object))


def _times(column: pd.Series) -> pd.Series:
    """A column of the driver's datetimes as a Parquet file's (or DuckDB's) timestamps are read: the wall time in
    the zone the database gave (a timestamptz's offset and a fraction of a second would not read as a date and
    time)."""
    given = column.dropna()
    first = given.iloc[0] if len(given) else None
    if not isinstance(first, datetime) or not all(isinstance(v, datetime) for v in given):
        return column
    if first.tzinfo is None:
        return pd.to_datetime(column)
    return pd.to_datetime(column, utc=True).dt.tz_convert(first.tzinfo).dt.tz_localize(None)
