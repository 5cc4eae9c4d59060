"""The site of `sitegen build`: written file by file into a temporary folder beside the output, which takes
the previous site's place only once every file is written, in one step (Linux `renameat2` exchange; elsewhere
two renames, and a build killed between them has its retired site put back by the next build). A failed or
killed build leaves the previous site exactly as it was."""

from __future__ import annotations

import ctypes
import os
import shutil
import subprocess
import tempfile
from contextlib import suppress
from pathlib import Path

from sitegen.build.writer import MARKER, Stamp, check_paths, file_stamp
from sitegen.errors import EnvironmentFailure, SitegenError, os_failure
from sitegen.render.files import OutputFile


def _check_replaceable(output: Path) -> None:
    if output.is_symlink() or (output.exists() and not output.is_dir()):
        raise SitegenError("output path exists and is not a folder", output)
    if output.is_dir() and any(output.iterdir()) and not (output / MARKER).exists():
        raise SitegenError("output folder is not empty and was not made by sitegen; refusing to replace it "
                           "(empty it or choose another --output)", output)


def write_failure(exc: OSError, output: Path) -> EnvironmentFailure:
    """An OSError of a build as one line: against the output folder when it came from writing the site (its
    staging and retired folders are sitegen's own business), else against the file it names."""
    name = os.fsdecode(exc.filename) if exc.filename is not None else None
    where = Path(name).absolute() if name else None
    beside = where is not None and output.parent in where.parents and \
        where.relative_to(output.parent).parts[0].startswith(f".{output.name}.")  # staging, retired sites
    if where is None or where == output or output in where.parents or beside:
        return os_failure(exc, "cannot write the site", output)
    return os_failure(exc)


def clean_leftovers(output: Path) -> None:
    """Tidy up after builds that were killed before they finished: their temporary folders go, and a
    site retired by a build killed between its two renames (no atomic exchange) is put back. Called only while
    holding the output's lock (`lock`), so every temporary folder found belongs to a build that is gone."""
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
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd = -100
    return renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), _RENAME_EXCHANGE) == 0


class Stage:
    """A new site written file by file into a temporary folder beside the output (a `SiteWriter`); `commit` puts
    it in place of the old one in one step, `discard` removes it (the old site stays as it was).

    Files the new site shares with the published one are hard-linked from it, but only once the new site turns
    out to differ: a build that changed nothing leaves the published site in place, untouched."""

    def __init__(self, output: Path):
        output = output.absolute()
        output.parent.mkdir(parents=True, exist_ok=True)
        _check_replaceable(output)
        clean_leftovers(output)
        self.output = output
        self.folder = Path(tempfile.mkdtemp(prefix=f".{output.name}.tmp-", dir=output.parent))
        self.seen: set[str] = set()
        self.made: set[Path] = set()
        self.kept: list[str] = []  # published files that are files of the new site too, not linked yet
        self.differs = False  # something was written: the new site replaces the published one

    def _target(self, path: str) -> Path:
        target = self.folder / path
        if target.parent not in self.made:
            target.parent.mkdir(parents=True, exist_ok=True)
            self.made.add(target.parent)
        return target

    def _differ(self) -> None:
        """The new site is not the published one: link the files kept so far into it."""
        if self.differs:
            return
        self.differs = True
        for path in self.kept:
            try:
                os.link(self.output / path, self._target(path))
            except OSError:
                raise SitegenError("the published site changed during the build: build again",
                                   self.output / path) from None
        self.kept = []

    def _keep(self, path: str) -> bool:
        """Take the published file as the new site's (its stamp or bytes were checked); False if it is gone."""
        if not self.differs:
            self.kept.append(path)
            return True
        try:
            os.link(self.output / path, self._target(path))
        except OSError:
            return False  # gone, or a file system without hard links
        return True

    def _published(self, f: OutputFile, stamp: Stamp | None) -> bool:
        """Is the published file this one: by the stamp it was written with, or (while nothing differs) by its
        bytes, so that a build that changed nothing keeps the published site?"""
        published = self.output / f.path
        if stamp is not None:
            return file_stamp(published) == stamp
        if self.differs:
            return False
        try:
            return published.stat().st_size == len(f.data) and published.read_bytes() == f.data
        except OSError:
            return False

    def add(self, files: list[OutputFile], unchanged: dict[str, Stamp] | None = None) -> None:
        """Write files; those in `unchanged` are hard-linked from the current output if its file still has the
        stamp (the swap never modifies a file in place, so the link stays right)."""
        check_paths(files, self.seen)
        for f in files:
            if self._published(f, unchanged.get(f.path) if unchanged else None) and self._keep(f.path):
                continue
            self._differ()
            self._target(f.path).write_bytes(f.data)

    def claim(self, paths: list[str]) -> None:
        check_paths([OutputFile(p, b"") for p in paths], self.seen)
        self._differ()

    def link(self, stamps: dict[str, Stamp | None]) -> bool:
        if any(stamp is None or file_stamp(self.output / path) != stamp for path, stamp in stamps.items()):
            return False
        seen = set(self.seen)
        check_paths([OutputFile(p, b"") for p in stamps], seen)
        linked = []
        for path in stamps:
            if not self._keep(path):
                for done in linked:
                    done.unlink(missing_ok=True)
                return False
            linked.append(self.folder / path)
        self.seen = seen
        return True

    def stamp(self, path: str) -> Stamp | None:
        written = file_stamp(self.folder / path)
        return written if written is not None or self.differs else file_stamp(self.output / path)

    def commit(self) -> None:
        staging, output = self.folder, self.output
        if not self.differs and _files(output) == {*self.kept, MARKER}:
            shutil.rmtree(staging, ignore_errors=True)  # the published site is the new one, to the byte
            return
        self._differ()
        (staging / MARKER).write_text("This folder is written by sitegen and replaced on every build.\n")
        os.chmod(staging, 0o755)
        if not output.exists():
            os.replace(staging, output)
        elif _exchange(staging, output):  # the new site is in place at once; the old one is now in staging
            _retire(staging, output)
        else:
            _swap_by_renames(staging, output)

    def discard(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


def _files(folder: Path, prefix: str = "") -> set[str] | None:
    """Every file below `folder`, by its path relative to it; None if there is anything else (a link, an
    empty folder), which a new site never holds."""
    found: set[str] = set()
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return found if not prefix else None
    if prefix and not entries:
        return None
    for entry in entries:
        if entry.is_symlink():
            return None
        if entry.is_dir():
            inner = _files(Path(entry.path), f"{prefix}{entry.name}/")
            if inner is None:
                return None
            found |= inner
        else:
            found.add(prefix + entry.name)
    return found


def _swap_by_renames(staging: Path, output: Path) -> None:
    """The new site in place of the old one by two renames: a kill between them is repaired by the next build
    (clean_leftovers), a failure at once."""
    retired = Path(tempfile.mkdtemp(prefix=f".{output.name}.old-", dir=output.parent))
    try:
        os.replace(output, retired / "site")
        try:
            os.replace(staging, output)
        except BaseException:
            os.replace(retired / "site", output)
            raise
    except BaseException:
        with suppress(OSError):
            retired.rmdir()  # only if empty: should the old site be in it still, the next build puts it back
        raise
    _retire(retired, output)


def _retire(folder: Path, output: Path) -> None:
    trash = output.parent / f".{output.name}.trash-{folder.name.rsplit('-', 1)[-1]}"
    try:
        os.replace(folder, trash)
    except OSError:
        shutil.rmtree(folder, ignore_errors=True)
        return
    _remove_later(trash)


def write_site(files: list[OutputFile], output: Path) -> None:
    """Write the whole site at once (see Stage)."""
    check_paths(files)
    stage = Stage(output)
    try:
        stage.add(files)
        stage.commit()
    except BaseException:
        stage.discard()
        raise
