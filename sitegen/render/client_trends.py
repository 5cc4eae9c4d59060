"""The trends on a client's page: its charts across periods (drawn through the theme's partials/chart.html, each
with its data table) and the table of periods, one row per report, with the figures, targets and alerts that
report computed, in the client's language and number formats."""

from __future__ import annotations

from dataclasses import dataclass, field

import jinja2
from markupsafe import Markup

from sitegen.i18n import _
from sitegen.metrics.alerts import SEVERITY_ORDER
from sitegen.metrics.catalogue import KPIS
from sitegen.render.client_charts import CLIENT_CHART_KINDS, PeriodRow, row_labels
from sitegen.render.files import CHART_FOLDER, OutputFile
from sitegen.render.formatting import Formatter
from sitegen.render.highlights import alert_view
from sitegen.render.report_page import chart_locale, spec_json_html
from sitegen.render.tables import RenderedTable, sort_keys

PERIOD_KPIS = ("likes", "engagement_rate", "revenue", "roas", "conversions_per_1k_likes", "follower_growth")


@dataclass
class Trends:
    """What the client page's template gets for its trends, and the static chart images it links to."""

    context: dict = field(default_factory=dict)
    files: list[OutputFile] = field(default_factory=list)


def client_trends(env: jinja2.Environment, fmt: Formatter, rows: list[PeriodRow], charts: dict[str, str | None],
                  images: dict[str, str], base: str) -> Trends:
    """`rows` in period order, `charts` their specs (`client_charts`), `images` their SVGs, `base` the client's
    folder in the site. Call while speaking the client's language."""
    if not rows:
        return Trends({"trend_charts": [], "periods": None, "has_charts": False})
    shown = [_chart(env, fmt, rows, name, spec, name in images, i) for i, (name, spec) in
             enumerate(charts.items(), 1)]
    periods = {"headers": [(_(KPIS[k].label), KPIS[k].unit) for k in PERIOD_KPIS],
               "rows": [_period(fmt, r) for r in rows]}
    files = [OutputFile(f"{base}{CHART_FOLDER}/{name}.svg", svg.encode("utf-8"))
             for name, svg in sorted(images.items())]
    return Trends({"trend_charts": shown, "periods": periods, "has_charts": any(charts.values()),
                   "chart_locale": chart_locale(fmt.locale, fmt.currency)}, files)


def _chart(env: jinja2.Environment, fmt: Formatter, rows: list[PeriodRow], name: str, spec: str | None,
           has_image: bool, number: int) -> Markup:
    title = _(CLIENT_CHART_KINDS[name].title)
    table = _chart_table(fmt, rows, name) if spec else None
    data = None
    if table is not None:
        data = {"name": table.name, "title": table.title, "headers": table.headers, "rows": table.rows,
                "total_rows": table.total_rows, "summary": _("Data table"), "key": table.key}
    return Markup(env.get_template("partials/chart.html").render(
        id=f"chart-{number}", name=name, title=title, image=f"{CHART_FOLDER}/{name}.svg" if has_image else None,
        spec=spec_json_html(spec) if spec else None, data=data))


def _chart_table(fmt: Formatter, rows: list[PeriodRow], name: str) -> RenderedTable:
    """The chart's rows as a table, its text alternative."""
    kpis = [s.kpi for s in CLIENT_CHART_KINDS[name].series]
    values = [[r.kpis.values.get(k) for r in rows] for k in kpis]
    columns = [row_labels(rows)] + [[fmt.kpi(k, v) for v in column] for k, column in zip(kpis, values)]
    headers = ((_("Report"), "text"), *((_(KPIS[k].label), KPIS[k].unit) for k in kpis))
    keys = [None] + [sort_keys(column, KPIS[k].unit) for k, column in zip(kpis, values)]
    return RenderedTable(f"chart-{name}", _(CLIENT_CHART_KINDS[name].title), headers, columns, len(rows), keys)


def _period(fmt: Formatter, row: PeriodRow) -> dict:
    k = row.kpis
    judged = {kpi: k.target_met(kpi) for kpi in k.targets}
    alerts = sorted(row.alerts, key=lambda a: SEVERITY_ORDER.get(a.severity, len(SEVERITY_ORDER)))
    counts = {}
    for alert in alerts:
        counts[alert.severity] = counts.get(alert.severity, 0) + 1
    return {
        "title": row.title, "url": f"{row.folder or row.slug}/index.html",
        "period": f"{fmt.date(row.period.start)} – {fmt.date(row.period.end)}",
        "cells": [(fmt.kpi(kpi, k.values.get(kpi)), KPIS[kpi].unit, sort_keys([k.values.get(kpi)], KPIS[kpi].unit)[0])
                  for kpi in PERIOD_KPIS],
        "targets": {"total": len(judged), "met": sum(m is True for m in judged.values()),
                    "missed": [_(KPIS[kpi].label) for kpi, m in judged.items() if m is False],
                    "unknown": [_(KPIS[kpi].label) for kpi, m in judged.items() if m is None]},
        "alerts": {"counts": list(counts.items()), "texts": [alert_view(a, fmt) for a in alerts]},
    }
