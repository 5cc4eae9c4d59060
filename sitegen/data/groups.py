"""A batch's cells of one column type, dictionary-encoded together (`Group`): each distinct cell is cleaned
(trimmed, missing-value tokens blanked), rewritten by its file's conventions and typed once, and each column of
each file takes the results by its codes."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from sitegen.data import conventions as conv
from sitegen.data.cells import simple_cells
from sitegen.data.currency_marks import split_markers

_NULLS = pa.array(sorted(conv.NULL_TOKENS), pa.string())


def text_series(values: pa.Array) -> pd.Series:
    """Arrow strings as the pandas text the row-by-row path works on (no copy)."""
    return pd.Series(conv.TEXT_DTYPE.__from_arrow__(values), copy=False)


@dataclass
class Group:
    """Columns of one type sharing their distinct cells (or one column with its own, for a big file)."""

    ctype: str  # the kind's column type; "extra" for currency and video_link
    codes: dict[str, np.ndarray]  # column -> the batch's rows as positions in `written`
    written: pa.Array  # distinct cells as written
    clean: pa.Array = None  # the same, trimmed, tokens blanked (conventions.blank_null_tokens), rewritten
    token: np.ndarray = None  # per distinct cell: a missing-value token
    trimmed: pa.Array = None  # `clean` as first made (trimmed); it is `clean` until conventions rewrite it
    _simple: tuple = None  # (clean, cells.simple_cells of it)
    marks: np.ndarray | None = None  # a money group's: per distinct cell its currency marker or None (none: None)

    def __post_init__(self) -> None:
        trimmed = pc.utf8_trim_whitespace(self.written)
        self.token = pc.is_in(pc.utf8_lower(trimmed), value_set=_NULLS).to_numpy(zero_copy_only=False)
        self.clean = pc.if_else(pa.array(self.token), "", trimmed) if self.token.any() else trimmed
        self.trimmed = self.clean

    def simple(self) -> np.ndarray:
        """cells.simple_cells of `clean` (a number or date group), kept until `clean` changes."""
        if self._simple is None or self._simple[0] is not self.clean:
            self._simple = (self.clean, simple_cells(self.clean, self.ctype))
        return self._simple[1]


    def strip_markers(self) -> None:
        """A money group: the currency markers of its distinct cells (`€100`, `100 EUR`) set apart in `marks`, the
        amounts left in `clean` (plainly written cells are looked at by no regular expression)."""
        rest = np.flatnonzero(~self.simple() & pc.not_equal(self.clean, "").to_numpy(zero_copy_only=False))
        if not len(rest):
            return
        marks, amounts = split_markers(self.clean.take(pa.array(rest)))
        marked = np.flatnonzero(marks != None)  # noqa: E711 (elementwise)
        if not len(marked):
            return
        self.marks = np.full(len(self.clean), None, dtype=object)
        self.marks[rest[marked]] = marks[marked]
        mask = np.zeros(len(self.clean), dtype=bool)
        mask[rest[marked]] = True
        self.clean = pc.replace_with_mask(self.clean, pa.array(mask), amounts.take(pa.array(marked)))
        self.trimmed = self.clean


def unique_groups(groups: dict[str, Group], names: list[str]) -> list[tuple[Group, list[str]]]:
    """Each group once, with its columns in order."""
    seen: dict[int, tuple[Group, list[str]]] = {}
    for name in names:
        group = groups[name]
        seen.setdefault(id(group), (group, []))[1].append(name)
    return list(seen.values())


def arrow_text(series: pd.Series) -> pa.Array:
    """Text cells (pandas) back as Arrow strings."""
    return pa.array(series.astype(object), pa.string())
