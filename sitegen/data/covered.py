"""Files without a date column (campaign totals for the range picked when downloading): each covers one range
(`file_dates`), its rows are placed on the range's first day, and a period that holds part of the range only
cannot count them without guessing how they split by day."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

DATE_KINDS = ("ads", "account", "orders", "hashtags")  # the kinds placed in time by their `date` column


@dataclass(frozen=True)
class CoveredRange:
    """A loaded file without dates: its kind and the days it covers."""

    path: Path
    kind: str
    start: date
    end: date


def split_ranges(ranges: list[CoveredRange], start: date, end: date) -> list[CoveredRange]:
    """The ranges that the period start..end holds only part of."""
    return [r for r in ranges if r.start <= end and r.end >= start and not (start <= r.start and r.end <= end)]


def split_message(covered: CoveredRange, start: date, end: date, what: str = "the report period") -> str:
    return (f"{what} {start} to {end} holds only part of {covered.start} to {covered.end}, the range of "
            f"{covered.path.name} ({covered.kind} totals without dates), and sitegen does not guess how they "
            f"split by day; make the period hold the whole range, or download the data by day")


def missing_range_hint(name: str) -> str:
    """What a file without a date column needs (added to the 'missing required column' error)."""
    return (f"; if the file has no dates because it holds totals for one range (campaign totals), name the range "
            f"in the file's name (e.g. 'Campaign Report(2026-10-01 to 2026-10-31).csv') or set it in client.toml: "
            f"[files.\"{name}\"] start = 2026-10-01 and end = 2026-10-31")
