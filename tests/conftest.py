"""Fixtures shared by the tests (helpers to import are in helpers.py; no test imports this module)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from helpers import DATA, REPO, build
from postgres_server import postgres_url  # noqa: F401 (a throwaway PostgreSQL server, for test_sources.py)

from sitegen.data.load import load_client_data
from sitegen.errors import Diagnostics
from sitegen.i18n import language
from sitegen.metrics.facts import client_facts
from sitegen.metrics.report import report_kpis
from sitegen.project.discover import discover
from sitegen.render.charts import report_charts


@pytest.fixture(scope="session")
def canonical_dir(tmp_path_factory) -> Path:
    """tests/data/canonical as one client's data folder (without its expected_kpis.json)."""
    data = tmp_path_factory.mktemp("canonical") / "data"
    data.mkdir()
    for path in (DATA / "canonical").glob("*.csv"):
        shutil.copy(path, data / path.name)
    return data


@pytest.fixture(scope="session", autouse=True)
def shared_cache(tmp_path_factory):
    """One cache folder (SITEGEN_CACHE_DIR) for the whole run: static chart images, chart templates and the Vega
    bundle are made once, not per test; each project's build cache lies in it under the project's path."""
    folder = tmp_path_factory.mktemp("cache")
    previous = os.environ.get("SITEGEN_CACHE_DIR")
    os.environ["SITEGEN_CACHE_DIR"] = str(folder)
    yield folder
    if previous is None:
        os.environ.pop("SITEGEN_CACHE_DIR", None)
    else:
        os.environ["SITEGEN_CACHE_DIR"] = previous


@pytest.fixture
def demo_project(tmp_path) -> Path:
    """A copy of the bundled demo project (3 clients, 9 reports)."""
    root = tmp_path / "demo"
    shutil.copytree(REPO / "content", root / "content")
    shutil.copy(REPO / "sitegen.toml", root / "sitegen.toml")
    return root


@pytest.fixture(scope="session")
def demo_kpis():
    """(client, kpis, chart specs) of every report of the bundled demo project."""
    project = discover(REPO, Diagnostics())
    found = []
    for client in project.clients:
        facts = client_facts(load_client_data(client.data_dir, Diagnostics(), client.columns))
        for report in client.reports:
            kpis = report_kpis(facts, report.period, report.comparison, report.targets, client.targets,
                               client.creator_fees)
            found.append((client, kpis, report_charts(kpis, lang=language(client.locale))))
    return found


@pytest.fixture(scope="session")
def demo_output(tmp_path_factory) -> Path:
    """The bundled demo project (the repository root), built once per worker by the real CLI; read it only."""
    out = tmp_path_factory.mktemp("demo-output") / "site"
    run = build(REPO, out)
    assert run.returncode == 0, run.stderr
    return out
