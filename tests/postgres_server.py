"""A throwaway PostgreSQL server for the tests of database sources (`postgres_url`, a session fixture).

It is started from the server's own binaries (Debian's `postgresql` package puts them in
/usr/lib/postgresql/<version>/bin; `.ci/run` installs it), in a fresh data folder, listening on a Unix socket
in that folder only (no TCP port), with trust authentication for its one user. PostgreSQL refuses to run as
root, so under root it runs as the `postgres` user (made by the package) or else as `nobody`. A clone without
PostgreSQL or psycopg skips these tests and says why."""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

PROGRAMS = ("initdb", "pg_ctl")


def server_binaries() -> Path | None:
    """The folder of initdb and pg_ctl: on PATH, else the newest /usr/lib/postgresql/<version>/bin."""
    found = shutil.which("initdb")
    if found and shutil.which("pg_ctl"):
        return Path(os.path.realpath(found)).parent
    folders = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda f: int(Path(f).parent.name)
                     if Path(f).parent.name.isdigit() else 0)
    return next((Path(f) for f in reversed(folders) if all((Path(f) / p).exists() for p in PROGRAMS)), None)


def _server_user() -> str | None:
    """Who runs the server: None (this user) unless this is root, which PostgreSQL refuses."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            pwd.getpwnam(name)
            return name
        except KeyError:
            continue
    pytest.skip("running as root, and there is no postgres or nobody user to run PostgreSQL as")


def _run(user: str | None, *command: str | Path) -> None:
    prefix = ["runuser", "-u", user, "--"] if user else []
    run = subprocess.run([*prefix, *map(str, command)], capture_output=True, text=True, timeout=60,
                         stdin=subprocess.DEVNULL)
    if run.returncode:
        raise RuntimeError(f"{Path(str(command[0])).name} failed: {run.stderr.strip() or run.stdout.strip()}")


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """The URL of a database `sitegen` on a fresh server (user `sitegen`, trust authentication), for this test
    session (each xdist worker has its own server)."""
    try:
        import psycopg
    except ImportError:
        pytest.skip('needs psycopg (pip install "psycopg[binary]")')
    binaries = server_binaries()
    if binaries is None:
        pytest.skip("needs a PostgreSQL server (initdb, pg_ctl; Debian: apt-get install postgresql)")
    user = _server_user()
    folder = Path(tempfile.mkdtemp(prefix="sitegen-pg-"))
    if user:
        entry = pwd.getpwnam(user)
        os.chown(folder, entry.pw_uid, entry.pw_gid)
    data = folder / "data"
    _run(user, binaries / "initdb", "-D", data, "-U", "sitegen", "-A", "trust", "-E", "UTF8", "--locale=C",
         "--no-sync")
    options = f"-k {folder} -c listen_addresses='' -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    try:
        _run(user, binaries / "pg_ctl", "-D", data, "-o", options, "-l", folder / "server.log", "-w", "-s", "start")
        with psycopg.connect(f"postgresql://sitegen@/postgres?host={folder}", autocommit=True) as connection:
            connection.execute("CREATE DATABASE sitegen")
        yield f"postgresql://sitegen@/sitegen?host={folder}"
    finally:
        subprocess.run([*(["runuser", "-u", user, "--"] if user else []), str(binaries / "pg_ctl"), "-D", str(data),
                        "-m", "immediate", "-s", "stop"], capture_output=True, timeout=60)
        shutil.rmtree(folder, ignore_errors=True)


def fresh_schema(url: str, schema: str, *statements: str, rows: tuple[str, list[tuple]] | None = None) -> None:
    """A schema of the server made anew (each test its own), its tables made by `statements`; `rows`: an INSERT
    with %s placeholders and the rows for it."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        connection.execute(f'CREATE SCHEMA "{schema}"')
        for statement in statements:
            connection.execute(statement)
        if rows is not None:
            connection.cursor().executemany(*rows)
