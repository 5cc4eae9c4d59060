"""A file's dates that spell their month ("February 28", "8 de marzo de 2026") rewritten as ISO dates, a date
without a year placed in the latest year that puts it on or before the file's download day (`file_dates`): a
Studio file's consecutive days ending on the download day cross the year boundary, and a post time is the most
recent such day. February 29 goes to the latest leap year within the year before the download day, or stays as
written (and is reported as a bad cell)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd

from sitegen.data.file_dates import MODIFIED, FileDays, reference_day
from sitegen.data.month_names import Spelled, read_spelled, resolve_months

YEARLESS = "dates without a year"  # the start of the note a file with such dates gets (see conversion_cache)
_LETTER = r"[^\W\d_]"


@dataclass
class DateContext:
    """What placing a file's dates needs beyond its cells."""

    path: Path | None = None
    days: FileDays | None = None
    language: str = "en"  # the client's: decides month names that languages give to different months
    day_first: bool = False  # the client's locale writes the day before the month (see options.day_first)
    covers: tuple[date, date] | None = None  # set when the file has no date column and covers this range


@dataclass
class SpelledFound:
    notes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def place(month: int, day: int, downloaded: date) -> date | None:
    """The latest such day on or before `downloaded`, within the year before it (None: there is none)."""
    for year in range(downloaded.year, downloaded.year - 9, -1):  # February 29: up to 8 years back
        try:
            placed = date(year, month, day)
        except ValueError:
            continue
        if placed <= downloaded:
            return placed if (downloaded - placed).days < 366 else None
    return None


def rewrite_spelled(cells: pd.Series, context: DateContext | None, found: SpelledFound) -> pd.Series:
    """`cells` (a file's distinct date cells, trimmed) with every spelled date as an ISO date (and its time)."""
    candidates = cells[cells.str.contains(_LETTER, regex=True).fillna(False).astype(bool)]
    if candidates.empty:
        return cells
    parsed: dict[int, Spelled] = {}
    for position, text in zip(candidates.index, candidates.tolist()):
        spelled = read_spelled(text)
        if spelled is not None:
            parsed[position] = spelled
    if not parsed:
        return cells
    context = context or DateContext()
    months, guesses = resolve_months({s.name for s in parsed.values()}, context.language)
    found.warnings.extend(guesses)
    sample = cells[next(iter(parsed))]
    yearless = [p for p in parsed if parsed[p].year is None]
    downloaded, origin = None, ""
    if yearless and (context.days is not None and context.days.downloaded or context.path is not None):
        downloaded, origin = reference_day(context.days, context.path)
    out = cells.astype(object).copy()
    for position, spelled in parsed.items():
        day = _day(spelled, months[spelled.name], downloaded)
        if day is not None:
            out[position] = day.isoformat() + (f" {spelled.time}" if spelled.time else "")
    if not yearless or downloaded is None:
        found.notes.append(f"month names read (e.g. {sample!r})")
        return pd.Series(out, index=cells.index, dtype=cells.dtype)
    example = cells[yearless[0]]
    fragile = " (warning)" if origin == MODIFIED else ""
    found.notes.append(f"{YEARLESS} (e.g. {example!r}): year from {origin}{fragile}, download day {downloaded}")
    if fragile:
        path = context.path
        found.warnings.append(
            f"dates without a year (e.g. {example!r}) took their year from the file's modification time "
            f"({downloaded}), which a copy or a git checkout changes; put the download date in the file's name "
            f"(e.g. '{path.stem} {downloaded}{path.suffix}') or set it in client.toml: "
            f"[files.\"{path.name}\"] downloaded = {downloaded}")
    return pd.Series(out, index=cells.index, dtype=cells.dtype)


def _day(spelled: Spelled, month: int, downloaded: date | None) -> date | None:
    if spelled.year is not None:
        try:
            return date(spelled.year, month, spelled.day)
        except ValueError:
            return None
    return place(month, spelled.day, downloaded) if downloaded is not None else None
