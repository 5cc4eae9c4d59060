"""Every client's fingerprint of a shared table, asked in one statement (`source_fingerprints.fingerprints`): the
same fingerprints as one query per client, in DuckDB and PostgreSQL, with hostile values still bound."""

from __future__ import annotations

import datetime as dt
import os

import duckdb
import pytest
from postgres_server import fresh_schema
from test_sources import HOSTILE, _site_source_project

from sitegen.build import BuildOptions, build, plan
from sitegen.build.plan import FileDigests, PlanLater, client_plan
from sitegen.data import source_fingerprints
from sitegen.data.source_connections import connections_kept
from sitegen.data.source_fingerprints import fingerprint, fingerprints
from sitegen.data.sources import SourceSpec, fetch
from sitegen.errors import Diagnostics
from sitegen.project.discover import discover

CLIENTS = ["acme", "beta", "gamma", "nobody"]  # nobody has no rows
ROWS = [(client, day, 10 * day, dt.datetime(2026, 10, day, 8, 30))
        for client, days in (("acme", 3), ("beta", 2), ("gamma", 1)) for day in range(1, days + 1)]


def _duckdb(tmp_path, synced: bool = False) -> str:
    path = tmp_path / "w.duckdb"
    sync = ", _airbyte_extracted_at TIMESTAMP" if synced else ""
    with duckdb.connect(str(path)) as connection:
        connection.execute(f"CREATE TABLE ads (client TEXT, day INTEGER, spend BIGINT{sync})")
        connection.executemany(f"INSERT INTO ads VALUES (?, ?, ?{', ?' if synced else ''})",
                               [row if synced else row[:3] for row in ROWS])
    return f"duckdb:///{path}"


def _specs(url: str, values, query: str = "SELECT * FROM ads WHERE client = :client", name: str = "client"):
    return [SourceSpec("ads", url, query=query, params=((name, value),)) for value in values]


def _counted(monkeypatch) -> list[str]:
    statements: list[str] = []
    run = source_fingerprints.run

    def counting(spec, sql, values, arrow=False):
        statements.append(sql)
        return run(spec, sql, values, arrow)

    monkeypatch.setattr(source_fingerprints, "run", counting)
    return statements


@pytest.mark.parametrize("synced", [False, True], ids=["rows", "sync"])
def test_a_shared_duckdb_table_is_asked_once_for_every_client(tmp_path, monkeypatch, synced):
    specs = _specs(_duckdb(tmp_path, synced), CLIENTS)
    one_by_one = {spec: fingerprint(spec) for spec in specs}
    assert len(set(one_by_one.values())) == len(CLIENTS)  # each client's rows differ
    statements = _counted(monkeypatch)
    with connections_kept():
        assert fingerprints(specs) == one_by_one
    assert len(statements) == 1 and "LATERAL" in statements[0]  # (and the columns, asked once)


def test_values_that_are_not_a_column_fall_back_to_a_query_each(tmp_path, monkeypatch):
    url = _duckdb(tmp_path)
    specs = [SourceSpec("ads", url, query="SELECT * FROM ads ORDER BY day LIMIT :n", params=(("n", n),))
             for n in (1, 2, 3)]
    one_by_one = {spec: fingerprint(spec) for spec in specs}
    assert len(set(one_by_one.values())) == 3
    statements = _counted(monkeypatch)
    assert fingerprints(specs) == one_by_one
    assert len(statements) > 3


def test_sources_of_their_own_are_asked_each(tmp_path):
    url = _duckdb(tmp_path)
    specs = [SourceSpec("ads", url, table="ads"), *_specs(url, ["acme"]),
             SourceSpec("b", url, query="SELECT * FROM ads WHERE spend > 10")]
    assert fingerprints(specs) == {spec: fingerprint(spec) for spec in specs}


def test_hostile_values_are_bound_when_asked_together(tmp_path):
    url = _duckdb(tmp_path)
    specs = _specs(url, [*HOSTILE, "acme"])
    found = fingerprints(specs)
    assert found == {spec: fingerprint(spec) for spec in specs}
    assert len({found[s] for s in specs[:-1]}) == 1 and found[specs[-1]] != found[specs[0]]  # no rows but acme's
    with duckdb.connect(url.split("://", 1)[1][1:]) as connection:
        assert connection.execute("SELECT count(*) FROM ads").fetchone()[0] == len(ROWS)


def test_a_shared_postgres_table_is_asked_once_for_every_client(postgres_url, monkeypatch):
    fresh_schema(postgres_url, "batch", "CREATE TABLE batch.ads (client TEXT, day INTEGER, spend BIGINT, "
                 "_airbyte_extracted_at TIMESTAMPTZ)", rows=("INSERT INTO batch.ads VALUES (%s, %s, %s, %s)",
                 [(*row[:3], row[3].replace(tzinfo=dt.UTC)) for row in ROWS]))
    for query in ("SELECT * FROM batch.ads WHERE client = :client",
                  "SELECT client, day, spend FROM batch.ads WHERE client = :client -- not synced, 100%"):
        values = [*CLIENTS, *(v for v in HOSTILE if "\x00" not in v)]  # (PostgreSQL's text holds no NUL)
        specs = _specs(postgres_url, values, query)
        one_by_one = {spec: fingerprint(spec) for spec in specs}
        assert len({one_by_one[s] for s in specs[:3]}) == 3
        statements = _counted(monkeypatch)
        assert fingerprints(specs) == one_by_one, query
        assert len([s for s in statements if "LATERAL" in s]) == 1
        monkeypatch.undo()


def test_a_build_asks_a_shared_table_once_for_all_its_clients(tmp_path, monkeypatch):
    root = _site_source_project(tmp_path / "p")
    _refuse_asking_alone(monkeypatch)
    options = BuildOptions(output=tmp_path / "out", jobs=1)
    build(root, options)
    with duckdb.connect(str(root / "warehouse.duckdb")) as connection:
        connection.execute("UPDATE ads SET spend = spend + 1 WHERE client = 'beta' AND date = DATE '2026-10-01'")
    result = build(root, options)
    assert [line for line in result.explain if "source" in line] == [
        "beta: source shared ads changed: loading the data and recomputing every report"]


def test_a_worker_that_plans_a_client_is_told_its_fingerprints(tmp_path, monkeypatch):
    project = discover(_site_source_project(tmp_path / "p"), Diagnostics())
    files = FileDigests()
    files.ask_sources(s for c in project.clients for s in c.sources)
    _refuse_asking_alone(monkeypatch)
    for client in project.clients:
        later = PlanLater({"report": "r", "client": "c"}, ("#000000",), files.answers(client.sources))
        assert later.sources and later.make(project, client)[0] == client_plan(
            files, project, client, later.templates, later.palette)


def _refuse_asking_alone(monkeypatch) -> None:
    def refused(spec):
        raise AssertionError(f"asked {spec.name} alone")

    monkeypatch.setattr(source_fingerprints, "fingerprint", refused)
    monkeypatch.setattr(plan, "fingerprint", refused)


def test_a_forked_worker_opens_its_own_connections(tmp_path, postgres_url):
    """The build's connections, opened for the fingerprints, are not handed down to forked workers: two processes
    speaking on one PostgreSQL session garble both, and a DuckDB connection is not made to be forked."""
    server = SourceSpec("pid", postgres_url, query="SELECT pg_backend_pid()")
    database = SourceSpec("ads", _duckdb(tmp_path), table="ads")
    with connections_kept():
        parent = fetch(server)[1][0][0]
        fetch(database)
        read, write = os.pipe()
        child = os.fork()
        if child == 0:  # pragma: no cover (the child)
            try:
                os.write(write, f"{fetch(server)[1][0][0]} {len(fetch(database)[1])}".encode())
            finally:
                os._exit(0)
        os.waitpid(child, 0)
        child_session, rows = map(int, os.read(read, 100).split())
        assert child_session != parent and rows == len(ROWS)
        assert fetch(server)[1][0][0] != child_session  # (and the build's own connection still works)


def test_a_column_or_parameter_named_source_does_not_stand_for_the_row(tmp_path, postgres_url):
    """The rows' hash is of every column, whatever the columns and parameters are called."""
    import psycopg

    with psycopg.connect(postgres_url, autocommit=True) as connection:
        connection.execute("DROP SCHEMA IF EXISTS named CASCADE")
        connection.execute("CREATE SCHEMA named")
        connection.execute("CREATE TABLE named.ads (client TEXT, source TEXT, spend INTEGER)")
        connection.execute("INSERT INTO named.ads VALUES ('acme', 'tiktok', 1), ('beta', 'tiktok', 2)")
    path = tmp_path / "named.duckdb"
    with duckdb.connect(str(path)) as connection:
        connection.execute("CREATE TABLE ads AS SELECT * FROM (VALUES ('acme', 'tiktok', 1), ('beta', 'tiktok', 2)) "
                           "AS t(client, source, spend)")
    for url, table in ((postgres_url, "named.ads"), (f"duckdb:///{path}", "ads")):
        columns = _specs(url, ["acme", "beta"], f"SELECT * FROM {table} WHERE client = :client")
        assert fingerprint(columns[0]) != fingerprint(columns[1]), url  # (only spend differs)
        parameters = _specs(url, ["acme", "beta"], f"SELECT spend FROM {table} WHERE client = :source", "source")
        assert fingerprints(parameters) == {spec: fingerprint(spec) for spec in parameters}, url


def test_parameters_whose_names_differ_in_case_are_two_values(tmp_path):
    """DuckDB's `$name` and identifiers ignore case: `:Client` and `:client` must still bind their own values."""
    url = _duckdb(tmp_path)
    query = "SELECT *, :Client AS shown FROM ads WHERE client = :client"
    specs = [SourceSpec("ads", url, query=query, params=(("Client", f"Name of {c}"), ("client", c)))
             for c in ("acme", "beta")]
    assert [len(fetch(spec)[1]) for spec in specs] == [3, 2]
    assert fetch(specs[0])[1][0][-1] == "Name of acme"
    found = fingerprints(specs)
    assert found == {spec: fingerprint(spec) for spec in specs} and len(set(found.values())) == 2


def test_values_of_different_types_keep_their_own_type(tmp_path, postgres_url):
    """A column of values takes one type (3 and 1.5: both doubles), which would change the rows of the clients
    whose value had another (and `:n / 2` is 1 for 3 in PostgreSQL, 1.5 for 3.0)."""
    for url in (_duckdb(tmp_path), postgres_url):
        specs = _specs(url, [3, 1.5, 2, 4.0], "SELECT :n AS n, :n / 2 AS half FROM (SELECT 1) AS one", "n")
        assert fingerprints(specs) == {spec: fingerprint(spec) for spec in specs}, url
