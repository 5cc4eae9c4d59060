"""Data from sources that changes with no file event: the live preview polls each source's fingerprint and
rebuilds; a build asks a source again only when its database changed."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from helpers import make_project
from tiny_data import TABLES

from sitegen.build import plan
from sitegen.data.source_fingerprints import fingerprint as plan_fingerprint
from sitegen.errors import Diagnostics
from sitegen.project.discover import discover
from sitegen.serve.source_poll import SourcePoller, source_fingerprints

duckdb = pytest.importorskip("duckdb", reason="DuckDB is not installed")

SOURCE = '[[sources]]\nurl = "duckdb:///../../warehouse.duckdb"\nquery = "SELECT * FROM ads WHERE client = :client"\n'


def _project(root: Path) -> Path:
    make_project(root, tables={"account": TABLES["account"]}, client_toml='name = "Acme"\n' + SOURCE)
    with duckdb.connect(str(root / "warehouse.duckdb")) as con:
        con.execute("CREATE TABLE ads (client VARCHAR, date VARCHAR, campaign VARCHAR, spend VARCHAR, "
                    "impressions VARCHAR, clicks VARCHAR)")
        con.execute("INSERT INTO ads VALUES ('acme', '2026-10-01', 'A', '100', '1000', '10')")
    return root


def _write(root: Path, sql: str) -> None:
    """Change the table as another program would: DuckDB lets no writer in while the poller reads, so retry."""
    deadline = time.monotonic() + 5
    while True:
        try:
            with duckdb.connect(str(root / "warehouse.duckdb")) as con:
                con.execute(sql)
            return
        except duckdb.ConnectionException:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.01)


def test_a_changed_table_is_noticed_and_an_unchanged_one_is_not(tmp_path):
    root = _project(tmp_path / "p")
    first = source_fingerprints(root)
    assert list(first) == [("acme", "warehouse.duckdb ads")]
    assert source_fingerprints(root) == first
    _write(root, "UPDATE ads SET spend = '101'")
    assert source_fingerprints(root) != first


def test_the_poller_calls_back_when_the_rows_change(tmp_path):
    root = _project(tmp_path / "p")
    called = threading.Event()
    poller = SourcePoller(root, 0.05, called.set)
    poller.start()
    try:
        assert not called.wait(0.3)  # unchanged: no rebuild
        _write(root, "INSERT INTO ads VALUES ('acme', '2026-10-02', 'B', '50', '500', '5')")
        assert called.wait(5)
    finally:
        poller.stop()


def test_a_build_asks_a_source_again_only_when_its_database_changed(tmp_path, monkeypatch):

    root = _project(tmp_path / "p")
    spec = discover(root, Diagnostics()).clients[0].sources[0]
    asked = []
    monkeypatch.setattr(plan, "fingerprint", lambda s: asked.append(s.name) or plan_fingerprint(s))
    digests = plan.FileDigests()
    first = digests.source(spec)
    assert digests.source(spec) == first and asked == ["warehouse.duckdb ads"]  # the file did not change
    _write(root, "UPDATE ads SET spend = '101'")
    assert digests.source(spec) != first and len(asked) == 2
