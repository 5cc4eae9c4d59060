"""A video's row is a snapshot: its lifetime figures (or one day's) when the file was downloaded. One file is one
download, so it holds one row per video (and day): a row repeated exactly counts once, with a warning; the same
video twice with other figures is an error naming both rows, since neither can be told to be the right one."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from sitegen.data.cells import locator
from sitegen.errors import Diagnostics, SitegenError, raise_all

MAX_LISTED = 5  # repeated rows named in a warning
KEY = ["video_id", "date"]


def one_row_per_video(table: pd.DataFrame, origins: list[tuple[Path, np.ndarray]], file_of: np.ndarray,
                      diagnostics: Diagnostics) -> tuple[pd.DataFrame, np.ndarray]:
    """The videos table (and each row's file) with rows that repeat an earlier row of their file left out."""
    same_key = table[KEY].assign(_file=file_of).duplicated(keep=False).to_numpy()
    if not same_key.any():
        return table, file_of
    positions = np.flatnonzero(same_key)
    rows = pd.util.hash_pandas_object(table.iloc[positions], index=False).to_numpy()
    part = table.iloc[positions][KEY].assign(_file=file_of[positions], _row=rows, _at=positions)
    locate = locator(origins)
    grouped = part.groupby([*KEY, "_file"], dropna=False, sort=False)
    versions = grouped["_row"].transform("nunique").to_numpy()
    if (versions > 1).any():
        _raise_conflicts(table, part[versions > 1], locate)
    repeat = part.duplicated(["_file", "_row"]).to_numpy()
    firsts = grouped["_at"].transform("first").to_numpy()
    _warn_repeats(positions[repeat], firsts[repeat], file_of[positions[repeat]], locate, diagnostics)
    keep = np.ones(len(table), dtype=bool)
    keep[positions[repeat]] = False
    return table[keep].reset_index(drop=True), file_of[keep]


def _warn_repeats(repeats: np.ndarray, firsts: np.ndarray, files: np.ndarray, locate, diagnostics: Diagnostics) -> None:
    """One warning per file: how many rows repeat an earlier row, and the first few (row and the row it repeats)."""
    for file in np.unique(files):
        mine, theirs = repeats[files == file], firsts[files == file]
        pairs = [(locate(int(r))[1], locate(int(f))[1]) for r, f in zip(mine[:MAX_LISTED], theirs[:MAX_LISTED])]
        listed = ", ".join(f"row {r} repeats row {f}" for r, f in pairs)
        more = f", and {len(mine) - len(pairs):,} more" if len(mine) > len(pairs) else ""
        diagnostics.warn(f"{len(mine):,} videos row{'s' if len(mine) > 1 else ''} repeat an earlier row of this file "
                         f"exactly ({listed}{more}): each counted once", locate(int(mine[0]))[0], pairs[0][0])


def _raise_conflicts(table: pd.DataFrame, part: pd.DataFrame, locate) -> None:
    """One error per video (and day) that a file gives twice with other figures: the second row's first cell that
    differs, and the row it differs from."""
    errors = []
    for _, rows in part.groupby([*KEY, "_file"], dropna=False, sort=False):
        first = int(rows["_at"].iloc[0])
        other = int(rows["_at"].iloc[int(np.argmax(rows["_row"].to_numpy() != rows["_row"].iloc[0]))])
        a, b = table.iloc[first], table.iloc[other]
        column = next(c for c in table.columns if not (pd.isna(a[c]) and pd.isna(b[c])) and (
            pd.isna(a[c]) or pd.isna(b[c]) or a[c] != b[c]))
        path, row = locate(other)
        day = "" if pd.isna(a["date"]) else f" on {pd.Timestamp(a['date']):%Y-%m-%d}"
        errors.append(SitegenError(
            f"found video {a['video_id']}{day} again, with {_shown(b[column])} where row {locate(first)[1]} has "
            f"{_shown(a[column])}, expected each video once in a file (a download holds one snapshot of it)",
            path, row, column))
    raise_all(sorted(errors, key=lambda e: (str(e.file), e.row)))


def _shown(value) -> str:
    if pd.isna(value):
        return "an empty cell"
    if isinstance(value, float) and value.is_integer():
        return repr(int(value))
    if isinstance(value, pd.Timestamp):
        return repr(str(value))
    return repr(value)
