"""Table rows as plain JSON values: ISO dates, None for NaN/inf/missing, Python numbers."""

from __future__ import annotations

import math

import numpy as np
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


def json_values(values: np.ndarray) -> list:
    """json_value of every item of a column, with numpy doing the common column types at once."""
    kind = values.dtype.kind
    if kind == "f":
        return [v if math.isfinite(v) else None for v in values.tolist()]
    if kind in "iub":
        return values.tolist()
    if kind == "M":
        ns = values.astype("datetime64[ns]")
        missing = np.isnat(ns)
        midnight = ns.view("int64") % 86_400_000_000_000 == 0
        days = np.datetime_as_string(ns, unit="D").tolist()
        seconds = np.char.replace(np.datetime_as_string(ns, unit="s"), "T", " ").tolist()
        return [None if m else d if whole else s for m, whole, d, s in zip(missing.tolist(), midnight.tolist(),
                                                                          days, seconds)]
    return [json_value(v) for v in values]
