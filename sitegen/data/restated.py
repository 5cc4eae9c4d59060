"""What `sitegen check` says about rows that several files report (see `overlaps`): for each file whose rows a
later download superseded, how many, and the figures the later download restated (the first days, old → new).

Platforms restate past days routinely, so a restatement is a note, not a warning. It is a warning only when
which file is the later download is not known for sure (a modification time, or the same download day), since
then the figures used may be the older ones."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from sitegen.data.file_dates import MODIFIED, Download
from sitegen.data.kinds import Kind
from sitegen.errors import Diagnostics

MAX_LISTED = 5  # restated days (or videos) listed in a note


@dataclass
class Superseded:
    """The rows a later download's row stands in for."""
    earlier: np.ndarray  # the file of each superseded row
    later: np.ndarray  # the file whose row counts in its place
    old: pd.DataFrame  # the superseded rows: their key columns and figures
    new: pd.DataFrame  # the figures counted in their place (the figure columns of `old`)


def overlap_notes(superseded: Superseded, kind: Kind, paths: list[Path], downloads: list[Download],
                  diagnostics: Diagnostics) -> dict[int, list[str]]:
    """A note for each file with superseded rows, one per later file; a warning where the order is a guess."""
    listings, changed = _listings(superseded, kind)
    pairs = pd.DataFrame({"earlier": superseded.earlier, "later": superseded.later}).value_counts().sort_index()
    notes: dict[int, list[str]] = {}
    for (earlier, later), count in pairs.items():
        name = paths[later].name
        text = (f"{count:,} {kind.name} row{_s(count)} also in {name}: counted once, with that file's figures where "
                f"it has them")
        listing = listings.get((earlier, later))
        if listing:
            basis = order_basis(downloads[earlier], downloads[later])
            verb = "newer figures in" if kind.name == "videos" else "restated by"
            text += f" ({verb} {name}: {listing}){f' ({basis})' if basis else ''}"
            if basis:
                n = changed[(earlier, later)]
                diagnostics.warn(
                    f"{n:,} {_unit(kind, n)} of {paths[earlier].name} with other {kind.name} figures in this file: "
                    f"this file's are used as the later download, but {basis}; put each file's download date in "
                    f"its name (e.g. '{paths[later].stem} {downloads[later].day}{paths[later].suffix}') or set "
                    f"[files.\"{name}\"] downloaded in client.toml", paths[later])
        notes.setdefault(int(earlier), []).append(text)
    return notes


def order_basis(earlier: Download, later: Download) -> str:
    """Why which of two files is the later download is a guess ("" when their download days tell)."""
    if earlier.day == later.day:
        return f"both were downloaded on {later.day} as far as sitegen can tell, so the later one is by file name"
    if MODIFIED in (earlier.origin, later.origin):
        return "the later one is by the files' modification times, which a copy or a git checkout changes"
    return ""


def _listings(superseded: Superseded, kind: Kind) -> tuple[dict[tuple[int, int], str], dict[tuple[int, int], int]]:
    """Per (earlier, later) file: the restated days (videos) listed, old → new, and how many there are. A figure
    is restated when the sum of a day's superseded rows differs from what counts in their place (alike rows of
    one file may pair up with another file's in another order)."""
    numbers = list(superseded.new.columns)
    old = superseded.old[numbers].to_numpy(dtype="float64")
    new = superseded.new.to_numpy(dtype="float64")
    both = ~np.isnan(old) & ~np.isnan(new)
    if not (both & (old != new)).any():
        return {}, {}
    labels = ["video_id", "date"] if kind.name == "videos" else ["date"]
    frame = superseded.old[labels].assign(earlier=superseded.earlier, later=superseded.later)
    for j, column in enumerate(numbers):
        frame[f"old {column}"] = np.where(both[:, j], old[:, j], 0.0)
        frame[f"new {column}"] = np.where(both[:, j], new[:, j], 0.0)
    sums = frame.groupby(["earlier", "later", *labels], dropna=False).sum()
    restated = np.zeros(len(sums), dtype=bool)
    for column in numbers:
        sums[f"differ {column}"] = ~np.isclose(sums[f"old {column}"], sums[f"new {column}"], rtol=1e-12, atol=1e-9)
        restated |= sums[f"differ {column}"].to_numpy()
    listings, changed = {}, {}
    for pair, part in sums[restated].groupby(level=[0, 1]):
        pair = (int(pair[0]), int(pair[1]))
        changed[pair] = len(part)
        shown = [_restated(kind, label[2:], figures, numbers) for label, figures in part.head(MAX_LISTED).iterrows()]
        more = len(part) - len(shown)
        listings[pair] = ", ".join(shown) + (f", and {more:,} more {_unit(kind, more)}" if more else "")
    return listings, changed


def _restated(kind: Kind, label: tuple, figures: pd.Series, numbers: list[str]) -> str:
    """`2026-10-03 spend 100.00 → 50.00 and clicks 10 → 12`."""
    *video, day = label
    where = " on ".join([*map(str, video), *([f"{pd.Timestamp(day):%Y-%m-%d}"] if not pd.isna(day) else [])])
    money = {c for c in numbers if kind.columns[c] in ("money", "float")}
    changes = [f"{c} {_figure(figures[f'old {c}'], c in money)} → {_figure(figures[f'new {c}'], c in money)}"
               for c in numbers if figures[f"differ {c}"]]
    return f"{where} {' and '.join(changes)}"


def _figure(value: float, money: bool) -> str:
    return f"{value:,.2f}" if money else f"{value:,.0f}"


def _unit(kind: Kind, n: int) -> str:
    return ("video" if kind.name == "videos" else "day") + _s(n)


def _s(n: int) -> str:
    return "" if n == 1 else "s"
