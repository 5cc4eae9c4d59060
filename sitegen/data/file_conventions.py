"""A file's conventions (decimal mark, date order) found on its distinct cells, with their counts, and its numbers
and dates rewritten in plain form (1234.56, 2026-10-31): the rules of `conventions`, on a batch's groups. Only
a file whose numbers or dates are not all written plainly needs this (`odd_rows`)."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from sitegen.data import conventions as conv
from sitegen.data.cells import PYTHON_MAX
from sitegen.data.groups import Group, arrow_text, text_series, unique_groups
from sitegen.data.kinds import NUMBER_TYPES, TIME_TYPES, Kind
from sitegen.data.spelled_dates import DateContext, SpelledFound, rewrite_spelled


def odd_rows(kind: Kind, groups: dict[str, Group], n: int) -> np.ndarray:
    """Rows with a number or date not written plainly (1234.56, 2026-10-31): their file has conventions."""
    odd = np.zeros(n, dtype=bool)
    for group, columns in unique_groups(groups, list(groups)):
        types = (NUMBER_TYPES, conv.PLAIN_NUMBER), (TIME_TYPES, conv.ISO_DATE)
        plain = next((p for t, p in types if group.ctype in t), None)
        if plain is None:
            continue
        bad = ~_plain_cells(group, plain)
        if bad.any():
            for name in columns:
                odd |= bad[group.codes[name]]
    return odd


def _plain_cells(group: Group, plain: re.Pattern) -> np.ndarray:
    """fullmatch(group.clean, plain) | (group.clean == ""), the simple cells (convert_fast's, which the group
    keeps for it) looked at without a regular expression: a simple number is plain unless it has three
    decimals (1.234 could mean 1234), a simple date or time is an ISO date."""
    clean = group.clean
    simple = group.simple()
    result = simple.copy()
    if group.ctype in NUMBER_TYPES and simple.any():
        dot = pc.find_substring(clean, ".").to_numpy(zero_copy_only=False)
        size = pc.binary_length(clean).to_numpy(zero_copy_only=False)  # (simple cells are ASCII)
        result &= (dot < 0) | (size - dot - 1 != 3)
    rest = np.flatnonzero(~simple)
    if len(rest):
        cells = clean.take(pa.array(rest))
        result[rest] = fullmatch(cells, plain) | pc.equal(cells, "").to_numpy(zero_copy_only=False)
    return result


def fullmatch(cells: pa.Array, pattern: re.Pattern) -> np.ndarray:
    """`Series.str.fullmatch(pattern)` of pandas' Arrow strings, which follows Python's `re` (for ASCII text
    pandas, and so this, asks RE2; for other text Python)."""
    if pc.all(pc.string_is_ascii(cells)).as_py() is not False:
        return pc.match_substring_regex(cells, f"^(?:{pattern.pattern})$").to_numpy(zero_copy_only=False)
    if len(cells) > PYTHON_MAX:
        return text_series(cells).str.fullmatch(pattern.pattern).to_numpy(dtype=bool)
    return np.array([pattern.fullmatch(v) is not None for v in cells.to_pylist()], dtype=bool)


def _present(group: Group, name: str) -> tuple[pd.Series, np.ndarray]:
    """(distinct cells of the column that occur, their counts)."""
    counts = np.bincount(group.codes[name], minlength=len(group.clean))
    where = np.flatnonzero(counts)
    return text_series(group.clean.take(pa.array(where))), counts[where]


def _first_cell(group: Group, name: str) -> str | None:
    """The first non-empty cell of the column, in row order."""
    empty = pc.equal(group.clean, "").to_numpy(zero_copy_only=False)
    codes = group.codes[name]
    rows = np.flatnonzero(~empty[codes])
    return group.clean[int(codes[rows[0]])].as_py() if len(rows) else None


def apply_conventions(kind: Kind, names: list[str], groups: dict[str, Group],
                       conventions: conv.Conventions, context: DateContext | None = None) -> None:
    """Detect one file's conventions on its distinct cells, then rewrite its numbers and dates in plain form
    (`context`: what places its dates without a year, see `spelled_dates`)."""
    numbers = [c for c in names if kind.columns.get(c, "extra") in NUMBER_TYPES]
    times = [c for c in names if kind.columns.get(c, "extra") in TIME_TYPES]
    time_cells = pd.concat([_present(groups[c], c)[0] for c in times]) if times else pd.Series([], dtype=object)
    first = next((cell for cell in (_first_cell(groups[c], c) for c in times) if cell is not None), None)
    day_first, why_dates = conv.detect_date_order(time_cells, prefer_day_first=False, sample=first)
    present = [_present(groups[c], c) for c in numbers]
    plain = all((conv.is_plain_number(cells) | (cells == "")).all() for cells, _ in present)
    if numbers and not plain:
        cells = conv.numeric_text(pd.concat([p[0] for p in present]))
        weights = np.concatenate([p[1] for p in present])
        decimal, why = conv.detect_decimal(cells, prefer_comma=day_first == "dmy", weights=weights)
        conventions.decimal = decimal
        if decimal == ",":
            conventions.notes.append("decimal comma (1.234,56)")
        if why:
            conventions.ambiguous.append(why)
        for group, _ in unique_groups(groups, numbers):
            group.clean = arrow_text(conv.normalise_numbers(text_series(group.clean), decimal))
    if times:
        if why_dates:
            prefer, because = conv.preferred_order(conventions.decimal, context is not None and context.day_first)
            day_first, why_dates = conv.detect_date_order(time_cells, prefer, first, because)
            conventions.ambiguous.append(why_dates)
        conventions.date_order = day_first
        if day_first != "ymd":
            conventions.notes.append("dates as " + {"dmy": "day.month.year", "mdy": "month/day/year"}[day_first])
        spelled = SpelledFound()
        for group, _ in unique_groups(groups, times):
            cells = conv.normalise_dates(text_series(group.clean), day_first)
            group.clean = arrow_text(rewrite_spelled(cells, context, spelled))
        conventions.notes.extend(dict.fromkeys(spelled.notes))
        conventions.ambiguous.extend(dict.fromkeys(spelled.warnings))
