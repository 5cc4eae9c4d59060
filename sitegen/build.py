"""The one orchestrator: project → data → KPIs → charts → pages → site.

Everything is gathered and rendered in memory before anything is written, and the writer swaps
the new site in only when all of it succeeded."""

from __future__ import annotations

import dataclasses
import os
import time
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, closing, contextmanager
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from sitegen import cache_store
from sitegen.alerts import report_alerts
from sitegen.assets import BUNDLE_NAME, engine_started, vega_bundle
from sitegen.cache import BuildCache, ClientPlan, PlanLater
from sitegen.chart_images import CACHE_FOLDER, cache_root, chart_svgs
from sitegen.charts import DEFAULT_PALETTE, preload, report_charts, templates
from sitegen.commentary import front_matter
from sitegen.errors import Diagnostics, SitegenError, raise_all
from sitegen.executors import LOCAL, check_executor, run_tasks
from sitegen.i18n import language, translator
from sitegen.kpis import ClientFacts, client_facts, has_data, missing_days, report_kpis
from sitegen.load import load_client_data
from sitegen.markup import render_commentary
from sitegen.pages import ASSETS, OutputFile, ReportResult, render_client, render_index, report_files
from sitegen.project import BRAND_FILES, Client, Project, discover, report_slug
from sitegen.themes import Theme, environment, resolve_theme, static_files
from sitegen.write import MARKER, Stage, clean_leftovers, write_files, write_site

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
    work: dict[str, int] = field(default_factory=lambda: defaultdict(int))  # what was done, not reused
    explain: list[str] = field(default_factory=list)  # what was built again and why (`--explain`)
    seconds: float = 0.0  # wall clock
    jobs: int = 1


@contextmanager
def _timed(timings: dict[str, float], stage: str):
    """CPU seconds of this process (a busy machine does not inflate them; waiting on I/O is not counted)."""
    start = time.process_time()
    try:
        yield
    finally:
        timings[stage] += time.process_time() - start


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


@dataclass
class Computed:
    """A report's numbers: everything on its page that does not come from its prose."""

    kpis: object  # ReportKpis
    alerts: list
    charts: dict[str, str | None]
    missing_days: list
    has_data: bool
    images: dict[str, str] = field(default_factory=dict)  # chart name -> static SVG


@dataclass
class ReportOutput:
    keys: tuple[str, str] | None  # (numbers key, page key) when a BuildCache planned this build
    computed: Computed
    files: list[OutputFile]
    untranslated: set[str] = field(default_factory=set)  # messages the page showed in English


@dataclass
class ClientOutput:
    """One client's share of the site, computed in this process or in a worker."""

    slug: str
    files: list[OutputFile] = field(default_factory=list)
    reports: int = 0
    warnings: list[str] = field(default_factory=list)
    errors: list[SitegenError] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    work: dict[str, int] = field(default_factory=lambda: defaultdict(int))  # data loads, computed, rendered
    # what a BuildCache keeps for the next build
    plan: ClientPlan | None = None
    load_warnings: list[str] = field(default_factory=list)
    currencies: set[str] = field(default_factory=set)
    data_span: tuple = (None, None)  # first and last day with data
    facts: ClientFacts | None = None  # not sent back from worker processes
    report_outputs: list[ReportOutput] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)  # why parts were built again (`--explain`)
    index: list[OutputFile] = field(default_factory=list)  # the client's index page and branding files
    index_untranslated: set[str] = field(default_factory=set)
    written: list[tuple[str, int]] | None = None  # (path, size) of the files a worker wrote itself (see Sink)
    digests: dict | None = None  # the file hashes a worker made working out the client's plan (PlanLater)


@dataclass(frozen=True)
class Sink:
    """Where a local worker writes its client's files (the stage's folder) and build cache itself, so that
    only a small summary travels back and the parent does not become the build's bottleneck."""

    folder: Path
    store: Path | None  # the project's cache folder, when the build keeps its cache


@cache
def _environment(theme: Theme, lang: str):
    """The theme's templates with the language's words and the theme's variables."""
    env = environment(theme, ("jinja2.ext.i18n",))
    words = translator(lang)
    env.install_gettext_callables(words.gettext, words.ngettext, newstyle=True)
    env.globals["theme"] = {"name": theme.name, **theme.variables}
    return env


def build_client(project: Project, client: Client, theme: Theme, plan: ClientPlan | None = None,
                 previous: ClientOutput | None = None) -> ClientOutput:
    """Load, compute and render one client's reports; no file is written here.

    With a plan and the client's previous output, only what the plan's keys say changed is redone:
    data is loaded only if some report's numbers changed, and pages whose key matches are reused."""
    out = ClientOutput(client.slug, plan=plan)
    diagnostics, t = Diagnostics(), out.timings
    lang = language(client.locale)
    env = _environment(theme, lang)
    same_data = plan is not None and previous is not None and previous.plan is not None \
        and previous.plan.data == plan.data
    by_page = {r.keys[1]: r for r in previous.report_outputs if r.keys} if same_data else {}
    by_numbers = {r.keys[0]: r.computed for r in previous.report_outputs if r.keys} if same_data else {}
    keys = plan.reports if plan else [None] * len(client.reports)
    need_numbers = [k is None or k[0] not in by_numbers for k in keys]
    if same_data:
        out.load_warnings, out.currencies, out.data_span = previous.load_warnings, previous.currencies, \
            previous.data_span
        out.facts = previous.facts
    if any(need_numbers) and out.facts is None:
        loading = Diagnostics()
        try:
            with _timed(t, "load"):
                data = load_client_data(client.data_dir, loading, client.columns, cache_root(project.root))
        except SitegenError as exc:
            out.errors.extend(getattr(exc, "errors", [exc]))
            out.warnings = loading.warnings
            return out
        with _timed(t, "kpis"):
            out.facts = client_facts(data)
        out.work["data loaded"] += 1
        out.load_warnings, out.currencies = loading.warnings, data.currencies
        f = out.facts
        out.data_span = (f.first_day.date() if f.first_day is not None else None,
                         f.last_day.date() if f.last_day is not None else None)
    for warning in out.load_warnings:
        diagnostics.warn(warning)
    client = _with_data_currency(client, out.currencies, diagnostics)
    for report, key, needed in zip(client.reports, keys, need_numbers):
        computed = _compute(out, project, client, report) if needed else by_numbers[key[0]]
        if not computed.has_data:
            diagnostics.warn(f"no data in the report period {report.period.start} to {report.period.end}",
                             report.path)
        reused = by_page.get(key[1]) if key else None
        if reused is None:
            result = ReportResult(report, report_slug(report), computed.kpis, computed.alerts, computed.charts,
                                  *out.data_span, computed.missing_days, computed.images)
            out.work["pages rendered"] += 1
            try:
                with _timed(t, "pages"), translator(lang).recording() as untranslated:
                    files = report_files(env, project, client, result)
            except SitegenError as exc:
                out.errors.append(exc)
                files = []
            reused = ReportOutput(key if files or not key else (key[0], ""), computed, files,  # no failed page reused
                                  untranslated)
        out.report_outputs.append(reused)
        out.files.extend(reused.files)
    if previous is not None and previous.plan is not None and plan is not None and previous.plan.index == plan.index:
        out.index, out.index_untranslated = previous.index, previous.index_untranslated
    else:
        with _timed(t, "pages"), translator(lang).recording() as untranslated:
            out.index = _client_index(env, project, client, out.report_outputs)
        out.index_untranslated = untranslated
        out.work["client pages rendered"] += 1
    out.files.extend(out.index)
    untranslated = set(out.index_untranslated).union(*(r.untranslated for r in out.report_outputs))
    for warning in translator(lang).warnings(untranslated):
        diagnostics.warn(warning)
    out.reports = len(client.reports)
    out.warnings = diagnostics.warnings
    return out


def _compute(out: ClientOutput, project: Project, client: Client, report) -> Computed:
    facts, t = out.facts, out.timings
    with _timed(t, "kpis"):
        kpis = report_kpis(facts, report.period, report.comparison, {**client.targets, **report.targets})
        alerts = report_alerts(facts, kpis, client.alerts, list(report.summary_kpis or project.site.summary_kpis))
    with _timed(t, "charts"):
        charts = report_charts(kpis, _palette(client), language(client.locale))
        images = chart_svgs(charts, client.locale, client.currency, cache_root(project.root)) \
            if project.site.static_charts else {}
    out.work["reports computed"] += 1
    return Computed(kpis, alerts, charts, missing_days(facts, report.period), has_data(facts, report.period), images)


def _client_index(env, project: Project, client: Client, reports: list[ReportOutput]) -> list[OutputFile]:
    results = [ReportResult(r, report_slug(r), o.computed.kpis, o.computed.alerts, o.computed.charts)
               for r, o in zip(client.reports, reports)]
    files = [OutputFile(f"{client.slug}/index.html", render_client(env, project, client, results))]
    for key, path in sorted(client.brand_files.items()):
        files.append(OutputFile(f"{client.slug}/{BRAND_FILES[key]}{path.suffix.lower()}", path.read_bytes()))
    return files


def _build_client_job(args) -> ClientOutput:
    project, client, theme, plan, templates, sink = args
    preload(templates)
    digests = None
    if isinstance(plan, PlanLater):
        plan, digests = plan.make(project, client)
    out = build_client(project, client, theme, plan)
    out.facts = None  # ~1 MB a client: not worth sending back to the parent
    if sink is not None and not out.errors:
        with _timed(out.timings, "write"):
            written = write_files(sink.folder, out.files)
            if sink.store is not None and out.work:
                cache_store.save_client(sink.store, out, sink.folder)
        # what the parent still needs: what was built and why (the cache keeps it as the client's head)
        out = dataclasses.replace(out, files=[], index=[], report_outputs=[], written=written)
    out.digests = digests
    return out


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


def _jobs(requested: int | None, clients) -> int:
    """Worker processes: one per core when there are enough reports to repay their start-up (~2 s)."""
    if requested is not None:
        return max(1, requested)
    reports = sum(len(c.reports) for c in clients)
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return min(cores, len(clients)) if reports >= PARALLEL_FROM_REPORTS else 1


def client_outputs(project: Project, theme: Theme, jobs: int | None,
                   cache: BuildCache | None = None, prune: bool = True,
                   executor: str | None = None, sink: Sink | None = None) -> Iterator[ClientOutput]:
    """Every client's output, in the project's order, built in this process or in worker processes.

    With a cache, a client whose keys all match is reused as it is, one that only needs pages
    re-rendered is done here, and the clients that need their data loaded go to the pool, whose local
    workers write their files into `sink` themselves (ClientOutput.written)."""
    if cache is None:
        yield from _outputs(project, [(c, None) for c in project.clients], theme, _jobs(jobs, project.clients),
                            executor, sink)
        return
    seen = cache.templates[0]
    templates = cache.template_keys(_environment(theme, language(project.site.locale)), theme)
    if cache.templates[0] != seen:
        # Jinja reloads a template when its mtime changes; the keys follow its bytes, which can change within
        # one mtime tick: templates compiled before are not used for pages kept under the new keys
        _environment.cache_clear()
    if prune:  # (not when only some clients are built: the others stay cached)
        cache.prune(c.slug for c in project.clients)
    fresh = {c.slug for c in project.clients if cache.clients.get(c.slug) is None}  # built whatever their keys
    plans = {c.slug: cache.plan(project, c, templates, _palette(c)) for c in project.clients if c.slug not in fresh}
    reasons = {c.slug: _reasons(c, plans.get(c.slug), cache.clients.get(c.slug)) for c in project.clients}
    loading = [c for c in project.clients if c.slug in fresh or _needs_data(plans[c.slug], cache.clients[c.slug])]
    pooling = len(loading) > 1 and (_jobs(jobs, loading) > 1 or executor not in (None, LOCAL))
    for client in project.clients:  # the pool's workers work out the keys of fresh clients themselves
        if client.slug in fresh:
            plans[client.slug] = PlanLater(templates, _palette(client)) if pooling else \
                cache.plan(project, client, templates, _palette(client))
    # the pool's outputs arrive in project order too, so each is passed on as soon as it is there
    pooled = _outputs(project, [(c, plans[c.slug]) for c in loading], theme, _jobs(jobs, loading), executor,
                      sink) if pooling else iter(())
    in_pool = {c.slug for c in loading} if pooling else set()
    for client in project.clients:
        previous = cache.clients.get(client.slug)
        if client.slug in in_pool:
            out = next(pooled)
            if out.digests:
                cache.files.known.update(out.digests)
                out.digests = None
        elif previous is not None and previous.plan == plans[client.slug] and not previous.errors:
            # nothing changed: the last output as it is (maybe only its head, if read from disk)
            out = dataclasses.replace(previous, work=defaultdict(int), timings=defaultdict(float))
        else:
            out = build_client(project, client, theme, plans[client.slug], cache.full(client.slug))
        out.reasons = reasons[client.slug]
        if not out.errors:
            cache.keep(client.slug, out)
        yield out


def _reasons(client: Client, plan: ClientPlan | None, previous: ClientOutput | None) -> list[str]:
    """Why this client's parts are built again (for `build --explain`); empty when nothing is."""
    if previous is None or previous.plan is None:
        return ["not built before (or its cache was dropped): everything"]
    old = previous.plan
    if old.data != plan.data:
        return ["its data files changed: loading them and recomputing every report"]
    lines = []
    old_reports = {page: numbers for numbers, page in old.reports}
    old_numbers = {numbers for numbers, _ in old.reports}
    for report, (numbers, page) in zip(client.reports, plan.reports):
        if page in old_reports:
            continue
        if numbers not in old_numbers:
            lines.append(f"{report.path.name}: new, or its period, comparison, targets or settings changed: "
                         "numbers recomputed, page rendered")
        else:
            lines.append(f"{report.path.name}: its text or the templates changed: page rendered from cached numbers")
    if old.index != plan.index:
        lines.append("client page: report titles, settings or templates changed: rendered")
    return lines


def _needs_data(plan: ClientPlan, previous: ClientOutput | None) -> bool:
    """Whether building this client loads its data files (the slow part, worth a worker process)."""
    if previous is None or previous.plan is None or previous.plan.data != plan.data:
        return True
    if previous.facts is not None:
        return False
    known = {r.keys[0] for r in previous.report_outputs if r.keys}
    return any(numbers not in known for numbers, _ in plan.reports)


def _outputs(project: Project, clients: list[tuple[Client, ClientPlan | None]], theme: Theme,
             jobs: int, executor: str | None = None, sink: Sink | None = None) -> Iterator[ClientOutput]:
    # each task carries the project with only its own client: all of them would make the pickling quadratic
    tasks = [(dataclasses.replace(project, clients=(client,)), client, theme, plan) for client, plan in clients]
    if (jobs <= 1 and executor in (None, LOCAL)) or len(tasks) <= 1:
        for task in tasks:
            yield build_client(*task)
        return
    made = {}  # chart templates, made here once rather than in every worker (which then never imports altair)
    for client, _plan in clients:
        made.update(templates(_palette(client), language(client.locale)))
    if executor not in (None, LOCAL):
        sink = None  # a Dask worker may be another machine: its pages come back here
    yield from run_tasks(_build_client_job, [(*task, made, sink) for task in tasks], jobs, executor,
                         initializer=_worker_init, fork_safe=not engine_started())


def build(project_dir: Path, output: Path | None = None, strict: bool = False,
          progress: Progress | None = None, jobs: int | None = None,
          cache: BuildCache | None = None, write: Callable[[list[OutputFile], Path], None] = write_site,
          clients: Sequence[str] = (), split: bool = False, use_cache: bool = True,
          executor: str | None = None) -> BuildResult:
    """Build the site; `sitegen serve` passes a cache kept between builds and its own writer.

    Without one, the cache of the last build is read from the project (unless `use_cache` is false) and
    written back. `clients` (slugs) builds only those clients; `split` one self-contained site per client."""
    started = time.perf_counter()
    check_executor(executor)
    diagnostics = Diagnostics()
    result = BuildResult(output=Path())
    t = result.timings
    # before anything can fail: a killed build's temp folders go, and its retired site is put back
    clean_leftovers((output or default_output(Path(project_dir).resolve())).absolute())
    stored = cache is None and use_cache and Path(project_dir).is_dir()
    if stored:
        cache = cache_store.load(Path(project_dir).resolve() / CACHE_FOLDER)
    built: set[str] = set()
    with _timed(t, "discover"):
        project = _selected(discover(Path(project_dir), diagnostics, *([cache.commentary.read] if cache else [])),
                            clients, split)
        result.output = check_output(project, output or default_output(project.root))
        theme = resolve_theme(project.root, project.site.theme, project.site.theme_variables)
    files: list[OutputFile] = []  # kept until the end only for a `write` other than the stage
    errors: list[SitegenError] = []
    counts: dict[str, int] = {}
    total, done = sum(len(c.reports) for c in project.clients), 0
    result.jobs = _jobs(jobs, project.clients)
    same_output = stored and cache.output_state == _output_state(result.output)
    # `sitegen build` writes each client's files as they come: memory stays flat, writing overlaps the work
    stage = Stage(result.output) if write is write_site else None
    store = project.root / CACHE_FOLDER
    sink = Sink(stage.folder, store if stored else None) if stage is not None else None
    stack = ExitStack()
    try:
        outputs = stack.enter_context(closing(  # (closed on failure: its workers stop before the stage goes)
            client_outputs(project, theme, jobs, cache, prune=not clients, executor=executor, sink=sink)))
        for out in outputs:
            linked = False
            if cache is not None and out.slug in cache.unread and not out.work:  # reused, only its head read
                if stage is not None and same_output and not errors:
                    with _timed(t, "write"):
                        linked = stage.link(cache.stamps[out.slug])
                if linked:
                    result.files += len(cache.stamps[out.slug])
                    result.bytes += sum(stamp[0] for stamp in cache.stamps[out.slug].values())
                else:
                    out = _whole(project, theme, cache, out)
            errors.extend(out.errors)
            for warning in out.warnings:
                diagnostics.warn(warning)
            for stage_name, seconds in out.timings.items():
                t[stage_name] += seconds
            for what, count in out.work.items():
                result.work[what] += count
            counts[out.slug] = out.reports
            result.explain.extend(f"{out.slug}: {reason}" for reason in out.reasons)
            if out.work:
                built.add(out.slug)
            if out.written is not None:  # a worker wrote them (and its cache)
                result.files += len(out.written)
                result.bytes += sum(size for _, size in out.written)
            elif not linked:
                _count(result, out.files)
            if stage is None:
                files.extend(out.files)
            elif not errors:
                with _timed(t, "write"):
                    if out.written is not None:
                        stage.claim([p for p, _ in out.written])
                    elif not linked:
                        stage.add(out.files, cache.unchanged(out.slug, out.files) if same_output else None)
                    # built here, or reused but written (not linked): the cache gets the new files' stamps, or the
                    # next build could not link them either
                    if stored and (out.work or not linked) and not out.errors and out.written is None:
                        cache_store.save_client(store, out, stage.folder)
                        built.add(out.slug)
                    if stored:  # written: what the rest of the build needs of it is its name
                        cache.clients[out.slug] = dataclasses.replace(out, files=[], report_outputs=[], index=[])
            done += out.reports
            if progress:
                progress("build", done, total)
        raise_all(errors)
        rest: list[OutputFile] = []
        with _timed(t, "pages"):
            if split:  # each client's folder is a whole site: its own assets, no index of all clients
                for client in project.clients:
                    rest.extend(dataclasses.replace(f, path=f"{client.slug}/{f.path}")
                                for f in _assets(project, theme))
            else:
                lang = language(project.site.locale)
                with translator(lang).recording() as untranslated:
                    page = render_index(_environment(theme, lang), project, _intro(project), counts)
                rest.append(OutputFile("index.html", page))
                for warning in translator(lang).warnings(untranslated):
                    diagnostics.warn(warning)
                rest.extend(_assets(project, theme))
        _count(result, rest)
        result.warnings = diagnostics.warnings
        if strict:
            diagnostics.check_strict()
        with _timed(t, "write"):
            if stage is None:
                write([*files, *rest], result.output)
            else:
                stage.add(rest)
                stage.commit()
                stage = None
                if stored:
                    cache.output_state = _output_state(result.output)
                    cache_store.finish(store, cache, built)
    finally:
        stack.close()
        if stage is not None:  # failed: the old site stays, and so does the cache that matches it
            stage.discard()
            if stored:
                cache_store.discard(store)
    result.clients, result.reports = len(project.clients), total
    result.seconds = time.perf_counter() - started
    return result


def _whole(project: Project, theme: Theme, cache: BuildCache, head: ClientOutput) -> ClientOutput:
    """A reused client's files, for writing them: read from the cache, or built again if that fails."""
    whole = cache.full(head.slug)
    if whole is not None:
        return dataclasses.replace(whole, work=head.work, timings=head.timings, reasons=head.reasons)
    client = next(c for c in project.clients if c.slug == head.slug)
    templates = cache.template_keys(_environment(theme, language(project.site.locale)), theme)
    out = build_client(project, client, theme, cache.plan(project, client, templates, _palette(client)))
    out.reasons = ["its cached pages could not be read: built again"]
    return out


def _count(result: BuildResult, files: list[OutputFile]) -> None:
    result.files += len(files)
    result.bytes += sum(len(f.data) for f in files)


def _output_state(output: Path) -> tuple | None:
    """What identifies the output folder a build wrote (its marker is rewritten by every build)."""
    try:
        st = (output / MARKER).stat()
    except OSError:
        return None
    return str(output), st.st_ino, st.st_mtime_ns, st.st_size


def _selected(project: Project, slugs: Sequence[str], split: bool) -> Project:
    """The project with only the named clients (all when none are named), laid out as asked."""
    if slugs:
        known = {c.slug for c in project.clients}
        unknown = [s for s in slugs if s not in known]
        if unknown:
            raise SitegenError(f"--client: unknown client {unknown[0]!r}; known clients: "
                               f"{', '.join(sorted(known)) or 'none'}", project.root / "content")
        project = dataclasses.replace(project, clients=tuple(c for c in project.clients if c.slug in slugs))
    return dataclasses.replace(project, split=split)


def _intro(project: Project):
    if not project.index_md:
        return ""
    text = project.index_md.read_text(encoding="utf-8-sig")
    _, start = front_matter(text, project.index_md)
    body = "\n".join(text.splitlines()[start:])
    return render_commentary(body, project.index_md, start + 1, {}, sanitize=project.site.sanitize_commentary)


def _assets(project: Project, theme: Theme) -> list[OutputFile]:
    files = [OutputFile(f"{ASSETS}/{rel}", path.read_bytes()) for rel, path in static_files(theme).items()]
    files.append(OutputFile(f"{ASSETS}/vendor/{BUNDLE_NAME}", vega_bundle()))
    for key, path in sorted(project.brand_files.items()):
        files.append(OutputFile(f"{ASSETS}/{BRAND_FILES[key]}{path.suffix.lower()}", path.read_bytes()))
    return files
