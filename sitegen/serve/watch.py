"""Watch a project's sources and rebuild after a short quiet period.

Editors save through temp files and renames, and a data drop arrives as hundreds of events at
once: every event only marks the project dirty, and one build runs once nothing has changed for
`QUIET` seconds. The output folder and temp files are never watched (no rebuild loops)."""

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
from watchdog.observers.polling import PollingObserver

# seconds without events before a build starts: an editor's save (temp file, rename) or an unzipped data
# drop comes as a burst of events a few milliseconds apart; a poller reports a burst once per scan
QUIET = 0.05
POLL_QUIET = 0.6
SOURCE_FOLDERS = ("content", "themes")
# no open and close-without-write events: the build reads every source, and handling thousands of
# those events would slow it down (inotify never even reports them with this filter)
EVENTS = [FileCreatedEvent, FileModifiedEvent, FileDeletedEvent, FileMovedEvent, FileClosedEvent,
          DirCreatedEvent, DirDeletedEvent, DirMovedEvent]
IGNORED_NAMES = (".swp", ".swx", ".tmp", "~", ".part", ".crdownload")
IGNORED_PREFIXES = (".#", "~$", ".~")


def is_source(path: str, root: Path, output: Path) -> bool:
    p = Path(path)
    if p == output or output in p.parents or any(part.startswith(f".{output.name}.") for part in p.parts):
        return False
    try:
        parts = p.relative_to(root).parts
    except ValueError:
        return False
    if not parts:
        return False
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
        sources = [p for p in paths if is_source(p, self.watcher.root, self.watcher.output)]
        if sources:
            self.watcher.touch(sources)


class Watcher:
    """Calls `rebuild(changed paths)` once per burst of changes, on its own thread, never two builds at once."""

    def __init__(self, root: Path, output: Path, rebuild: Callable[[set[str]], None], poll: bool = False):
        self.root, self.output, self.rebuild = root.resolve(), output.resolve(), rebuild
        self.observer = PollingObserver(timeout=0.5) if poll else Observer()
        self.handler = _Dirty(self)
        # the root alone (sitegen.toml), then the source folders: never output/ or the build's temp folders
        self.observer.schedule(self.handler, str(self.root), recursive=False, event_filter=EVENTS)
        self.watched: set[str] = set()
        self.watch_sources()
        self.last_change = 0.0
        self.changed: set[str] = set()  # paths named by events since the last build
        self.lock = threading.Lock()
        self.quiet = POLL_QUIET if poll else QUIET
        self.dirty = threading.Event()
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._loop, name="sitegen-rebuild", daemon=True)

    def watch_sources(self) -> None:
        for name in SOURCE_FOLDERS:
            folder = self.root / name
            if folder.is_dir() and name not in self.watched:
                self.observer.schedule(self.handler, str(folder), recursive=True, event_filter=EVENTS)
                self.watched.add(name)

    def touch(self, paths: list[str] = ()) -> None:
        with self.lock:
            self.changed.update(paths)
            self.last_change = time.monotonic()
        self.dirty.set()

    def start(self) -> None:
        self.observer.start()
        self.thread.start()

    def stop(self) -> None:
        self.stopping.set()
        self.dirty.set()
        self.observer.stop()
        self.observer.join(timeout=5)
        self.thread.join(timeout=30)

    def _loop(self) -> None:
        while not self.stopping.is_set():
            self.dirty.wait()
            while not self.stopping.is_set() and (left := self.last_change + self.quiet - time.monotonic()) > 0:
                time.sleep(left)
            if self.stopping.is_set():
                return
            with self.lock:
                self.dirty.clear()
                changed, self.changed = self.changed, set()
            self.watch_sources()  # content/ or themes/ may have been created since
            self.rebuild(changed)
