"""Watch a project's sources and rebuild after a short quiet period.

Editors save through temp files and renames, and a data drop arrives as hundreds of events at
once: every event only marks the project dirty, and one build runs once nothing has changed for
`QUIET` seconds. Only the project's inputs are watched: `sitegen.toml`, `content/`, `themes/` and the brand
files the settings name; never the output folder, a log file beside them, or temp files (no rebuild loops)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path

from watchdog.events import (
    DirCreatedEvent,
    DirDeletedEvent,
    DirMovedEvent,
    FileClosedEvent,
    FileCreatedEvent,
    FileDeletedEvent,
    FileModifiedEvent,
    FileMovedEvent,
    FileSystemEvent,
    FileSystemEventHandler,
)
from watchdog.observers import Observer
from watchdog.observers.api import ObservedWatch
from watchdog.observers.polling import PollingObserver

# seconds without events before a build starts: an editor's save (temp file, rename) or an unzipped data
# drop comes as a burst of events a few milliseconds apart; a poller reports a burst once per scan
QUIET = 0.05
POLL_QUIET = 0.6
SOURCE_FOLDERS = ("content", "themes")
SITE_FILE = "sitegen.toml"
OUTPUT_CHECK = 1.0  # seconds between looks at whether another build replaced the output folder
# no open and close-without-write events: the build reads every source, and handling thousands of
# those events would slow it down (inotify never even reports them with this filter)
EVENTS = [FileCreatedEvent, FileModifiedEvent, FileDeletedEvent, FileMovedEvent, FileClosedEvent,
          DirCreatedEvent, DirDeletedEvent, DirMovedEvent]
IGNORED_NAMES = (".swp", ".swx", ".tmp", "~", ".part", ".crdownload")
IGNORED_PREFIXES = (".#", "~$", ".~")


def is_source(path: str, root: Path, output: Path, inputs: frozenset[Path] = frozenset()) -> bool:
    """Whether a change at `path` is a change of the project's inputs: `sitegen.toml`, a file in `content/` or
    `themes/` (those folders themselves too: created, replaced), or one of `inputs` (brand files elsewhere)."""
    p = Path(path)
    if p == output or output in p.parents or any(part.startswith(f".{output.name}.") for part in p.parts):
        return False
    if p in inputs:
        return True
    try:
        parts = p.relative_to(root).parts
    except ValueError:
        return False
    if not parts or parts[0] not in SOURCE_FOLDERS and parts != (SITE_FILE,):
        return False  # a log file written beside the project (`sitegen serve . > serve.log`), a stray download
    if any(part.startswith(".") and part not in (".",) for part in parts[:-1]) or "__pycache__" in parts:
        return False
    name = p.name
    return not (name.endswith(IGNORED_NAMES) or name.startswith(IGNORED_PREFIXES) or name == "4913"
                or name.startswith("."))  # hidden files and folders: editor state, the chart cache


class _Dirty(FileSystemEventHandler):
    def __init__(self, watcher: Watcher):
        self.watcher = watcher

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type in ("opened", "closed_no_write"):
            return
        if event.is_directory and event.event_type == "modified":
            return  # a folder's entries changed: the entries report that themselves (and the build's own
            # temporary folders beside the output would otherwise trigger the next build, forever)
        paths = [str(p) for p in (event.src_path, getattr(event, "dest_path", "")) if p]
        w = self.watcher
        sources = [p for p in paths if is_source(p, w.root, w.output, w.inputs)]
        if sources:
            self.watcher.touch(sources)


class Watcher:
    """Calls `rebuild(changed paths)` once per burst of changes, on its own thread, never two builds at once.
    `stale()` (looked at every `OUTPUT_CHECK` seconds while nothing changes) says whether another build replaced the
    output folder: then `rebuild` runs too, with no paths."""

    def __init__(self, root: Path, output: Path, rebuild: Callable[[set[str]], None], poll: bool = False,
                 stale: Callable[[], bool] = lambda: False):
        self.root, self.output, self.rebuild, self.stale = root.resolve(), output.resolve(), rebuild, stale
        self.observer = PollingObserver(timeout=0.5) if poll else Observer()
        self.handler = _Dirty(self)
        self.inputs: frozenset[Path] = frozenset()
        # the root alone (sitegen.toml), then the source folders: never output/ or the build's temp folders
        self.observer.schedule(self.handler, str(self.root), recursive=False, event_filter=EVENTS)
        self.watched: dict[str, tuple[ObservedWatch, tuple[int, int]]] = {}  # folder -> its watch, its identity
        self.watched_parents: set[Path] = {self.root}
        self.watch_sources()
        self.last_change = 0.0
        self.changed: set[str] = set()  # paths named by events since the last build
        self.lock = threading.Lock()
        self.quiet = POLL_QUIET if poll else QUIET
        self.dirty = threading.Event()
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._loop, name="sitegen-rebuild", daemon=True)

    def watch_sources(self) -> None:
        """Watch content/ and themes/, again when one was replaced by a new folder (a watch follows the folder it
        was set on, wherever that folder is moved)."""
        for name in SOURCE_FOLDERS:
            folder = self.root / name
            try:
                identity = _identity(folder) if folder.is_dir() else None
            except OSError:
                identity = None
            known = self.watched.get(name)
            if known is not None and known[1] == identity:
                continue
            if known is not None:
                self.observer.unschedule(known[0])
                del self.watched[name]
            if identity is not None:
                watch = self.observer.schedule(self.handler, str(folder), recursive=True, event_filter=EVENTS)
                self.watched[name] = (watch, identity)

    def watch_inputs(self, inputs: frozenset[Path]) -> None:
        """Also watch these files (brand files the settings name outside content/ and themes/)."""
        self.inputs = frozenset(p.resolve() for p in inputs)
        for parent in sorted({p.parent for p in self.inputs} - self.watched_parents):
            if parent.is_dir():
                self.observer.schedule(self.handler, str(parent), recursive=False, event_filter=EVENTS)
                self.watched_parents.add(parent)

    def touch(self, paths: list[str] = ()) -> None:
        with self.lock:
            self.changed.update(paths)
            self.last_change = time.monotonic()
        self.dirty.set()

    def start(self) -> None:
        self.observer.start()
        self.thread.start()

    def stop(self) -> None:
        """Stop watching (a watcher never started, as when the first build is interrupted, too)."""
        self.stopping.set()
        self.dirty.set()
        if self.observer.is_alive():
            self.observer.stop()
            self.observer.join(timeout=5)
        if self.thread.is_alive():
            self.thread.join(timeout=30)

    def _loop(self) -> None:
        while not self.stopping.is_set():
            if not self.dirty.wait(timeout=OUTPUT_CHECK):
                if self.stale():
                    self.rebuild(set())
                continue
            while not self.stopping.is_set() and (left := self.last_change + self.quiet - time.monotonic()) > 0:
                time.sleep(left)
            if self.stopping.is_set():
                return
            with self.lock:
                self.dirty.clear()
                changed, self.changed = self.changed, set()
            self.watch_sources()  # content/ or themes/ may have been created or replaced since
            self.rebuild(changed)


def _identity(folder: Path) -> tuple[int, int]:
    stat = folder.stat()
    return stat.st_dev, stat.st_ino
