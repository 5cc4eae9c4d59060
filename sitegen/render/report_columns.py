"""A report's KPI tables as column lists, for its page and its kpis.json: what `DataFrame.itertuples` gives for
each table, read a column at a time from the KPI stage's arrays (`metrics.report.Tables`) without making the
DataFrame where that is certain to give the same values, else from the DataFrame. Each column is read once a
page. tests/test_tables.py compares pages made this way with pages made from DataFrames."""

from __future__ import annotations

import numpy as np
import pandas as pd

from sitegen.metrics.report import ReportKpis, Tables


def column_values(series: pd.Series) -> list:
    """The values DataFrame.itertuples gives for this column: Python scalars for NumPy columns, the
    array's own items (Timestamp, NaT, str, NaN...) for the others."""
    dtype = series.dtype
    if isinstance(dtype, np.dtype) and dtype.kind not in "mM":
        return series.to_numpy().tolist()
    return list(series)


def _boxed_as_itertuples(dtype) -> bool:
    """Does frame.to_numpy(dtype=object) hold this column's values as itertuples gives them?"""
    if isinstance(dtype, np.dtype):
        return dtype.kind in "fiubOM"
    return isinstance(dtype, pd.StringDtype | pd.DatetimeTZDtype)


class FrameColumns:
    """A page's column lists (what itertuples gives, a column at a time), each frame read once: all of
    it in one go where its columns allow, else a column at a time. Frames are kept so their ids stay theirs."""

    def __init__(self) -> None:
        self.known: dict[int, tuple[pd.DataFrame, dict[str, list]]] = {}

    def __call__(self, frame: pd.DataFrame, name: str) -> list:
        hit = self.known.get(id(frame))
        if hit is None:
            hit = self.known[id(frame)] = (frame, self._read(frame))
        columns = hit[1]
        if name not in columns:
            columns[name] = column_values(frame[name])
        return columns[name]

    @staticmethod
    def _read(frame: pd.DataFrame) -> dict[str, list]:
        names = list(frame.columns)
        if not names or len(set(names)) != len(names) or not all(_boxed_as_itertuples(d) for d in frame.dtypes):
            return {}
        if len(frame) == 0:
            return {n: [] for n in names}
        return dict(zip(names, frame.to_numpy(dtype=object).T.tolist()))


def itertuples_values(array) -> list | None:
    """The values DataFrame.itertuples gives for a column pd.DataFrame makes of this array, as far as a page
    and kpis.json can tell: for text, a missing value may be None where pandas has NaN (both are "–" and
    null). None when the array is of another kind (then read the DataFrame)."""
    if not isinstance(array, np.ndarray) or array.ndim != 1:
        return None
    kind = array.dtype.kind
    if kind in "fiub":
        return array.tolist()
    if kind == "M":
        return pd.DatetimeIndex(array).tolist()  # Timestamps and NaT
    if kind == "O":
        values = array.tolist()
        kinds = set(map(type, values))
        if kinds <= {str, type(None)} or (kinds <= {str, type(None), float} and
                                           all(v != v for v in values if type(v) is float)):
            return values  # a "str" column of pandas (or object, without string inference)
    return None


class ReportColumns:
    """The report's KPI tables (kpis.tables) as column lists, for a page and its kpis.json: what itertuples
    gives for each table's DataFrame, read from the column arrays (`Tables`) without making the DataFrame
    where `itertuples_values` can, else from the DataFrame. Each column is read once."""

    def __init__(self, kpis: ReportKpis):
        self.tables = kpis.tables
        self.arrays = kpis.tables if isinstance(kpis.tables, Tables) else None
        self.frames = FrameColumns()
        self.known: dict[tuple[str, str], list] = {}
        self.aligned: dict[str, bool] = {}

    def names(self, table: str) -> list:
        if self.arrays is not None and self._aligned(table):
            return list(self.arrays.columns(table))
        return list(self.tables[table].columns)

    def length(self, table: str) -> int:
        if self.arrays is not None and self._aligned(table):
            return next((len(a) for a in self.arrays.columns(table).values()), 0)
        return len(self.tables[table])

    def _aligned(self, table: str) -> bool:
        """Columns of one length (else pd.DataFrame refuses them, and the DataFrame path says so)."""
        aligned = self.aligned.get(table)
        if aligned is None:
            aligned = self.aligned[table] = len({len(a) for a in self.arrays.columns(table).values()}) <= 1
        return aligned

    def __call__(self, table: str, name: str) -> list:
        values = self.known.get((table, name))
        if values is None:
            if self.arrays is not None and self._aligned(table) and name in self.arrays.columns(table):
                values = itertuples_values(self.arrays.columns(table)[name])
            if values is None:
                values = self.frames(self.tables[table], name)
            self.known[(table, name)] = values
        return values

    def floats(self, table: str, name: str) -> np.ndarray | None:
        """The column's float64 array, when it is one of `Tables` (its values are the Python floats
        itertuples gives), else None."""
        if self.arrays is not None and self._aligned(table):
            array = self.arrays.columns(table).get(name)
            if isinstance(array, np.ndarray) and array.ndim == 1 and array.dtype == np.float64:
                return array
        return None

    def datetimes(self, table: str, name: str) -> np.ndarray | None:
        """The column's datetime64 array, when it is one of `Tables` (else None: read the values)."""
        if self.arrays is not None and self._aligned(table):
            array = self.arrays.columns(table).get(name)
            if isinstance(array, np.ndarray) and array.ndim == 1 and array.dtype.kind == "M":
                return array
        return None

    def days(self, table: str, name: str) -> list:
        """For a date column: the day of each value (what `cell` formats: Timestamp.date()), None for NaT;
        from a datetime64 array without making Timestamps. Else the values themselves."""
        array = self.datetimes(table, name)
        if array is None:
            return self(table, name)
        key = (table, name, "days")
        days = self.known.get(key)
        if days is None:
            days = self.known[key] = array.astype("datetime64[D]").tolist()  # date objects, None for NaT
        return days
