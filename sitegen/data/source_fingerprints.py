"""What tells that a source's rows changed, worked out in the database: its row count and latest sync time where
the rows have a sync column (Airbyte, Fivetran, dlt), else its row count and an order-free hash of every row.

Every client's query of a table shared by all differs only in its parameters' values: `fingerprints` asks them
in one statement, each client's values a row the query is joined to laterally, so the table is read once rather
than once per client."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from sitegen.data.sources import FILES, POSTGRES, SourceSpec, columns, parameter_keys, placeholder, run, statement
from sitegen.errors import SitegenError

SYNC_COLUMNS = ("_airbyte_extracted_at", "_airbyte_emitted_at", "_fivetran_synced", "_dlt_load_id")
JOINED = "sitegen_params_"  # the joined table of parameter values (a name no one's query uses)
ROW = "sitegen_row_"  # the query's rows, each a whole: not `source`, which a column or parameter may be called
BATCH = 500  # sets of values per statement (PostgreSQL takes at most 65,535 parameters)


def fingerprint(spec: SourceSpec) -> str:
    """The source's fingerprint."""
    sql, values = statement(spec)
    sql = f"({sql}\n)"  # `)` on a line of its own: the query may end in a -- comment
    names = columns(spec, sql, values)
    summary, how = _summary(spec, names)
    _, rows = run(spec, f"SELECT {summary} FROM {sql} AS {ROW}", values)
    return _fingerprint(how, names, rows[0])


def fingerprints(specs: Iterable[SourceSpec]) -> dict[SourceSpec, str]:
    """Each source's `fingerprint`: those that differ only in their parameters' values asked together."""
    groups: dict[tuple, list[SourceSpec]] = {}
    for spec in dict.fromkeys(specs):  # (values of one type: a column of 1 and 1.5 would make 1 a double)
        kinds = tuple((n, type(v).__name__) for n, v in spec.params)
        groups.setdefault((spec.url, spec.table, spec.query, kinds), []).append(spec)
    found: dict[SourceSpec, str] = {}
    for group in groups.values():
        if len(group) > 1 and group[0].query is not None and group[0].scheme != FILES:
            try:
                for start in range(0, len(group), BATCH):
                    found.update(_joined(group[start:start + BATCH]))
            except SitegenError:  # a parameter where a column cannot stand (LIMIT :n, a table function's argument)
                pass
        found.update((spec, fingerprint(spec)) for spec in group if spec not in found)
    return found


def _joined(group: list[SourceSpec]) -> dict[SourceSpec, str]:
    """The fingerprints of one query with several sets of values, in one statement."""
    first = group[0]
    used = parameter_keys(first.query or "")  # name -> its key, in the order the query uses them
    if not used:  # the same statement for all
        return dict.fromkeys(group, fingerprint(first))
    sql, values = statement(first)
    names = columns(first, f"({sql}\n)", values)
    summary, how = _summary(first, names)
    joined, _ = statement(first, joined=JOINED)
    rows = ", ".join(f"({i}, {', '.join(placeholder(first, f'v{i}_{k}') for k in used.values())})"
                     for i in range(len(group)))
    bound = {f"v{i}_{k}": dict(spec.params)[n] for i, spec in enumerate(group) for n, k in used.items()}
    parameters = ", ".join(f'"{k}"' for k in used.values())
    _, result = run(first, f"SELECT {JOINED}.i_, {summary} FROM (VALUES {rows}) AS {JOINED}(i_, {parameters}), "
                           f"LATERAL ({joined}\n) AS {ROW} GROUP BY {JOINED}.i_", bound)
    by_set = {row[0]: tuple(row[1:]) for row in result}
    return {spec: _fingerprint(how, names, by_set.get(i, (0, None))) for i, spec in enumerate(group)}


def _summary(spec: SourceSpec, names: list[str]) -> tuple[str, str]:
    """The aggregate that sums up the rows, and what it is."""
    synced = next((c for c in SYNC_COLUMNS if c in names), None)
    if synced is not None:
        return f'count(*), max({ROW}."{synced}")', "sync:"
    if spec.scheme == POSTGRES:  # an order-free sum of the rows' text's hashes (PostgreSQL 11 or later)
        return f"count(*), sum(hashtextextended({ROW}::text, 0))", "rows:"
    return f"count(*), sum(hash({ROW}))", "rows:"


def _fingerprint(how: str, names: list[str], summary: tuple) -> str:
    return how + hashlib.sha256(repr([names, [tuple(summary)]]).encode()).hexdigest()[:32]
