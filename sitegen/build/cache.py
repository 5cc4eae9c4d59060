"""What the build keeps from one build to the next, in memory (`BuildCache`): every client's last output by its
keys (`plan`), the file hashes, the parsed commentary and the templates' keys. `sitegen serve` keeps one for
as long as it runs; `sitegen build` reads one from the project's cache folder and writes it back
(`cache_disk`)."""

from __future__ import annotations

import weakref
from collections.abc import Callable, Iterable
from pathlib import Path

import jinja2

from sitegen.build.outputs import ClientOutput
from sitegen.build.plan import ClientPlan, FileDigests, client_plan, digest, template_closure, template_file
from sitegen.build.writer import OutputState, Stamp
from sitegen.errors import Diagnostics
from sitegen.project.frontmatter import Commentary, read_commentary
from sitegen.project.model import Client, Project
from sitegen.render.files import OutputFile
from sitegen.render.themes import PAGE_TEMPLATES, Theme, template_files

FACTS_KEPT = 8  # clients whose loaded data stays in memory (~1 MB each), most recently built first


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


class BuildCache:
    """Everything `sitegen serve` keeps from one build to the next."""

    def __init__(self) -> None:
        self.files = FileDigests()
        self.commentary = CommentaryCache(self.files)
        self.clients: dict[str, ClientOutput] = {}  # slug -> the client's last output
        self.recent: list[str] = []  # slugs whose loaded data is kept, most recent first
        self.templates: tuple[str, dict[str, str]] = ("", {})  # all templates' hash, and each page kind's
        self.output_state: OutputState | None = None  # the output folder the last build wrote (see writer)
        # clients read from disk as a head only (plan, keys, warnings, file names): the rest is read when needed
        self.unread: dict[str, Callable[[], ClientOutput | None]] = {}  # slug -> reads the whole output
        # slug -> its files' paths -> their stamps (write.file_stamp: size, mtime, inode) when they were written
        self.stamps: dict[str, dict[str, Stamp | None]] = {}
        # files read from disk (the same bytes as in the output), by id; weakly, so that a file made later at
        # the address of a freed one is not taken for it
        self._stored: weakref.WeakValueDictionary[int, OutputFile] = weakref.WeakValueDictionary()

    def full(self, slug: str) -> ClientOutput | None:
        """The client's whole last output (reading it from disk if only its head was), or None."""
        if slug in self.unread:
            whole = self.unread.pop(slug)()
            if whole is None:  # damaged: build the client again
                self.clients.pop(slug, None)
            else:
                self.clients[slug] = whole
                self._stored.update((id(f), f) for f in whole.files)
        return self.clients.get(slug)

    def is_stored(self, file: OutputFile) -> bool:
        """Is this file object one read from disk by `full`, holding the bytes of the current output's file?"""
        return self._stored.get(id(file)) is file

    def unchanged(self, slug: str, files: list[OutputFile]) -> dict[str, Stamp]:
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
                files = [] if names is None else [template_file(env, n) for n in names]
                if names is None or None in files:  # a name known only at run time: everything
                    files = [str(p) for p in template_files(theme)]
                keys[page] = digest(theme, theme.variables, [(f, self.files.of(f)) for f in files])
            self.templates = (state, keys)
        return self.templates[1]

    def plan(self, project: Project, client: Client, templates: dict[str, str], palette: tuple[str, ...]) -> ClientPlan:
        return client_plan(self.files, project, client, templates, palette)

    def keep(self, slug: str, output: ClientOutput) -> None:
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
