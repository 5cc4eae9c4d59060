"""One client, stage by stage: load its data, compute each report's numbers (KPIs, alerts, charts and their
images), render its pages. With the client's previous output and this build's keys (`plan`), only what the keys
say changed is redone: data is loaded only if some report's numbers changed, and pages whose key matches are
reused. Nothing is written here."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import jinja2

from sitegen.build.outputs import ClientOutput, Computed, ReportOutput, timed
from sitegen.build.plan import ClientPlan, FileDigests
from sitegen.data.covered import split_message, split_ranges
from sitegen.data.files import is_data_name
from sitegen.data.load import load_client_data
from sitegen.data.source_connections import connections_kept
from sitegen.errors import Diagnostics, SitegenError
from sitegen.i18n import language, speaking, translator
from sitegen.metrics.alerts import report_alerts
from sitegen.metrics.facts import client_facts
from sitegen.metrics.kpis import has_data, missing_days
from sitegen.metrics.report import report_kpis
from sitegen.project.frontmatter import Commentary
from sitegen.project.model import BRAND_FILES, Client, Project, report_slug
from sitegen.render.chart_alerts import chart_alerts
from sitegen.render.chart_images import chart_svgs
from sitegen.render.charts import report_charts
from sitegen.render.client_charts import PeriodRow, client_charts, in_period_order
from sitegen.render.client_trends import Trends, client_trends
from sitegen.render.files import OutputFile
from sitegen.render.formatting import Formatter
from sitegen.render.pages import render_client, render_locked
from sitegen.render.palette import client_palette
from sitegen.render.private import marked_private
from sitegen.render.published import changed_files, report_figures, updated_entry
from sitegen.render.report_page import ReportResult, report_entry, report_files
from sitegen.render.sealed import seal_files
from sitegen.render.themes import Theme, page_environment
from sitegen.storage import project_cache


def build_client(project: Project, client: Client, theme: Theme, plan: ClientPlan | None = None,
                 previous: ClientOutput | None = None) -> ClientOutput:
    """Load, compute and render one client's reports (what `plan` and `previous` do not spare)."""
    out = ClientOutput(client.slug, plan=plan)
    diagnostics = Diagnostics()
    same_data = plan is not None and previous is not None and previous.plan is not None \
        and previous.plan.data == plan.data
    known = previous.report_outputs if same_data else []
    by_page = {r.keys[1]: r for r in known if r.keys}
    by_numbers = {r.keys[0]: r.computed for r in known if r.keys}
    keys = plan.reports if plan else [None] * len(client.reports)
    need_numbers = [k is None or k[0] not in by_numbers for k in keys]
    if previous is not None and client.sealing is not None:  # a page rendered again to the same bytes keeps them
        out.seals = dict(previous.seals)
        out.sealed_before = {f.path: (previous.seals[f.path], f.data) for f in previous.files
                             if f.path in previous.seals}
    if same_data:
        out.load_warnings, out.currency, out.data_span = previous.load_warnings, previous.currency, \
            previous.data_span
        out.facts, out.data_files = previous.facts, previous.data_files
    if any(need_numbers) and out.facts is None and not _load(out, project, client, plan):
        return out
    for warning in out.load_warnings:
        diagnostics.warn(warning)
    if out.currency is not None and out.currency != client.currency:  # the data's, where client.toml names none
        client = dataclasses.replace(client, currency=out.currency)
    record = client.published
    changed = changed_files(record["files"], out.data_files) if record is not None else {}
    entries = {}
    records = plan.records if plan is not None else [None] * len(client.reports)
    for report, key, needed, record_key in zip(client.reports, keys, need_numbers, records):
        computed = _compute(out, project, client, report) if needed else by_numbers[key[0]]
        if not computed.has_data:
            diagnostics.warn(f"no data in the report period {report.period.start} to {report.period.end}",
                             report.path)
        out.figures.append(report_figures(computed.kpis))
        slug = report_slug(report)
        entries[slug], _ = updated_entry(record["reports"].get(slug) if record is not None else None,
                                         out.figures[-1], record_key, changed, project.today,
                                         client.currency)
        done = by_page.get(key[1]) if key else None
        if done is None:
            done = _render_report(out, theme, project, client, report, key, computed, entries[slug])
        out.report_outputs.append(done)
        out.files.extend(done.files)
    _client_page(out, theme, project, client, previous, entries)
    lang = language(client.locale)
    untranslated = set(out.index_untranslated).union(*(r.untranslated for r in out.report_outputs))
    for warning in translator(lang).warnings(untranslated):
        diagnostics.warn(warning)
    out.reports = len(client.reports)
    out.warnings = diagnostics.warnings
    published = {f.path for f in out.files}
    out.seals = {path: value for path, value in out.seals.items() if path in published}
    out.sealed_before = {}
    return out


def _load(out: ClientOutput, project: Project, client: Client, plan: ClientPlan | None) -> bool:
    """Load the client's data into `out.facts`; False (and the errors in `out.errors`) when it has bad data."""
    loading = Diagnostics()
    try:
        with timed(out.timings, "load"), connections_kept():
            data = load_client_data(client.data_dir, loading, cache_dir=project_cache(project.root),
                                     options=client.load_options)
    except SitegenError as exc:
        out.errors.extend(getattr(exc, "errors", [exc]))
        out.warnings = loading.warnings
        return False
    with timed(out.timings, "kpis"):
        out.facts = client_facts(data)
    out.work["data loaded"] += 1
    out.load_warnings, out.currency = loading.warnings, data.currency
    out.data_files = _data_files(client, plan, {f.path: f.kind for f in data.files})
    f = out.facts
    out.data_span = (f.first_day.date() if f.first_day is not None else None,
                     f.last_day.date() if f.last_day is not None else None)
    return True


def _data_files(client: Client, plan: ClientPlan | None, kinds: dict) -> dict[str, dict]:
    """The data files by name (as in the data folder) and the sources by theirs, with their hashes or
    fingerprints (the plan's) and kinds, for the record of published figures."""
    hashes = plan.files if plan is not None else FileDigests().in_folder(client.data_dir, is_data_name)
    by_name = {path.relative_to(client.data_dir).as_posix(): kind for path, kind in kinds.items()
               if client.data_dir in path.parents}
    files = {name: {"hash": value, "kind": by_name.get(name)} for name, value in hashes or ()}
    sources = plan.sources if plan is not None else ()
    return {**files, **{name: {"hash": value, "kind": kinds.get(Path(name))} for name, value in sources}}


def _compute(out: ClientOutput, project: Project, client: Client, report: Commentary) -> Computed:
    facts, t = out.facts, out.timings
    with timed(t, "kpis"):
        kpis = report_kpis(facts, report.period, report.comparison, report.targets, client.targets,
                           client.creator_fees)
        alerts = report_alerts(facts, kpis, client.alerts, list(report.summary_kpis or project.site.summary_kpis))
    with timed(t, "charts"):
        charts = report_charts(kpis, client_palette(client), language(client.locale),
                               chart_alerts(alerts, client.locale, client.currency))
        images = chart_svgs(charts, client.locale, client.currency, project_cache(project.root)) \
            if project.site.static_charts else {}
    out.work["reports computed"] += 1
    return Computed(kpis, alerts, charts, missing_days(facts, report.period), has_data(facts, report.period), images)


def _render_report(out: ClientOutput, theme: Theme, project: Project, client: Client,
                   report: Commentary, key: tuple[str, str] | None, computed: Computed,
                   entry: dict | None) -> ReportOutput:
    split = _split_ranges(out, report)
    if split:  # a file without dates whose range the period holds only part of: no numbers to show
        out.errors.extend(split)
        return ReportOutput((key[0], "") if key else None, computed, [], set())
    result = ReportResult(report, report_slug(report), computed.kpis, computed.alerts, computed.charts,
                          *out.data_span, computed.missing_days, computed.images, entry)
    out.work["pages rendered"] += 1
    env = page_environment(theme, language(client.locale))
    try:
        with timed(out.timings, "pages"), translator(language(client.locale)).recording() as untranslated:
            files = report_files(env, project, client, result)
        files = _as_published(out, theme, project, client, files)
    except SitegenError as exc:
        out.errors.append(exc)
        files = []
    # a page that failed keeps no key: it is never reused
    return ReportOutput(key if files or not key else (key[0], ""), computed, files, untranslated)


def _as_published(out: ClientOutput, theme: Theme, project: Project, client: Client,
                  files: list[OutputFile]) -> list[OutputFile]:
    """A private client's files as published: locked pages (render.sealed) with a password, else pages marked
    private."""
    if not client.private:
        return files
    files = marked_private(files)  # a sealed page too: once opened, it is the page the browser shows
    if client.sealing is None:
        return files
    brand_files = {f"{client.site_dir}/{BRAND_FILES[key]}{path.suffix.lower()}": path.read_bytes
                   for key, path in client.brand_files.items()}
    env = page_environment(theme, language(project.site.locale))  # the agency's page: in the site's language
    with timed(out.timings, "seal"):
        sealed, seals = seal_files(client.sealing, files, brand_files,
                                   lambda path, envelope: render_locked(env, project, path, envelope),
                                   out.sealed_before)
    out.seals.update(seals)
    return sealed


def _split_ranges(out: ClientOutput, report: Commentary) -> list[SitegenError]:
    ranges = out.facts.data.ranges if out.facts is not None else []
    periods = [(report.period, "the report period")]
    if report.comparison is not None:
        periods.append((report.comparison, "the comparison period"))
    return [SitegenError(split_message(r, p.start, p.end, what), report.path)
            for p, what in periods for r in split_ranges(ranges, p.start, p.end)]


def _client_page(out: ClientOutput, theme: Theme, project: Project, client: Client,
                 previous: ClientOutput | None, entries: dict[str, dict]) -> None:
    """The client's index page and branding files, reused when their key did not change."""
    plan = out.plan
    if previous is not None and previous.plan is not None and plan is not None and previous.plan.index == plan.index:
        out.index, out.index_untranslated = previous.index, previous.index_untranslated
    else:
        with timed(out.timings, "pages"), translator(language(client.locale)).recording() as untranslated:
            env = page_environment(theme, language(client.locale))
            out.index = _client_files(env, project, client, out.report_outputs, entries)
        out.index = _as_published(out, theme, project, client, out.index)
        out.index_untranslated = untranslated
        out.work["client pages rendered"] += 1
    out.files.extend(out.index)


def _trends(env: jinja2.Environment, project: Project, client: Client, reports: list[ReportOutput]) -> Trends:
    """The client page's charts and table across its reports, from each report's computed numbers."""
    lang = language(client.locale)
    rows = in_period_order([PeriodRow(r.title, report_slug(r), r.period, o.computed.kpis, tuple(o.computed.alerts),
                                      client.report_dir(report_slug(r)))
                            for r, o in zip(client.reports, reports)])
    with speaking(lang):
        charts = client_charts(rows, client_palette(client), lang)
        images = chart_svgs(charts, client.locale, client.currency, project_cache(project.root)) \
            if project.site.static_charts else {}
        fmt = Formatter(client.locale, client.currency)
        return client_trends(env, fmt, rows, charts, images, f"{client.site_dir}/")


def _client_files(env: jinja2.Environment, project: Project, client: Client,
                  reports: list[ReportOutput], published: dict[str, dict]) -> list[OutputFile]:
    entries = [report_entry(ReportResult(r, report_slug(r), o.computed.kpis, o.computed.alerts, o.computed.charts),
                            project.site.summary_kpis) for r, o in zip(client.reports, reports)]
    trends = _trends(env, project, client, reports)
    files = [OutputFile(f"{client.site_dir}/index.html", render_client(env, project, client, entries, trends.context,
                                                                         published=published)),
             *trends.files]
    for key, path in sorted(client.brand_files.items()):
        files.append(OutputFile(f"{client.site_dir}/{BRAND_FILES[key]}{path.suffix.lower()}", path.read_bytes()))
    return files
