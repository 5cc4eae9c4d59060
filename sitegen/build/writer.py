"""How a build puts the site's files somewhere: one small interface, `SiteWriter` (Observable Framework's
`BuildEffects` is the model), that `build()` uses whatever the site is written to:

- `stage.Stage` (`sitegen build`): the new site file by file in a temporary folder beside the output, put in
  place of the old one in one step by `commit`; a failed build discards it and the last good site stays;
- `serve.live_site.LiveSite` (`sitegen serve`): the output folder updated in place, only the files whose bytes
  changed, swapped in under the lock the preview server reads under.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Protocol

from sitegen.errors import SitegenError
from sitegen.render.files import OutputFile

MARKER = ".sitegen-output"  # in every output folder sitegen made (and only those it replaces)
Stamp = tuple[int, int, int]  # (size, mtime, inode) of a file as written
OutputState = tuple[str, int, int, int]  # the output folder, and its marker's inode, mtime and size


class SiteWriter(Protocol):
    """Where a build puts the site's files. Nothing is published before `commit`; `discard` drops what was
    added, and the site that was there before stays as it was."""

    folder: Path | None  # where worker processes may write a client's files themselves (then `claim`ed), if any

    def add(self, files: list[OutputFile], unchanged: dict[str, Stamp] | None = None) -> None:
        """Files of the new site; those in `unchanged` (path -> stamp) hold the bytes of the published file
        written with that stamp, and may be linked from it instead of written (if it still has the stamp)."""

    def claim(self, paths: list[str]) -> None:
        """Files a worker process wrote into `folder`, checked as added ones are."""

    def link(self, stamps: dict[str, Stamp | None]) -> bool:
        """Take these files (path -> stamp) from the published site as they are; False, and nothing taken, if
        one is missing or no longer has the stamp it was written with."""

    def stamp(self, path: str) -> Stamp | None:
        """The stamp of the new site's file `path` as it stands (a file taken from the published site has that
        file's), for the build cache; None where it is not known before `commit`."""

    def commit(self) -> None:
        """Publish the new site (a site that is the published one to the byte leaves it in place)."""

    def discard(self) -> None:
        """Drop the new site."""


def check_paths(files: list[OutputFile], seen: set[str] | None = None) -> None:
    """Every path stays inside the output and is written once (`seen`: paths of earlier batches)."""
    seen = set() if seen is None else seen
    for f in files:
        if f.path.startswith("/") or "\\" in f.path or any(p in ("", ".", "..") for p in f.path.split("/")):
            raise SitegenError(f"refusing to write outside the output folder: {f.path!r}")
        if f.path in seen:
            raise SitegenError(f"two pages would be written to {f.path}; give one of them another slug")
        seen.add(f.path)


def file_stamp(path: Path) -> Stamp | None:
    """(size, mtime, inode) of a written file: a file edited or replaced since has another (a build that links
    a file from the output checks it still has the stamp the build cache recorded)."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_size, st.st_mtime_ns, st.st_ino



def output_state(output: Path) -> OutputState | None:
    """What identifies the output folder a build wrote (its marker is new whenever a new site is published)."""
    try:
        st = (output / MARKER).stat()
    except OSError:
        return None
    return str(output), st.st_ino, st.st_mtime_ns, st.st_size


def write_files(folder: Path, files: list[OutputFile]) -> list[tuple[str, int]]:
    """Write files into a writer's folder from a worker process; (path, size) of each, for `claim`."""
    check_paths(files)
    made = set()
    for f in files:
        target = folder / f.path
        if target.parent not in made:
            target.parent.mkdir(parents=True, exist_ok=True)
            made.add(target.parent)
        target.write_bytes(f.data)
    return [(f.path, len(f.data)) for f in files]
