"""Rows that more than one file reports: an export downloaded twice, monthly drops that overlap, and TikTok
Studio's daily files (Overview, FollowerHistory, Viewers), which report the same days with different columns.
Each such row counts once; only the same figure reported differently is a warning."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from sitegen.data.cells import locator
from sitegen.data.kinds import Kind
from sitegen.errors import Diagnostics

Notes = dict[int, str]  # file index -> what happened to its rows, for `sitegen check`


def settle_overlaps(table: pd.DataFrame, kind: Kind, origins: list[tuple[Path, np.ndarray]], file_of: np.ndarray,
                    diagnostics: Diagnostics) -> tuple[pd.DataFrame, Notes]:
    """The table with each row that several files report counted once, and a note for each file concerned."""
    if kind.name == "account":
        return merge_days(table, origins, file_of, diagnostics)
    return drop_repeats(table, kind, origins, file_of)


def drop_repeats(table: pd.DataFrame, kind: Kind, origins: list[tuple[Path, np.ndarray]],
                 file_of: np.ndarray) -> tuple[pd.DataFrame, Notes]:
    """The table without rows that repeat a row of an earlier file exactly (overlapping downloads)."""
    hashes = pd.util.hash_pandas_object(table, index=False).to_numpy()
    # the k-th copy of a row in its own file matches only the k-th copy in an earlier file
    nth = pd.DataFrame({"file": file_of, "hash": hashes}).groupby(["file", "hash"]).cumcount().to_numpy()
    dupes = pd.DataFrame({"hash": hashes, "nth": nth}).duplicated(keep="first").to_numpy()
    if not dupes.any():
        return table, {}
    notes = {}
    for index, count in enumerate(np.bincount(file_of[dupes], minlength=len(origins)).tolist()):
        if count:
            notes[index] = (f"{count} {kind.name} row{'s' if count > 1 else ''} repeat rows of an earlier file "
                            f"exactly (an overlapping download), each counted once")
    return table[~dupes].reset_index(drop=True), notes


def merge_days(table: pd.DataFrame, origins: list[tuple[Path, np.ndarray]], file_of: np.ndarray,
               diagnostics: Diagnostics) -> tuple[pd.DataFrame, Notes]:
    """Account rows of one day from several files made one row: each column from the files that have it. Two
    files with different figures in the same column of a day is a warning (the later file's figure is used)."""
    dates = table["date"].to_numpy()
    files_per_day = pd.Series(file_of).groupby(dates).nunique()
    shared = np.isin(dates, files_per_day.index[files_per_day > 1].to_numpy())
    if not shared.any():
        return table, {}
    part = table[shared]
    grouped = part.groupby("date", sort=False)
    values = [c for c in table.columns if c != "date"]
    differ = grouped[values].nunique(dropna=True) > 1
    if differ.to_numpy().any():
        _warn_differences(differ, part, np.flatnonzero(shared), locator(origins), diagnostics)
    merged = grouped[values].last().reset_index()  # (last skips missing values: each column from its file)
    out = pd.concat([table[~shared], merged[table.columns]], ignore_index=True)
    days = int(len(files_per_day[files_per_day > 1]))
    note = f"{days} day{'s' if days > 1 else ''} also in another account file, merged into one row a day"
    return out.astype(table.dtypes.to_dict()), {int(i): note for i in np.unique(file_of[shared])}


def _warn_differences(differ: pd.DataFrame, part: pd.DataFrame, positions: np.ndarray, locate,
                      diagnostics: Diagnostics) -> None:
    """`positions`: the table rows of `part`; `locate`: table row -> (file, spreadsheet row)."""
    day = differ.index[differ.any(axis=1).to_numpy()][0]
    column = differ.columns[differ.loc[day].to_numpy()][0]
    rows = positions[(part["date"] == day).to_numpy() & part[column].notna().to_numpy()]
    (path_a, row_a), (path_b, row_b) = locate(int(rows[0])), locate(int(rows[-1]))
    days = int(differ.any(axis=1).sum())
    diagnostics.warn(f"{days} account day{'s' if days > 1 else ''} reported by two files with different figures "
                     f"(e.g. {column} on {pd.Timestamp(day):%Y-%m-%d}: {path_a.name}:{row_a} and "
                     f"{path_b.name}:{row_b}); the later file's figure is used", path_b, row_b)
