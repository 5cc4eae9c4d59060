"""Stage 6: write the site. Everything goes to a temporary folder beside the output, which replaces
the previous site only once every file is written, so a failed build leaves the last good site."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path, PurePosixPath

from sitegen.errors import SitegenError
from sitegen.pages import OutputFile

MARKER = ".sitegen-output"


def check_paths(files: list[OutputFile]) -> None:
    seen: set[str] = set()
    for f in files:
        path = PurePosixPath(f.path)
        if path.is_absolute() or ".." in path.parts or not path.parts or "\\" in f.path:
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


def _clean_leftovers(output: Path) -> None:
    """Remove temporary folders of builds that were killed before they finished."""
    for stale in output.parent.glob(f".{output.name}.tmp-*"):
        shutil.rmtree(stale, ignore_errors=True)
    for stale in output.parent.glob(f".{output.name}.old-*"):
        shutil.rmtree(stale, ignore_errors=True)


def write_site(files: list[OutputFile], output: Path) -> None:
    check_paths(files)
    output = output.absolute()
    output.parent.mkdir(parents=True, exist_ok=True)
    _check_replaceable(output)
    _clean_leftovers(output)
    staging = Path(tempfile.mkdtemp(prefix=f".{output.name}.tmp-", dir=output.parent))
    try:
        for f in files:
            target = staging / f.path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(f.data)
        (staging / MARKER).write_text("This folder is written by sitegen and replaced on every build.\n")
        os.chmod(staging, 0o755)
        if output.exists():
            retired = Path(tempfile.mkdtemp(prefix=f".{output.name}.old-", dir=output.parent))
            os.replace(output, retired / "site")
            os.replace(staging, output)
            shutil.rmtree(retired, ignore_errors=True)
        else:
            os.replace(staging, output)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
