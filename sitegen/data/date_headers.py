"""A header is taken for a date only if its cells are dates: Shopify's "Tags" is the German "Tag" (day) by name,
but its cells are tags. Told from a column's first non-empty cells, loosely (any way of writing a date, in any
language, has a digit), so that only a column that is plainly not one is refused."""

from __future__ import annotations

import re

import pyarrow as pa

from sitegen.data.encoded import Column, TextCells
from sitegen.data.kinds import Kind

LOOKED_AT = 5  # first non-empty cells looked at
_SCANNED = 1_000  # rows scanned for them
_DATE_LIKE = re.compile(r"^\D{0,20}\d.{0,40}$", re.DOTALL)  # a digit, and not a sentence


def not_dates(kind: Kind, mapping: dict[str, str], cells: dict[str, TextCells], user: dict[str, str]) -> list[str]:
    """The headers mapped to a date or time column of `kind` (not by the user) none of whose first non-empty cells
    looks like a date."""
    found = []
    for header, column in mapping.items():
        if kind.columns.get(column) not in ("date", "datetime") or header in user or header not in cells:
            continue
        first = _first_cells(cells[header])
        if first and not any(_DATE_LIKE.match(c) for c in first):
            found.append(header)
    return found


def _first_cells(cells: TextCells) -> list[str]:
    if isinstance(cells, Column):
        values = cells.uniques.take(pa.array(cells.codes[:_SCANNED])).to_pylist()
    elif isinstance(cells, pa.Array | pa.ChunkedArray):
        values = cells.slice(0, _SCANNED).to_pylist()
    else:
        values = cells[:_SCANNED]
    found = []
    for value in values:
        text = "" if value is None else str(value).strip()
        if text:
            found.append(text)
            if len(found) == LOOKED_AT:
                break
    return found
