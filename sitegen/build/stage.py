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
from pathlib import Path

from sitegen.build.writer import MARKER, Stamp, check_paths, file_stamp
from sitegen.errors import SitegenError
from sitegen.render.files import OutputFile


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
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd = -100
    return renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), _RENAME_EXCHANGE) == 0


class Stage:
    """A new site written file by file into a temporary folder beside the output (a `SiteWriter`); `commit` puts
    it in place of the old one in one step, `discard` removes it (the old site stays as it was)."""

    def __init__(self, output: Path):
        output = output.absolute()
        output.parent.mkdir(parents=True, exist_ok=True)
        _check_replaceable(output)
        clean_leftovers(output)
        self.output = output
        self.folder = Path(tempfile.mkdtemp(prefix=f".{output.name}.tmp-", dir=output.parent))
        self.seen: set[str] = set()
        self.made: set[Path] = set()

    def _target(self, path: str) -> Path:
        target = self.folder / path
        if target.parent not in self.made:
            target.parent.mkdir(parents=True, exist_ok=True)
            self.made.add(target.parent)
        return target

    def add(self, files: list[OutputFile], unchanged: dict[str, Stamp] | None = None) -> None:
        """Write files; those in `unchanged` are hard-linked from the current output if its file still has the
        stamp (the swap never modifies a file in place, so the link stays right)."""
        check_paths(files, self.seen)
        for f in files:
            target = self._target(f.path)
            stamp = unchanged.get(f.path) if unchanged else None
            if stamp is not None and file_stamp(self.output / f.path) == stamp:
                try:
                    os.link(self.output / f.path, target)
                    continue
                except OSError:
                    pass  # gone, or a file system without hard links: write it
            target.write_bytes(f.data)

    def claim(self, paths: list[str]) -> None:
        check_paths([OutputFile(p, b"") for p in paths], self.seen)

    def link(self, stamps: dict[str, Stamp | None]) -> bool:
        seen = set(self.seen)
        check_paths([OutputFile(p, b"") for p in stamps], seen)
        linked = []
        for path, stamp in stamps.items():
            target = self._target(path)
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
