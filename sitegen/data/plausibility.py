"""Figures that parse but are hard to believe (more clicks than impressions, dates in the future, a day two
files report with different numbers): warnings, not errors, each naming the first row concerned."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from sitegen.data.cells import locator
from sitegen.data.kinds import TIME_COLUMN, Kind
from sitegen.errors import Diagnostics


def plausibility(table: pd.DataFrame, kind: Kind, origins, file_of: np.ndarray, diagnostics: Diagnostics,
                 quick: bool = False, arrays: dict[str, np.ndarray] | None = None) -> None:
    """Warnings for figures that parse but are hard to believe (`quick`: skip looking for days reported by
    two files when no date is in two files; `arrays`: the table's columns as numpy arrays, if at hand)."""
    locate = locator(origins)
    checks = []

    def column(name: str) -> np.ndarray:  # comparisons with NaN or NaT are False, as pandas' are
        return arrays[name] if arrays is not None else table[name].to_numpy()

    if kind.name == "ads":
        checks.append((column("clicks") > column("impressions"), "clicks above impressions"))
        checks.append((column("video_views") > column("impressions"), "video views above impressions"))
    if kind.name == "videos":
        checks.append((column("likes") > column("views"), "likes above views"))
    if kind.name == "account":
        checks.append((column("likes") > column("video_views"), "likes above video views"))
    today = pd.Timestamp(date.today())
    future = (today + pd.Timedelta(days=1)).to_datetime64()
    checks.append((column(TIME_COLUMN[kind.name]) > future, "dates in the future"))
    for mask, what in checks:
        hits = np.flatnonzero(mask)
        if len(hits):
            path, row = locate(int(hits[0]))
            diagnostics.warn(f"{what} in {len(hits)} {kind.name} row{'s' if len(hits) > 1 else ''} "
                             f"(first shown)", path, row)
    keys = DAY_KEYS.get(kind.name)
    if quick and keys and not in_two_files(column(keys[0]), file_of):
        return
    _conflicting_days(table, kind, locate, file_of, diagnostics)


def in_two_files(column: pd.Series | np.ndarray, file_of: np.ndarray) -> bool:
    """Whether a value of a date column (NaT counts as one value) occurs in two files."""
    if file_of.max(initial=0) == 0:
        return False
    values = np.asarray(column).astype("datetime64[ns]", copy=False).view("int64")
    order = np.lexsort((file_of, values))
    values, files = values[order], file_of[order]
    return bool(((values[1:] == values[:-1]) & (files[1:] != files[:-1])).any())


# (account days reported by two files are merged, and their differences reported, by `overlaps`)
DAY_KEYS = {"ads": ["date", "campaign", "ad_group", "ad"], "orders": ["date", "code"],
            "hashtags": ["date", "hashtag"]}


def _conflicting_days(table, kind: Kind, locate, file_of: np.ndarray, diagnostics: Diagnostics) -> None:
    """The same day (and campaign, code, hashtag) reported by two files with different numbers."""
    keys = DAY_KEYS.get(kind.name)
    if not keys or file_of.max(initial=0) == 0:
        return
    frame = table[keys].astype(str).fillna("").assign(_file=file_of,
                                                      _row=pd.util.hash_pandas_object(table, index=False))
    per_key = frame.groupby(keys, sort=False, dropna=False).agg(files=("_file", "nunique"), rows=("_row", "nunique"))
    clash = per_key[(per_key["files"] > 1) & (per_key["rows"] > 1)]
    if clash.empty:
        return
    first_key = clash.index[0] if len(keys) > 1 else (clash.index[0],)
    match = np.flatnonzero((frame[keys] == pd.Series(first_key, index=keys)).all(axis=1).to_numpy())
    (path_a, row_a), (path_b, row_b) = locate(int(match[0])), locate(int(match[-1]))
    diagnostics.warn(f"{len(clash)} {kind.name} days are reported by two files with different numbers "
                     f"(e.g. {path_a.name}:{row_a} and {path_b.name}:{row_b}); both are counted", path_b, row_b)
