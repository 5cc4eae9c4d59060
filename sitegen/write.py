"""Stage 6: write the site. Everything goes to a temporary folder beside the output, which replaces
the previous site only once every file is written, so a failed build leaves the last good site."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import threading
from pathlib import Path

from sitegen.errors import SitegenError
from sitegen.pages import OutputFile

MARKER = ".sitegen-output"


def check_paths(files: list[OutputFile], seen: set[str] | None = None) -> None:
    """Every path stays inside the output and is written once (`seen`: paths of earlier batches)."""
    seen = set() if seen is None else seen
    for f in files:
        if f.path.startswith("/") or "\\" in f.path or any(p in ("", ".", "..") for p in f.path.split("/")):
            raise SitegenError(f"refusing to write outside the output folder: {f.path!r}")
        if f.path in seen:
            raise SitegenError(f"two pages would be written to {f.path}; give one of them another slug")
        seen.add(f.path)


def _check_replaceable(output: Path) -> None:
    if output.is_symlink() or (output.exists() and not output.is_dir()):
        raise SitegenError("output path exists and is not a folder", output)
    if output.is_dir() and any(output.iterdir()) and not (output / MARKER).exists():
        raise SitegenError("output folder is not empty and was not made by sitegen; refusing to replace it "
                           "(empty it or choose another --output)", output)


def clean_leftovers(output: Path) -> None:
    """Tidy up after builds that were killed before they finished: their temporary folders go, and a
    site retired by a build killed between its two renames (no atomic exchange) is put back."""
    if not output.parent.is_dir():
        return
    for stale in sorted(output.parent.glob(f".{output.name}.old-*")):
        if not output.exists() and (stale / "site" / MARKER).is_file():
            os.replace(stale / "site", output)
        shutil.rmtree(stale, ignore_errors=True)
    for stale in output.parent.glob(f".{output.name}.tmp-*"):
        shutil.rmtree(stale, ignore_errors=True)
    for trash in output.parent.glob(f".{output.name}.trash-*"):  # its remover was killed, or is still at it
        _remove_later(trash)


def _remove_later(folder: Path) -> None:
    """Delete a retired site in a detached process: unlinking tens of thousands of files can take
    minutes on disks that discard freed blocks, and nobody needs to wait for it."""
    try:
        subprocess.Popen(["rm", "-rf", "--", str(folder)], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL, start_new_session=True)
    except OSError:
        shutil.rmtree(folder, ignore_errors=True)


_RENAME_EXCHANGE = 2  # linux/fs.h


def _exchange(a: Path, b: Path) -> bool:
    """Swap two folders in one step (Linux renameat2 RENAME_EXCHANGE); False where that is not available."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd = -100
    return renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), _RENAME_EXCHANGE) == 0


def file_stamp(path: Path) -> tuple[int, int, int] | None:
    """(size, mtime, inode) of a written file: a file edited or replaced since has another (a build that links
    a file from the output checks it still has the stamp the build cache recorded)."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_size, st.st_mtime_ns, st.st_ino


class Stage:
    """A new site written file by file into a temporary folder beside the output; `commit` puts it in
    place of the old one in one step, `discard` removes it (the old site stays as it was)."""

    def __init__(self, output: Path):
        output = output.absolute()
        output.parent.mkdir(parents=True, exist_ok=True)
        _check_replaceable(output)
        clean_leftovers(output)
        self.output = output
        self.folder = Path(tempfile.mkdtemp(prefix=f".{output.name}.tmp-", dir=output.parent))
        self.seen: set[str] = set()
        self.made: set[Path] = set()

    def add(self, files: list[OutputFile], unchanged: dict[str, tuple] | None = None) -> None:
        """Write files; those in `unchanged` (path -> stamp) hold the same bytes as the current output's file
        had when it was written with that stamp, and are hard-linked from it instead, if it still has it (the
        swap never modifies a file in place, so the link stays right)."""
        check_paths(files, self.seen)
        for f in files:
            target = self.folder / f.path
            if target.parent not in self.made:
                target.parent.mkdir(parents=True, exist_ok=True)
                self.made.add(target.parent)
            stamp = unchanged.get(f.path) if unchanged else None
            if stamp is not None and file_stamp(self.output / f.path) == stamp:
                try:
                    os.link(self.output / f.path, target)
                    continue
                except OSError:
                    pass  # gone, or a file system without hard links: write it
            target.write_bytes(f.data)

    def claim(self, paths: list[str]) -> None:
        """Files another process wrote into the folder (write_files): their paths are checked like added ones."""
        check_paths([OutputFile(p, b"") for p in paths], self.seen)

    def link(self, stamps: dict[str, tuple]) -> bool:
        """Hard-link these files (path -> stamp) from the current output; False (and nothing linked) if one is
        missing or no longer has the stamp it was written with (edited in place, or replaced)."""
        seen = set(self.seen)
        check_paths([OutputFile(p, b"") for p in stamps], seen)
        linked = []
        for path, stamp in stamps.items():
            target = self.folder / path
            if target.parent not in self.made:
                target.parent.mkdir(parents=True, exist_ok=True)
                self.made.add(target.parent)
            try:
                if stamp is None or file_stamp(self.output / path) != stamp:
                    raise FileNotFoundError(path)
                os.link(self.output / path, target)
            except OSError:
                for done in linked:
                    done.unlink(missing_ok=True)
                return False
            linked.append(target)
        self.seen = seen
        return True

    def commit(self) -> None:
        staging, output = self.folder, self.output
        (staging / MARKER).write_text("This folder is written by sitegen and replaced on every build.\n")
        os.chmod(staging, 0o755)
        if not output.exists():
            os.replace(staging, output)
        elif _exchange(staging, output):  # the new site is in place at once; the old one is now in staging
            _retire(staging, output)
        else:  # two renames: a kill between them is repaired by the next build (clean_leftovers)
            retired = Path(tempfile.mkdtemp(prefix=f".{output.name}.old-", dir=output.parent))
            os.replace(output, retired / "site")
            os.replace(staging, output)
            _retire(retired, output)

    def discard(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


def write_files(folder: Path, files: list[OutputFile]) -> list[tuple[str, int]]:
    """Write files into a stage's folder from a worker process; (path, size) of each, for Stage.claim."""
    check_paths(files)
    made = set()
    for f in files:
        target = folder / f.path
        if target.parent not in made:
            target.parent.mkdir(parents=True, exist_ok=True)
            made.add(target.parent)
        target.write_bytes(f.data)
    return [(f.path, len(f.data)) for f in files]


def write_site(files: list[OutputFile], output: Path, unchanged: set[str] = frozenset()) -> None:
    """Write the whole site at once (see Stage)."""
    check_paths(files)
    stage = Stage(output)
    try:
        stage.add(files, unchanged)
        stage.commit()
    except BaseException:
        stage.discard()
        raise


def _retire(folder: Path, output: Path) -> None:
    trash = output.parent / f".{output.name}.trash-{folder.name.rsplit('-', 1)[-1]}"
    try:
        os.replace(folder, trash)
    except OSError:
        shutil.rmtree(folder, ignore_errors=True)
        return
    _remove_later(trash)


class LiveSite:
    """The output folder of `sitegen serve`, updated in place.

    The first build swaps a whole site in; later builds write only the files whose bytes changed and
    delete the ones that went away. New files are written beside their targets first and then
    renamed over them all at once under `lock`, which the preview server also holds while it reads
    a file, so a request never sees half of a build."""

    def __init__(self, output: Path, lock: threading.Lock | None = None):
        self.output = output.absolute()
        self.lock = lock or threading.Lock()
        self.files: dict[str, bytes] | None = None  # what the output folder holds now

    def write(self, files: list[OutputFile], output: Path | None = None) -> None:
        check_paths(files)
        new = {f.path: f.data for f in files}
        if self.files is None or not (self.output / MARKER).is_file():
            with self.lock:
                write_site(files, self.output)
            self.files = new
            return
        changed = [p for p, data in new.items() if (old := self.files.get(p)) is not data and old != data]
        removed = [p for p in self.files if p not in new]
        staged: list[tuple[Path, Path]] = []
        try:
            for rel in changed:
                target = self.output / rel
                target.parent.mkdir(parents=True, exist_ok=True)
                fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
                with os.fdopen(fd, "wb") as handle:
                    handle.write(new[rel])
                os.chmod(tmp, 0o644)
                staged.append((Path(tmp), target))
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


def _remove_empty_parents(path: Path, top: Path) -> None:
    folder = path.parent
    while folder != top and top in folder.parents:
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent
