"""Cells written as Excel formulas that give text: `="00123"`. Exports write them so that Excel keeps a cell
as text (leading zeros, long IDs, dates it would convert); TikTok Shop's GMV Max export writes every cell,
the header's too, this way. The cell is the text in the quotes, with doubled quotes made single, as Excel
shows it. Any other formula (`=A1+1`, `="a"&"b"`) is left as it is."""

from __future__ import annotations

import re

import pyarrow as pa
import pyarrow.compute as pc

_TEXT_FORMULA = re.compile(r'="((?:[^"]|"")*)"')


def unwrap(cell: str) -> str:
    """`="x"` as x; any other cell as it is."""
    if cell[:1] != "=":
        return cell
    match = _TEXT_FORMULA.fullmatch(cell)
    return match.group(1).replace('""', '"') if match else cell


def unwrap_array(values: pa.Array) -> pa.Array:
    """The strings of `values` unwrapped; `values` itself when none starts with '=' (one pass in Arrow)."""
    if not len(values) or not pc.any(pc.starts_with(values, "=")).as_py():
        return values
    return pa.array([None if v is None else unwrap(v) for v in values.to_pylist()], values.type)
