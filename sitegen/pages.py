"""Stage 5: render every page of the site through the theme's Jinja templates.

Produces the site as a list of (relative path, bytes); nothing here touches the output folder.
Every value that comes from data or config reaches HTML through Jinja's autoescaping.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import jinja2
from markupsafe import Markup, escape

from sitegen import __version__
from sitegen.alerts import Alert
from sitegen.catalogue import KPIS, SECTIONS
from sitegen.charts import CHART_KINDS
from sitegen.commentary import Commentary
from sitegen.errors import SitegenError
from sitegen.exports import kpis_csv, kpis_json
from sitegen.formatting import Formatter
from sitegen.i18n import N_, _, d3_format_locale, d3_time_locale, language, speaking
from sitegen.kpis import ReportKpis
from sitegen.markup import MacroError, render_commentary
from sitegen.project import BRAND_FILES, Client, Project
from sitegen.tables import (
    TABLE_KINDS,
    RenderedTable,
    ReportColumns,
    chart_table,
    gettext_html,
    html_text,
    render_table,
    table_html,
)
from sitegen.themes import builtin_themes

ASSETS = "assets"
CHART_FOLDER = "charts"  # a report's static chart images, beside its page
# the templates each kind of page is rendered from by name; what they include is found from their source
PAGE_TEMPLATES = {
    "report": ("report.html", "partials/chart.html", "partials/alerts.html", "partials/table.html"),
    "client": ("client.html",),
    "index": ("index.html",),
}


@dataclass
class OutputFile:
    path: str  # relative, POSIX
    data: bytes


@dataclass
class ReportResult:
    """What the earlier stages computed for one report."""

    commentary: Commentary
    slug: str
    kpis: ReportKpis
    alerts: list[Alert]
    charts: dict[str, str | None]
    data_first: object = None  # date of the client's first and last data row
    data_last: object = None
    missing_days: list = field(default_factory=list)
    images: dict[str, str] = field(default_factory=dict)  # chart name -> static SVG


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
                known = self.partials[name] = _shipped(self.env, name)
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
            card["html"] = Markup(_card_partial(card)) if self.shipped("partials/kpi_card.html") else None
        return card

    def _card(self, kpi: str) -> dict:
        change = self.kpis.change(kpi)
        value, previous = self.kpis.values[kpi], self.kpis.previous[kpi]
        if KPIS[kpi].unit == "percent":  # rates change in percentage points, not in percent of a percent
            change = None if value is None or previous is None else value - previous
            change_text = self.fmt.points(change)
        else:
            change_text = self.fmt.change(change)
        met = self.kpis.target_met(kpi)
        better = None if change is None or change == 0 else (change > 0) == KPIS[kpi].higher_is_better
        return {
            "id": kpi, "label": _(KPIS[kpi].label), "value": self.fmt.kpi(kpi, self.kpis.values[kpi]),
            "previous": self.fmt.kpi(kpi, self.kpis.previous[kpi]), "change": change_text,
            "direction": "flat" if not change else ("up" if change > 0 else "down"),
            "quality": "" if better is None else ("good" if better else "bad"),
            "target": None if kpi not in self.kpis.targets else self.fmt.kpi(kpi, self.kpis.targets[kpi]),
            "attainment": self.fmt.percent(self.kpis.attainment(kpi), 0),
            "status": None if met is None else ("beaten" if met else "missed"),
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
            return Markup(_chart_partial(chart_id, title, image, spec_html, table, summary))
        return Markup(self.env.get_template("partials/chart.html").render(
            id=chart_id, name=name, title=title, image=image, spec=spec_html,
            data=dict(_table_fields(table), summary=summary) if table else None))

    def table_html(self, name: str, limit: int | None = None) -> Markup:
        if name == "alerts":
            shown = self.alerts if limit is None else self.alerts[:limit]
            alerts = [alert_view(a, self.fmt) for a in shown]
            if self.shipped("partials/alerts.html"):
                return Markup(_alerts_partial(alerts))
            return Markup(self.env.get_template("partials/alerts.html").render(alerts=alerts))
        table = render_table(name, self.kpis, self.fmt, limit, self.columns)
        if self.shipped("partials/table.html"):
            return Markup(table_html(table))
        return Markup(self.env.get_template("partials/table.html").render(table=table))

    def macros(self) -> dict:
        def kpi(name):
            _known(name, KPIS, "KPI")
            return str(escape(self.fmt.kpi(name, self.kpis.values[name])))

        def delta(name):
            _known(name, KPIS, "KPI")
            card = self.card(name)
            return f'<span class="delta {card["direction"]} {card["quality"]}">{escape(card["change"])}</span>'

        def chart(name):
            _known(name, CHART_KINDS, "chart")
            return str(self.chart_html(name))

        def table(name, limit=None):
            _known(name, {**TABLE_KINDS, "alerts": None}, "table")
            if limit is not None and (not isinstance(limit, int) or limit < 1):
                raise MacroError(f"table limit must be a whole number >= 1, got {limit!r}")
            return str(self.table_html(name, limit))

        return {"kpi": kpi, "delta": delta, "chart": chart, "table": table}


def _known(name, known, what: str) -> None:
    if name not in known:
        raise MacroError(f"unknown {what} {name!r}; known: {', '.join(sorted(known))}")


_SHIPPED = builtin_themes() / "default" / "templates"
# the default theme's partials that pages.py writes itself, by the SHA-256 of the file it writes the same
# bytes as; a changed file (or a theme's own) is rendered by Jinja (tests/test_tables.py checks these)
WRITTEN_PARTIALS = {
    "partials/alerts.html": "1796f3149ff41ab9339e913e8e0f0720082f99b6381e99eabe80d042c164e4c5",
    "partials/chart.html": "436cbfb8379ab094cc074040cb8ef3a3518af655473cc877881c4b96ba13bfab",
    "partials/kpi_card.html": "03bce21c1c715e8d23b30157050cc911b491c1f42abaa471c049e90ac51a45bc",
    "partials/table.html": "4bfa1f15c5ecc6b7f19b747973d56d0c5379e49b63151c80e053bd04c9c6281e",
}
_checked: dict[tuple[int, str], tuple] = {}  # (id of env, name) -> (env, is it shipped, uptodate)


def _shipped(env: jinja2.Environment, name: str) -> bool:
    """Is the theme's template `name` the default theme's own file as pages.py knows it? Then its HTML is
    written directly, not rendered by Jinja. The file is the one Jinja's loader finds (a theme's own partial,
    or an edited one, is always Jinja's), looked up again whenever it changes, and never compiled here."""
    known = _checked.get((id(env), name))
    if known is not None and known[0] is env and (known[2] is None or known[2]()):
        return known[1]
    try:
        source, filename, uptodate = env.loader.get_source(env, name)
    except jinja2.TemplateNotFound:
        return False  # Jinja says so when it renders it
    shipped = filename is not None and os.path.normpath(filename) == os.path.normpath(_SHIPPED / name) and \
        hashlib.sha256(source.encode("utf-8")).hexdigest() == WRITTEN_PARTIALS[name]
    _checked[(id(env), name)] = (env, shipped, uptodate)
    return shipped


def _table_fields(table: RenderedTable) -> dict:
    return {"name": table.name, "title": table.title, "headers": table.headers, "rows": table.rows,
            "total_rows": table.total_rows}


def _chart_partial(chart_id: str, title: str, image: str | None, spec: Markup | None,
                   table: RenderedTable | None, summary: str | None) -> str:
    """partials/chart.html of the default theme."""
    chart_id, title = escape(chart_id), escape(title)
    if not spec:
        empty = gettext_html("%(title)s: no data in this period.", title=title)
        return f'<figure class="chart" id="{chart_id}">\n  <p class="chart-empty muted">{empty}</p>\n</figure>\n'
    out = [f'<figure class="chart" id="{chart_id}">\n'
           f'  <figcaption class="visually-hidden" id="{chart_id}-title">{title}</figcaption>\n'
           f'  <div class="chart-view" role="img" aria-label="{title}" aria-labelledby="{chart_id}-title" '
           f'data-spec="{chart_id}-spec"></div>\n'
           f'  <script type="application/json" id="{chart_id}-spec">{escape(spec)}</script>\n']
    if image:
        image = escape(image)
        out.append(f'  <img class="chart-static" src="{image}" alt="{title}" loading="lazy">\n'
                   f'  <noscript><img class="chart-noscript" src="{image}" alt="{title}"></noscript>\n')
    else:
        out.append(f'  <noscript><p class="muted">{gettext_html("Charts need JavaScript.")}</p></noscript>\n')
    if table:
        out.append(f'  <details class="chart-data"><summary>{escape(summary)}</summary>{table_html(table)}'
                   '</details>\n')
    out.append("</figure>\n")
    return "".join(out)


def _card_partial(card: dict) -> str:
    """partials/kpi_card.html of the default theme."""
    status = card["status"]
    out = [f'<div class="card kpi-{html_text(card["id"])}{f" target-{html_text(status)}" if status else ""}">\n'
           f'  <div class="card-label">{html_text(card["label"])}</div>\n'
           f'  <div class="card-value">{html_text(card["value"])}</div>\n'
           f'  <div class="card-change delta {html_text(card["direction"])} {html_text(card["quality"])}" '
           f'title="{gettext_html("Previous period: %(value)s", value=card["previous"])}">'
           f'{html_text(card["change"])}</div>\n']
    if card["target"]:
        target = gettext_html("Target %(target)s · %(attainment)s", target=card["target"],
                              attainment=card["attainment"])
        out.append(f'<div class="card-target">{target}')
        if status == "beaten":
            out.append(f' <span class="badge beaten">{gettext_html("beaten")}</span>')
        elif status == "missed":
            out.append(f' <span class="badge missed">{gettext_html("missed")}</span>')
        out.append("</div>")
    out.append("</div>\n")
    return "".join(out)


def _alerts_partial(alerts: list[dict]) -> str:
    """partials/alerts.html of the default theme."""
    out = ['<ul class="alerts">\n']
    for alert in alerts:
        out.append(f'  <li class="alert {html_text(alert["severity"])} alert-{html_text(alert["kind"])}">'
                   f'{html_text(alert["text"])}</li>\n')
    if not alerts:
        out.append(f'  <li class="alert info">{gettext_html("Nothing unusual in this period.")}</li>\n')
    out.append("</ul>\n")
    return "".join(out)


METRIC_NAMES = {"likes": N_("likes"), "new_followers": N_("new followers")}  # subjects of spike alerts
ALERT_TEXT = {
    "crisis": N_("Possible crisis: {value} negative comments ({subject}){detail}"),
    "spike": N_("Spike in {subject} on {day}: {value} vs. a usual {baseline}{detail}"),
    "suspicious_likes": N_("Suspicious likes on {day}: like rate {value} vs. a usual {baseline} "
                           "while views stayed normal"),
    "target_missed": N_("Target missed: {subject} {value} (target {baseline})"),
    "target_beaten": N_("Target beaten: {subject} {value} (target {baseline})"),
    "large_change": N_("Large change: {subject} {value} (previous period {baseline})"),
    "viral_not_converting": N_("Likes without sales: campaign {subject} converts {value} per 1k likes "
                            "(client norm {baseline})"),
}


def alert_view(alert: Alert, fmt: Formatter) -> dict:
    if alert.subject in KPIS:
        subject, value, baseline = (_(KPIS[alert.subject].label), fmt.kpi(alert.subject, alert.value),
                                    fmt.kpi(alert.subject, alert.baseline))
    elif alert.kind in ("suspicious_likes",):
        subject, value, baseline = _("like rate"), fmt.percent(alert.value, 1), fmt.percent(alert.baseline, 1)
    elif alert.kind == "viral_not_converting":
        subject, value, baseline = alert.subject, fmt.number(alert.value, 1), fmt.number(alert.baseline, 1)
    elif alert.kind == "crisis" and alert.day is None:
        subject, value, baseline = alert.subject, fmt.percent(alert.value, 1), ""
        return {"severity": alert.severity, "kind": alert.kind,
                "text": _("Possible crisis on video {subject}: {value} negative comments per like").format(
                    subject=subject, value=value)}
    else:
        subject = _(METRIC_NAMES[alert.subject]) if alert.subject in METRIC_NAMES else alert.subject.replace("_", " ")
        value, baseline = fmt.number(alert.value), fmt.number(alert.baseline)
    if alert.kind == "crisis":
        subject = fmt.date(alert.day)
    detail = f" — {alert.detail}" if alert.detail else ""
    text = _(ALERT_TEXT[alert.kind]).format(subject=subject, value=value, baseline=baseline, detail=detail,
                                         day=fmt.date(alert.day) if alert.day else "")
    return {"severity": alert.severity, "kind": alert.kind, "text": text}


def _brand(project: Project, client: Client | None, root: str) -> dict:
    """Branding for a page `root` below the site's root: a client's own files win over the site's."""
    branding = client.branding if client else project.site.branding
    urls = {}
    client_folder = root if project.split else f"{root}{client.slug}/" if client else ""
    for key, name in BRAND_FILES.items():
        if client and key in client.brand_files:
            urls[key] = f"{client_folder}{name}{client.brand_files[key].suffix.lower()}"
        elif key in project.brand_files:
            urls[key] = f"{root}{ASSETS}/{name}{project.brand_files[key].suffix.lower()}"
    font = branding.font
    if "font_file" in urls:
        font = '"Brand", ' + (font or "system-ui, sans-serif")
    return {"agency": branding.agency, "primary": branding.primary_color or "#0f766e",
            "accent": branding.accent_color or "#f97316", "font": font, "logo": urls.get("logo"),
            "favicon": urls.get("favicon"), "font_url": urls.get("font_file"), "footer": branding.footer}


def _site(project: Project) -> dict:
    return {"title": project.site.title, "version": __version__}


def _lang(locale: str) -> str:
    return locale.replace("_", "-")


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
                "cards": [page.shown_card(k) for k in KPIS if KPIS[k].section == section],
                "charts": [page.chart_html(n) for n, k in CHART_KINDS.items() if k.section == section],
                "tables": [page.table_html(n) for n, t in TABLE_KINDS.items() if t.section == section],
            })
        summary_kpis = c.summary_kpis or tuple(project.site.summary_kpis)
        highlights = [alert_view(a, fmt) for a in result.alerts]
        kpis = result.kpis
        context = {
            "site": _site(project), "brand": _brand(project, client, root), "root": root, "split": project.split,
            "lang": _lang(client.locale), "client": {"name": client.name, "slug": client.slug},
            "report": {"title": c.title, "slug": result.slug,
                       "period": f"{fmt.date(kpis.period.start)} – {fmt.date(kpis.period.end)}",
                       "comparison": (f"{fmt.date(kpis.comparison.start)} – {fmt.date(kpis.comparison.end)}"
                                      if kpis.comparison else None)},
            "show_summary": "summary" in (c.sections or project.site.sections),
            "cards": [page.shown_card(k) for k in summary_kpis],
            "highlights": highlights,
            # report.html shows this instead of including partials/alerts.html when it is set
            "highlights_html": Markup(_alerts_partial(highlights)) if highlights and
            page.shipped("partials/alerts.html") else None,
            "lead": lead, "body": body, "sections": sections,
            "coverage": {"first": fmt.date(result.data_first) if result.data_first else None,
                         "last": fmt.date(result.data_last) if result.data_last else None,
                         "missing": [fmt.date(d) for d in result.missing_days]},
            "has_charts": page.count > 0,
            "chart_locale": _chart_locale(client.locale, client.currency),
        }
        return _render(env, "report.html", context, c.path)


@cache
def _chart_locale(locale: str, currency: str) -> Markup:
    """The d3 number and time locale of the report's charts, as JSON for a <script>."""
    return spec_json_html(json.dumps({"format": d3_format_locale(locale, currency), "time": d3_time_locale(locale)},
                                     ensure_ascii=False, sort_keys=True))


def _render(env: jinja2.Environment, template: str, context: dict, source: Path | None = None) -> bytes:
    try:
        return env.get_template(template).render(context).encode("utf-8")
    except jinja2.TemplateSyntaxError as exc:
        raise SitegenError(f"template syntax error: {exc.message}", exc.filename or template, exc.lineno) from None
    except jinja2.TemplateError as exc:
        raise SitegenError(f"template error while rendering {source or template}: {exc}", template) from None


def render_client(env: jinja2.Environment, project: Project, client: Client,
                  results: list[ReportResult]) -> bytes:
    with speaking(language(client.locale)):
        fmt = Formatter(client.locale, client.currency)
        reports = [{"title": r.commentary.title, "url": f"{r.slug}/index.html",
                    "period": f"{fmt.date(r.kpis.period.start)} – {fmt.date(r.kpis.period.end)}",
                    "alerts": sum(a.severity in ("critical", "warning") for a in r.alerts)} for r in results]
        root = "" if project.split else "../"
        context = {"site": _site(project), "brand": _brand(project, client, root), "root": root,
                   "split": project.split,
                   "lang": _lang(client.locale), "client": {"name": client.name, "slug": client.slug},
                   "reports": reports}
        return _render(env, "client.html", context)


def render_index(env: jinja2.Environment, project: Project, intro: Markup, report_counts: dict[str, int]) -> bytes:
    with speaking(language(project.site.locale)):
        clients = [{"name": c.name, "url": f"{c.slug}/index.html", "reports": report_counts.get(c.slug, 0)}
                   for c in sorted(project.clients, key=lambda c: (c.name.casefold(), c.slug))]
        context = {"site": _site(project), "brand": _brand(project, None, ""), "root": "", "split": False,
                   "lang": _lang(project.site.locale), "clients": clients, "intro": intro}
        return _render(env, "index.html", context)


def report_files(env: jinja2.Environment, project: Project, client: Client, result: ReportResult) -> list[OutputFile]:
    base = f"{client.slug}/{result.slug}/"
    columns = ReportColumns(result.kpis)  # the KPI tables' columns, read once for the page and kpis.json
    return [
        OutputFile(base + "index.html", render_report(env, project, client, result, columns)),
        OutputFile(base + "kpis.json", kpis_json(client.name, client.slug, result.commentary.title, client.currency,
                                                 result.kpis, columns)),
        OutputFile(base + "kpis.csv", kpis_csv(result.kpis)),
        *(OutputFile(f"{base}{CHART_FOLDER}/{name}.svg", svg.encode("utf-8"))
          for name, svg in sorted(result.images.items())),
    ]
