"""Rows that more than one file reports: an export downloaded twice, monthly drops that overlap, a range
downloaded again after the platform restated some days, and TikTok Studio's daily files (Overview,
FollowerHistory, Viewers), which report the same days with different columns.

A row is identified by its kind's key (`KEYS`). Where several files report it, it counts once: each figure
from the latest download that has one (`download_ranks`), so a restated day takes the new figures, and a column
only the earlier file has is kept. A video's lifetime row (no `date`) is a snapshot: the same rule makes the
latest download's counts the ones that count. Community rows, and the orders of a shop's export, are events
without a key: a row of another file is the same row only when it repeats it exactly. What was superseded is
noted for `sitegen check` (`restated`)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from sitegen.data.file_dates import Download
from sitegen.data.kinds import NUMBER_TYPES, Kind
from sitegen.data.restated import Superseded, overlap_notes
from sitegen.data.snapshots import one_row_per_video
from sitegen.errors import Diagnostics

Notes = dict[int, list[str]]  # file index -> what happened to its rows, for `sitegen check`

# What makes a row the same row in two files (k-th alike rows of one file match the k-th of another); a kind
# without a key, and a file whose rows are events (a shop's orders), match a row only when it is repeated exactly
KEYS = {"ads": ["date", "campaign", "ad_group", "ad"], "account": ["date"], "orders": ["date", "code", "source"],
        "hashtags": ["date", "hashtag"], "follower_activity": ["date", "hour"], "videos": ["video_id", "date"]}


def settle_overlaps(table: pd.DataFrame, kind: Kind, origins: list[tuple[Path, np.ndarray]], file_of: np.ndarray,
                    downloads: list[Download], diagnostics: Diagnostics,
                    events: np.ndarray | None = None) -> tuple[pd.DataFrame, np.ndarray, Notes]:
    """The table with each row that several files report counted once, the file of each of its rows, and notes
    for the files concerned (`events`: per file, whether its rows are events). Videos: also one row per video
    (and day) in a file (`snapshots`)."""
    if kind.name == "videos":
        if not table["video_id"].duplicated().any():  # each video once (and on one day): nothing to settle
            return table, file_of, {}
        table, file_of = one_row_per_video(table, origins, file_of, diagnostics)
    if file_of.max(initial=0) == 0:
        return table, file_of, {}
    keys = KEYS.get(kind.name, [])
    exact = np.ones(len(table), dtype=bool) if not keys else None if events is None else events[file_of]
    paths = [path for path, _ in origins]
    numbers = [c for c, ctype in kind.columns.items() if ctype in NUMBER_TYPES and c not in keys]
    group, key = row_groups(table, keys, file_of, exact)
    ranks = download_ranks(downloads, paths)
    table, group, file_of, dropped = _drop_unmatched(table, group, key, file_of, ranks, exact, kind, paths)
    table, kept, superseded = supersede(table, group, keys, file_of, ranks, numbers)
    if superseded is None:
        return table, file_of, dropped
    notes = overlap_notes(superseded, kind, paths, downloads, diagnostics)
    for index, more in dropped.items():
        notes.setdefault(index, []).extend(more)
    return table, file_of[kept], notes


def _drop_unmatched(table: pd.DataFrame, group: np.ndarray, key: np.ndarray, file_of: np.ndarray, ranks: np.ndarray,
                    exact: np.ndarray | None, kind: Kind, paths: list[Path]
                    ) -> tuple[pd.DataFrame, np.ndarray, np.ndarray, Notes]:
    """Without the rows of a key that a later download reports fewer times (two ad groups of a campaign and day in
    the earlier file, the day restated as one row in the later): the later download's rows are the key's."""
    mine = ranks[file_of]
    latest = pd.Series(mine).groupby(key).transform("max").to_numpy()
    nth = pd.DataFrame({"file": file_of, "key": key}).groupby(["file", "key"], sort=False).cumcount().to_numpy()
    in_latest = np.bincount(key[mine == latest], minlength=int(key.max(initial=-1)) + 1)  # rows per key there
    drop = (mine < latest) & (nth >= in_latest[key])
    if exact is not None:
        drop &= ~exact  # (events: each copy of a row is a row of its own)
    if not drop.any():
        return table, group, file_of, {}
    notes: Notes = {}
    for index, count in enumerate(np.bincount(file_of[drop], minlength=len(paths)).tolist()):
        if count:
            later = sorted({paths[f].name for f in np.unique(file_of[np.isin(key, key[drop & (file_of == index)])])
                            if ranks[f] > ranks[index]})
            notes[index] = [f"{count:,} {kind.name} row{'s' if count > 1 else ''} left out: a later download "
                            f"({', '.join(later)}) reports the same {', '.join(KEYS[kind.name])} in fewer rows, and "
                            f"its rows count"]
    keep = ~drop
    return table[keep].reset_index(drop=True), group[keep], file_of[keep], notes


def in_two_files(column: pd.Series | np.ndarray, file_of: np.ndarray) -> bool:
    """Whether a value of a date column (NaT counts as one value) occurs in two files."""
    if file_of.max(initial=0) == 0:
        return False
    values = np.asarray(column).astype("datetime64[ns]", copy=False).view("int64")
    order = np.lexsort((file_of, values))
    values, files = values[order], file_of[order]
    return bool(((values[1:] == values[:-1]) & (files[1:] != files[:-1])).any())


def download_ranks(downloads: list[Download], paths: list[Path]) -> np.ndarray:
    """Each file's place in download order (0: the first): by download day, then by path."""
    order = sorted(range(len(paths)), key=lambda i: (downloads[i].day, paths[i]))
    ranks = np.empty(len(paths), dtype=np.int64)
    ranks[order] = np.arange(len(paths))
    return ranks


def supersede(table: pd.DataFrame, group: np.ndarray, keys: list[str], file_of: np.ndarray, ranks: np.ndarray,
              numbers: list[str]) -> tuple[pd.DataFrame, np.ndarray, Superseded | None]:
    """The table with the rows of one `group` (`row_groups`) made one: at the place of the latest download's row,
    each column from the latest file that has a value there; the rows of `table` kept; what was superseded.
    `numbers`: the figures to compare for the notes."""
    shared = np.bincount(group)[group] > 1
    if not shared.any():
        return table, np.arange(len(table)), None
    positions = np.flatnonzero(shared)
    positions = positions[np.lexsort((ranks[file_of[positions]], group[positions]))]
    groups = group[positions]
    last = np.r_[groups[1:] != groups[:-1], True]  # each group's latest download
    run = np.cumsum(np.r_[True, last[:-1]]) - 1  # each row's group, numbered 0.. in this order
    values = [c for c in table.columns if c not in keys]
    merged = table.iloc[positions][values].groupby(run, sort=False).last()  # (last skips missing values)
    winners = positions[last]
    keep = ~shared
    keep[winners] = True
    kept = np.flatnonzero(keep)
    at = np.searchsorted(kept, winners)
    out = table.take(kept).reset_index(drop=True)
    for column in values:
        new = merged[column].to_numpy()
        fill = pd.isna(out[column].to_numpy()[at]) & ~pd.isna(new)
        if fill.any():  # a figure only an earlier file has
            filled = out[column].to_numpy(copy=True)
            filled[at[fill]] = new[fill]
            out[column] = filled
    losers, lost_run = positions[~last], run[~last]
    superseded = Superseded(file_of[losers], file_of[winners][lost_run],
                            table.iloc[losers][keys + numbers].reset_index(drop=True),
                            merged.iloc[lost_run][numbers].reset_index(drop=True))
    return out, kept, superseded


def row_groups(table: pd.DataFrame, keys: list[str], file_of: np.ndarray, exact: np.ndarray | None
               ) -> tuple[np.ndarray, np.ndarray]:
    """A number for each row, the same for the k-th row of a key in each file (missing key cells are alike), and
    each row's key; `exact`: the rows matched only by all their cells (all of them when there are no keys)."""
    if exact is None or not exact.any():
        key = table.groupby(keys, sort=False, dropna=False).ngroup().to_numpy()
    else:
        key = np.zeros(len(table), dtype=np.int64)
        if not exact.all():
            key[~exact] = table[~exact].groupby(keys, sort=False, dropna=False).ngroup().to_numpy()
        hashes = pd.util.hash_pandas_object(table[exact], index=False).to_numpy()
        key[exact] = key[~exact].max(initial=-1) + 1 + pd.factorize(hashes)[0]
    nth = pd.DataFrame({"file": file_of, "key": key}).groupby(["file", "key"], sort=False).cumcount().to_numpy()
    if not nth.any():
        return key, key
    return pd.factorize(key * (int(nth.max()) + 1) + nth)[0], key
