"""The build cache's keys: a hash of the contents each part of a client's output depends on, never of
modification times.

- a client's loaded data by its data files and column mapping;
- a report's numbers (KPI tables, alerts, chart specs) by that data key, its period, comparison, targets
  and the settings;
- a report's page by those numbers, its commentary, the client's and the site's settings and the theme
  templates the page is rendered from (what its template extends, includes or imports).

A file's contents are hashed again when its stat changed (size, mtime, ctime, inode) or the watcher named it,
so an unchanged project costs one `stat` per file, and a touched but unchanged file rebuilds nothing.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
from collections.abc import Callable, Iterable
from datetime import date, datetime
from pathlib import Path

import jinja2
import jinja2.meta
from pydantic import BaseModel

from sitegen import __version__
from sitegen.data.files import is_data_name
from sitegen.data.source_fingerprints import fingerprint, fingerprints
from sitegen.data.sources import SourceSpec, database_state
from sitegen.project.model import Client, Project, report_slug
from sitegen.storage import settled, stat_signature


def _source_key(spec: SourceSpec) -> str:
    return f"source\0{spec.url}\0{spec.table}\0{spec.query}\0{spec.params!r}"


def digest(*parts) -> str:
    """A hash of values (dataclasses, pydantic settings, paths, dates, strings) that is the same in every
    process: not a pickle, whose sets come out in an order that changes with each interpreter's hash seed."""
    text = json.dumps(_canonical(parts), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).hexdigest()


_PLAIN = frozenset({str, int, float, bool, type(None)})


def _canonical(value):
    if type(value) in _PLAIN or isinstance(value, str | int | float | bool) or value is None:
        return value
    if type(value) is tuple or type(value) is list:
        return [_canonical(v) for v in value]
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
    """Content hashes of files, recomputed when a file's stat changed (`storage.stat_signature`) or it was named
    as changed; a hash is remembered only for a file that had settled (`storage.settled`), as the conversion
    cache does."""

    def __init__(self) -> None:
        self.known: dict[str, tuple[tuple[int, ...], str]] = {}
        self.asked: dict[str, str] = {}  # this build's sources' fingerprints (`ask_sources`)

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

    def source(self, spec: SourceSpec) -> str:
        """A source's fingerprint: as `ask_sources` found it in this build, else asked again only when its
        database changed since it was (`database_state`)."""
        key = _source_key(spec)
        if key in self.asked:
            return self.asked[key]
        state = database_state(spec)
        remembered = self._remembered(key, state)
        if remembered is not None:
            return remembered
        value = fingerprint(spec)
        if state is not None and database_state(spec) == state:  # (not changed while it was asked)
            self.known[key] = ((state,), value)
        return value

    def ask_sources(self, specs: Iterable[SourceSpec]) -> None:
        """Find this build's fingerprints of `specs` (every client's sources) before the clients are planned: the
        sources whose database changed are asked together (`fingerprints`: a shared table read once)."""
        self.asked = {}
        states = {spec: database_state(spec) for spec in dict.fromkeys(specs)}
        todo = []
        for spec, state in states.items():
            remembered = self._remembered(_source_key(spec), state)
            if remembered is not None:
                self.asked[_source_key(spec)] = remembered
            else:
                todo.append(spec)
        for spec, value in fingerprints(todo).items():
            self.asked[_source_key(spec)] = value
            if states[spec] is not None and database_state(spec) == states[spec]:
                self.known[_source_key(spec)] = ((states[spec],), value)

    def _remembered(self, key: str, state: str | None) -> str | None:
        """A source's fingerprint as last asked, if its database is as it was then."""
        known = self.known.get(key)
        return known[1] if state is not None and known is not None and known[0] == (state,) else None

    def answers(self, specs: Iterable[SourceSpec]) -> tuple[tuple[str, str], ...]:
        """What `ask_sources` found of `specs` (for a worker that plans a client)."""
        return tuple((k, self.asked[k]) for k in map(_source_key, specs) if k in self.asked)

    def of_folder(self, folder: Path, include: Callable[[str], bool]) -> str:
        """One hash of every file under folder whose name `include` accepts (in folders it accepts), with their
        relative paths."""
        return folder_digest(self.in_folder(folder, include))

    def in_folder(self, folder: Path, include: Callable[[str], bool]) -> tuple[tuple[str, str], ...] | None:
        """(relative path, hash) of every file under folder whose name `include` accepts (in folders it accepts),
        sorted; None when the folder cannot be read."""
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
            return None
        return tuple(sorted(found))


def folder_digest(found: tuple[tuple[str, str], ...] | None) -> str:
    return "missing" if found is None else digest("\n".join(f"{name}\0{value}" for name, value in found))


def template_file(env: jinja2.Environment, name: str) -> str | None:
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
    files: tuple[tuple[str, str], ...] | None = ()  # the data files' (name, hash), for the published record
    records: tuple[str, ...] = ()  # per report, its numbers' key in the published record: the same in any folder
    sources: tuple[tuple[str, str], ...] = ()  # each source's (name, fingerprint): its rows changed or not


def client_plan(files: FileDigests, project: Project, client: Client, templates: dict[str, str],
                palette: tuple[str, ...]) -> ClientPlan:
    """The client's cache keys; `files` hashes its data files (the slow part: every byte of them is read)."""
    # a password is never hashed into a key (a fast hash of it would let anyone with the cache guess it): its
    # sealing's fingerprint, which takes the project secret to compute, stands for it
    settings = digest(dataclasses.replace(client, reports=(), published=None,
                                          sealing=client.sealing.fingerprint if client.sealing else None))
    # the load options: [files] dates and the locale change how dates are read (a year taken from a file's
    # modification time is not in the key: it is kept until the file or the settings change, see data.file_dates)
    hashes = files.in_folder(client.data_dir, is_data_name)
    if hashes is None and client.sources:  # a client whose data comes from sources only needs no data folder
        hashes = ()
    sources = tuple((s.name, files.source(s)) for s in client.sources)
    data = digest(__version__, client.load_options, folder_digest(hashes), sources)
    site = digest(__version__, project.site, project.brand_files, project.split)
    numbers_base = digest(data, settings, site, palette)  # any settings change recomputes (rare; safe)
    # the same without the project's own paths (its folder, logos), which the numbers do not depend on
    portable = digest(__version__, client.load_options, folder_digest(hashes), project.site, project.split, palette,
                      dataclasses.replace(client, reports=(), published=None, folder=None, brand_files=None,
                                          privacy="none", token="", sealing=None))
    reports, records, keys = [], [], []
    for report in client.reports:
        period = (report.period, report.comparison, report.targets, report.summary_kpis)
        numbers = digest(numbers_base, *period)
        keys.append(digest(portable, *period))
        record = _record_part(client.published, report_slug(report), keys[-1], project.today)
        page = digest(numbers, report, report_slug(report), settings, site, templates["report"], record)
        reports.append((numbers, page))
        records.append(record)
    # the client page shows every report's numbers (its trends): their keys are in its key
    index = digest(settings, site, templates["client"],
                   [(r.title, report_slug(r), n) for r, (n, _) in zip(client.reports, reports)],
                   [(k, files.of(p)) for k, p in sorted(client.brand_files.items())],
                   records if any(r is not None for r in records) else None)
    return ClientPlan(data, tuple(reports), index, hashes, tuple(keys), sources)


def _record_part(record: dict | None, slug: str, numbers: str, today: str):  # numbers: ClientPlan.records' key
    """What of the published record (render.published) a report's page depends on: nothing when the report
    is not in it, or is there with these very numbers and no changes (the usual build: its key stays as it was
    when the record did not exist yet); its changes when its numbers are the recorded ones; else the entry, the
    recorded files and today's date (the date of a change found now)."""
    entry = record["reports"].get(slug) if record is not None else None
    if entry is None or (entry["key"] == numbers and not entry["changes"]):
        return None
    if entry["key"] == numbers:
        return entry["published"], entry["changes"]
    return entry, record["files"], today


@dataclasses.dataclass(frozen=True)
class PlanLater:
    """A client the cache has never seen is built whatever its keys: a worker works them out beside the build
    (hashing its data files there, not serially before the pool starts) and sends its file hashes back."""

    templates: dict[str, str]
    palette: tuple[str, ...]
    sources: tuple[tuple[str, str], ...] = ()  # the client's sources' fingerprints, as the build found them

    def make(self, project: Project, client: Client) -> tuple[ClientPlan, dict]:
        files = FileDigests()
        files.asked = dict(self.sources)
        return client_plan(files, project, client, self.templates, self.palette), files.known
