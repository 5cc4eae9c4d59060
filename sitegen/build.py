"""The one orchestrator: project → data → KPIs → charts → pages → site.

Everything is gathered and rendered in memory before anything is written, and the writer swaps
the new site in only when all of it succeeded."""

from __future__ import annotations

import dataclasses
import hashlib
import multiprocessing
import os
import pickle
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import pandas as pd

from sitegen import __version__
from sitegen.alerts import report_alerts
from sitegen.assets import BUNDLE_NAME, vega_bundle
from sitegen.charts import DEFAULT_PALETTE, report_charts
from sitegen.commentary import front_matter
from sitegen.errors import Diagnostics, SitegenError, raise_all
from sitegen.kpis import client_facts, has_data, report_kpis
from sitegen.load import load_client_data
from sitegen.markup import render_commentary
from sitegen.pages import ASSETS, OutputFile, ReportResult, render_client, render_index, report_files
from sitegen.project import Client, Project, discover, report_slug
from sitegen.themes import environment, static_files, theme_dirs
from sitegen.write import write_site

Progress = Callable[[str, int, int], None]
PARALLEL_FROM_REPORTS = 60


@dataclass
class BuildResult:
    output: Path
    clients: int = 0
    reports: int = 0
    files: int = 0
    bytes: int = 0
    warnings: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=lambda: defaultdict(float))  # summed over workers
    seconds: float = 0.0  # wall clock
    jobs: int = 1


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


@dataclass
class ClientOutput:
    """One client's share of the site, computed in this process or in a worker."""

    slug: str
    files: list[OutputFile] = field(default_factory=list)
    reports: int = 0
    warnings: list[str] = field(default_factory=list)
    errors: list[SitegenError] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=lambda: defaultdict(float))


@cache
def _environment(dirs: tuple[Path, ...]):
    return environment(list(dirs))


def build_client(project: Project, client: Client, dirs: tuple[Path, ...]) -> ClientOutput:
    """Load, compute and render one client's reports; no file is written here."""
    out = ClientOutput(client.slug)
    diagnostics, t, env = Diagnostics(), out.timings, _environment(dirs)
    try:
        with _timed(t, "load"):
            data = load_client_data(client.data_dir, diagnostics, client.columns)
    except SitegenError as exc:
        out.errors.extend(getattr(exc, "errors", [exc]))
        out.warnings = diagnostics.warnings
        return out
    client = _with_data_currency(client, data.currencies, diagnostics)
    with _timed(t, "kpis"):
        facts = client_facts(data)
    first = facts.first_day.date() if facts.first_day is not None else None
    last = facts.last_day.date() if facts.last_day is not None else None
    results = []
    for report in client.reports:
        with _timed(t, "kpis"):
            kpis = report_kpis(facts, report.period, report.comparison, {**client.targets, **report.targets})
            alerts = report_alerts(facts, kpis, client.alerts,
                                   list(report.summary_kpis or project.site.summary_kpis))
        if not has_data(facts, report.period):
            diagnostics.warn(f"no data in the report period {report.period.start} to {report.period.end}",
                             report.path)
        with _timed(t, "charts"):
            charts = report_charts(kpis, _palette(client))
        results.append(ReportResult(report, report_slug(report), kpis, alerts, charts, first, last,
                                    _missing_days(facts, report.period)))
    with _timed(t, "pages"):
        for r in results:
            try:
                out.files.extend(report_files(env, project, client, r))
            except SitegenError as exc:
                out.errors.append(exc)
        out.files.append(OutputFile(f"{client.slug}/index.html", render_client(env, project, client, results)))
        if client.logo:
            out.files.append(OutputFile(f"{client.slug}/logo{client.logo.suffix.lower()}", client.logo.read_bytes()))
    out.reports = len(results)
    out.warnings = diagnostics.warnings
    return out


def _build_client_job(args) -> ClientOutput:
    return build_client(*args)


def _worker_init() -> None:
    """One thread per worker: the pool already keeps every core busy (pyarrow would add its own threads)."""
    import pyarrow

    pyarrow.set_cpu_count(1)


def _with_data_currency(client: Client, currencies: set[str], diagnostics: Diagnostics) -> Client:
    """Exports name their currency; it wins over the site's default, not over client.toml."""
    if len(currencies) > 1:
        diagnostics.warn(f"the data mixes currencies ({', '.join(sorted(currencies))}); amounts are added as "
                         f"they are and shown in {client.currency}", client.data_dir)
    elif currencies and client.currency not in currencies:
        (currency,) = currencies
        if not client.currency_set:
            return dataclasses.replace(client, currency=currency)
        diagnostics.warn(f"the data is in {currency} but client.toml sets currency = {client.currency!r}",
                         client.data_dir)
    return client


def _jobs(requested: int | None, project: Project) -> int:
    """Worker processes: one per core for projects large enough to repay their start-up (~2 s)."""
    if requested is not None:
        return max(1, requested)
    reports = sum(len(c.reports) for c in project.clients)
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return min(cores, len(project.clients)) if reports >= PARALLEL_FROM_REPORTS else 1


class OutputCache:
    """Each client's rendered output from earlier builds in this process (`sitegen serve`), keyed by
    a hash of the contents of everything it depends on: settings, theme files, its data, reports
    and logo. A client whose inputs did not change is not loaded, computed or rendered again."""

    def __init__(self) -> None:
        self.entries: dict[str, ClientOutput] = {}

    @staticmethod
    def key(project: Project, client: Client, dirs: list[Path]) -> str:
        digest = hashlib.sha256(pickle.dumps((__version__, project.site, project.site_logo, client)))
        paths = [p for d in dirs for p in sorted(d.rglob("*"))]
        paths += sorted(client.folder.rglob("*")) + [r.path for r in client.reports]
        paths += [p for p in (client.logo, project.site_logo) if p]
        for path in paths:
            if path.is_file():
                digest.update(str(path).encode() + b"\0" + path.read_bytes() + b"\0")
        return digest.hexdigest()


def client_outputs(project: Project, dirs: list[Path], jobs: int,
                   cache: OutputCache | None = None) -> Iterator[ClientOutput]:
    """Every client's output, in the project's order, built in this process or in `jobs` workers."""
    if cache is not None:
        keys = [OutputCache.key(project, c, dirs) for c in project.clients]
        missing = [(c, k) for c, k in zip(project.clients, keys) if k not in cache.entries]
        built = dict(zip([k for _, k in missing], _outputs(project, [c for c, _ in missing], dirs, jobs)))
        cache.entries = {k: built[k] if k in built else cache.entries[k] for k in keys}
        for k in keys:  # a reused output took no time in this build
            yield built[k] if k in built else dataclasses.replace(cache.entries[k], timings=defaultdict(float))
        return
    yield from _outputs(project, list(project.clients), dirs, jobs)


def _outputs(project: Project, clients: list[Client], dirs: list[Path], jobs: int) -> Iterator[ClientOutput]:
    tasks = [(project, client, tuple(dirs)) for client in clients]
    if jobs <= 1 or len(tasks) <= 1:
        yield from map(_build_client_job, tasks)
        return
    # spawn, not fork: a forked worker can hang on state (threads, vl-convert's engine) of the parent
    with ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("spawn"),
                             initializer=_worker_init) as pool:
        yield from pool.map(_build_client_job, tasks, chunksize=max(1, len(tasks) // (jobs * 8)))


def build(project_dir: Path, output: Path | None = None, strict: bool = False,
          progress: Progress | None = None, jobs: int | None = None,
          cache: OutputCache | None = None) -> BuildResult:
    started = time.perf_counter()
    diagnostics = Diagnostics()
    result = BuildResult(output=Path())
    t = result.timings
    with _timed(t, "discover"):
        project = discover(Path(project_dir), diagnostics)
        result.output = check_output(project, output or default_output(project.root))
        dirs = theme_dirs(project.root, project.site.theme)
    files: list[OutputFile] = []
    errors: list[SitegenError] = []
    counts: dict[str, int] = {}
    total, done = sum(len(c.reports) for c in project.clients), 0
    result.jobs = _jobs(jobs, project)
    for out in client_outputs(project, dirs, result.jobs, cache):
        files.extend(out.files)
        errors.extend(out.errors)
        for warning in out.warnings:
            diagnostics.warn(warning)
        for stage, seconds in out.timings.items():
            t[stage] += seconds
        counts[out.slug] = out.reports
        done += out.reports
        if progress:
            progress("build", done, total)
    raise_all(errors)
    with _timed(t, "pages"):
        files.append(OutputFile("index.html", render_index(_environment(tuple(dirs)), project, _intro(project),
                                                            counts)))
        files.extend(_assets(project, dirs))
    result.warnings = diagnostics.warnings
    if strict:
        diagnostics.check_strict()
    with _timed(t, "write"):
        write_site(files, result.output)
    result.clients, result.reports = len(project.clients), total
    result.files, result.bytes = len(files), sum(len(f.data) for f in files)
    result.seconds = time.perf_counter() - started
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
