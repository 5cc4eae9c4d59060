"""Machine-readable KPIs beside each report: kpis.json and kpis.csv.

kpis.json is what `json.dumps(document, indent=2, ensure_ascii=False, allow_nan=False)` writes, but the
tables' rows are written a column at a time and the rest with a plain recursive writer, not json's
generator-based indenting one (ten times slower). Anything that writer was not made for (a value json
would refuse, a key that is not a string) goes to `json.dumps` itself, which then says what is wrong.
"""

from __future__ import annotations

import csv
import io
import json
import math
from json.encoder import encode_basestring

import numpy as np
import pandas as pd

from sitegen.catalogue import KPI_IDS, KPIS
from sitegen.kpis import ReportKpis
from sitegen.records import json_value, records
from sitegen.tables import ReportColumns


def _number(value):
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return None
    return int(value) if float(value).is_integer() and abs(value) < 2**53 else value


def _rows(frame) -> list[dict]:
    return [{k: _number(v) if isinstance(v, float) else v for k, v in row.items()} for row in records(frame)]


def _document(client_name: str, client_slug: str, title: str, currency: str, kpis: ReportKpis,
              tables: dict) -> dict:
    return {
        "client": client_name,
        "client_slug": client_slug,
        "report": title,
        "currency": currency,
        "period": kpis.period.as_dict(),
        "comparison": kpis.comparison.as_dict() if kpis.comparison else None,
        "kpis": {
            kpi: {"value": _number(kpis.values[kpi]), "previous": _number(kpis.previous[kpi]),
                  "target": _number(kpis.targets.get(kpi)), "change": _number(kpis.change(kpi)),
                  "attainment": _number(kpis.attainment(kpi)), "unit": KPIS[kpi].unit}
            for kpi in KPI_IDS
        },
        **tables,
    }


def _frames(kpis: ReportKpis) -> dict:
    return {
        "campaigns": kpis.tables["campaigns"].drop(columns="profit", errors="ignore"),
        "videos": kpis.tables["videos"],
        "sources": kpis.tables["sources"],
        "codes": kpis.tables["codes"],
        "hashtags": kpis.tables["hashtags"],
        "days": kpis.tables["days"].drop(columns="has_data"),
    }


_TABLES = ("campaigns", "videos", "sources", "codes", "hashtags", "days")
_DROPPED = {"campaigns": "profit", "days": "has_data"}


def _kpis_json_by_json(client_name: str, client_slug: str, title: str, currency: str, kpis: ReportKpis) -> bytes:
    """kpis.json the plain way (json.dumps with indent): what `kpis_json` writes, and its way out."""
    tables = {name: _rows(frame) for name, frame in _frames(kpis).items()}
    document = _document(client_name, client_slug, title, currency, kpis, tables)
    return (json.dumps(document, indent=2, ensure_ascii=False, allow_nan=False) + "\n").encode("utf-8")


class _Unwritten(Exception):
    """A value `_json` does not write the way json.dumps would (or json.dumps would refuse)."""


def _scalar(value) -> str:
    if isinstance(value, str):
        return encode_basestring(value)
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return int.__repr__(value)
    if isinstance(value, float) and math.isfinite(value):
        return float.__repr__(value)
    raise _Unwritten


def _json(value, indent: str = "") -> str:
    """json.dumps(value, indent=2, ensure_ascii=False, allow_nan=False) at the indentation `indent`."""
    if isinstance(value, dict):
        if not value:
            return "{}"
        inner = indent + "  "
        items = []
        for key, item in value.items():
            if not isinstance(key, str):
                raise _Unwritten
            items.append(f"{encode_basestring(key)}: {_json(item, inner)}")
        return "{\n" + inner + f",\n{inner}".join(items) + "\n" + indent + "}"
    if isinstance(value, list | tuple):
        if not value:
            return "[]"
        inner = indent + "  "
        return "[\n" + inner + f",\n{inner}".join(_json(item, inner) for item in value) + "\n" + indent + "]"
    return _scalar(value)


_FLOATS: dict[float, str] = {}  # float -> its JSON; equal floats (0.0 and -0.0 too) are written the same


def _float_json(v: float) -> str:
    if v - v != 0:  # nan, ±inf: json_value makes them None
        return "null"
    text = int.__repr__(int(v)) if v.is_integer() and abs(v) < 2**53 else float.__repr__(v)
    if len(_FLOATS) < 100_000:
        _FLOATS[v] = text
    return text


_TIMES: dict[pd.Timestamp, str] = {}  # a naive Timestamp -> its JSON (json_value's strftime)


def _column_json(values: list) -> list[str]:
    """Each value of a column (as itertuples gives it) as `_rows(frame)` makes it and json.dumps writes it."""
    kinds = set(map(type, values))
    if kinds == {float}:
        texts = list(map(_FLOATS.get, values))  # nan is never remembered
        if None in texts:
            texts = [t if t is not None else _float_json(v) for t, v in zip(texts, values)]
        return texts
    if kinds == {str}:
        return list(map(encode_basestring, values))
    out = []
    for v in values:
        if type(v) is float:
            text = _FLOATS.get(v)
            out.append(text if text is not None else _float_json(v))
        elif type(v) is str:
            out.append(encode_basestring(v))
        elif type(v) is pd.Timestamp and v.tzinfo is None:
            text = _TIMES.get(v)
            if text is None:
                text = _scalar(json_value(v))
                if len(_TIMES) < 100_000:
                    _TIMES[v] = text
            out.append(text)
        else:
            v = json_value(v)
            out.append(_scalar(_number(v) if isinstance(v, float) else v))
    return out


def _floats_json(arrays: list[np.ndarray]) -> list[list[str]]:
    """`_column_json` of float64 columns of one length, all at once: a whole number below 2**53 as an int,
    any other finite number as float.__repr__ writes it, nan and ±inf as null (json_value and _number)."""
    block = np.column_stack(arrays)
    finite = np.isfinite(block)
    whole = finite & (np.trunc(block) == block) & (np.abs(block) < 2.0**53)
    texts = np.full(block.shape, "null", dtype=object)
    if whole.any():
        texts[whole] = list(map(int.__repr__, block[whole].astype(np.int64).tolist()))
    other = finite & ~whole
    if other.any():
        texts[other] = list(map(float.__repr__, block[other].tolist()))
    return texts.T.tolist()


_EARLIEST, _LATEST = np.datetime64("1000-01-01", "s"), np.datetime64("9999-12-31T23:59:59", "s")
_UNITS = {"D", "h", "m", "s", "ms", "us", "ns"}


def _datetime_json(array: np.ndarray | None) -> list[str] | None:
    """The JSON of a datetime64 column's Timestamps (json_value: the day at midnight, else the second),
    made by numpy; None when there is no array or its unit or years are out of the ordinary."""
    if array is None or np.datetime_data(array.dtype)[0] not in _UNITS or np.datetime_data(array.dtype)[1] != 1:
        return None
    missing = np.isnat(array)
    known = array[~missing]
    if len(known) and (known.min() < _EARLIEST or known.max() > _LATEST):
        return None
    unit = np.datetime_data(array.dtype)[0]
    per_day = int(np.timedelta64(1, "D") // np.timedelta64(1, unit))
    midnight = (array.view("int64") % per_day == 0).tolist()
    days = np.datetime_as_string(array, unit="D").tolist()
    seconds = np.datetime_as_string(array, unit="s").tolist()
    return ["null" if gone else f'"{day}"' if whole else f'"{second.replace("T", " ")}"'
            for gone, whole, day, second in zip(missing.tolist(), midnight, days, seconds)]


def _table_json(columns: ReportColumns, table: str, indent: str, without: str | None = None) -> str:
    """_json(_rows(kpis.tables[table].drop(columns=without, errors="ignore")), indent), a column at a time."""
    length = columns.length(table)
    if length == 0:
        return "[]"
    names = columns.names(table)
    if not all(isinstance(n, str) for n in names) or len(set(names)) != len(names):
        raise _Unwritten
    row, field = indent + "  ", indent + "    "
    keys = [encode_basestring(n).replace("%", "%%") + ": %s" for n in names if n != without]
    kept = [n for n in names if n != without]
    floats = {n: a for n in kept if (a := columns.floats(table, n)) is not None}
    written = dict(zip(floats, _floats_json(list(floats.values())))) if floats else {}
    values = [written.get(n) or _datetime_json(columns.datetimes(table, n)) or _column_json(columns(table, n))
              for n in kept]
    if not values:
        rows = ["{}"] * length
    else:
        template = "{\n" + field + f",\n{field}".join(keys) + "\n" + row + "}"  # one row, a %s a value
        rows = [template % texts for texts in zip(*values)]
    return "[\n" + row + f",\n{row}".join(rows) + "\n" + indent + "]"


_KPI_FIELDS = ("value", "previous", "target", "change", "attainment", "unit")
_KPI_ENTRY = "{\n" + ",\n".join(f'      "{f}": %s' for f in _KPI_FIELDS) + "\n    }"


def _kpis_section(kpis: dict) -> str:
    """_json(kpis, "  ") for the document's "kpis": {kpi: {value, previous, target, change, attainment, unit}}."""
    if not kpis or not all(isinstance(k, str) and tuple(entry) == _KPI_FIELDS for k, entry in kpis.items()):
        return _json(kpis, "  ")
    entries = [f"{encode_basestring(k)}: " + _KPI_ENTRY % tuple(map(_scalar, entry.values()))
               for k, entry in kpis.items()]
    return "{\n    " + ",\n    ".join(entries) + "\n  }"


class _Written:
    """A piece of JSON text already written, standing in for a value in the document."""

    def __init__(self, text: str):
        self.text = text


def kpis_json(client_name: str, client_slug: str, title: str, currency: str, kpis: ReportKpis,
              columns: ReportColumns | None = None) -> bytes:
    """`columns`: the page's column lists, if it has read them already."""
    columns = columns or ReportColumns(kpis)
    try:
        if "has_data" not in columns.names("days"):
            raise _Unwritten  # dropping it fails, the plain way says so
        tables = {name: _Written(_table_json(columns, name, "  ", _DROPPED.get(name))) for name in _TABLES}
        document = _document(client_name, client_slug, title, currency, kpis, tables)
        items = []
        for key, value in document.items():
            text = value.text if isinstance(value, _Written) else _kpis_section(value) if key == "kpis" else \
                _json(value, "  ")
            items.append(f"  {encode_basestring(key)}: {text}")
        return ("{\n" + ",\n".join(items) + "\n}\n").encode("utf-8")
    except _Unwritten:
        return _kpis_json_by_json(client_name, client_slug, title, currency, kpis)


def kpis_csv(kpis: ReportKpis) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["kpi", "label", "unit", "value", "previous", "change", "target", "attainment"])
    for kpi in KPI_IDS:
        row = [kpis.values[kpi], kpis.previous[kpi], kpis.change(kpi), kpis.targets.get(kpi), kpis.attainment(kpi)]
        writer.writerow([kpi, KPIS[kpi].label, KPIS[kpi].unit, *("" if v is None else repr(_number(v)) for v in row)])
    return out.getvalue().encode("utf-8")
