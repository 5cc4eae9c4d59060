"""What a column's first cells look like (dates, numbers, IDs), to tell whether a header the loader does not
know is plausibly a column it misses. Loose on purpose: it only chooses what to suggest, never what is read."""

from __future__ import annotations

import re
import warnings

import pandas as pd

SAMPLE = 20  # cells looked at
_NUMERIC_DATE = re.compile(r"^\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}(?:[ T]\d{1,2}:\d{2}.*)?$")
_NUMBER = re.compile(r"^[+-]?\(?[$€£¥]?\s*\d[\d.,'\s\u00a0\u202f]*\)?\s*[%$€£¥]?$")
_CURRENCY = re.compile(r"^(?:[A-Z]{3}|Rp)\s*|\s*[A-Z]{3}$")
_ID = re.compile(r"^\d{6,}$|/video/\d{8,}")
_LETTER = re.compile(r"[^\W\d_]")


def is_date(cell: str) -> bool:
    """A date or timestamp as exports write them: 2026-10-31, 31.10.2026, 10/31/2026, "October 31"."""
    if _NUMERIC_DATE.match(cell):
        return True
    if not (_LETTER.search(cell) and any(c.isdigit() for c in cell)):
        return False  # a bare number is not taken for a day of this month
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return pd.to_datetime(cell, errors="coerce", format="mixed") is not pd.NaT


def is_number(cell: str) -> bool:
    return bool(_NUMBER.match(_CURRENCY.sub("", cell)))


def is_id(cell: str) -> bool:
    return bool(_ID.search(cell))


_TESTS = {"date": is_date, "datetime": is_date, "int": is_number, "money": is_number, "float": is_number,
          "id": is_id}


def cells_fit(cells: list[str] | None, ctype: str) -> bool | None:
    """Whether most of the first non-empty cells look like values of a column of type `ctype`; None when
    they cannot tell (no cells, or a text column, which any cell fits)."""
    test = _TESTS.get(ctype)
    shown = [c.strip() for c in cells or [] if c is not None and str(c).strip()][:SAMPLE]
    if test is None or not shown:
        return None
    return sum(map(test, shown)) >= 0.8 * len(shown)
