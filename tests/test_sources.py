"""`[[sources]]`: the tiny dataset read from CSV files, a DuckDB file, a PostgreSQL server (tests/postgres_server.py)
and Parquet files builds the same pages to the byte; a site's query selects each client's rows by bound parameters,
hostile values included; a source's problems and an unreachable server are one line with exit 2 and no password;
its fingerprint spares an unchanged table a rebuild and names a changed one."""

from __future__ import annotations

import datetime as dt
import json
import re
import socket
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from helpers import build, make_project, tree_digest
from tiny_data import TABLES

from sitegen.data.source_connections import connections_kept
from sitegen.data.source_fingerprints import fingerprint
from sitegen.data.sources import SourceSpec, fetch, query_parameters
from sitegen.errors import SitegenError

KINDS = tuple(TABLES)
_DAY = re.compile(r"\d{4}-\d\d-\d\d")
_TIME = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d(:\d\d)?")


def _column_type(name: str, values: list[str]) -> str:
    """The SQL type a warehouse would give a column of the tiny dataset (ids stay text)."""
    given = [v for v in values if v != ""]
    if name.endswith("_id") or not given:
        return "TEXT"
    if all(v.isdigit() for v in given):
        return "BIGINT"
    if all(_DAY.fullmatch(v) for v in given):
        return "DATE"
    if all(_TIME.fullmatch(v) for v in given):
        return "TIMESTAMP"
    return "TEXT"


def typed_frame(rows: list[dict], extra: dict | None = None) -> pd.DataFrame:
    """Rows of text as a warehouse keeps them: numbers as integers, days as dates, empty cells as NULL."""
    columns = {}
    for name in dict.fromkeys(k for row in rows for k in row):
        values = [row.get(name, "") for row in rows]
        kind = _column_type(name, values)
        convert = {"BIGINT": int, "DATE": dt.date.fromisoformat, "TIMESTAMP": dt.datetime.fromisoformat,
                   "TEXT": str}[kind]
        columns[name] = pd.Series([convert(v) if v != "" else None for v in values], dtype=object)
    frame = pd.DataFrame(columns)
    for name, value in (extra or {}).items():
        frame[name] = value
    return frame


def sql_types(frame: pd.DataFrame) -> dict[str, str]:
    return {name: _column_type(name, ["" if v is None else str(v) for v in frame[name]]) for name in frame.columns}


def to_duckdb(path: Path, tables: dict[str, pd.DataFrame]) -> Path:
    with duckdb.connect(str(path)) as connection:
        for name, frame in tables.items():
            connection.register("frame", frame)
            columns = ", ".join(f'CAST("{c}" AS {t}) AS "{c}"' for c, t in sql_types(frame).items())
            connection.execute(f'CREATE OR REPLACE TABLE "{name}" AS SELECT {columns} FROM frame')
            connection.unregister("frame")
    return path


def to_postgres(url: str, tables: dict[str, pd.DataFrame], schema: str) -> None:
    """The tables into their own schema (each test its own, on the one server of the session); times as a sync
    tool writes them, with a time zone and a fraction of a second (which a date and time does not show)."""
    import psycopg

    def value(v):
        return v + dt.timedelta(milliseconds=123) if isinstance(v, dt.datetime) else v

    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        connection.execute(f'CREATE SCHEMA "{schema}"')
        for name, frame in tables.items():
            types = {c: "TIMESTAMPTZ" if t == "TIMESTAMP" else t for c, t in sql_types(frame).items()}
            connection.execute(f'CREATE TABLE "{schema}"."{name}" ('
                               + ", ".join(f'"{c}" {t}' for c, t in types.items()) + ")")
            with connection.cursor() as cursor:
                cursor.executemany(f'INSERT INTO "{schema}"."{name}" VALUES ({", ".join(["%s"] * len(types))})',
                                   [tuple(map(value, row)) for row in frame.itertuples(index=False)])


def _toml_string(text: str) -> str:
    return json.dumps(text)  # a JSON string is a TOML basic string for the text here


def sources_toml(sources: list[dict]) -> str:
    lines = ['name = "Acme"', 'currency = "EUR"']
    for source in sources:
        lines.append("\n[[sources]]")
        for key, value in source.items():
            if isinstance(value, dict):
                value = "{ " + ", ".join(f"{k} = {_toml_string(v)}" for k, v in value.items()) + " }"
                lines.append(f"{key} = {value}")
            else:
                lines.append(f"{key} = {_toml_string(value)}")
    return "\n".join(lines) + "\n"


FRAMES = {kind: typed_frame(rows) for kind, rows in TABLES.items()}


def files_project(root: Path) -> Path:
    return make_project(root, dict(TABLES), client_toml=sources_toml([]))


def duckdb_project(root: Path) -> Path:
    make_project(root, {}, client_toml=sources_toml(
        [{"url": "duckdb:///../../warehouse.duckdb", "table": kind, "name": kind} for kind in KINDS]))
    to_duckdb(root / "warehouse.duckdb", FRAMES)
    return root


def postgres_project(root: Path, url: str, schema: str) -> Path:
    to_postgres(url, FRAMES, schema)
    return make_project(root, {}, client_toml=sources_toml(
        [{"url": url, "table": f"{schema}.{kind}", "name": kind} for kind in KINDS]))


def parquet_project(root: Path) -> Path:
    for kind, frame in FRAMES.items():  # a glob of parts, as a sync tool writes them
        table = frame.copy()
        for name, kind_of in sql_types(frame).items():
            table[name] = {"BIGINT": lambda s: s.astype("Int64"), "DATE": pd.to_datetime,
                           "TIMESTAMP": pd.to_datetime, "TEXT": lambda s: s.astype("string")}[kind_of](table[name])
        folder = root / "lake" / kind
        folder.mkdir(parents=True)
        half = len(table) // 2
        table.iloc[:half].to_parquet(folder / "part-0.parquet", index=False)
        table.iloc[half:].to_parquet(folder / "part-1.parquet", index=False)
    return make_project(root, {}, client_toml=sources_toml(
        [{"url": f"../../lake/{kind}/*.parquet", "name": kind} for kind in KINDS]))


def built(project: Path, out: Path, *extra: str, env: dict | None = None):
    run = build(project, out, "-q", *extra, env=env)
    assert run.returncode == 0, run.stderr
    return run


def _figures(out: Path) -> dict:
    """published.json without what names the inputs (the data files and their hashes; a source is no file)."""
    record = json.loads((out / "acme" / "published.json").read_text(encoding="utf-8"))
    return {slug: {k: v for k, v in report.items() if k != "key"} for slug, report in record["reports"].items()}


def test_files_duckdb_postgres_and_parquet_build_the_same_site(tmp_path, postgres_url):
    digests = {}
    for name, project in [("files", files_project(tmp_path / "files")),
                          ("duckdb", duckdb_project(tmp_path / "duckdb")),
                          ("postgres", postgres_project(tmp_path / "postgres", postgres_url, "same_site")),
                          ("parquet", parquet_project(tmp_path / "parquet"))]:
        built(project, tmp_path / f"out-{name}")
        digests[name] = tree_digest(tmp_path / f"out-{name}")
        assert digests[name].pop("acme/published.json")
    assert len(digests["files"]) > 5
    for name in ("duckdb", "postgres", "parquet"):
        differ = sorted(k for k in digests["files"].keys() | digests[name].keys()
                        if digests["files"].get(k) != digests[name].get(k))
        assert not differ, f"{name}: {differ}"
        assert _figures(tmp_path / f"out-{name}") == _figures(tmp_path / "out-files")


def _site_source_project(root: Path) -> Path:
    """Two clients reading one table of the site: each selects its rows by its slug and its advertiser."""
    site = ('title = "Test reports"\nlocale = "en_US"\ncurrency = "USD"\n\n[[sources]]\nurl = "duckdb:///warehouse.duckdb"\n'
            'query = "SELECT * FROM ads WHERE client = :client AND advertiser_id = :advertiser_id ORDER BY date"\n'
            'name = "shared ads"\n')
    others = {k: TABLES[k] for k in ("videos", "account")}
    for slug, advertiser in (("acme", "A1"), ("beta", "B1")):
        make_project(root, others, client=slug, site_toml=site,
                     client_toml=f'name = "{slug}"\ncurrency = "EUR"\n'
                                 f'source_params = {{ advertiser_id = "{advertiser}" }}\n')
    double = [{**row, "spend": str(2 * int(row["spend"]))} for row in TABLES["ads"]]
    decoy = [{**row, "spend": "7777"} for row in TABLES["ads"]]
    rows = ([{"client": "acme", "advertiser_id": "A1", **r} for r in TABLES["ads"]]
            + [{"client": "beta", "advertiser_id": "B1", **r} for r in double]
            + [{"client": "acme", "advertiser_id": "B1", **r} for r in decoy])
    to_duckdb(root / "warehouse.duckdb", {"ads": typed_frame(rows)})
    return root


def _spend(out: Path, slug: str) -> float:
    return json.loads((out / slug / "2026-10" / "kpis.json").read_text(encoding="utf-8"))["kpis"]["spend"]["value"]


def test_a_site_source_gives_each_client_its_own_rows(tmp_path):
    root = _site_source_project(tmp_path / "p")
    built(root, tmp_path / "out")
    assert (_spend(tmp_path / "out", "acme"), _spend(tmp_path / "out", "beta")) == (150, 300)
    with duckdb.connect(str(root / "warehouse.duckdb")) as connection:  # only beta's rows change
        connection.execute("UPDATE ads SET spend = spend + 1 WHERE client = 'beta' AND date = DATE '2026-10-01'")
    run = built(root, tmp_path / "out", "--explain")
    assert [line for line in run.stdout.splitlines() if line.startswith("rebuilt")] == [
        "rebuilt beta: source shared ads changed: loading the data and recomputing every report"]
    assert (_spend(tmp_path / "out", "acme"), _spend(tmp_path / "out", "beta")) == (150, 301)


HOSTILE = ["'; DROP TABLE ads; --", "A1' OR '1'='1", '"ads"', "%s", "%(client)s", ":other", "$1", "A1\\",
           "x" * 100_000, "A1\x00", "A1; DELETE FROM ads"]


@pytest.mark.parametrize("value", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_parameter_values_are_bound_in_duckdb(tmp_path, value):
    database = to_duckdb(tmp_path / "w.duckdb", {"ads": typed_frame(TABLES["ads"])})
    spec = SourceSpec("ads", f"duckdb:///{database}", query="SELECT * FROM ads WHERE campaign = :campaign",
                      params=(("campaign", value),))
    assert fetch(spec)[1] == []
    assert len(fetch(SourceSpec("ads", f"duckdb:///{database}", table="ads"))[1]) == len(TABLES["ads"])


def test_hostile_parameter_values_are_bound_in_postgres(postgres_url):
    to_postgres(postgres_url, {"ads": typed_frame(TABLES["ads"])}, "hostile")
    for value in HOSTILE:
        spec = SourceSpec("ads", postgres_url, query="SELECT * FROM hostile.ads WHERE campaign = :campaign",
                          params=(("campaign", value),))
        if "\x00" in value:  # PostgreSQL's text holds no NUL: the driver refuses the value, and says so
            with pytest.raises(SitegenError, match="NUL"):
                fetch(spec)
            continue
        assert fetch(spec)[1] == [], value[:40]
    assert len(fetch(SourceSpec("ads", postgres_url, table="hostile.ads"))[1]) == len(TABLES["ads"])


def test_a_kept_postgres_session_prepares_no_statement(postgres_url):
    """Each client's query is the same statement: on a kept session psycopg would prepare it, which a table
    altered meanwhile (a sync adding a column) or a pooler in transaction mode (PgBouncer) makes fail."""
    import psycopg

    with psycopg.connect(postgres_url, autocommit=True) as connection:
        connection.execute("DROP SCHEMA IF EXISTS prepared CASCADE")
        connection.execute("CREATE SCHEMA prepared")
        connection.execute("CREATE TABLE prepared.ads (client TEXT, spend INTEGER)")
        connection.execute("INSERT INTO prepared.ads VALUES ('acme', 1)")
    specs = [SourceSpec("ads", postgres_url, query="SELECT * FROM prepared.ads WHERE client = :client",
                        params=(("client", f"c{i}"),)) for i in range(8)]
    with connections_kept():
        for spec in specs:
            fetch(spec)
        with psycopg.connect(postgres_url, autocommit=True) as connection:
            connection.execute("ALTER TABLE prepared.ads ADD COLUMN clicks INTEGER")
        assert fetch(specs[0])[0] == ["client", "spend", "clicks"]
        assert fetch(SourceSpec("p", postgres_url, query="SELECT name FROM pg_prepared_statements"))[1] == []


def test_a_hostile_source_param_is_no_rows_on_the_command_line(tmp_path, postgres_url):
    to_postgres(postgres_url, {"ads": typed_frame(TABLES["ads"])}, "hostile_cli")
    site = (f'title = "T"\n\n[[sources]]\nurl = {_toml_string(postgres_url)}\n'
            'query = "SELECT * FROM hostile_cli.ads WHERE campaign = :campaign"\nname = "ads"\n')
    root = make_project(tmp_path / "p", {k: TABLES[k] for k in ("videos", "account")}, site_toml=site,
                        client_toml='name = "Acme"\n'
                                    'source_params = { campaign = "\'; DROP TABLE hostile_cli.ads; --" }\n')
    run = build(root, tmp_path / "out", "-q")
    assert run.returncode == 2 and len(run.error_lines) == 1, run.stderr
    assert "no rows" in run.error_lines[0] and "Traceback" not in run.stderr
    assert len(fetch(SourceSpec("ads", postgres_url, table="hostile_cli.ads"))[1]) == len(TABLES["ads"])


def test_a_percent_in_a_literal_and_a_cast_work_on_postgres(postgres_url):
    to_postgres(postgres_url, {"ads": typed_frame(TABLES["ads"])}, "casts")
    spec = SourceSpec("ads", postgres_url, query="SELECT date::text AS day, spend, '100%' AS note FROM casts.ads "
                      "WHERE campaign::text LIKE :prefix || '%' AND 'a:b' <> ':prefix' ORDER BY date",
                      params=(("prefix", "A"),))
    names, rows = fetch(spec)
    assert names == ["day", "spend", "note"]
    assert rows == [("2026-09-30", 999, "100%"), ("2026-10-01", 100, "100%")]


def test_a_password_in_a_url_is_refused(tmp_path):
    root = make_project(tmp_path / "p", client_toml=sources_toml(
        [{"url": "postgresql://reporter:s3cret-pw@db.example/warehouse", "table": "ads"}]))
    run = build(root, tmp_path / "out", "-q")
    assert run.returncode == 2 and len(run.error_lines) == 1, run.stderr
    assert "PGPASSWORD" in run.error_lines[0]
    assert "s3cret-pw" not in run.stderr + run.stdout and "Traceback" not in run.stderr


def test_an_unreachable_server_is_one_line_without_the_password(tmp_path, postgres_url):
    with socket.socket() as unused:  # a port nothing listens on
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    url = f"postgresql://sitegen@127.0.0.1:{port}/sitegen"
    root = make_project(tmp_path / "p", client_toml=sources_toml([{"url": url, "table": "ads"}]))
    run = build(root, tmp_path / "out", "-q", env={"PGPASSWORD": "s3cret-pw", "PGCONNECT_TIMEOUT": "5"})
    assert run.returncode == 2 and len(run.error_lines) == 1, run.stderr
    assert "cannot read postgresql://sitegen@127.0.0.1" in run.error_lines[0]
    assert "s3cret-pw" not in run.stderr + run.stdout and "Traceback" not in run.stderr


def test_a_bad_cell_in_a_source_is_named_by_row_and_column(tmp_path):
    root = duckdb_project(tmp_path / "p")
    bad = typed_frame(TABLES["ads"])
    bad["spend"] = bad["spend"].map(str)
    bad.loc[1, "spend"] = "lots"
    to_duckdb(root / "warehouse.duckdb", {"ads": bad})
    run = build(root, tmp_path / "out", "-q")
    assert run.returncode == 2, run.stderr
    assert any(line.startswith("error: ads:2:spend: ") for line in run.error_lines), run.stderr
    assert "Traceback" not in run.stderr


def test_an_unchanged_table_costs_no_rebuild_and_a_changed_one_is_named(tmp_path):
    root = duckdb_project(tmp_path / "p")
    built(root, tmp_path / "out")
    assert "rebuilt nothing changed" in built(root, tmp_path / "out", "--explain").stdout
    with duckdb.connect(str(root / "warehouse.duckdb")) as connection:
        connection.execute("UPDATE ads SET spend = 120 WHERE date = DATE '2026-10-01'")
    run = built(root, tmp_path / "out", "--explain")
    assert "rebuilt acme: source ads changed" in run.stdout
    assert _spend(tmp_path / "out", "acme") == 170


def test_a_postgres_fingerprint_follows_the_rows(postgres_url):
    import psycopg

    to_postgres(postgres_url, {"ads": typed_frame(TABLES["ads"])}, "prints")
    spec = SourceSpec("ads", postgres_url, table="prints.ads")
    first = fingerprint(spec)
    assert first.startswith("rows:") and fingerprint(spec) == first
    with psycopg.connect(postgres_url, autocommit=True) as connection:
        connection.execute("UPDATE prints.ads SET clicks = clicks + 1 WHERE campaign = 'B'")
    assert fingerprint(spec) != first


def test_a_synced_table_is_fingerprinted_by_count_and_latest_sync(tmp_path):
    stamps = pd.to_datetime(["2026-10-03 01:00", "2026-10-03 01:00", "2026-10-03 02:00"])
    database = to_duckdb(tmp_path / "w.duckdb", {"ads": typed_frame(TABLES["ads"])})
    with duckdb.connect(str(database)) as connection:
        frame = typed_frame(TABLES["ads"], {"_airbyte_extracted_at": stamps})
        connection.register("frame", frame)
        connection.execute("CREATE TABLE synced AS SELECT * REPLACE (CAST(spend AS BIGINT) AS spend) FROM frame")
    spec = SourceSpec("synced", f"duckdb:///{database}", table="synced")
    first = fingerprint(spec)
    assert first.startswith("sync:") and fingerprint(SourceSpec("a", spec.url, table="ads")).startswith("rows:")
    with duckdb.connect(str(database)) as connection:  # a row changed without a sync: its rows are not read
        connection.execute("UPDATE synced SET spend = 1 WHERE campaign = 'B'")
    assert fingerprint(spec) == first
    with duckdb.connect(str(database)) as connection:
        connection.execute("UPDATE synced SET _airbyte_extracted_at = TIMESTAMP '2026-10-04 00:00' "
                           "WHERE campaign = 'B'")
    assert fingerprint(spec) != first


def test_sources_have_names_of_their_own(tmp_path):
    """Six globs ending in *.parquet, two queries of one database: messages and --explain tell them apart."""
    from sitegen.project.client_sources import client_sources
    from sitegen.project.settings import ClientConfig, SiteConfig

    cfg = ClientConfig(sources=[{"url": "duckdb:///w.duckdb", "query": "SELECT 1"},
                                {"url": "duckdb:///w.duckdb", "query": "SELECT 2"},
                                {"url": "postgresql://reporter@/warehouse?host=/run/sock", "table": "ads"},
                                {"url": "../lake/ads/*.parquet"}, {"url": "../lake/videos/*.parquet"}])
    specs = client_sources(cfg, SiteConfig(), "acme", tmp_path, tmp_path / "client.toml", tmp_path / "sitegen.toml")
    assert [s.name for s in specs] == ["w.duckdb query", "w.duckdb query (2)", "warehouse ads",
                                       "../lake/ads/*.parquet", "../lake/videos/*.parquet"]


QUERIES = ["SELECT * FROM ads WHERE campaign = :campaign;\n",
           "SELECT * FROM ads WHERE campaign = :campaign -- campaign A's rows only",
           "SELECT * FROM ads /* not :other, not 100% */ WHERE campaign = :campaign",
           "SELECT * FROM ads\n-- :other's\nWHERE campaign = :campaign -- 'A'\n",
           "SELECT * FROM ads WHERE campaign = :campaign AND 'a--b;' <> ''; -- the end;\n/* done; */ \n"]


@pytest.mark.parametrize("query", QUERIES, ids=["semicolon", "last-comment", "block-comment", "comments",
                                                "semicolon-then-comments"])
def test_a_query_as_people_write_it_is_read_and_fingerprinted(tmp_path, query):
    database = to_duckdb(tmp_path / "w.duckdb", {"ads": typed_frame(TABLES["ads"])})
    spec = SourceSpec("ads", f"duckdb:///{database}", query=query, params=(("campaign", "A"),))
    assert len(fetch(spec)[1]) == 2
    assert fingerprint(spec).startswith("rows:")
    assert query_parameters(query) == ["campaign"]


def test_comments_with_percent_and_colon_on_postgres(postgres_url):
    to_postgres(postgres_url, {"ads": typed_frame(TABLES["ads"])}, "comments")
    for query in QUERIES:
        spec = SourceSpec("ads", postgres_url, query=query.replace("FROM ads", "FROM comments.ads"),
                          params=(("campaign", "A"),))
        assert len(fetch(spec)[1]) == 2 and fingerprint(spec).startswith("rows:"), query
