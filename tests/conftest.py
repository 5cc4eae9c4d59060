from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO.parent / "shared" / "samples"


def write_csv(path: Path, rows: list[dict]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    columns = list(dict.fromkeys(k for row in rows for k in row))
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)
    return path


def make_project(root: Path, tables: dict[str, list[dict]], reports: dict[str, str] | None = None,
                 client: str = "acme", client_toml: str = "", site_toml: str | None = None) -> Path:
    """A small project: one client whose data files are `tables` (kind -> rows)."""
    data = root / "content" / client / "data"
    data.mkdir(parents=True, exist_ok=True)
    for kind, rows in tables.items():
        write_csv(data / f"{kind}.csv", rows)
    if client_toml:
        (root / "content" / client / "client.toml").write_text(client_toml, encoding="utf-8")
    if site_toml is not None:
        (root / "sitegen.toml").write_text(site_toml, encoding="utf-8")
    for name, text in (reports or {}).items():
        (root / "content" / client / name).write_text(text, encoding="utf-8")
    return root


@pytest.fixture(scope="session")
def canonical_dir(tmp_path_factory) -> Path:
    """The shared canonical samples as one client's data folder (without expected_kpis.json)."""
    data = tmp_path_factory.mktemp("canonical") / "data"
    data.mkdir()
    for path in (SAMPLES / "canonical").glob("*.csv"):
        shutil.copy(path, data / path.name)
    return data


@pytest.fixture(scope="session", autouse=True)
def shared_chart_cache(tmp_path_factory):
    """One cache of static chart images for the whole run: the same chart is drawn once, not per test."""
    import os

    folder = tmp_path_factory.mktemp("chart-cache")
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
