"""`build()`: the one orchestrator, in phases (MkDocs' `build()` is the model).

1. plan: read the project (settings, clients, reports), its theme and the build cache of the last build;
2. build clients: every client's output, reused from the cache, or made here or in worker processes;
3. place files: each client's files go to the writer as they come (a local worker has placed its own);
4. site pages: the index of all clients, and the assets;
5. commit: the writer publishes the new site in one step, and the build cache is kept for the next build.

Nothing is published before the commit: a failed build leaves the previous site as it was.
"""

from __future__ import annotations

import dataclasses
import os
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path

from markupsafe import Markup

from sitegen.build import cache_disk
from sitegen.build.cache import BuildCache
from sitegen.build.executors import check_executor
from sitegen.build.lock import output_lock
from sitegen.build.outputs import ClientOutput, Sink, timed
from sitegen.build.publish import record_file, with_records
from sitegen.build.schedule import client_outputs, whole, workers_for
from sitegen.build.stage import Stage, clean_leftovers, write_failure
from sitegen.build.writer import SiteWriter, output_state
from sitegen.data.source_connections import connections_kept
from sitegen.errors import Diagnostics, SitegenError, raise_all
from sitegen.i18n import language, translator
from sitegen.project.discover import discover
from sitegen.project.model import BRAND_FILES, Client, Project
from sitegen.project.private_clients import with_privacy
from sitegen.render.assets import BUNDLE_NAME, vega_bundle
from sitegen.render.files import ASSETS, OutputFile
from sitegen.render.intro import intro_source
from sitegen.render.markup import render_commentary
from sitegen.render.pages import render_index
from sitegen.render.private import ROBOTS_TXT, marked_private, private_page
from sitegen.render.themes import Theme, page_environment, resolve_theme, static_files
from sitegen.storage import build_cache, write_atomic

Progress = Callable[[str, int, int], None]  # (stage, reports done, reports in all)


@dataclass(frozen=True)
class BuildOptions:
    """How to build: the options of `sitegen build`."""

    output: Path | None = None  # where the site goes (default: PROJECT/output)
    strict: bool = False  # warnings are errors
    jobs: int | None = None  # worker processes (default: one per core for larger projects)
    clients: Sequence[str] = ()  # build only these clients (slugs), with an index of them only
    split: bool = False  # one self-contained site per client, in OUTPUT/<client>/
    use_cache: bool = True  # read the project's build cache and keep it for the next build
    executor: str | None = None  # where per-client work runs (see executors)
    wait: bool = False  # another build of the same output running: wait for it (else fail at once)
    privacy: bool = True  # build private clients as private (the live preview builds everyone in the clear)
    agency_index: Path | None = None  # with private clients: where the index of all clients goes (see agency_path)


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
    changes: list[str] = field(default_factory=list)  # published figures that changed (`--explain`)
    seconds: float = 0.0  # wall clock
    jobs: int = 1
    inputs: frozenset[Path] = frozenset()  # files the settings name (logos, fonts): `sitegen serve` watches them
    agency_index: Path | None = None  # the index of all clients, written outside the site (private clients)
    private: bool = False  # some client's pages were built private


@dataclass
class _Run:
    """One build's state, handed from phase to phase."""

    project: Project
    theme: Theme
    options: BuildOptions
    result: BuildResult
    writer: SiteWriter
    cache: BuildCache | None
    store: Path | None  # where the build cache is kept for the next build (None: it is not)
    same_output: bool  # the output is the site the cache describes: its files may be linked, not written
    diagnostics: Diagnostics
    errors: list[SitegenError] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)  # reports per client, for the index page
    built: set[str] = field(default_factory=set)  # clients whose cache was saved anew
    site_files: list[OutputFile] = field(default_factory=list)
    committed: bool = False
    clients: dict[str, Client] = field(default_factory=dict)  # by slug


def build(project_dir: Path, options: BuildOptions = BuildOptions(), *, progress: Progress | None = None,
          cache: BuildCache | None = None, writer: SiteWriter | None = None) -> BuildResult:
    """Build the site of `project_dir`. `sitegen serve` passes the cache it keeps between builds and its own
    writer; without them the last build's cache is read from the project (unless `options.use_cache` is false)
    and kept for the next one, and the site is staged beside the output (`stage.Stage`)."""
    output = (options.output or default_output(Path(project_dir).resolve())).absolute()
    try:
        # (a database file's connection is kept for the build: every client's sources are asked for their
        # fingerprints, and read)
        if writer is not None:  # `sitegen serve`'s own writer: not the output folder's staging
            with connections_kept():
                return _build(project_dir, options, progress, cache, writer)
        with output_lock(output, options.wait), connections_kept():
            return _build(project_dir, options, progress, cache, writer)
    except OSError as exc:  # a full disk, a read-only or protected folder: one line (the old site stays)
        raise write_failure(exc, output) from None


def _build(project_dir: Path, options: BuildOptions, progress: Progress | None, cache: BuildCache | None,
           writer: SiteWriter | None) -> BuildResult:
    started = time.perf_counter()
    check_executor(options.executor)
    run = _plan(Path(project_dir), options, cache, writer)
    done, total = 0, sum(len(c.reports) for c in run.project.clients)
    try:
        sink = Sink(run.writer.folder, run.store) if run.writer.folder is not None else None
        outputs = client_outputs(run.project, run.theme, options.jobs, run.cache, prune=not options.clients,
                                 executor=options.executor, sink=sink)
        with closing(outputs):  # (closed on failure: its workers stop before the stage goes)
            for out in outputs:
                _place(run, out)
                done += out.reports
                if progress:
                    progress("build", done, total)
        raise_all(run.errors)
        _site_pages(run)
        _commit(run)
    finally:
        if not run.committed:  # the old site stays, and so does the cache that describes it
            run.writer.discard()
            if run.store is not None:
                cache_disk.discard(run.store)
    run.result.clients, run.result.reports = len(run.project.clients), total
    run.result.seconds = time.perf_counter() - started
    return run.result


def _plan(project_dir: Path, options: BuildOptions, cache: BuildCache | None, writer: SiteWriter | None) -> _Run:
    """Phase 1: the project, its theme, the cache of the last build and the writer of this one."""
    diagnostics = Diagnostics()
    result = BuildResult(output=Path())
    # before anything can fail: a killed build's temporary folders go, and its retired site is put back
    clean_leftovers((options.output or default_output(project_dir.resolve())).absolute())
    store = build_cache(project_dir.resolve()) if cache is None and options.use_cache and project_dir.is_dir() \
        else None
    if store is not None:
        cache = cache_disk.load(store)
    with timed(result.timings, "discover"):
        project = discover(project_dir, diagnostics, *([cache.commentary.read] if cache else []))
        # a site with a private client, even one not built now, names none of them on its index
        private = options.privacy and any(c.privacy != "none" for c in project.clients)
        project = dataclasses.replace(_selected(project, options.clients, options.split), private=private)
        result.output = check_output(project, options.output or default_output(project.root))
        project = with_privacy(project, result.output, diagnostics, options.privacy)
        result.private = project.private
        if result.private:  # refused before anything is built or published
            result.agency_index = agency_path(result.output, options.agency_index)
        project = with_records(project, result.output, diagnostics)  # what the output published
        result.inputs = project.named_files
        theme = resolve_theme(project.root, project.site.theme, project.site.theme_variables)
    result.jobs = workers_for(options.jobs, project.clients)
    same_output = store is not None and cache.output_state == output_state(result.output)
    return _Run(project, theme, options, result, writer or Stage(result.output), cache, store, same_output,
                diagnostics, clients={c.slug: c for c in project.clients})


def _place(run: _Run, out: ClientOutput) -> None:
    """Phases 2 and 3, for one client as it comes: its files go to the writer (memory stays flat, writing
    overlaps the work); an unchanged client's files are linked from the published site where they still are."""
    result, cache = run.result, run.cache
    linked = False
    if cache is not None and out.slug in cache.unread and not out.work:  # reused, only its head read
        if run.same_output and not run.errors:
            with timed(result.timings, "write"):
                linked = run.writer.link(cache.stamps[out.slug])
        if linked:
            result.files += len(cache.stamps[out.slug])
            result.bytes += sum(stamp[0] for stamp in cache.stamps[out.slug].values())
        else:
            out = whole(run.project, run.theme, cache, out)
    _gather(run, out)
    if out.written is not None:  # a worker wrote them (and its cache)
        result.files += len(out.written)
        result.bytes += sum(size for _, size in out.written)
    elif not linked:
        _count(result, out.files)
    if run.errors:
        return
    with timed(result.timings, "write"):
        if out.written is not None:
            run.writer.claim([p for p, _ in out.written])
        elif not linked:
            run.writer.add(out.files, cache.unchanged(out.slug, out.files) if run.same_output else None)
        # built here, or reused but written (not linked): the cache gets the new files' stamps, or the next
        # build could not link them either
        if run.store is not None and (out.work or not linked) and not out.errors and out.written is None:
            cache_disk.save_client(run.store, out, run.writer.stamp)
            run.built.add(out.slug)
        _record(run, out)
        if run.store is not None:  # written: what the rest of the build needs of it is its name
            cache.clients[out.slug] = dataclasses.replace(out, files=[], report_outputs=[], index=[])


def _record(run: _Run, out: ClientOutput) -> None:
    """The client's record of published figures, made anew (it is small) by every build; what it found changed
    goes to `--explain`."""
    if out.errors:
        return
    record, lines = record_file(run.project.today, run.clients[out.slug], out)
    run.result.changes.extend(lines)
    run.writer.add([record])
    _count(run.result, [record])


def _gather(run: _Run, out: ClientOutput) -> None:
    """A client's errors, warnings, timings and what was done, into the build's."""
    result = run.result
    run.errors.extend(out.errors)
    for warning in out.warnings:
        run.diagnostics.warn(warning)
    for stage, seconds in out.timings.items():
        result.timings[stage] += seconds
    for what, count in out.work.items():
        result.work[what] += count
    run.counts[out.slug] = out.reports
    result.explain.extend(f"{out.slug}: {reason}" for reason in out.reasons)
    if out.work:
        run.built.add(out.slug)


def _site_pages(run: _Run) -> None:
    """Phase 4: the index of all clients and the assets (with --split, each client's folder has its own)."""
    project, theme = run.project, run.theme
    with timed(run.result.timings, "pages"):
        if project.split:  # each client's folder is a whole site: its own assets, no index of all clients
            for client in project.clients:
                run.site_files.extend(dataclasses.replace(f, path=f"{client.site_dir}/{f.path}")
                                      for f in _assets(project, theme))
        else:
            run.site_files.append(OutputFile("index.html", _index_page(run, private=project.private)))
            run.site_files.extend(_assets(project, theme))
        if project.private:  # (with --split, each private client's folder is a site of its own)
            robots = [ROBOTS_TXT, *(dataclasses.replace(ROBOTS_TXT, path=f"{c.site_dir}/{ROBOTS_TXT.path}")
                                    for c in project.clients if c.private and project.split)]
            run.site_files = [*marked_private(run.site_files), *robots]
    _count(run.result, run.site_files)
    run.result.warnings = run.diagnostics.warnings
    if run.options.strict:
        run.diagnostics.check_strict()


def _index_page(run: _Run, private: bool = False, agency: Path | None = None) -> bytes:
    """The site's index: of all clients, or on a site with private clients, of its public ones with a note that
    the others are private (and no introduction, which may name them); or the agency's own index of all clients,
    at `agency`, outside the site."""
    project = run.project
    lang = language(project.site.locale)
    env = page_environment(run.theme, lang)
    with translator(lang).recording() as untranslated:
        if agency is not None:
            root = Path(os.path.relpath(run.result.output, agency.parent)).as_posix() + "/"
            page = render_index(env, project, Markup(""), run.counts, root=root)
        elif private:
            page = render_index(env, project, Markup(""), run.counts, private_note=True,
                                clients=tuple(c for c in project.clients if not c.private))
        else:
            page = render_index(env, project, _intro(project), run.counts)
    for warning in translator(lang).warnings(untranslated):
        run.diagnostics.warn(warning)
    return page


def _agency_index(run: _Run) -> None:
    """With private clients: the index of all clients, for the agency, beside the site (never in it)."""
    path = run.result.agency_index
    if path is not None:
        write_atomic(path, private_page(_index_page(run, agency=path)))


def agency_path(output: Path, chosen: Path | None) -> Path:
    """Where the agency's index goes: as chosen, else beside the output (output/ -> output-agency.html); never in
    the output, which is published."""
    path = Path(os.path.realpath(chosen or output.parent / f"{output.name}-agency.html"))
    real = Path(os.path.realpath(output))
    if path == real or real in path.parents:
        raise SitegenError("refusing to write the agency's index into the output folder: it names every client, "
                           "and the output is published", path)
    return path


def _commit(run: _Run) -> None:
    """Phase 5: the new site in place of the old one, and the build cache that describes it."""
    with timed(run.result.timings, "write"):
        run.writer.add(run.site_files)
        run.writer.commit()
        run.committed = True
        _agency_index(run)
        if run.store is not None:
            run.cache.output_state = output_state(run.result.output)
            cache_disk.finish(run.store, run.cache, run.built)


def default_output(project_dir: Path) -> Path:
    return project_dir / "output"


def check_output(project: Project, output: Path) -> Path:
    output = output.absolute()
    root = project.root
    if output == root or output in root.parents or output == root / "content" or \
            (root / "content") in output.parents or output == root / "themes":
        raise SitegenError("refusing to use this folder as output: it holds the project's sources", output)
    return output


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


def _intro(project: Project) -> Markup:
    if not project.index_md:
        return Markup("")
    body, line = intro_source(project.index_md)
    return render_commentary(body, project.index_md, line, {}, sanitize=project.site.sanitize_commentary)


def _assets(project: Project, theme: Theme) -> list[OutputFile]:
    files = [OutputFile(f"{ASSETS}/{rel}", path.read_bytes()) for rel, path in static_files(theme).items()]
    files.append(OutputFile(f"{ASSETS}/vendor/{BUNDLE_NAME}", vega_bundle()))
    for key, path in sorted(project.brand_files.items()):
        files.append(OutputFile(f"{ASSETS}/{BRAND_FILES[key]}{path.suffix.lower()}", path.read_bytes()))
    return files


def _count(result: BuildResult, files: list[OutputFile]) -> None:
    result.files += len(files)
    result.bytes += sum(len(f.data) for f in files)
