"""A report's page, with its kpis.json, kpis.csv and chart images: the KPI cards, highlights, sections of
charts and tables, and the commentary with its live macros, through the theme's `report.html`."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cache

import jinja2
from markupsafe import Markup, escape

from sitegen.i18n import N_, _, language, speaking
from sitegen.metrics.alerts import Alert
from sitegen.metrics.catalogue import KPIS, SECTIONS
from sitegen.metrics.figures import NO_SHOP_EXPORT, NOT_IN_DATA
from sitegen.metrics.report import ReportKpis
from sitegen.project.frontmatter import Commentary
from sitegen.project.model import Client, Project
from sitegen.render.changes import json_changes, report_note
from sitegen.render.charts import CHART_KINDS
from sitegen.render.d3_locale import d3_format_locale, d3_time_locale
from sitegen.render.exports import kpis_csv, kpis_json
from sitegen.render.files import CHART_FOLDER, OutputFile
from sitegen.render.formatting import Formatter, shown_as_zero
from sitegen.render.highlights import alert_view
from sitegen.render.macro_checks import check_chart, check_kpi, check_table
from sitegen.render.markup import render_commentary
from sitegen.render.pages import ReportEntry, brand, html_lang, render_template, site_context
from sitegen.render.partials import card_html, chart_html, gettext_html, shipped, table_html
from sitegen.render.report_columns import ReportColumns
from sitegen.render.sharing import HEADLINE_KPIS, headline, page_url, report_sharing
from sitegen.render.tables import TABLE_KINDS, RenderedTable, chart_table, render_table


@dataclass
class ReportResult:
    """What the earlier stages computed for one report."""

    commentary: Commentary
    slug: str
    kpis: ReportKpis
    alerts: list[Alert]
    charts: dict[str, str | None]
    data_first: date | None = None  # the client's first and last day with data
    data_last: date | None = None
    missing_days: list[date] = field(default_factory=list)  # days of the period inside that span without data
    images: dict[str, str] = field(default_factory=dict)  # chart name -> static SVG
    published: dict | None = None  # its entry in the record of published figures (render.published)


def report_entry(result: ReportResult, site_summary: Sequence[str] = ()) -> ReportEntry:
    """`site_summary`: the site's summary KPIs, for a report whose front matter names none."""
    summary = result.commentary.summary_kpis or tuple(site_summary)
    return ReportEntry(result.commentary.title, result.slug, result.kpis.period,
                       sum(a.severity in ("critical", "warning") for a in result.alerts),
                       tuple((k, result.kpis.values.get(k)) for k in summary[:HEADLINE_KPIS]))


def spec_json_html(spec: str) -> Markup:
    """JSON safe inside <script>: no '<', '>' or '&' that could end the element."""
    return Markup(spec.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


class PageContext:
    """Per-page state: formatting and a counter so repeated charts get unique element ids."""

    def __init__(self, env: jinja2.Environment, fmt: Formatter, kpis: ReportKpis, charts: dict[str, str | None],
                 alerts: list[Alert], images: dict[str, str] | None = None, columns: ReportColumns | None = None):
        self.env, self.fmt, self.kpis, self.charts, self.alerts = env, fmt, kpis, charts, alerts
        self.images = images or {}
        self.count = 0
        self.columns = columns or ReportColumns(kpis)  # the KPI tables' columns as lists, read once for the page
        self.cards: dict[str, dict] = {}
        self.partials: dict[str, bool] = {}

    def shipped(self, *names: str) -> bool:
        """Are these partials the default theme's, as pages.py writes them? (asked once a page)"""
        for name in names:
            known = self.partials.get(name)
            if known is None:
                known = self.partials[name] = shipped(self.env, name)
            if not known:
                return False
        return True

    def card(self, kpi: str) -> dict:
        known = self.cards.get(kpi)
        if known is None:
            known = self.cards[kpi] = self._card(kpi)
        return known

    def shown_card(self, kpi: str) -> dict:
        """A card for the page: report.html shows its `html`, when set, instead of including kpi_card.html."""
        card = self.card(kpi)
        if "html" not in card:
            card["html"] = Markup(card_html(card)) if self.shipped("partials/kpi_card.html") else None
        return card

    def _card(self, kpi: str) -> dict:
        change = self.kpis.change(kpi)
        value, previous = self.kpis.values[kpi], self.kpis.previous[kpi]
        if KPIS[kpi].unit == "percent":  # rates change in percentage points, not in percent of a percent
            change = None if value is None or previous is None else value - previous
            change_text = self.fmt.points(change)
        else:
            change_text = self.fmt.change(change)
        if change is not None and shown_as_zero(change):  # no arrow and no colour on a change shown as 0.0
            change = 0.0
        met = self.kpis.target_met(kpi)
        better = None if change is None or change == 0 else (change > 0) == KPIS[kpi].higher_is_better
        return {
            "id": kpi, "label": _(KPIS[kpi].label), "value": self.fmt.kpi(kpi, self.kpis.values[kpi]),
            "previous": self.fmt.kpi(kpi, self.kpis.previous[kpi]), "change": change_text,
            "direction": "flat" if not change else ("up" if change > 0 else "down"),
            "quality": "" if better is None else ("good" if better else "bad"),
            "target": None if kpi not in self.kpis.targets else self.fmt.kpi(kpi, self.kpis.targets[kpi]),
            "prorated": self.fmt.kpi(kpi, self.kpis.prorated[kpi]) if kpi in self.kpis.prorated else None,
            "attainment": self.fmt.percent(self.kpis.attainment(kpi), 0),
            "status": None if met is None else ("beaten" if met else "missed"),
            "reason": _why_missing(self.kpis.reasons.get(kpi)) if value is None else None,
        }

    def chart_html(self, name: str) -> Markup:
        self.count += 1
        kind = CHART_KINDS[name]
        spec = self.charts[name]
        table = chart_table(name, self.kpis, self.fmt, spec) if spec else None  # the text alternative
        chart_id, title = f"chart-{self.count}", _(kind.title)
        image = f"{CHART_FOLDER}/{name}.svg" if name in self.images else None
        spec_html = spec_json_html(spec) if spec else None
        summary = _("Data table") if table else None
        if self.shipped("partials/chart.html", "partials/table.html"):
            return Markup(chart_html(chart_id, title, image, spec_html, table, summary, name))
        return Markup(self.env.get_template("partials/chart.html").render(
            id=chart_id, name=name, title=title, image=image, spec=spec_html,
            data=dict(_table_fields(table), summary=summary) if table else None))

    def table_html(self, name: str, limit: int | None = None) -> Markup:
        if name == "alerts":
            shown = self.alerts if limit is None else self.alerts[:limit]
            alerts = [alert_view(a, self.fmt) for a in shown]
            return Markup(self.env.get_template("partials/alerts.html").render(alerts=alerts))
        table = render_table(name, self.kpis, self.fmt, limit, self.columns)
        if self.shipped("partials/table.html"):
            return Markup(table_html(table))
        return Markup(self.env.get_template("partials/table.html").render(table=table))

    def macros(self) -> dict:
        def kpi(name):
            check_kpi(name)
            return str(escape(self.fmt.kpi(name, self.kpis.values[name])))

        def delta(name):
            check_kpi(name)
            card = self.card(name)
            return f'<span class="delta {card["direction"]} {card["quality"]}">{escape(card["change"])}</span>'

        def chart(name):
            check_chart(name)
            return str(self.chart_html(name))

        def table(name, limit=None):
            check_table(name, limit)
            return str(self.table_html(name, limit))

        return {"kpi": kpi, "delta": delta, "chart": chart, "table": table}


def _table_fields(table: RenderedTable) -> dict:
    return {"name": table.name, "title": table.title, "headers": table.headers, "rows": table.rows,
            "total_rows": table.total_rows, "key": table.key}


def render_report(env: jinja2.Environment, project: Project, client: Client, result: ReportResult,
                  columns: ReportColumns | None = None) -> bytes:
    with speaking(language(client.locale)):
        fmt = Formatter(client.locale, client.currency)
        page = PageContext(env, fmt, result.kpis, result.charts, result.alerts, result.images, columns)
        root = "../" if project.split else "../../"
        c = result.commentary
        macros = page.macros()
        sanitize = project.site.sanitize_commentary
        lead = render_commentary(c.lead, c.path, c.lead_line, macros, sanitize=sanitize)
        body = render_commentary(c.body, c.path, c.body_line, macros, sanitize=sanitize)
        sections = []
        for section in c.sections or tuple(project.site.sections):
            if section == "summary":
                continue
            sections.append({
                "id": section, "title": _(SECTIONS[section]),
                "cards": [page.shown_card(k) for k in KPIS if KPIS[k].section == section and _shown(k, page.kpis)],
                "charts": [page.chart_html(n) for n, k in CHART_KINDS.items() if k.section == section],
                "tables": [page.table_html(n) for n, t in TABLE_KINDS.items() if t.section == section],
            })
        summary_kpis = c.summary_kpis or tuple(project.site.summary_kpis)
        highlights = [alert_view(a, fmt) for a in result.alerts]
        kpis = result.kpis
        period = f"{fmt.date(kpis.period.start)} – {fmt.date(kpis.period.end)}"
        context = {
            "site": site_context(project), "brand": brand(project, client, root), "root": root,
            "split": project.split or client.private,
            "lang": html_lang(client.locale), "client": {"name": client.name, "slug": client.slug},
            "page": report_sharing(project.site.title, client.name, c.title, period, headline(fmt, [
                (k, kpis.values.get(k)) for k in summary_kpis]),
                page_url(project.site.base_url, f"{client.site_dir}/{client.report_dir(result.slug)}/index.html",
                         project.split)),
            "report": {"title": c.title, "slug": result.slug, "period": period,
                       "comparison": (f"{fmt.date(kpis.comparison.start)} – {fmt.date(kpis.comparison.end)}"
                                      if kpis.comparison else None)},
            "show_summary": "summary" in (c.sections or project.site.sections),
            "cards": [page.shown_card(k) for k in summary_kpis],
            "highlights": highlights,
            "lead": lead, "body": body, "sections": sections,
            "coverage": {"first": fmt.date(result.data_first) if result.data_first else None,
                         "last": fmt.date(result.data_last) if result.data_last else None,
                         "missing": [fmt.date(d) for d in result.missing_days]},
            "fx": _fx_statement(fmt, kpis),
            "changes_note": report_note(fmt, result.published),
            "has_charts": page.count > 0,
            "chart_locale": chart_locale(client.locale, client.currency),
        }
        return render_template(env, "report.html", context, c.path)


@cache
def chart_locale(locale: str, currency: str) -> Markup:
    """The d3 number and time locale of the report's charts, and report.js's messages, as JSON for a <script>."""
    with speaking(language(locale)):
        messages = {"chartError": _("This chart could not be drawn: {error}")}
    return spec_json_html(json.dumps({"format": d3_format_locale(locale, currency), "time": d3_time_locale(locale),
                                      "messages": messages}, ensure_ascii=False, sort_keys=True))


def report_files(env: jinja2.Environment, project: Project, client: Client, result: ReportResult) -> list[OutputFile]:
    base = f"{client.site_dir}/{client.report_dir(result.slug)}/"
    columns = ReportColumns(result.kpis)  # the KPI tables' columns, read once for the page and kpis.json
    return [
        OutputFile(base + "index.html", render_report(env, project, client, result, columns)),
        OutputFile(base + "kpis.json", kpis_json(client.name, client.slug, result.commentary.title, client.currency,
                                                 result.kpis, columns, json_changes(result.published))),
        OutputFile(base + "kpis.csv", kpis_csv(result.kpis, language(client.locale))),
        *(OutputFile(f"{base}{CHART_FOLDER}/{name}.svg", svg.encode("utf-8"))
          for name, svg in sorted(result.images.items())),
    ]


def _fx_statement(fmt: Formatter, kpis: ReportKpis) -> Markup | None:
    """The exchange rates that converted the report's amounts, as one sentence (None: none did)."""
    if not kpis.fx:
        return None
    rates = "; ".join(gettext_html(N_("1 %(base)s = %(rate)s %(currency)s (rate of %(day)s)"), base=r.base,
                                   rate=fmt.exact(r.rate), currency=r.currency, day=fmt.date(r.day)) for r in kpis.fx)
    return Markup(gettext_html(N_("Amounts in other currencies converted into %(currency)s at %(rates)s."),
                               currency=fmt.currency, rates=Markup(rates)))


# the reasons for an n/a a card shows
_REASONS = {NOT_IN_DATA: N_("not in your data"), NO_SHOP_EXPORT: N_("needs a shop's order export")}


def _why_missing(reason: str | None) -> str | None:
    """The short reason shown under an n/a value: only for a figure the data lacks (a zero denominator's n/a
    needs no words)."""
    return _(_REASONS[reason]) if reason in _REASONS else None


def _shown(kpi: str, kpis: ReportKpis) -> bool:
    """Whether a section shows the KPI's card: not a shop total for a client without a shop's order export."""
    return kpis.reasons.get(kpi) != NO_SHOP_EXPORT
