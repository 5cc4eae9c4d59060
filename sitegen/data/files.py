"""Which files under a client's `data/` folder are data: every file outside hidden folders (a `.git` folder can
hold thousands of files, an editor keeps its state in them), but hidden files and Office lock files."""

from __future__ import annotations

import os
from pathlib import Path


def is_data_name(name: str) -> bool:
    return not name.startswith((".", "~$"))


def data_paths(data_dir: Path) -> list[Path]:
    """The files a client's data is loaded from, sorted; hidden folders are not walked into."""
    found = []
    for folder, folders, names in os.walk(data_dir):
        folders[:] = [f for f in folders if is_data_name(f)]
        found.extend(Path(folder, n) for n in names if is_data_name(n) and os.path.isfile(os.path.join(folder, n)))
    return sorted(found)
