"""Data from a database table instead of a file: DuckDB (a file next to the project) or PostgreSQL. A source's rows
come back as rows of values (`source_tables` makes them a table of cells, read by the same rules as a file's); its
problems are told as `name:row:column`. Nothing here needs pandas: a build's plan asks each source for its
fingerprint.

Values are always bound as parameters (`:name` in a query), never written into the SQL. A PostgreSQL password
comes from the environment (`PGPASSWORD`) or `~/.pgpass`, as libpq reads them: a URL with a password in it is
refused where the settings are read, and every URL shown in a message has its password removed."""

from __future__ import annotations

import glob
import re
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

from sitegen.data.source_connections import duckdb_connection, file_state, kept, memo, postgres_connection
from sitegen.errors import SitegenError

DUCKDB, POSTGRES, FILES = "duckdb", "postgresql", "files"
SCHEMES = {"duckdb": DUCKDB, "postgresql": POSTGRES, "postgres": POSTGRES, "": FILES}
FILE_FUNCTIONS = {".parquet": "read_parquet", ".jsonl": "read_ndjson", ".ndjson": "read_ndjson", ".json": "read_json",
                  ".csv": "read_csv"}
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_$]*")
# a comment, a quoted string or identifier, a `::` cast, a `:name` parameter or a %: only `:name` is a parameter
_SQL_PARTS = re.compile(r"--[^\n]*|/\*.*?\*/|'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"|::|:([A-Za-z_][A-Za-z0-9_]*)|%",
                        re.DOTALL)


@dataclass(frozen=True)
class SourceSpec:
    """A configured source as one client reads it: where, what, with which parameter values."""

    name: str  # in messages, as `name:row:column`
    url: str  # duckdb:////absolute/path.duckdb, postgresql://user@host/db, or an absolute file path or glob
    table: str | None = None
    query: str | None = None
    params: tuple[tuple[str, str | int | float | bool], ...] = ()

    @property
    def scheme(self) -> str:
        return SCHEMES[urlsplit(self.url).scheme.split("+")[0]]

    @property
    def shown(self) -> str:
        return shown_url(self.url)


def shown_url(url: str) -> str:
    """The URL without a password (for messages)."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    user = f"{parts.username}:***@" if parts.username else ":***@"
    return urlunsplit(parts._replace(netloc=f"{user}{host}{f':{parts.port}' if parts.port else ''}"))


def database_path(url: str) -> str:
    """The file of a duckdb: URL (three slashes: relative, as SQLAlchemy reads them; four: absolute)."""
    return url.split("://", 1)[1][1:]


def check_table_name(table: str) -> str:
    """A table name as written (`schema.table` allowed): identifiers only, quoted when used."""
    if not all(_IDENTIFIER.fullmatch(part) for part in table.split(".")) or table.count(".") > 2:
        raise ValueError(f"{table[:80]!r} is not a table name; expected letters, digits and _ (schema.table "
                         "allowed); for anything else, write a query")
    return table


def query_parameters(query: str) -> list[str]:
    """The `:name` parameters a query uses (outside quoted strings and `::` casts)."""
    return [m[1] for m in _SQL_PARTS.finditer(query) if m[1]]


def statement(spec: SourceSpec, joined: str | None = None) -> tuple[str, dict]:
    """The SQL in the driver's parameter style, and the values to bind; with `joined`, each `:name` is that
    table's column instead (see `source_fingerprints`), and no values are bound."""
    if spec.scheme == FILES:  # Parquet, JSON Lines or CSV files, read by DuckDB
        suffix = "." + spec.url.rsplit(".", 1)[-1].lower()
        function = FILE_FUNCTIONS[suffix]
        options = ", all_varchar = true" if function == "read_csv" else ""
        return f"SELECT * FROM {function}($path{options})", {"path": spec.url}
    if spec.table is not None:
        quoted = ".".join(f'"{part}"' for part in spec.table.split("."))
        return f"SELECT * FROM {quoted}", {}
    values, keys = dict(spec.params), parameter_keys(spec.query)

    def part(m: re.Match) -> str:
        if not m[1]:  # psycopg reads every % as the start of a placeholder, even in quotes
            return m[0].replace("%", "%%") if spec.scheme == POSTGRES else m[0]
        if m[1] not in values:
            raise SitegenError(f"the query uses :{m[1]}, and params gives no value for it", spec.name)
        return f'{joined}."{keys[m[1]]}"' if joined else placeholder(spec, keys[m[1]])

    sql = _without_end(_SQL_PARTS.sub(part, spec.query))
    return sql, {} if joined else {keys[k]: v for k, v in values.items() if k in keys}


def _without_end(sql: str) -> str:
    """The query without its closing `;` and the spaces and comments after it: a `;` would end the statement a
    fingerprint wraps the query in."""
    comments = {m.end(): m.start() for m in _SQL_PARTS.finditer(sql) if m[0].startswith(("--", "/*"))}
    end = len(sql.rstrip())
    while end in comments or sql[:end].endswith(";"):
        end = len(sql[:comments.get(end, end - 1)].rstrip())
    return sql[:end]


def parameter_keys(query: str) -> dict[str, str]:
    """Each parameter's name in the SQL a driver runs, numbered: DuckDB's `$name` and identifiers ignore case,
    so `:Client` and `:client` would be one value there."""
    return {name: f"p{k}_{name}" for k, name in enumerate(dict.fromkeys(query_parameters(query)))}


def placeholder(spec: SourceSpec, name: str) -> str:
    """A parameter in the SQL its driver runs."""
    return f"${name}" if spec.scheme != POSTGRES else f"%({name})s"


Rows = tuple[list[str], list[tuple]]  # column names, rows of values as the driver gives them


def fetch(spec: SourceSpec) -> Rows:
    """The source's rows."""
    sql, values = statement(spec)
    return run(spec, sql, values)


def fetch_arrow(spec: SourceSpec):
    """A DuckDB source's (or files') rows as an Arrow table: typed columns, without a Python object per cell."""
    sql, values = statement(spec)
    return run(spec, sql, values, arrow=True)


def run(spec: SourceSpec, sql: str, values: dict, arrow: bool = False):
    try:
        if spec.scheme == POSTGRES:
            return _postgres(spec, sql, values)
        return _duckdb(spec, sql, values, arrow)
    except SitegenError:
        raise
    except Exception as exc:  # drivers raise their own types for every failure
        text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise SitegenError(f"cannot read {spec.shown}: {text.replace(spec.url, spec.shown)}", spec.name) from None


def _duckdb(spec: SourceSpec, sql: str, values: dict, arrow: bool = False):
    connection = duckdb_connection(":memory:" if spec.scheme == FILES else database_path(spec.url))
    try:
        if arrow:
            return connection.sql(sql, params=values).to_arrow_table()
        cursor = connection.execute(sql, values)
        return [d[0] for d in cursor.description], cursor.fetchall()
    finally:
        connection.close()  # a kept connection's cursor, or a connection of its own


def _postgres(spec: SourceSpec, sql: str, values: dict) -> Rows:
    with postgres_connection(spec.url.replace("postgresql+psycopg://", "postgresql://"), spec.name) as connection, \
            connection.cursor() as cursor:
        cursor.execute(sql, values)
        return [d.name for d in cursor.description], cursor.fetchall()


_NAMES: dict[tuple[str, str], list[str]] = memo()  # (source, statement) -> its columns, while connections are kept
_STATES: dict[str, str | None] = memo()  # a server's database_state, while connections are kept


def database_state(spec: SourceSpec) -> str | None:
    """What changes whenever anything in the source's database changes, found without a query of its rows: a
    DuckDB file's (and its write-ahead log's) size, time and inode, the files' of a file source, PostgreSQL's
    write-ahead log position (once a build per server). None: not known cheaply."""
    if spec.scheme == DUCKDB:
        path = database_path(spec.url)
        return repr([file_state(path), file_state(path + ".wal")])
    if spec.scheme == FILES:
        return repr([(p, file_state(p)) for p in sorted(glob.glob(spec.url, recursive=True))])
    if spec.url not in _STATES or not kept():
        try:
            _, rows = run(spec, "SELECT pg_current_wal_lsn()::text", {})
            _STATES[spec.url] = rows[0][0]
        except SitegenError:
            _STATES[spec.url] = None
    return _STATES[spec.url]


def columns(spec: SourceSpec, sql: str, values: dict) -> list[str]:
    """The columns of a statement's rows (remembered while connections are kept: every client's query of a
    shared table has the same)."""
    names = _NAMES.get((spec.url, sql)) if kept() else None
    if names is None:
        names, _ = run(spec, f"SELECT * FROM {sql} AS source LIMIT 0", values)
        _NAMES[(spec.url, sql)] = names
    return names
