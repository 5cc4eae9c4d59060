"""What `sitegen serve` remembers between builds, so that an edit redoes only what it affects.

Every entry is keyed by a hash of the contents its result depends on, never by modification times:
- a client's loaded data by its data files and column mapping;
- a report's numbers (KPI tables, alerts, chart specs) by that data key, its period, comparison,
  targets and alert settings;
- a report's page by those numbers, its commentary, the client's and the site's settings and the
  theme templates the page is rendered from.
A file's contents are hashed again when its size, mtime or inode changed or the watcher named it,
so an unchanged project costs one `stat` per file, and a touched but unchanged file rebuilds nothing.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import weakref
from collections.abc import Callable, Iterable
from datetime import date, datetime
from pathlib import Path

import jinja2
import jinja2.meta
from pydantic import BaseModel

from sitegen import __version__
from sitegen.commentary import Commentary, read_commentary
from sitegen.datacache import settled, stat_signature
from sitegen.errors import Diagnostics
from sitegen.load import is_data_name
from sitegen.pages import PAGE_TEMPLATES
from sitegen.project import Client, Project, report_slug
from sitegen.themes import Theme, template_files

FACTS_KEPT = 8  # clients whose loaded data stays in memory (~1 MB each), most recently built first


def digest(*parts) -> str:
    """A hash of values (dataclasses, pydantic settings, paths, dates, strings) that is the same in every
    process: not a pickle, whose sets come out in an order that changes with each interpreter's hash seed."""
    text = json.dumps(_canonical(parts), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).hexdigest()


def _canonical(value):
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    if isinstance(value, BaseModel):
        return [type(value).__name__, _canonical(value.model_dump(mode="python"))]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return [type(value).__name__, {f.name: _canonical(getattr(value, f.name)) for f in dataclasses.fields(value)}]
    if isinstance(value, dict):
        return {json.dumps(_canonical(k), sort_keys=True, default=str): _canonical(v) for k, v in value.items()}
    if isinstance(value, set | frozenset):
        return sorted((_canonical(v) for v in value), key=lambda v: json.dumps(v, sort_keys=True, default=str))
    if isinstance(value, list | tuple):
        return [_canonical(v) for v in value]
    if isinstance(value, Path | date | datetime):
        return str(value)
    raise TypeError(f"cannot hash a {type(value).__name__} for the build cache")


class FileDigests:
    """Content hashes of files, recomputed when a file's stat changed (datacache.stat_signature) or it was named
    as changed; a hash is remembered only for a file that had settled (datacache.settled), as the conversion
    cache does."""

    def __init__(self) -> None:
        self.known: dict[str, tuple[tuple[int, ...], str]] = {}

    def forget(self, paths: Iterable[Path | str]) -> None:
        for path in paths:
            self.known.pop(str(path), None)

    def of(self, path: Path | str, st: os.stat_result | None = None) -> str:
        path = str(path)
        try:
            st = st or os.stat(path)
        except OSError:
            return "missing"
        signature = stat_signature(st)
        known = self.known.get(path)
        if known is not None and known[0] == signature:
            return known[1]
        try:
            with open(path, "rb") as handle:
                value = hashlib.blake2b(handle.read(), digest_size=16).hexdigest()
                after = os.fstat(handle.fileno())
        except OSError:
            return "unreadable"
        if settled(after) and stat_signature(after) == signature:
            self.known[path] = (signature, value)
        return value

    def of_folder(self, folder: Path, include: Callable[[str], bool]) -> str:
        """One hash of every file under folder whose name `include` accepts (in folders it accepts), with their
        relative paths."""
        found = []

        def walk(path: str, rel: str) -> None:
            with os.scandir(path) as entries:
                for entry in entries:
                    if entry.is_dir():
                        if include(entry.name):
                            walk(entry.path, f"{rel}{entry.name}/")
                    elif entry.is_file() and include(entry.name):
                        found.append((f"{rel}{entry.name}", self.of(entry.path, entry.stat())))

        try:
            walk(str(folder), "")
        except OSError:
            return "missing"
        return digest(sorted(found))


class CommentaryCache:
    """Parsed commentary by file contents (YAML front matter is the slow part of reading a project)."""

    def __init__(self, files: FileDigests) -> None:
        self.files = files
        self.entries: dict[tuple[Path, str], tuple[str, Commentary, list[str]]] = {}

    def read(self, path: Path, comparison: str, diagnostics: Diagnostics) -> Commentary:
        key = self.files.of(path)
        hit = self.entries.get((path, comparison))
        if hit is None or hit[0] != key:
            local = Diagnostics()
            commentary = read_commentary(path, comparison, local)  # a SitegenError is not cached
            hit = self.entries[(path, comparison)] = (key, commentary, local.warnings)
        for warning in hit[2]:
            diagnostics.warn(warning)
        return hit[1]


def _template_file(env: jinja2.Environment, name: str) -> str | None:
    try:
        return env.loader.get_source(env, name)[1]
    except jinja2.TemplateNotFound:
        return None


def template_closure(env: jinja2.Environment, roots: Iterable[str]) -> list[str] | None:
    """Every template the roots extend, include or import; None if one names its template at run time."""
    seen: set[str] = set()
    todo = list(roots)
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        try:
            source = env.loader.get_source(env, name)[0]
            referenced = list(jinja2.meta.find_referenced_templates(env.parse(source)))
        except jinja2.TemplateError:
            continue  # the render reports it, with its file and line
        if None in referenced:
            return None
        todo.extend(referenced)
    return sorted(seen)


@dataclasses.dataclass(frozen=True)
class ClientPlan:
    """The cache keys of one client's parts in this build."""

    data: str
    reports: tuple[tuple[str, str], ...]  # (numbers key, page key) per report, in the client's order
    index: str


def client_plan(files: FileDigests, project: Project, client: Client, templates: dict[str, str],
                palette: tuple[str, ...]) -> ClientPlan:
    """The client's cache keys; `files` hashes its data files (the slow part: every byte of them is read)."""
    settings = digest(dataclasses.replace(client, reports=()))
    data = digest(__version__, client.columns, files.of_folder(client.data_dir, is_data_name))
    site = digest(__version__, project.site, project.brand_files, project.split)
    numbers_base = digest(data, settings, site, palette)  # any settings change recomputes (rare; safe)
    reports = []
    for report in client.reports:
        numbers = digest(numbers_base, report.period, report.comparison, report.targets, report.summary_kpis)
        page = digest(numbers, report, report_slug(report), settings, site, templates["report"])
        reports.append((numbers, page))
    index = digest(settings, site, templates["client"],
                   [(r.title, report_slug(r), n) for r, (n, _) in zip(client.reports, reports)],
                   [(k, files.of(p)) for k, p in sorted(client.brand_files.items())])
    return ClientPlan(data, tuple(reports), index)


@dataclasses.dataclass(frozen=True)
class PlanLater:
    """A client the cache has never seen is built whatever its keys: a worker works them out beside the build
    (hashing its data files there, not serially before the pool starts) and sends its file hashes back."""

    templates: dict[str, str]
    palette: tuple[str, ...]

    def make(self, project: Project, client: Client) -> tuple[ClientPlan, dict]:
        files = FileDigests()
        return client_plan(files, project, client, self.templates, self.palette), files.known


class BuildCache:
    """Everything `sitegen serve` keeps from one build to the next."""

    def __init__(self) -> None:
        self.files = FileDigests()
        self.commentary = CommentaryCache(self.files)
        self.clients: dict[str, object] = {}  # slug -> the client's last ClientOutput (see build.py)
        self.recent: list[str] = []  # slugs whose loaded data is kept, most recent first
        self.templates: tuple[str, dict[str, str]] = ("", {})  # all templates' hash, and each page kind's
        self.persist = True  # saved in the project between `sitegen build` runs (cache_store.py)
        self.output_state: tuple | None = None  # (output folder, marker inode, mtime) after the last write
        # clients read from disk as a head only (plan, keys, warnings, file names): the rest is read when needed
        self.unread: dict[str, Callable[[], object]] = {}  # slug -> reads the whole ClientOutput
        # slug -> its files' paths -> their stamps (write.file_stamp: size, mtime, inode) when they were written
        self.stamps: dict[str, dict[str, tuple | None]] = {}
        # files read from disk (the same bytes as in the output), by id; weakly, so that a file made later at
        # the address of a freed one is not taken for it
        self._stored: weakref.WeakValueDictionary[int, object] = weakref.WeakValueDictionary()

    def full(self, slug: str):
        """The client's whole last output (reading it from disk if only its head was), or None."""
        if slug in self.unread:
            whole = self.unread.pop(slug)()
            if whole is None:  # damaged: build the client again
                self.clients.pop(slug, None)
            else:
                self.clients[slug] = whole
                self._stored.update((id(f), f) for f in whole.files)
        return self.clients.get(slug)

    def is_stored(self, file) -> bool:
        """Is this file object one read from disk by `full`, holding the bytes of the current output's file?"""
        return self._stored.get(id(file)) is file

    def unchanged(self, slug: str, files) -> dict[str, tuple]:
        """Of a client's files, those read from disk with the stamps their files in the output were written with
        (Stage.add links them from the output if they still have them)."""
        stamps = self.stamps.get(slug, {})
        return {f.path: stamps[f.path] for f in files if self.is_stored(f) and stamps.get(f.path) is not None}

    def forget(self, paths: Iterable[Path | str]) -> None:
        """The watcher saw these change: hash them again even if their stat looks the same."""
        self.files.forget(paths)

    def template_keys(self, env: jinja2.Environment, theme: Theme) -> dict[str, str]:
        """Per kind of page, a hash of the templates it is rendered from (the theme's variables too)."""
        state = digest(theme, theme.variables, [(str(p), self.files.of(p)) for p in template_files(theme)])
        if self.templates[0] != state:  # parse templates for their includes only when one changed
            keys = {}
            for page, roots in PAGE_TEMPLATES.items():
                names = template_closure(env, roots)
                files = [] if names is None else [_template_file(env, n) for n in names]
                if names is None or None in files:  # a name known only at run time: everything
                    files = [str(p) for p in template_files(theme)]
                keys[page] = digest(theme, theme.variables, [(f, self.files.of(f)) for f in files])
            self.templates = (state, keys)
        return self.templates[1]

    def plan(self, project: Project, client: Client, templates: dict[str, str], palette: tuple[str, ...]) -> ClientPlan:
        return client_plan(self.files, project, client, templates, palette)

    def keep(self, slug: str, output) -> None:
        """Remember a client's output; only the most recent few keep their loaded data."""
        self.clients[slug] = output
        if output.facts is not None:
            self.recent = [slug, *[s for s in self.recent if s != slug]]
            for old in self.recent[FACTS_KEPT:]:
                if old in self.clients:
                    self.clients[old].facts = None
            del self.recent[FACTS_KEPT:]

    def prune(self, slugs: Iterable[str]) -> None:
        """Drop clients that are no longer in the project."""
        live = set(slugs)
        self.clients = {s: o for s, o in self.clients.items() if s in live}
        self.unread = {s: read for s, read in self.unread.items() if s in live}
        self.stamps = {s: v for s, v in self.stamps.items() if s in live}
        self.recent = [s for s in self.recent if s in live]
