"""How the people who saved a file write numbers, dates and missing values.

Decided once per file, never per cell: the decimal mark (1.234,56 or 1,234.56), the date order
(2026-10-31, 31.10.2026, 10/31/2026) and the tokens that mean "no value" (-, --, N/A, <5 ...).
Cells are rewritten into one plain form (1234.56, 2026-10-31); a cell that does not fit the
file's convention is left as written, so validation reports it as the user wrote it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

NULL_TOKENS = frozenset({"-", "--", "—", "–", "n/a", "#n/a", "undefined", "null", "nan", "<5", "< 5"})
_GROUPING_SPACES = r"(\d)[\s\u00a0\u202f'’](\d{3})\b"  # RE2-friendly (no look-behind): 1 234 -> 1234
_PLAIN_NUMBER = r"-?\d*(?:\.\d{1,2}|\.\d{4,})?"  # needs no rewriting and is not ambiguous
_ISO_DATE = r"\d{4}-\d{2}-\d{2}(?:[ T].*)?"
PLAIN_NUMBER, ISO_DATE = re.compile(_PLAIN_NUMBER), re.compile(_ISO_DATE)
TEXT = "string[pyarrow]"  # vectorised string operations (pyarrow) instead of a Python loop per cell
TEXT_DTYPE = pd.StringDtype("pyarrow")
_DOT_DECIMAL = re.compile(r"^[+-]?(?:\d{1,3}(?:,\d{3})+|\d*)(?:\.\d+)?$")
_COMMA_DECIMAL = re.compile(r"^[+-]?(?:\d{1,3}(?:\.\d{3})+|\d*)(?:,\d+)?$")
_SLASHED = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})(.*)$")
_DOTTED = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})(.*)$")
_ISO_SLASHED = re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})(.*)$")


@dataclass
class Conventions:
    decimal: str = "."  # "." or ","
    date_order: str = "ymd"  # ymd | dmy | mdy
    notes: list[str] = field(default_factory=list)  # what was detected, for `sitegen check`
    ambiguous: list[str] = field(default_factory=list)  # detections that were guesses: warnings
    nulls: dict[str, int] = field(default_factory=dict)  # column -> cells read as missing


def blank_null_tokens(frame: pd.DataFrame, conventions: Conventions) -> pd.DataFrame:
    out = {}
    for column in frame.columns:
        values = frame[column].astype(TEXT).fillna("").str.strip()
        tokens = values.str.lower().isin(NULL_TOKENS)
        if tokens.any():
            conventions.nulls[column] = int(tokens.sum())
            values = values.where(~tokens, "")
        out[column] = values
    return pd.DataFrame(out, index=frame.index)


def is_plain_number(series: pd.Series) -> pd.Series:
    return series.str.fullmatch(_PLAIN_NUMBER)


def is_iso_date(series: pd.Series) -> pd.Series:
    return series.str.fullmatch(_ISO_DATE)


def numeric_text(series: pd.Series) -> pd.Series:
    """Numbers without the spaces that group their digits (1 234 567); a money cell's currency marker was set
    apart before (`currency_marks`), and any other column's is no number."""
    text = series
    spaced = text.str.contains(r"[\s\u00a0\u202f'’]")
    if spaced.any():
        for _ in range(2):  # a second pass for the groups the first one's matches overlapped
            text = text.str.replace(_GROUPING_SPACES, r"\1\2", regex=True)
    return text


def detect_decimal(cells: pd.Series, prefer_comma: bool, weights=None) -> tuple[str, str | None]:
    """(decimal mark, why it is a guess or None) from every number cell of a file (or from its distinct
    cells, each counted `weights` times)."""
    keep = (cells != "").to_numpy(dtype=bool)
    cells = cells[keep]
    has_both = (cells.str.contains(",") & cells.str.contains(r"\.")).to_numpy(dtype=bool)
    both = cells[has_both]
    if len(both):
        comma_last = (both.str.rfind(",") > both.str.rfind(".")).to_numpy(dtype=bool)
        if weights is None:
            share = comma_last.mean()
        else:
            counts = np.asarray(weights)[keep][has_both]
            share = int(counts[comma_last].sum()) / int(counts.sum())
        return ("," if share >= 0.5 else "."), None
    comma_decimals = cells.str.contains(r",(?:\d{1,2}|\d{4,})$").any()
    dot_decimals = cells.str.contains(r"\.(?:\d{1,2}|\d{4,})$").any()
    if comma_decimals != dot_decimals:
        return ("," if comma_decimals else "."), None
    dot_groups = cells.str.contains(r"^\d{1,3}(?:\.\d{3})+$").any()
    comma_groups = cells.str.contains(r"^\d{1,3}(?:,\d{3})+$").any()
    if dot_groups and not comma_groups:
        return ",", "numbers like 1.000 read with '.' as thousands separator"
    if comma_groups and not dot_groups:
        return ".", "numbers like 1,000 read with ',' as thousands separator"
    return ("," if prefer_comma else "."), None


def normalise_numbers(series: pd.Series, decimal: str) -> pd.Series:
    text = numeric_text(series)
    if decimal == ",":
        fits = text.str.match(_COMMA_DECIMAL) & (text != "")
        plain = text.str.replace(".", "", regex=False).str.replace(",", ".", regex=False)
    else:
        fits = text.str.match(_DOT_DECIMAL) & (text != "")
        plain = text.str.replace(",", "", regex=False)
    return plain.where(fits, series)


def detect_date_order(cells: pd.Series, prefer_day_first: bool, sample: str | None = None,
                      because: str = "") -> tuple[str, str | None]:
    """(date order, why it is a guess or None) from every date cell of a file (or its distinct cells, with
    `sample` the first one in row order, which the warning quotes; `because`: why the guess is the preferred
    order)."""
    cells = cells[cells != ""]
    if cells.str.fullmatch(_ISO_DATE).all():
        return "ymd", None
    if cells.str.match(_DOTTED).any():
        return "dmy", None
    slashed = cells.str.extract(_SLASHED)
    slashed = slashed.dropna()
    if slashed.empty:
        return "ymd", None
    first, second = slashed[0].astype(int), slashed[1].astype(int)
    if (first > 12).any() and not (second > 12).any():
        return "dmy", None
    if (second > 12).any() and not (first > 12).any():
        return "mdy", None
    order = "dmy" if prefer_day_first else "mdy"
    sample = cells.iloc[0] if sample is None else sample
    return order, (f"dates like {sample!r} could be day/month or month/day; read as "
                   f"{'day/month' if order == 'dmy' else 'month/day'}{because}")


def preferred_order(decimal: str, day_first: bool) -> tuple[bool, str]:
    """(whether dates the file does not decide are read day first, why): a decimal comma (1.234,56) says the
    file comes from a day-first spreadsheet, else the client's locale decides (`day_first`, see `options`)."""
    if decimal == ",":
        return True, " (the file's numbers have a decimal comma)"
    return day_first, " (as the client's locale writes dates)"


def normalise_dates(series: pd.Series, order: str) -> pd.Series:
    text = series.str.strip()
    if (text.str.fullmatch(_ISO_DATE) | (text == "")).all():
        return text
    out = text
    iso = text.str.extract(_ISO_SLASHED)
    has_iso = iso[0].notna()
    if has_iso.any():
        out = out.where(~has_iso, iso[0] + "-" + iso[1].str.zfill(2) + "-" + iso[2].str.zfill(2) + iso[3])
    for pattern in (_DOTTED, _SLASHED):
        parts = text.str.extract(pattern)
        hit = parts[0].notna()
        if not hit.any():
            continue
        day, month_ = (parts[0], parts[1]) if order != "mdy" or pattern is _DOTTED else (parts[1], parts[0])
        out = out.where(~hit, parts[2] + "-" + month_.str.zfill(2) + "-" + day.str.zfill(2) + parts[3])
    return out
