"""A source's rows as text (`source_tables`): flat rows take the Arrow path, which must give the very cells the
pandas path (the one records take) gives, for every type a warehouse column has."""

from __future__ import annotations

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from postgres_server import fresh_schema

from sitegen.data import source_tables
from sitegen.data.source_tables import read_source
from sitegen.data.sources import SourceSpec
from sitegen.errors import SitegenError

COLUMNS = {
    "text": "VARCHAR", "whole": "BIGINT", "small": "SMALLINT", "huge": "UBIGINT", "ratio": "DOUBLE",
    "money": "DECIMAL(12,2)", "day": "DATE", "moment": "TIMESTAMP", "flag": "BOOLEAN",
}
VALUES = {
    "text": st.one_of(st.none(), st.text(max_size=12), st.sampled_from(['="00123"', "  padded ", "", "=SUM(A1)"])),
    "whole": st.one_of(st.none(), st.integers(-2**63, 2**63 - 1)),
    "small": st.one_of(st.none(), st.integers(-2**15, 2**15 - 1)),
    "huge": st.one_of(st.none(), st.integers(0, 2**64 - 1)),
    "ratio": st.one_of(st.none(), st.floats(allow_nan=False, allow_infinity=False), st.sampled_from([0.5, 3.0])),
    "money": st.one_of(st.none(), st.decimals(min_value=-10**9, max_value=10**9, places=2)),
    "day": st.one_of(st.none(), st.dates()),
    "moment": st.one_of(st.none(), st.datetimes()),
    "flag": st.one_of(st.none(), st.booleans()),
}
ROWS = st.lists(st.fixed_dictionaries(VALUES), min_size=1, max_size=8)


def _cells(table) -> dict[str, list[str]]:
    numbers, cells = table.read(table.names)
    return {"#": list(numbers), **{name: column.to_pylist() for name, column in cells.items()}}


def _both_paths(spec: SourceSpec, monkeypatch) -> tuple[dict, dict]:
    fast = _cells(read_source(spec))
    with monkeypatch.context() as patched:
        patched.setattr(source_tables, "flat_already", lambda names: False)  # the path records take
        slow = _cells(read_source(spec))
    return fast, slow


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=ROWS)
def test_the_arrow_path_gives_the_cells_the_pandas_path_gives(tmp_path_factory, monkeypatch, rows):
    path = tmp_path_factory.mktemp("w") / "w.duckdb"
    with duckdb.connect(str(path)) as connection:
        connection.execute("CREATE TABLE t (" + ", ".join(f"{c} {t}" for c, t in COLUMNS.items()) + ")")
        connection.executemany(f"INSERT INTO t VALUES ({', '.join(['?'] * len(COLUMNS))})",
                               [tuple(row[c] for c in COLUMNS) for row in rows])
    fast, slow = _both_paths(SourceSpec("t", f"duckdb:///{path}", table="t"), monkeypatch)
    assert fast == slow
    assert all(isinstance(cell, str) for name, cells in fast.items() if name != "#" for cell in cells)


def test_postgres_columns_give_the_same_cells_on_both_paths(postgres_url, monkeypatch):
    fresh_schema(postgres_url, "tables_",
                 "CREATE TABLE tables_.t (text TEXT, whole BIGINT, ratio DOUBLE PRECISION, money NUMERIC(12, 2), "
                 "day DATE, moment TIMESTAMPTZ, flag BOOLEAN, huge NUMERIC)",
                 "INSERT INTO tables_.t VALUES (' a ', 7, 0.5, 1.50, '2026-10-01', '2026-10-01 08:30:00.123+02', true, "
                 "18446744073709551615), (NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL), ('=\"007\"', -3, 3, 2, "
                 "'2026-10-02', '2026-10-02 00:00+02', false, 1)")
    fast, slow = _both_paths(SourceSpec("t", postgres_url, table="tables_.t"), monkeypatch)
    assert fast == slow
    assert fast["text"] == ["a", "", "007"] and fast["whole"] == ["7", "", "-3"]


@pytest.mark.parametrize("query", ["SELECT text, text FROM t", "SELECT whole AS a, text AS a FROM t"])
def test_a_column_named_twice_is_an_error(tmp_path, query):
    path = tmp_path / "w.duckdb"
    with duckdb.connect(str(path)) as connection:
        connection.execute("CREATE TABLE t (text VARCHAR, whole BIGINT)")
        connection.execute("INSERT INTO t VALUES ('x', 1)")
    with pytest.raises(SitegenError, match="appears twice"):
        read_source(SourceSpec("t", f"duckdb:///{path}", query=query))
