"""Where sitegen keeps its caches, what identifies its code, and how it writes a file in one step.

The caches, all of which move with `SITEGEN_CACHE_DIR`:
- the user's cache (`~/.cache/sitegen`, or `$XDG_CACHE_HOME/sitegen`): the Vega bundle and the chart
  templates, the same for every project;
- a project's cache (`<project>/.sitegen-cache/`): converted data files (`data/`), static chart images
  (`svg/`) and the build cache (`build/`).
With `SITEGEN_CACHE_DIR` set, both caches are that folder, and each project's build cache lies in
`build/<hash of the project's path>/`, so that projects sharing the folder never read each other's pages.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from functools import cache
from pathlib import Path
from typing import BinaryIO

PROJECT_CACHE = ".sitegen-cache"
RACY_NS = 3 * 10**9  # a file changed this recently may change again within its timestamps' resolution
_PACKAGE = Path(__file__).parent


def _configured() -> Path | None:
    configured = os.environ.get("SITEGEN_CACHE_DIR")
    return Path(configured) if configured else None


def user_cache() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return _configured() or Path(base) / "sitegen"


def project_cache(project_root: Path) -> Path:
    """The project's cache folder (beside content/, never inside output/)."""
    return _configured() or project_root / PROJECT_CACHE


def build_cache(project_root: Path) -> Path:
    configured = _configured()
    if configured is None:
        return project_root / PROJECT_CACHE / "build"
    key = hashlib.blake2b(str(project_root.resolve()).encode(), digest_size=8).hexdigest()
    return configured / "build" / key


@cache
def code_fingerprint(part: str = "") -> str:
    """A hash of sitegen's files (or of one subpackage's, e.g. "data"): what a cache written by other code is
    told apart by. The themes are left out: they are read by path and hashed where they are used."""
    digest = hashlib.sha256()
    folder = _PACKAGE / part
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(_PACKAGE)
        if path.is_file() and "__pycache__" not in relative.parts and relative.parts[0] != "themes":
            digest.update(relative.as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def stat_signature(st: os.stat_result) -> tuple[int, ...]:
    """What tells a file's contents may have changed: size, mtime, ctime, inode and device. Any write sets the
    ctime, which no tool sets back (`cp -p`, `touch -r`, `rsync -a --inplace` restore the mtime only); on
    Windows st_ctime is the creation time, so there it is left out."""
    if os.name == "nt":
        return st.st_size, st.st_mtime_ns, st.st_ino, st.st_dev
    return st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, st.st_dev


def settled(st: os.stat_result) -> bool:
    """Was the file last written more than RACY_NS ago? Only then may its hash be remembered by its stat: a
    younger file could change again within its timestamps' resolution (git's "racy clean" rule). By the
    ctime, which the system sets (an mtime can be any time, even a future one from an archive); on Windows
    by the mtime."""
    return time.time_ns() - (st.st_mtime_ns if os.name == "nt" else st.st_ctime_ns) > RACY_NS


def _temporary(path: Path) -> tuple[int, str]:
    path.parent.mkdir(parents=True, exist_ok=True)
    return tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")


@contextmanager
def atomic_file(path: Path) -> Iterator[BinaryIO]:
    """A file that appears at `path` whole or not at all: written beside it and renamed over it at the end. On
    any failure the temporary file is removed and the error raised."""
    fd, name = _temporary(path)
    try:
        with os.fdopen(fd, "wb") as handle:
            yield handle
        os.replace(name, path)
    except BaseException:
        with suppress(OSError):
            os.unlink(name)
        raise


def write_atomic(path: Path, data: bytes) -> None:
    with atomic_file(path) as handle:
        handle.write(data)


def write_temporary(path: Path, data: bytes, mode: int = 0o644) -> Path:
    """A complete copy of `data` beside `path`, for the caller to rename over it later (several files at once);
    nothing is left behind when writing it fails."""
    fd, name = _temporary(path)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(name, mode)
    except BaseException:
        with suppress(OSError):
            os.unlink(name)
        raise
    return Path(name)


def keep(path: Path, data: bytes) -> None:
    """Write a cache file in one step; a cache that cannot be written (read-only, full) only costs time."""
    with suppress(OSError):
        write_atomic(path, data)
