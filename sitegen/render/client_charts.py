"""A client's charts across its reports (its page's trends): one row per report, in period order, each figure as
that report computed it (`ReportKpis.values`; an n/a stays n/a and is not drawn).

The specs are written as Vega-Lite JSON directly (a handful of rows per client: no Altair needed), in the
report charts' conventions: their palette, d3 formats the page's chart locale fills in, and the rows spliced
in as JSON text (`charts.columns_json`)."""

from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np

from sitegen.i18n import N_, _, speaking
from sitegen.metrics.alerts import Alert
from sitegen.metrics.catalogue import KPIS
from sitegen.metrics.facts import Columns
from sitegen.metrics.periods import Period
from sitegen.metrics.report import ReportKpis
from sitegen.render.charts import DATA, columns_json
from sitegen.render.palette import DEFAULT_PALETTE

_ROWS = '"__SITEGEN_CLIENT_ROWS__"'
LABEL = "report"  # the field with each row's name on the x axis


@dataclass(frozen=True)
class PeriodRow:
    """One report of the client as its trends see it."""

    title: str
    slug: str
    period: Period
    kpis: ReportKpis
    alerts: tuple[Alert, ...]
    folder: str = ""  # the report's folder, where it is not its slug


@dataclass(frozen=True)
class Series:
    kpi: str  # the KPI it draws (its value in each report)
    format: str  # d3 format of its axis and tooltip ("$" is the client's currency)
    mark: str  # bar | line


@dataclass(frozen=True)
class ClientChartKind:
    name: str
    title: str
    series: tuple[Series, ...]  # a second series is drawn on its own axis, at the right


CLIENT_CHART_KINDS: dict[str, ClientChartKind] = {c.name: c for c in [
    ClientChartKind("client_likes", N_("Likes and engagement rate per period"),
                    (Series("likes", ",.0f", "bar"), Series("engagement_rate", ".1%", "line"))),
    ClientChartKind("client_revenue", N_("Revenue and ROAS per period"),
                    (Series("revenue", "$,.0f", "bar"), Series("roas", ".2f", "line"))),
    ClientChartKind("client_conversions", N_("Conversions per 1k likes per period"),
                    (Series("conversions_per_1k_likes", ",.1f", "bar"),)),
    ClientChartKind("client_followers", N_("Follower growth per period"),
                    (Series("follower_growth", ",.0f", "bar"),)),
]}


def in_period_order(rows: list[PeriodRow]) -> list[PeriodRow]:
    return sorted(rows, key=lambda r: (r.period.start, r.period.end, r.slug))


def row_labels(rows: list[PeriodRow]) -> list[str]:
    """Each report's name on the axis: its title, with its slug where two reports share a title."""
    titles = [r.title for r in rows]
    return [f"{r.title} ({r.slug})" if titles.count(r.title) > 1 else r.title for r in rows]


def trend_columns(rows: list[PeriodRow], kpis: list[str]) -> Columns:
    """The rows' values of these KPIs as columns (NaN where a report's value is n/a), with their labels."""
    values = {k: np.array([np.nan if r.kpis.values.get(k) is None else r.kpis.values[k] for r in rows], dtype=float)
              for k in kpis}
    return {LABEL: np.array(row_labels(rows), dtype=object), **values}


def _layer(kind: ClientChartKind, series: Series, colour: str, right: bool) -> dict:
    title = _(KPIS[series.kpi].label)
    y = {"field": series.kpi, "type": "quantitative", "title": title,
         "axis": {"format": series.format, "orient": "right" if right else "left", "titleColor": colour}}
    mark = {"type": "bar", "color": colour} if series.mark == "bar" else \
        {"type": "line", "color": colour, "point": {"color": colour}}
    return {
        "transform": [{"filter": f"isValid(datum[{json.dumps(series.kpi)}])"}],
        "mark": mark,
        "encoding": {
            "x": {"field": LABEL, "type": "ordinal", "sort": None, "title": None, "axis": {"labelAngle": 0}},
            "y": y,
            "tooltip": [{"field": LABEL, "type": "ordinal", "title": _("Report")},
                        {"field": series.kpi, "type": "quantitative", "title": title, "format": series.format}],
        },
    }


def _template(kind: ClientChartKind, palette: tuple[str, ...], lang: str) -> str:
    with speaking(lang):
        layers = [_layer(kind, s, palette[i % len(palette)], i == 1) for i, s in enumerate(kind.series)]
        spec = {"title": _(kind.title), "width": "container", "height": 260,
                "autosize": {"type": "fit-x", "contains": "padding"},
                "config": {"view": {"stroke": None}, "range": {"category": list(palette)}},
                "data": {"name": DATA}, "datasets": {DATA: "__SITEGEN_CLIENT_ROWS__"}, "layer": layers}
    if len(layers) > 1:
        spec["resolve"] = {"scale": {"y": "independent"}}
    return json.dumps(spec, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def client_chart_spec(name: str, rows: list[PeriodRow], palette: tuple[str, ...] = DEFAULT_PALETTE,
                      lang: str = "en") -> str | None:
    """The client's chart as Vega-Lite JSON text, or None when no report has a value it draws."""
    kind = CLIENT_CHART_KINDS[name]
    columns = trend_columns(rows, [s.kpi for s in kind.series])
    if not any(np.isfinite(columns[s.kpi]).any() for s in kind.series):
        return None
    return _template(kind, tuple(palette), lang).replace(_ROWS, columns_json(columns), 1)


def client_charts(rows: list[PeriodRow], palette: tuple[str, ...] = DEFAULT_PALETTE,
                  lang: str = "en") -> dict[str, str | None]:
    """Every client chart of these rows (in period order: `in_period_order`)."""
    return {name: client_chart_spec(name, rows, palette, lang) for name in CLIENT_CHART_KINDS}
