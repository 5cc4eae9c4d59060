"""A source's rows (`sources.fetch`) as a table of cells, as a file's would be: each value as the text a user
would see, nested records flattened (`records`)."""

from __future__ import annotations

from datetime import datetime

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from sitegen.data.readers.as_text import column_text
from sitegen.data.readers.base import RawTable
from sitegen.data.readers.formulas import unwrap_array
from sitegen.data.records import flatten_records
from sitegen.data.sources import POSTGRES, SourceSpec, fetch, fetch_arrow
from sitegen.errors import SitegenError


def read_source(spec: SourceSpec) -> RawTable:
    """The source's rows as cells of text, numbered from 1 (a source has no header row)."""
    if spec.scheme == POSTGRES:
        names, rows = fetch(spec)
        frame = _driver_frame(names, rows)
    else:
        frame = arrow_frame(fetch_arrow(spec))
    if frame.empty:
        raise SitegenError(f"no rows from {spec.shown}, expected at least one", spec.name)
    # a column the query selects the client's rows by (WHERE client = :client) says nothing more
    frame = frame.drop(columns=[name for name, _ in spec.params if name in frame.columns])
    frame.index = np.arange(1, len(frame) + 1, dtype=np.int64)
    try:
        flat, notes = flatten_records(frame)  # records as sync tools write them: nested, re-sent
    except SitegenError as exc:
        raise SitegenError(exc.message, spec.name, exc.row, exc.column) from None
    text = pd.DataFrame({c: flat[c].array if flat[c].dtype == _TEXT else column_text(flat[c])
                         for c in flat.columns}).reset_index(drop=True)
    return RawTable(text, flat.index.to_numpy(dtype=np.int64), 0, notes)


_TEXT = pd.StringDtype("pyarrow")  # a column arrow_frame made text already


def arrow_frame(table: pa.Table) -> pd.DataFrame:
    """An Arrow table as columns `from_frame` makes text without a Python call per cell: numbers and times typed,
    strings as Arrow strings; nested values (records) as Python objects, for `records` to flatten."""
    columns = {}
    for name in table.column_names:
        column, kind = table[name], table[name].type
        if pa.types.is_string(kind) or pa.types.is_large_string(kind):  # made text here, in Arrow
            text = pc.fill_null(unwrap_array(pc.utf8_trim_whitespace(column.combine_chunks())), "")
            columns[name] = pd.Series(pd.array(text, dtype=_TEXT))
        elif pa.types.is_integer(kind):
            columns[name] = column.to_pandas(types_mapper=pd.ArrowDtype)
        elif pa.types.is_floating(kind) or pa.types.is_temporal(kind) or pa.types.is_boolean(kind):
            columns[name] = column.to_pandas()
        else:  # decimals (exact as text), structs, lists, maps
            columns[name] = pd.Series(column.to_pylist(), dtype=object)
    return pd.DataFrame(columns)


def _driver_frame(names: list[str], rows: list[tuple]) -> pd.DataFrame:
    """A driver's rows as columns: each column through Arrow where its values make one Arrow type (text without
    a Python call per cell, as a DuckDB source's), else as the values themselves."""
    columns = {}
    for name, values in zip(names, zip(*rows) if rows else [()] * len(names)):
        column = pd.Series(list(values), dtype=object)
        first = next((v for v in values if v is not None), None)
        if isinstance(first, str):
            try:
                columns[name] = arrow_frame(pa.table({name: pa.array(values, pa.string())}))[name]
                continue
            except (pa.ArrowInvalid, pa.ArrowTypeError):
                pass
        columns[name] = _times(column)
    return pd.DataFrame(columns, columns=names)


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
