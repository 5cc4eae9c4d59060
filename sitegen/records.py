"""Table rows as plain JSON values: ISO dates, None for NaN/inf/missing, Python numbers."""

from __future__ import annotations

import math

import pandas as pd


def json_value(value):
    if isinstance(value, pd.Timestamp):
        if value is pd.NaT:
            return None
        return value.strftime("%Y-%m-%d") if value == value.normalize() else value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if hasattr(value, "item"):  # numpy scalar
        return json_value(value.item())
    if value is None or value is pd.NaT or value is pd.NA:
        return None
    return value


def records(frame: pd.DataFrame) -> list[dict]:
    columns = list(frame.columns)
    return [{c: json_value(v) for c, v in zip(columns, row)} for row in frame.itertuples(index=False, name=None)]
