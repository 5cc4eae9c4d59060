"""Shortcuts for small files against what they stand for: a CSV text without quotes split by str.split as the
csv module reads it, header detection that skips cells without letters, and tables made from their blocks as
pandas makes them from their columns."""

from __future__ import annotations

import csv
import io

import numpy as np
import pandas as pd
import pyarrow as pa
from fuzzing import fuzz_settings
from hypothesis import given
from hypothesis import strategies as st

from sitegen.data import combine
from sitegen.data.headers import _alias_keys, _ignored_keys, header_key, is_known_header
from sitegen.data.readers import delimited_small
from sitegen.data.readers.base import SCAN_ROWS
from sitegen.data.readers.delimited_head import find_header, head_lines, sniff_delimiter, split_lines
from sitegen.data.totals import TOTALS_ROW, total_rows

# the characters that matter to either reader, and some that do not
PIECES = st.sampled_from([",", ";", "\t", "|", "\n", "\r", "\r\n", " ", "a", "1", ".", "-", "\x0b", "\x1c", "\x85",
                          "\u2028", '"', "é", "x y", ""])


@fuzz_settings(300)
@given(st.lists(PIECES, max_size=60), st.sampled_from([",", ";", "\t", "|"]))
def test_plain_lines_split_as_the_csv_module_reads_them(pieces, delimiter):
    text = "".join(pieces)
    lines = delimited_small.plain_lines(text)
    if lines is None:
        assert any(c in text for c in '"\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029')
        return
    expected = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True))
    assert split_lines(lines, delimiter) == expected
    # what _header parsed: the same rows, but that joining the lines drops an empty last one (no row to find)
    head = list(csv.reader(io.StringIO("\n".join(head_lines(text)), newline=""), delimiter=delimiter))
    split = split_lines(lines[:SCAN_ROWS], delimiter)
    assert split in (head, [*head, []])
    assert find_header(split) == find_header(head)


def test_the_csv_modules_field_limit_is_lifted():
    """Its 131,072 characters would stop a long cell without saying where; readers.base.MAX_CELL_CHARS does."""
    assert csv.field_size_limit() > 2**30


@fuzz_settings(300)
@given(st.text(st.characters(max_codepoint=0x7F), max_size=12) | st.sampled_from(["12.50", "2026-10-31", "-", "%"]))
def test_cells_without_letters_are_no_known_header(cell):
    key = header_key(cell)
    assert is_known_header(cell) == (key in _alias_keys() or key in _ignored_keys())


def test_every_known_ascii_key_has_a_letter():  # (is_known_header's shortcut for ASCII cells relies on it)
    assert all(any("a" <= c.lower() <= "z" for c in k) for k in (*_alias_keys(), *_ignored_keys()) if k.isascii())


@fuzz_settings(100)
@given(st.lists(st.sampled_from(["float64", "object", "datetime64[ns]"]), min_size=1, max_size=8), st.integers(0, 5))
def test_tables_from_blocks_are_the_tables_pandas_makes(dtypes, n):
    rng = np.random.default_rng(n)
    arrays = {}
    for i, dtype in enumerate(dtypes):
        if dtype == "float64":
            arrays[f"c{i}"] = rng.random(n)
        elif dtype == "object":
            arrays[f"c{i}"] = np.array([["a", None, pd.NA, True][j % 4] for j in range(n)], dtype=object)
        else:
            arrays[f"c{i}"] = (np.datetime64("2026-01-01") + np.arange(n)).astype("datetime64[ns]")
    made = combine._consolidated(arrays, n)
    expected = pd.DataFrame({k: pd.Series(v, dtype=v.dtype, copy=False) for k, v in arrays.items()})
    expected.index = pd.RangeIndex(n)
    pd.testing.assert_frame_equal(made, expected, check_exact=True)
    assert made.columns.dtype == expected.columns.dtype and made.index.equals(expected.index)
    assert [b.dtype for b in made._mgr.blocks] == [b.dtype for b in expected._mgr.blocks]


def old_find_header(rows: list[list[str]]) -> int:
    """readers._find_header as it was (commit f0d02eb): every row of the first ones scored."""
    rows = rows[:SCAN_ROWS]
    scores = [sum(int(bool(c.strip()) and is_known_header(c)) for c in row) for row in rows]
    best = max(scores, default=0)
    return scores.index(best) if best >= 2 else 0


@fuzz_settings(300)
@given(st.lists(st.lists(st.sampled_from(["Date", "Campaign name", "Cost", "CPM", " ", "", "Report", "12.5", "x",
                                          "Clicks (Destination)", "Total of 3 results"]), max_size=6), max_size=34))
def test_the_header_row_is_found_as_before(rows):
    assert find_header(rows) == old_find_header(rows)


CELLS = st.one_of(st.from_regex(r"-?[0-9]{0,17}(\.[0-9]{0,7})?", fullmatch=True),
                  st.from_regex(r"[0-9]{4}-[0-9]{2}-[0-9]{2}([ T][0-9]{2}:[0-9]{2}(:[0-9]{2})?)?", fullmatch=True),
                  st.sampled_from(["", "1,5", "1.234,56", "٣", "12.345", "2026-10-31 x", "31.10.2026", "١٢.٥"]),
                  st.text(max_size=6))


@fuzz_settings(300)
@given(st.lists(CELLS, min_size=1, max_size=30, unique=True),
       st.sampled_from(["int", "money", "float", "date", "datetime"]))
def test_plain_cells_as_the_regular_expression_finds_them(cells, ctype):
    import pyarrow as pa
    import pyarrow.compute as pc

    from sitegen.data import conventions as conv
    from sitegen.data import file_conventions
    from sitegen.data.groups import Group
    from sitegen.data.kinds import NUMBER_TYPES

    group = Group(ctype, {}, pa.array(cells, pa.string()))
    plain = conv.PLAIN_NUMBER if ctype in NUMBER_TYPES else conv.ISO_DATE
    expected = file_conventions.fullmatch(group.clean, plain) | pc.equal(group.clean, "").to_numpy(zero_copy_only=False)
    assert file_conventions._plain_cells(group, plain).tolist() == expected.tolist()


def _sniffed(sample: str) -> str:
    """What sniff_delimiter stands for: csv.Sniffer on the sample, by counts where it gives up."""
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
    except csv.Error:
        counts = {d: sample.count(d) for d in ",;\t|"}
        return max(counts, key=counts.get) if any(counts.values()) else ","


@fuzz_settings(300)
@given(st.lists(PIECES, max_size=60))
def test_the_delimiter_is_the_sniffers(pieces):
    text = "".join(pieces)
    lines = text.splitlines()[:SCAN_ROWS]
    assert sniff_delimiter(text) == _sniffed("\n".join(lines))


TOTALS_PIECES = st.sampled_from(["Total", "TOTAL", "total of 5928 results", "Totals", "Gesamt", "gesamtsumme",
                                 "Summe", "ſumme", "Insgesamt", "subtotal", "Totally", " Total", "x", "1", "",
                                 "é", "\u0130", "K | ABO", " (12)", ": ", "3 results", "全2件の結果", " Wellness"])


@fuzz_settings(300)
@given(st.lists(st.lists(TOTALS_PIECES, max_size=3).map("".join), min_size=1, max_size=12))
def test_totals_rows_are_the_ones_the_regular_expression_finds(cells):
    expected = np.array([TOTALS_ROW.fullmatch(c.strip()) is not None for c in cells])
    for given_cells in (tuple(cells), pa.array(cells, pa.string())):
        found = total_rows(given_cells)
        assert (found if found is not None else np.zeros(len(cells), bool)).tolist() == expected.tolist()
