"""Machine-readable KPIs beside each report: kpis.json and kpis.csv."""

from __future__ import annotations

import csv
import io
import json
import math

from sitegen.catalogue import KPI_IDS, KPIS
from sitegen.kpis import ReportKpis
from sitegen.records import records


def _number(value):
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return None
    return int(value) if float(value).is_integer() and abs(value) < 2**53 else value


def _rows(frame) -> list[dict]:
    return [{k: _number(v) if isinstance(v, float) else v for k, v in row.items()} for row in records(frame)]


def kpis_json(client_name: str, client_slug: str, title: str, currency: str, kpis: ReportKpis) -> bytes:
    document = {
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
        "campaigns": _rows(kpis.tables["campaigns"].drop(columns="profit", errors="ignore")),
        "videos": _rows(kpis.tables["videos"]),
        "sources": _rows(kpis.tables["sources"]),
        "codes": _rows(kpis.tables["codes"]),
        "hashtags": _rows(kpis.tables["hashtags"]),
        "days": _rows(kpis.tables["days"].drop(columns="has_data")),
    }
    return (json.dumps(document, indent=2, ensure_ascii=False, allow_nan=False) + "\n").encode("utf-8")


def kpis_csv(kpis: ReportKpis) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["kpi", "label", "unit", "value", "previous", "change", "target", "attainment"])
    for kpi in KPI_IDS:
        row = [kpis.values[kpi], kpis.previous[kpi], kpis.change(kpi), kpis.targets.get(kpi), kpis.attainment(kpi)]
        writer.writerow([kpi, KPIS[kpi].label, KPIS[kpi].unit, *("" if v is None else repr(_number(v)) for v in row)])
    return out.getvalue().encode("utf-8")
