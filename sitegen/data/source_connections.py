"""Connections to the sources' databases, kept open while a build (or one client's load) runs: opening one costs
more than most queries, and every client reads several sources from one database. They are closed when the
outermost `connections_kept` ends, so that no file stays open between builds (another process may want to write
it) and no server holds a session for a preview that sits idle."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sitegen.errors import SitegenError

_USERS = [0]  # how many `connections_kept` are open
_LOCK = threading.Lock()  # over everything here (the preview's look at its sources runs beside its builds)
_FILES: dict[str, tuple[tuple, Any]] = {}  # database file -> (its state when opened, its duckdb connection)
_SERVERS: dict[tuple[str, int], Any] = {}  # (URL, thread) -> its psycopg connection
_MEMOS: list[dict] = []  # what is known of the databases while connections are kept


@contextmanager
def connections_kept() -> Iterator[None]:
    """Keep connections open within."""
    with _LOCK:
        _USERS[0] += 1
    try:
        yield
    finally:
        with _LOCK:
            _USERS[0] -= 1
            if not _USERS[0]:
                _close()
                for known in _MEMOS:
                    known.clear()


def _close() -> None:
    for connection in [c for _, c in _FILES.values()] + list(_SERVERS.values()):
        connection.close()
    _FILES.clear()
    _SERVERS.clear()


def _close_before_fork() -> None:
    """A forked worker must not inherit a connection: two processes speaking on one PostgreSQL session garble
    both, and a DuckDB connection's threads do not survive a fork. Closed here, each side opens its own."""
    with _LOCK:
        _close()


os.register_at_fork(before=_close_before_fork)


def kept() -> bool:
    return _USERS[0] > 0


def memo() -> dict:
    """A dict that is emptied when the outermost `connections_kept` ends."""
    known: dict = {}
    _MEMOS.append(known)
    return known


def duckdb_connection(path: str):
    """A cursor of a read-only connection to the file, kept while the file (and its write-ahead log) stays as it
    was; or a connection of its own (":memory:", or nothing kept). Close it after use."""
    import duckdb  # only a project with such a source needs it

    with _LOCK:
        if path == ":memory:" or not _USERS[0]:
            return duckdb.connect(path, read_only=path != ":memory:")
        state = tuple(file_state(p) for p in (path, path + ".wal"))
        known = _FILES.get(path)
        if known is not None and known[0] == state:
            return known[1].cursor()
        if known is not None:
            known[1].close()
        connection = duckdb.connect(path, read_only=True)
        _FILES[path] = (state, connection)
        return connection.cursor()


@contextmanager
def postgres_connection(url: str, name: str) -> Iterator[Any]:
    """A connection to the server (one per thread while connections are kept; `name`: the source's, for the
    message when psycopg is missing)."""
    try:
        import psycopg
    except ImportError:
        raise SitegenError('a PostgreSQL source needs psycopg: pip install "sitegen[postgres]"', name) from None
    key = (url, threading.get_ident())
    with _LOCK:
        connection = _SERVERS.get(key) if _USERS[0] else None
        if connection is not None and (connection.closed or connection.broken):
            del _SERVERS[key]
            connection = None
    if connection is not None:
        yield connection
        return
    # a query is read, never written; nothing prepared: each client's query is the same statement, which a
    # kept session would prepare, and a table altered meanwhile or a pooler in transaction mode refuses that
    connection = psycopg.connect(url, connect_timeout=10, autocommit=True, prepare_threshold=None)
    with _LOCK:
        keep = _USERS[0] > 0
        if keep:
            _SERVERS[key] = connection
    try:
        yield connection
    finally:
        if not keep:
            connection.close()


def file_state(path: str) -> tuple:
    """What changes when the file does: its size, modification time and inode (empty: no such file)."""
    try:
        st = os.stat(path)
    except OSError:
        return ()
    return st.st_size, st.st_mtime_ns, st.st_ino
