"""Typed cells (Parquet columns, JSON values) as the text a user would see in a spreadsheet, so that they are
read by the same rules as a CSV file's: 12 not 12.0, ISO dates, true and false."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from sitegen.data.readers.base import RawTable
from sitegen.data.readers.formulas import unwrap


def from_frame(frame: pd.DataFrame, header_row: int) -> RawTable:
    text = pd.DataFrame({str(c): column_text(frame[c]) for c in frame.columns})
    return RawTable(text, np.arange(len(frame), dtype=np.int64) + header_row + 1, header_row)


def column_text(series: pd.Series) -> pd.Series:
    """A typed column (Parquet) as the text a user would see, without a Python call per cell."""
    missing = series.isna()
    if pd.api.types.is_bool_dtype(series):
        text = series.map({True: "true", False: "false"})
    elif pd.api.types.is_integer_dtype(series):  # unsigned: values above 2**63 fit no Int64
        text = series.astype("UInt64" if pd.api.types.is_unsigned_integer_dtype(series) else "Int64").astype(str)
    elif pd.api.types.is_float_dtype(series):
        whole = series.where(~missing, 0.0)
        integral = (whole % 1 == 0) & (whole.abs() < 2**53)  # never inf: it stays 'inf', an error in validation
        text = series.astype(str).where(~integral, whole.where(integral, 0.0).astype("int64").astype(str))
    elif isinstance(series.dtype, pd.ArrowDtype) and pa.types.is_string(series.dtype.pyarrow_dtype) or \
            isinstance(series.dtype, pd.StringDtype):  # as cell_text makes each: stripped, ="x" unwrapped
        return _strings(series.astype("string[pyarrow]"))
    elif pd.api.types.is_datetime64_any_dtype(series):
        stamps = series.dt.tz_localize(None) if series.dt.tz is not None else series
        midnight = (stamps == stamps.dt.normalize()).all()
        text = stamps.dt.strftime("%Y-%m-%d" if midnight else "%Y-%m-%d %H:%M:%S")
    else:
        return series.map(cell_text).astype("string[pyarrow]")
    return text.astype("string[pyarrow]").where(~missing, "")


def _strings(series: pd.Series) -> pd.Series:
    text = series.str.strip()
    formulas = text.str.startswith("=").fillna(False).astype(bool)
    if formulas.any():
        text = text.where(~formulas, text[formulas].map(unwrap))
    return text.fillna("").astype("string[pyarrow]")


def cell_text(value) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NaT:
        return ""
    if isinstance(value, bool | np.bool_):
        return "true" if value else "false"
    if isinstance(value, float | np.floating) and float(value).is_integer() and abs(value) < 2**53:
        return str(int(value))
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d") if value == value.normalize() else value.strftime("%Y-%m-%d %H:%M:%S")
    return unwrap(str(value).strip())


def cells_text(values: list, other: Callable[[Any], str] = cell_text) -> list[str]:
    """Many values as cell_text gives them, text, numbers and None without its checks (JSON's cells); `other`:
    what gives any other value's text."""
    found = []
    for value in values:
        kind = type(value)
        if kind is str:
            found.append(unwrap(value.strip()))
        elif value is None:
            found.append("")
        elif kind is int:
            found.append(str(value))
        elif kind is float and value == value and abs(value) < 2**53:  # (NaN is not equal to itself)
            found.append(str(int(value)) if value.is_integer() else str(value))
        else:
            found.append(other(value))
    return found


def factorizes_alike(series: pd.Series) -> bool:
    """Column types whose equal values (pd.factorize) always give equal text (column_text)."""
    return (pd.api.types.is_bool_dtype(series) and series.dtype != object) or pd.api.types.is_integer_dtype(series) \
        or pd.api.types.is_float_dtype(series) or pd.api.types.is_datetime64_any_dtype(series) \
        or isinstance(series.dtype, pd.StringDtype)
