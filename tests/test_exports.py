"""kpis.json written column by column is byte for byte what the plain way (each table a DataFrame) writes."""

from __future__ import annotations

import math
from datetime import date, datetime

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sitegen.metrics.periods import month
from sitegen.metrics.report import ReportKpis, Tables
from sitegen.render.exports import _document, _dumps, _number, kpis_json
from sitegen.render.json_values import json_value
from sitegen.render.report_columns import ReportColumns

TABLES = ("campaigns", "videos", "sources", "codes", "hashtags", "days", "creators", "trends")


# --- the reference: each table as a DataFrame, row by row --------------------------------------------------


def records(frame: pd.DataFrame) -> list[dict]:
    columns = list(frame.columns)
    return [{c: json_value(v) for c, v in zip(columns, row)} for row in frame.itertuples(index=False, name=None)]

def _rows(frame) -> list[dict]:
    return [{k: _number(v) if isinstance(v, float) else v for k, v in row.items()} for row in records(frame)]



def _frames(kpis: ReportKpis) -> dict:
    return {
        "campaigns": kpis.tables["campaigns"].drop(columns="profit", errors="ignore"),
        "videos": kpis.tables["videos"],
        "sources": kpis.tables["sources"],
        "codes": kpis.tables["codes"],
        "hashtags": kpis.tables["hashtags"],
        "days": kpis.tables["days"].drop(columns="has_data"),
        "creators": kpis.tables["creators"],
        "trends": kpis.tables["trends"],
    }



def _kpis_json_by_json(client_name: str, client_slug: str, title: str, currency: str, kpis: ReportKpis) -> bytes:
    """kpis.json the plain way: each table as a DataFrame, row by row."""
    tables = {name: _rows(frame) for name, frame in _frames(kpis).items()}
    return _dumps({**_document(client_name, client_slug, title, currency, kpis, tables), "changes": []})



def outcome(make, *args, **kwargs):
    try:
        return make(*args, **kwargs)
    except Exception as exc:
        return type(exc)


def test_demo_kpis_json(demo_kpis):
    for client, kpis, _charts in demo_kpis:
        want = _kpis_json_by_json(client.name, client.slug, "Oct “26” <&>", client.currency, kpis)
        assert kpis_json(client.name, client.slug, "Oct “26” <&>", client.currency, kpis) == want
        assert kpis_json(client.name, client.slug, "Oct “26” <&>", client.currency, kpis,
                         ReportColumns(kpis)) == want


floats = st.one_of(st.floats(), st.sampled_from([0.0, -0.0, 2.0**53, 2.0**53 + 2, -(2.0**53), 1e300, 0.1, 1.5]))
cells = st.one_of(st.none(), floats, st.text(max_size=4), st.integers(-2**60, 2**60), st.booleans(),
                  st.just(math.nan), st.just(pd.NaT), st.just(pd.Timestamp("2026-10-01 12:30")),
                  st.just(date(2026, 1, 2)), st.just([1, "a"]), st.just({"k": 1}))


@st.composite
def frames(draw):
    n = draw(st.integers(0, 4))
    columns = {}
    for i in range(draw(st.integers(0, 4))):
        kind = draw(st.sampled_from(["float", "str", "object", "datetime", "seconds", "int", "bool"]))
        if kind == "float":
            columns[f"f{i}"] = pd.Series([draw(floats) for _ in range(n)], dtype="float64")
        elif kind == "str":
            columns[f"s{i}"] = pd.Series([draw(st.one_of(st.text(max_size=4), st.just(math.nan))) for _ in range(n)],
                                         dtype="str")
        elif kind == "object":
            columns[f"o{i}"] = pd.Series([draw(cells) for _ in range(n)], dtype=object)
        elif kind in ("datetime", "seconds"):
            moments = st.one_of(st.none(), st.datetimes(datetime(1700, 1, 1), datetime(2200, 1, 1)),
                                st.dates(date(1700, 1, 1), date(2200, 1, 1)).map(
                                    lambda d: datetime(d.year, d.month, d.day)))
            columns[f"d{i}"] = pd.Series([draw(moments) for _ in range(n)],
                                         dtype="datetime64[ns]" if kind == "datetime" else "datetime64[s]")
        elif kind == "int":
            columns[f"i{i}"] = pd.Series([draw(st.integers(-2**62, 2**62)) for _ in range(n)], dtype="int64")
        else:
            columns[f"b{i}"] = pd.Series([draw(st.booleans()) for _ in range(n)], dtype=bool)
    return pd.DataFrame(columns, index=range(n))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tables=st.fixed_dictionaries({name: frames() for name in TABLES}),
       profit=st.booleans(), values=st.lists(st.one_of(st.none(), floats), min_size=3, max_size=3))
def test_random_tables(tables, profit, values):
    tables["days"] = tables["days"].assign(has_data=True)  # (the day table always says which days have data)
    if profit:
        tables["campaigns"] = tables["campaigns"].assign(profit=1.5)
    kpis = ReportKpis(month(2026, 10), None, {"spend": values[0], "roi": values[1]}, {"spend": values[2]},
                      {"roi": 2.0}, tables)
    kpis.values = {k: kpis.values.get(k) for k in ("spend", "roi")} | {k: None for k in _kpi_ids()
                                                                       if k not in ("spend", "roi")}
    kpis.previous = {k: kpis.previous.get(k) for k in _kpi_ids()}
    want = outcome(_kpis_json_by_json, "C", "c", "T", "EUR", kpis)
    assert outcome(kpis_json, "C", "c", "T", "EUR", kpis) == want
    kpis.tables = Tables({name: {c: frame[c].to_numpy() for c in frame.columns} for name, frame in tables.items()})
    assert outcome(kpis_json, "C", "c", "T", "EUR", kpis) == outcome(_kpis_json_by_json, "C", "c", "T", "EUR", kpis)


def _kpi_ids():
    from sitegen.metrics.catalogue import KPI_IDS

    return KPI_IDS
