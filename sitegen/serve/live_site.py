"""The output folder of `sitegen serve`, updated in place: the preview's `SiteWriter`.

The first build swaps a whole site in (as `sitegen build` does); later builds write only the files whose
bytes changed and delete the ones that went away. New files are written beside their targets first and then
renamed over them all at once under `lock`, which the preview server also holds while it reads a file, so a
request never sees half of a build. Another build that replaced the folder (`sitegen build --client X` into it)
makes the next commit a whole site again (`replaced`)."""

from __future__ import annotations

import os
import threading
from pathlib import Path

from sitegen.build.stage import write_site
from sitegen.build.writer import MARKER, Stamp, check_paths
from sitegen.render.files import OutputFile
from sitegen.storage import write_temporary


class LiveSite:
    folder = None  # worker processes send their files back: they are compared with what is published

    def __init__(self, output: Path, lock: threading.Lock | None = None):
        self.output = output.absolute()
        self.lock = lock or threading.Lock()
        self.files: dict[str, bytes] | None = None  # what the output folder holds now
        self.pending: list[OutputFile] = []  # the build's files, until commit
        self.seen: set[str] = set()
        self.identity: tuple[int, int] | None = None  # the output folder this writer last wrote

    def replaced(self) -> bool:
        """Whether the output folder is no longer the one this writer wrote (another build replaced it)."""
        with self.lock:
            return self.files is not None and self.identity != _identity(self.output)

    def add(self, files: list[OutputFile], unchanged: dict[str, Stamp] | None = None) -> None:
        check_paths(files, self.seen)
        self.pending.extend(files)

    def claim(self, paths: list[str]) -> None:
        raise TypeError("the live site takes no files written by worker processes (its folder is None)")

    def link(self, stamps: dict[str, Stamp | None]) -> bool:
        return False  # a client's files are compared by their bytes: the build reads them

    def stamp(self, path: str) -> Stamp | None:
        return None  # files are renamed into place at commit; the preview keeps no build cache on disk

    def discard(self) -> None:
        self.pending, self.seen = [], set()

    def commit(self) -> None:
        files = self.pending
        self.discard()
        new = {f.path: f.data for f in files}
        if self.files is None or not (self.output / MARKER).is_file() or self.identity != _identity(self.output):
            with self.lock:
                write_site(files, self.output)
                self.identity = _identity(self.output)
            self.files = new
            return
        changed = [p for p, data in new.items() if (old := self.files.get(p)) is not data and old != data]
        removed = [p for p in self.files if p not in new]
        staged: list[tuple[Path, Path]] = []
        try:
            for rel in changed:
                staged.append((write_temporary(self.output / rel, new[rel]), self.output / rel))
        except BaseException:
            for tmp, _ in staged:
                tmp.unlink(missing_ok=True)
            raise
        self.files = None  # until the swap below has finished: a failure in it means a full write next time
        with self.lock:
            for tmp, target in staged:
                os.replace(tmp, target)
            for rel in removed:
                (self.output / rel).unlink(missing_ok=True)
                _remove_empty_parents(self.output / rel, self.output)
        self.files = new


def _identity(folder: Path) -> tuple[int, int] | None:
    try:
        stat = folder.stat()
    except OSError:
        return None
    return stat.st_dev, stat.st_ino


def _remove_empty_parents(path: Path, top: Path) -> None:
    folder = path.parent
    while folder != top and top in folder.parents:
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent
