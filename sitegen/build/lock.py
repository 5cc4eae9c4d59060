"""One build at a time per output folder: a build holds an exclusive lock on `.OUTPUT.lock` beside the output
(the folder its staging and retired sites also use), from before it cleans up after killed builds until its
site is published or discarded. A second build of the same output waits, or stops at once with a clear error.
The lock is the operating system's (`fcntl.flock`): a killed build's lock goes with its process."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from sitegen.errors import SitegenError, os_failure

try:
    import fcntl
except ImportError:  # Windows: no flock; builds there are not guarded against each other
    fcntl = None


def lock_path(output: Path) -> Path:
    return output.parent / f".{output.name}.lock"


@contextmanager
def output_lock(output: Path, wait: bool = False, on_wait: Callable[[], None] | None = None) -> Iterator[None]:
    """Hold the output's lock (`wait`: until the build holding it ends, calling `on_wait` first; else fail at once
    if it is held). The lock file is removed when the build ends, so nothing is left beside the output.
    `sitegen serve` holds it for each of its builds."""
    path = lock_path(output)
    handle = _locked(path, output, wait, on_wait)
    try:
        yield
    finally:
        with suppress(OSError):  # (Windows cannot remove an open file; nothing depends on it there)
            path.unlink(missing_ok=True)  # before letting go: a build waiting on this file then tries again
        handle.close()


def _locked(path: Path, output: Path, wait: bool, on_wait: Callable[[], None] | None):
    """The open lock file, locked: a file that another build removed while this one waited is not the lock."""
    while True:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            handle = open(path, "a+b")  # noqa: SIM115 (held for the whole build)
        except OSError as exc:
            raise os_failure(exc, "cannot create the build lock", path) from None
        if fcntl is None:
            return handle
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if wait:
                if on_wait is not None:
                    on_wait()
                    on_wait = None
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
            else:
                handle.close()
                raise SitegenError("another sitegen build (or `sitegen serve`) is writing this output folder; run "
                                   "this one again when it is done, or with --wait to wait for it", output) from None
        if _same_file(handle, path):
            return handle
        handle.close()


def _same_file(handle, path: Path) -> bool:
    try:
        return os.path.samestat(os.fstat(handle.fileno()), os.stat(path))
    except FileNotFoundError:
        return False
