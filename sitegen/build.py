"""The one orchestrator: project → data → KPIs → charts → pages → site.

Everything is gathered and rendered in memory before anything is written, and the writer swaps
the new site in only when all of it succeeded."""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from sitegen.alerts import report_alerts
from sitegen.charts import DEFAULT_PALETTE, report_charts
from sitegen.commentary import front_matter
from sitegen.errors import Diagnostics, SitegenError, raise_all
from sitegen.kpis import client_facts, has_data, report_kpis
from sitegen.load import load_client_data
from sitegen.markup import render_commentary
from sitegen.pages import ASSETS, OutputFile, ReportResult, render_client, render_index, report_files
from sitegen.project import Client, Project, discover, report_slug
from sitegen.themes import environment, static_files, theme_dirs
from sitegen.assets import BUNDLE_NAME, vega_bundle
from sitegen.write import write_site

Progress = Callable[[str, int, int], None]


@dataclass
class BuildResult:
    output: Path
    clients: int = 0
    reports: int = 0
    files: int = 0
    bytes: int = 0
    warnings: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=lambda: defaultdict(float))


@contextmanager
def _timed(timings: dict[str, float], stage: str):
    start = time.perf_counter()
    try:
        yield
    finally:
        timings[stage] += time.perf_counter() - start


def default_output(project_dir: Path) -> Path:
    return project_dir / "output"


def check_output(project: Project, output: Path) -> Path:
    output = output.absolute()
    root = project.root
    if output == root or output in root.parents or output == root / "content" or \
            (root / "content") in output.parents or output == root / "themes":
        raise SitegenError("refusing to use this folder as output: it holds the project's sources", output)
    return output


def _palette(client: Client) -> tuple[str, ...]:
    b = client.branding
    return (b.primary_color or DEFAULT_PALETTE[0], b.accent_color or DEFAULT_PALETTE[1], *DEFAULT_PALETTE[2:])


def _missing_days(facts, period) -> list:
    if facts.first_day is None:
        return []
    start = max(pd.Timestamp(period.start), facts.first_day)
    end = min(pd.Timestamp(period.end), facts.last_day)
    if start > end:
        return []
    return [d.date() for d in pd.date_range(start, end, freq="D") if d not in facts.daily.index]


def build(project_dir: Path, output: Path | None = None, strict: bool = False,
          progress: Progress | None = None) -> BuildResult:
    diagnostics = Diagnostics()
    result = BuildResult(output=Path())
    t = result.timings
    with _timed(t, "discover"):
        project = discover(Path(project_dir), diagnostics)
        result.output = check_output(project, output or default_output(project.root))
        dirs = theme_dirs(project.root, project.site.theme)
        env = environment(dirs)
    files: list[OutputFile] = []
    errors: list[SitegenError] = []
    counts: dict[str, int] = {}
    total = sum(len(c.reports) for c in project.clients)
    done = 0
    for client in project.clients:
        try:
            with _timed(t, "load"):
                data = load_client_data(client.data_dir, diagnostics)
        except SitegenError as exc:
            errors.extend(getattr(exc, "errors", [exc]))
            continue
        with _timed(t, "kpis"):
            facts = client_facts(data)
        results = []
        for report in client.reports:
            slug = report_slug(report)
            with _timed(t, "kpis"):
                kpis = report_kpis(facts, report.period, report.comparison, {**client.targets, **report.targets})
                alerts = report_alerts(facts, kpis, client.alerts, list(report.summary_kpis or
                                                                        project.site.summary_kpis))
            if not has_data(facts, report.period):
                diagnostics.warn("no data in the report period "
                                 f"{report.period.start} to {report.period.end}", report.path)
            with _timed(t, "charts"):
                charts = report_charts(kpis, _palette(client))
            results.append(ReportResult(report, slug, kpis, alerts, charts,
                                        facts.first_day.date() if facts.first_day is not None else None,
                                        facts.last_day.date() if facts.last_day is not None else None,
                                        _missing_days(facts, report.period)))
        with _timed(t, "pages"):
            for r in results:
                try:
                    files.extend(report_files(env, project, client, r))
                except SitegenError as exc:
                    errors.append(exc)
                done += 1
                if progress:
                    progress("build", done, total)
            files.append(OutputFile(f"{client.slug}/index.html", render_client(env, project, client, results)))
            if client.logo:
                files.append(OutputFile(f"{client.slug}/logo{client.logo.suffix.lower()}", client.logo.read_bytes()))
        counts[client.slug] = len(results)
    raise_all(errors)
    with _timed(t, "pages"):
        files.append(OutputFile("index.html", render_index(env, project, _intro(project), counts)))
        files.extend(_assets(project, dirs))
    result.warnings = diagnostics.warnings
    if strict:
        diagnostics.check_strict()
    with _timed(t, "write"):
        write_site(files, result.output)
    result.clients, result.reports = len(project.clients), total
    result.files, result.bytes = len(files), sum(len(f.data) for f in files)
    return result


def _intro(project: Project):
    if not project.index_md:
        return ""
    text = project.index_md.read_text(encoding="utf-8-sig")
    _, start = front_matter(text, project.index_md)
    body = "\n".join(text.splitlines()[start:])
    return render_commentary(body, project.index_md, start + 1, {})


def _assets(project: Project, dirs: list[Path]) -> list[OutputFile]:
    files = [OutputFile(f"{ASSETS}/{rel}", path.read_bytes()) for rel, path in static_files(dirs).items()]
    files.append(OutputFile(f"{ASSETS}/vendor/{BUNDLE_NAME}", vega_bundle()))
    if project.site_logo:
        files.append(OutputFile(f"{ASSETS}/logo{project.site_logo.suffix.lower()}", project.site_logo.read_bytes()))
    return files
