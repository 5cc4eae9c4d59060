"""Machine-readable KPIs beside each report: kpis.json and kpis.csv.

kpis.json is written by orjson (indented by two spaces, UTF-8 as it is; written in C, where json.dumps
with an indent falls back to its Python encoder), its tables' rows made a column at a time from the KPI
stage's arrays, float columns all at once: what writing each table as a DataFrame, row by row, gives
(tests/test_exports.py keeps that way as the reference and compares the bytes).
"""

from __future__ import annotations

import csv
import io
import math

import numpy as np
import orjson

from sitegen.i18n import _, speaking
from sitegen.metrics.catalogue import KPI_IDS, KPIS
from sitegen.metrics.report import ReportKpis
from sitegen.render.json_values import json_value
from sitegen.render.report_columns import ReportColumns


def _number(value):
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return None
    return int(value) if float(value).is_integer() and abs(value) < 2**53 else value


def _document(client_name: str, client_slug: str, title: str, currency: str, kpis: ReportKpis,
              tables: dict) -> dict:
    return {
        "client": client_name,
        "client_slug": client_slug,
        "report": title,
        "currency": currency,
        **({"fx": [{"base": r.base, "currency": r.currency, "rate": r.rate, "date": r.day.isoformat()}
                   for r in kpis.fx]} if kpis.fx else {}),
        "period": kpis.period.as_dict(),
        "comparison": kpis.comparison.as_dict() if kpis.comparison else None,
        "kpis": {
            kpi: {"value": _number(kpis.values[kpi]), "previous": _number(kpis.previous[kpi]),
                  "target": _number(kpis.targets.get(kpi)), "change": _number(kpis.change(kpi)),
                  "attainment": _number(kpis.attainment(kpi)), **_prorated(kpis, kpi), "unit": KPIS[kpi].unit,
                  "sources": list(kpis.sources.get(kpi, ())), **_why(kpis, kpi)}
            for kpi in KPI_IDS
        },
        **tables,
    }


def _prorated(kpis: ReportKpis, kpi: str) -> dict[str, float]:
    """The month's target a pro-rated target came from."""
    return {"monthly_target": _number(kpis.prorated[kpi])} if kpi in kpis.prorated else {}


def _why(kpis: ReportKpis, kpi: str) -> dict[str, str]:
    """Why a value is n/a ("not in your data"), or what a value lacks, when either is known."""
    if kpis.values[kpi] is None and kpi in kpis.reasons:
        return {"missing": kpis.reasons[kpi]}
    return {"note": kpis.notes[kpi]} if kpi in kpis.notes else {}


_TABLES = ("campaigns", "videos", "sources", "codes", "hashtags", "days", "creators", "trends")
_DROPPED = {"campaigns": "profit", "days": "has_data"}


_EARLIEST, _LATEST = np.datetime64("1000-01-01", "s"), np.datetime64("9999-12-31T23:59:59", "s")
_UNITS = {"D", "h", "m", "s", "ms", "us", "ns"}


def _dumps(document: dict) -> bytes:
    return orjson.dumps(document, option=orjson.OPT_INDENT_2) + b"\n"


def _float_values(arrays: list[np.ndarray]) -> list[list]:
    """`_number(json_value(v))` of each value of float64 columns of one length, all at once: a whole number below
    2**53 as an int, another finite number as it is, nan and ±inf as None."""
    block = np.stack(arrays)
    finite = np.isfinite(block)
    whole = finite & (np.trunc(block) == block) & (np.abs(block) < 2.0**53)
    values = block.astype(object)
    values[whole] = block[whole].astype(np.int64).astype(object)
    values[~finite] = None
    return values.tolist()


def _datetime_values(array: np.ndarray) -> list | None:
    """json_value of a datetime64 column's Timestamps (the day at midnight, else the second), made by numpy;
    None when its unit or years are out of the ordinary (then its Timestamps are read one by one)."""
    unit, count = np.datetime_data(array.dtype)
    if unit not in _UNITS or count != 1:
        return None
    missing = np.isnat(array)
    known = array[~missing]
    if len(known) and (known.min() < _EARLIEST or known.max() > _LATEST):
        return None
    per_day = int(np.timedelta64(1, "D") // np.timedelta64(1, unit))
    midnight = (array.view("int64") % per_day == 0).tolist()
    days = np.datetime_as_string(array, unit="D").tolist()
    seconds = np.datetime_as_string(array, unit="s").tolist()
    return [None if gone else day if whole else second.replace("T", " ")
            for gone, whole, day, second in zip(missing.tolist(), midnight, days, seconds)]


def _column_values(columns: ReportColumns, table: str, name: str) -> list:
    """What `_rows` makes of each value of one column that is not a float64 array."""
    datetimes = columns.datetimes(table, name)
    written = _datetime_values(datetimes) if datetimes is not None else None
    if written is not None:
        return written
    out = []
    for v in columns(table, name):
        if type(v) is not str:
            v = json_value(v)
            if isinstance(v, float):
                v = _number(v)
        out.append(v)
    return out


def _table_rows(columns: ReportColumns, table: str, without: str | None) -> list[dict]:
    """_rows(kpis.tables[table].drop(columns=without, errors="ignore")), a column at a time (the float64
    arrays all at once)."""
    names = [n for n in columns.names(table) if n != without]
    length = columns.length(table)
    if not names or not length:
        return [{} for _ in range(length)]
    floats = {n: a for n in names if (a := columns.floats(table, n)) is not None}
    written = dict(zip(floats, _float_values(list(floats.values())))) if floats else {}
    values = [written[n] if n in written else _column_values(columns, table, n) for n in names]
    return [dict(zip(names, row)) for row in zip(*values)]


def kpis_json(client_name: str, client_slug: str, title: str, currency: str, kpis: ReportKpis,
              columns: ReportColumns | None = None, changes: list[dict] = ()) -> bytes:
    """`columns`: the page's column lists, if it has read them already; `changes`: published figures that changed
    since (render.changes.json_changes)."""
    columns = columns or ReportColumns(kpis)
    tables = {name: _table_rows(columns, name, _DROPPED.get(name)) for name in _TABLES}
    changes = [{**c, "old": _number(c["old"]), "new": _number(c["new"])} for c in changes]
    return _dumps({**_document(client_name, client_slug, title, currency, kpis, tables), "changes": changes})


def kpis_csv(kpis: ReportKpis, lang: str = "en") -> bytes:
    """One row a KPI: its id (the same in every language, for machines), its label in the report's language `lang`,
    and its figures."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["kpi", "label", "unit", "value", "previous", "change", "target", "attainment"])
    with speaking(lang):
        labels = [_(KPIS[kpi].label) for kpi in KPI_IDS]
    for kpi, label in zip(KPI_IDS, labels):
        row = [kpis.values[kpi], kpis.previous[kpi], kpis.change(kpi), kpis.targets.get(kpi), kpis.attainment(kpi)]
        writer.writerow([kpi, label, KPIS[kpi].unit, *("" if v is None else repr(_number(v)) for v in row)])
    return out.getvalue().encode("utf-8")
