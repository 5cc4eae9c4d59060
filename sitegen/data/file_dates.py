"""The dates a file does not write, and where they come from.

TikTok Studio writes days without a year ("February 28"): their year comes from the download day, which is
found in this order: a date in the file's name or in the name of a folder it is in (below data/); the client's
`[files."pattern"] downloaded` (or `end`); the file's modification time (a warning: a copy or a git checkout
resets it). Ads Manager's campaign totals have no date column at all: such a file covers one range, from two
dates in its name ("Campaign Report(2024-05-12 to 2024-05-18).xlsx") or a folder's name, else from
`[files."pattern"] start` and `end`.

Dates in names are ISO (2026-02-27, 2026_02_27, 2026.02.27) or compact (20260227), years 2000-2099. One date
is the download day; two, the first not after the second, are a range (its end is the download day).

A year taken from the modification time is not part of a build's data key (touching a file rebuilds nothing):
an incremental build keeps it until the file's bytes or the client's settings change."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import date
from fnmatch import fnmatchcase
from pathlib import Path, PurePosixPath
from typing import NamedTuple

from sitegen.data.options import FileDates

_IN_NAME = re.compile(r"(?<!\d)(20\d{2})([-_.]?)(0[1-9]|1[0-2])\2(0[1-9]|[12]\d|3[01])(?!\d)")
MODIFIED = "the file's modification time"


@dataclass(frozen=True)
class FileDays:
    """What is known of a file's dates before it is read."""

    downloaded: date | None = None  # the day dates without a year end on (None: the modification time's)
    downloaded_from: str = ""
    start: date | None = None  # the range a file without a date column covers
    end: date | None = None
    range_from: str = ""

    def cache_key(self) -> list:
        return [str(self.downloaded), self.downloaded_from, str(self.start), str(self.end), self.range_from]

    @property
    def has_range(self) -> bool:
        return self.start is not None and self.end is not None


def dates_in_name(name: str) -> list[date]:
    found = []
    for match in _IN_NAME.finditer(name):
        try:
            found.append(date(int(match[1]), int(match[3]), int(match[4])))
        except ValueError:  # 2026-02-30
            continue
    return found


def _from_names(relative: PurePosixPath) -> tuple[date | None, date | None, date | None, str]:
    """(download day, range start, range end, where) from the file's name, else its folders' (nearest first)."""
    parts = [(relative.stem, "the file name")] + [
        (folder, f"the folder name {folder!r}") for folder in reversed(relative.parent.parts)]
    for name, where in parts:
        dates = dates_in_name(name)
        if len(dates) == 1:
            return dates[0], None, None, where
        if len(dates) == 2 and dates[0] <= dates[1]:
            return dates[1], dates[0], dates[1], where
    return None, None, None, ""


def _from_settings(relative: PurePosixPath, files: dict[str, FileDates]) -> tuple[dict[str, date], dict[str, str]]:
    """The client.toml dates of the patterns that match the file or one of its folders (a later pattern's date
    wins), and the pattern each came from. A pattern without a slash also matches a name in any folder."""
    paths = [relative.as_posix()] + [p.as_posix() for p in relative.parents if p.as_posix() != "."]
    values: dict[str, date] = {}
    origins: dict[str, str] = {}
    for pattern, dates in files.items():
        clean = pattern.strip("/")
        candidates = paths if "/" in clean else [*paths, *relative.parts]
        if not any(fnmatchcase(c, clean) for c in candidates):
            continue
        for field in ("downloaded", "start", "end"):
            value = getattr(dates, field)
            if value is not None:
                values[field], origins[field] = value, f'client.toml [files."{pattern}"]'
    return values, origins


def file_days(path: Path, data_dir: Path, files: dict[str, FileDates]) -> FileDays:
    """The download day and the range of a file, as far as its name, its folders and client.toml tell."""
    try:
        relative = PurePosixPath(path.relative_to(data_dir).as_posix())
    except ValueError:
        relative = PurePosixPath(path.name)
    downloaded, start, end, where = _from_names(relative)
    values, origins = _from_settings(relative, files) if files else ({}, {})
    range_from = where if start else ""
    if start is None and "start" in values and "end" in values:
        start, end, range_from = values["start"], values["end"], origins["start"]
    if downloaded is None:
        field = next((f for f in ("downloaded", "end") if f in values), None)
        if field:
            downloaded, where = values[field], origins[field]
    return FileDays(downloaded, where if downloaded else "", start, end, range_from)


class Download(NamedTuple):
    day: date
    origin: str  # where the day came from: a name, a client.toml pattern, or MODIFIED


def reference_day(days: FileDays | None, path: Path) -> Download:
    """The download day and where it came from: the file's modification time when nothing else tells. It places
    dates without a year, and orders files that report the same rows (`overlaps`)."""
    if days is not None and days.downloaded is not None:
        return Download(days.downloaded, days.downloaded_from)
    return Download(date.fromtimestamp(os.stat(path).st_mtime), MODIFIED)

